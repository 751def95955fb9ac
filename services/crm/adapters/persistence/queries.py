"""Read-side queries: profiles with LTV and segment, feedback summaries, the board."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.personal import unseal
from eventkit.keyring import Keyring
from services.crm.adapters.persistence.tables import (
    activity,
    complaints,
    feedback,
    orders,
    product_stages,
    profiles,
    sealed_contacts,
    tasks,
)
from services.crm.domain.rfm import RfmBands, RfmScore, score
from services.crm.domain.suggestions import PastOrder, Suggestion, suggest


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def survivor_of(conn: AsyncConnection, customer_id: str) -> str | None:
    row = (await conn.execute(select(profiles.c.merged_into)
           .where(profiles.c.customer_id == customer_id))).first()
    if row is None:
        return None
    return row.merged_into or customer_id


async def profile(conn: AsyncConnection, customer_id: str, *, keyring: Keyring,
                  bands: RfmBands, currency: str, now: datetime) -> dict[str, Any] | None:
    """The person's profile over every customer id merged into it."""
    survivor = await survivor_of(conn, customer_id)
    if survivor is None:
        return None
    rows = (await conn.execute(select(profiles).where(
        (profiles.c.customer_id == survivor) | (profiles.c.merged_into == survivor))
        .order_by(profiles.c.customer_id))).all()
    ids = [r.customer_id for r in rows]
    main = next(r for r in rows if r.customer_id == survivor)
    name, phone = main.name, main.phone_e164
    if (name is None and phone is None) and not main.erased:
        name, phone = await _unseal_now(conn, keyring, survivor)
    order_rows = (await conn.execute(select(orders).where(orders.c.customer_id.in_(ids))
                  .order_by(orders.c.placed_at))).all()
    ltv: dict[str, int] = defaultdict(int)
    counted = [o for o in order_rows if o.status not in ("cancelled", "returned")]
    for o in counted:
        ltv[o.currency] += o.total_minor
    returns = sum(1 for o in order_rows if o.status == "returned")
    n_complaints = len((await conn.execute(select(complaints.c.complaint_id)
                        .where(complaints.c.customer_id.in_(ids)))).all())
    last_order = max((aware(o.placed_at) for o in counted), default=None)
    rfm = score(days_since_last_order=(now - last_order).days if last_order else None,
                orders=len(counted), spend_minor=ltv.get(currency, 0), returns=returns,
                bands=bands)
    return {
        "customer_id": survivor, "customer_ids": ids, "name": name, "phone": phone,
        "erased": any(r.erased for r in rows) and name is None,
        "orders": len(order_rows), "orders_counted": len(counted), "returns": returns,
        "complaints": n_complaints,
        "lifetime_value": [{"amount": v, "currency": c} for c, v in sorted(ltv.items())],
        "leads": sum(r.leads for r in rows),
        "first_seen_at": min(aware(r.first_seen_at) for r in rows),
        "last_contact_at": max(aware(r.last_contact_at) for r in rows),
        "rfm": _rfm_dict(rfm),
    }


async def _unseal_now(conn: AsyncConnection, keyring: Keyring,
                      customer_id: str) -> tuple[str | None, str | None]:
    """Read-time unsealing, for a key that arrived after the worker's last pass."""
    from services.crm.domain.phone import normalise_phone

    key = await keyring.get(conn, customer_id)
    if key is None:
        return None, None
    name = phone = None
    for row in (await conn.execute(select(sealed_contacts.c.token)
                .where(sealed_contacts.c.customer_id == customer_id)
                .order_by(sealed_contacts.c.occurred_at))).all():
        data = unseal(key, row.token) or {}
        name = data.get("name") or name
        phone = normalise_phone(data.get("phone")) or phone
    return name, phone


def _rfm_dict(rfm: RfmScore) -> dict[str, Any]:
    return {"recency": rfm.recency, "frequency": rfm.frequency, "monetary": rfm.monetary,
            "segment": rfm.segment, "why": rfm.why}


async def segments(conn: AsyncConnection, *, keyring: Keyring, bands: RfmBands, currency: str,
                   now: datetime) -> dict[str, list[str]]:
    """Segment name -> survivor customer ids (no personal data)."""
    ids = (await conn.execute(select(profiles.c.customer_id)
           .where(profiles.c.merged_into.is_(None)).order_by(profiles.c.customer_id))).scalars().all()
    found: dict[str, list[str]] = defaultdict(list)
    for customer_id in ids:
        view = await profile(conn, customer_id, keyring=keyring, bands=bands, currency=currency,
                             now=now)
        if view is not None:
            found[view["rfm"]["segment"]].append(customer_id)
    return dict(found)


async def feedback_summary(conn: AsyncConnection, *, product_id: str | None,
                           since: datetime | None, until: datetime | None) -> dict[str, Any]:
    query = select(feedback)
    if product_id:
        query = query.where(feedback.c.product_id == product_id)
    if since:
        query = query.where(feedback.c.received_at >= since)
    if until:
        query = query.where(feedback.c.received_at < until)
    rows = (await conn.execute(query.order_by(feedback.c.received_at))).all()
    labels = Counter(r.label for r in rows)
    topics: dict[str, Counter[str]] = defaultdict(Counter)
    words: Counter[str] = Counter()
    periods: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        periods[aware(r.received_at).strftime("%Y-%m")][r.label] += 1  # type: ignore[union-attr]
        for topic in json.loads(r.topics):
            topics[topic][r.label] += 1
        words.update(json.loads(r.matched))
    return {
        "product_id": product_id, "since": since, "until": until, "count": len(rows),
        "average_rating": round(sum(r.rating for r in rows) / len(rows), 2) if rows else None,
        "sentiment": dict(labels),
        "topics": {t: dict(c) for t, c in sorted(topics.items())},
        "top_matched_words": [w for w, _ in words.most_common(10)],
        "by_month": {p: dict(c) for p, c in sorted(periods.items())},
        "items": [{"feedback_id": r.feedback_id, "rating": r.rating, "label": r.label,
                   "score": r.score, "matched": json.loads(r.matched),
                   "topics": json.loads(r.topics), "language": r.language} for r in rows],
    }


async def past_orders(conn: AsyncConnection) -> list[PastOrder]:
    rows = (await conn.execute(select(orders).where(orders.c.status != "cancelled"))).all()
    # Merged ids count as one buyer.
    links = dict((await conn.execute(select(profiles.c.customer_id, profiles.c.merged_into)
                  .where(profiles.c.merged_into.is_not(None)))).all())
    return [PastOrder(r.order_id, links.get(r.customer_id, r.customer_id), aware(r.placed_at),
                      tuple(json.loads(r.product_ids))) for r in rows]


async def suggestions_for(conn: AsyncConnection, customer_id: str, *, now: datetime,
                          default_reorder_days: dict[str, int],
                          min_together: int) -> list[Suggestion]:
    survivor = await survivor_of(conn, customer_id) or customer_id
    return suggest(survivor, await past_orders(conn), now=now,
                   default_reorder_days=default_reorder_days, min_together=min_together)


def task_dict(row: Any, now: datetime) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("opened_at", "due_at", "completed_at"):
        data[key] = aware(data[key])
    data["late"] = data["status"] == "open" and data["due_at"] < now
    return data


async def task(conn: AsyncConnection, task_id: str, now: datetime) -> dict[str, Any] | None:
    row = (await conn.execute(select(tasks).where(tasks.c.task_id == task_id))).first()
    if row is None:
        return None
    data = task_dict(row, now)
    data["activity"] = [dict(r._mapping) for r in (await conn.execute(
        select(activity).where(activity.c.task_id == task_id)
        .order_by(activity.c.at, activity.c.event_id))).all()]
    return data


async def list_tasks(conn: AsyncConnection, *, now: datetime, division: str | None = None,
                     status: str | None = None, product_id: str | None = None) -> list[dict[str, Any]]:
    query = select(tasks).order_by(tasks.c.due_at, tasks.c.task_id)
    if division:
        query = query.where(tasks.c.division == division)
    if status:
        query = query.where(tasks.c.status == status)
    if product_id:
        query = query.where(tasks.c.product_id == product_id)
    return [task_dict(r, now) for r in (await conn.execute(query)).all()]


async def member_tasks(conn: AsyncConnection, member: str, now: datetime) -> dict[str, Any]:
    rows = [task_dict(r, now) for r in (await conn.execute(
        select(tasks).where(tasks.c.assignee == member).order_by(tasks.c.due_at))).all()]
    return {"member": member,
            "open": [t for t in rows if t["status"] == "open" and not t["late"]],
            "late": [t for t in rows if t["late"]],
            "done": [t for t in rows if t["status"] == "done"]}


async def member_activity(conn: AsyncConnection, member: str, limit: int) -> list[dict[str, Any]]:
    rows = (await conn.execute(select(activity).where(activity.c.member == member)
            .order_by(activity.c.at.desc(), activity.c.event_id).limit(limit))).all()
    return [{**dict(r._mapping), "at": aware(r.at)} for r in rows]


async def product_board(conn: AsyncConnection, now: datetime) -> list[dict[str, Any]]:
    """Every product's stage and its open tasks per division."""
    stages = (await conn.execute(select(product_stages).order_by(product_stages.c.product_id))).all()
    open_tasks = (await conn.execute(select(tasks).where(tasks.c.status == "open")
                  .where(tasks.c.product_id.is_not(None)))).all()
    by_product: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in open_tasks:
        by_product[t.product_id].append({"task_id": t.task_id, "kind": t.kind,
                                         "division": t.division, "assignee": t.assignee,
                                         "late": aware(t.due_at) < now})
    return [{"product_id": s.product_id, "stage": s.stage, "updated_at": aware(s.updated_at),
             "open_tasks": sorted(by_product.get(s.product_id, []), key=lambda x: x["kind"])}
            for s in stages]
