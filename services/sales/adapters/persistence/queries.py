"""Read-side queries: pipeline, due follow-ups, first-response time, closing rates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sales.adapters.persistence.tables import (
    agents,
    kpi_targets,
    leads,
    marketplace_orders,
    orders,
    prices,
)

STATUSES = ("new", "contacted", "won", "lost")


async def lead(conn: AsyncConnection, lead_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(leads).where(leads.c.lead_id == lead_id))).mappings().first()
    return dict(row) if row else None


async def order(conn: AsyncConnection, order_id: str) -> dict[str, Any] | None:
    """The order row; a marketplace order's currency and full postal code beside it."""
    row = (await conn.execute(
        select(orders).where(orders.c.order_id == order_id))).mappings().first()
    if row is None:
        return None
    found = dict(row)
    extra = (await conn.execute(
        select(marketplace_orders.c.currency, marketplace_orders.c.postal_code)
        .where(marketplace_orders.c.order_id == order_id))).first()
    if extra is not None:
        found["currency"], found["postal_code"] = extra.currency, extra.postal_code
    return found


async def list_leads(
    conn: AsyncConnection, *, agent_id: str | None, status: str | None,
    campaign_id: str | None, limit: int,
) -> list[dict[str, Any]]:
    query = select(leads).order_by(leads.c.captured_at.desc()).limit(limit)
    if agent_id is not None:
        query = query.where(leads.c.agent_id == agent_id)
    if status is not None:
        query = query.where(leads.c.status == status)
    if campaign_id is not None:
        query = query.where(leads.c.campaign_id == campaign_id)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def all_agents(conn: AsyncConnection) -> list[dict[str, Any]]:
    return [dict(r) for r in (await conn.execute(
        select(agents).order_by(agents.c.agent_id))).mappings()]


async def all_prices(conn: AsyncConnection) -> list[dict[str, Any]]:
    return [dict(r) for r in (await conn.execute(
        select(prices).order_by(prices.c.product_id))).mappings()]


async def due_follow_ups(
    conn: AsyncConnection, *, now: datetime, agent_id: str | None
) -> list[dict[str, Any]]:
    query = (
        select(leads.c.lead_id, leads.c.agent_id, leads.c.attempts, leads.c.next_follow_up_at,
               leads.c.status)
        .where(leads.c.status.in_(("new", "contacted")))
        .where(leads.c.next_follow_up_at <= now)
        .order_by(leads.c.next_follow_up_at)
    )
    if agent_id is not None:
        query = query.where(leads.c.agent_id == agent_id)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def pipeline(conn: AsyncConnection, by: str) -> list[dict[str, Any]]:
    """Count of unlinked leads per status, per agent or per campaign."""
    column = {"agent": leads.c.agent_id, "campaign": leads.c.campaign_id}[by]
    rows = (await conn.execute(
        select(column.label("key"), leads.c.status, func.count().label("n"))
        .where(leads.c.linked_to_lead_id.is_(None))
        .group_by(column, leads.c.status)
    )).all()
    table: dict[str | None, dict[str, int]] = {}
    for key, status, n in rows:
        table.setdefault(key, {s: 0 for s in STATUSES})[status] = int(n)
    return [{"key": key, **counts, "total": sum(counts.values())}
            for key, counts in sorted(table.items(), key=lambda kv: str(kv[0]))]


async def first_response(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Seconds from capture to the first follow-up, per agent who gave it."""
    rows = (await conn.execute(
        select(leads.c.first_response_agent_id, leads.c.captured_at,
               leads.c.first_response_at)
        .where(leads.c.first_response_at.is_not(None))
    )).all()
    per_agent: dict[str, list[float]] = {}
    for agent_id, captured, responded in rows:
        per_agent.setdefault(agent_id, []).append((responded - captured).total_seconds())
    return [
        {"agent_id": agent_id, "leads": len(secs),
         "average_seconds": round(sum(secs) / len(secs)), "median_seconds": round(median(secs))}
        for agent_id, secs in sorted(per_agent.items())
    ]


async def closing_rate(conn: AsyncConnection, by: str) -> list[dict[str, Any]]:
    """Leads closed into an order that was not cancelled, over unlinked leads.

    Per product, pricing's target closing rate (KpiTargetsSet) is given beside it.
    """
    column = {"agent": leads.c.agent_id, "campaign": leads.c.campaign_id,
              "ad": leads.c.ad_id, "product": leads.c.product_id}[by]
    won = func.sum(case((and_(leads.c.status == "won", orders.c.status == "placed"), 1),
                        else_=0))
    rows = (await conn.execute(
        select(column.label("key"), func.count().label("leads"), won.label("won"))
        .select_from(leads.outerjoin(orders, orders.c.order_id == leads.c.order_id))
        .where(leads.c.linked_to_lead_id.is_(None))
        .group_by(column)
    )).all()
    targets: dict[str, Decimal] = {}
    if by == "product":
        targets = {p: Decimal(t) for p, t in (await conn.execute(
            select(kpi_targets.c.product_id, kpi_targets.c.target_closing_rate))).all()}
    return [
        {"key": key, "leads": int(n), "orders": int(w or 0),
         "rate": (Decimal(int(w or 0)) / Decimal(int(n))).quantize(Decimal("0.0001")),
         "target": targets.get(key) if key is not None else None}
        for key, n, w in sorted(rows, key=lambda r: str(r[0]))
    ]
