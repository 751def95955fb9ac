"""Customer profiles: projected from sales, fulfillment and crm events.

Personal fields (name, phone) are sealed in the events; they are unsealed with the
customer's key when it is here, else kept sealed and unsealed when the key arrives
(``resolve_pending``). Two customer ids with the same normalised phone are merged by a
recorded ProfilesMerged; erasure wipes the personal fields and the sealed copies.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.crm import FeedbackReceived, ProfilesMerged, ProfilesUnmerged
from contracts.envelope import Actor, Envelope
from contracts.personal import unseal
from eventkit.errors import MissingDependency
from eventkit.keyring import Keyring
from eventkit.store import EventStore
from services.crm.adapters.persistence import events as own_events
from services.crm.adapters.persistence.tables import (
    complaints,
    feedback,
    orders,
    profiles,
    sealed_contacts,
)
from services.crm.domain.errors import MergeRefusedError, ProfileNotFoundError
from services.crm.domain.phone import normalise_phone
from services.crm.domain.sentiment import analyse
from services.crm.domain.tasks import derived_event_id

logger = logging.getLogger(__name__)

PROFILE_LOCK = 8_800_808

STATUS_RANK = {"placed": 0, "shipped": 1, "delivered": 2, "returned": 3, "cancelled": 4}


def link_id(a: str, b: str) -> str:
    """Aggregate id of the link between two customer ids (same for both orders)."""
    first, second = sorted((a, b))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"crm-link:{first}:{second}"))


async def serialise(conn: AsyncConnection, *, for_transaction: bool = False) -> None:
    """One writer of profiles at a time (projection, unsealing job, API, erasure).

    Without it, the unsealing job could merge two profiles by phone while the projection
    applies the recorded unmerge of the same pair, and the older fact would win. Taken
    first in each transaction, so the writers queue instead of deadlocking. SQLite
    needs nothing: its transactions already take the write lock at BEGIN.

    ``for_transaction``: the caller is outside any savepoint (the projection's batch
    start), so the lock is held until the transaction ends and later calls in it need
    no round trip. A lock taken inside a savepoint goes with its rollback: not marked.
    """
    if conn.dialect.name != "postgresql":
        return
    transaction = conn.sync_connection.get_transaction() if conn.sync_connection else None
    if transaction is not None and conn.info.get(_LOCK_HELD) is transaction:
        return
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PROFILE_LOCK})
    if for_transaction:
        conn.info[_LOCK_HELD] = transaction


_LOCK_HELD = "crm.profile_lock_held_in"


@dataclass
class Profiles:
    store: EventStore
    keyring: Keyring

    async def _touch(self, conn: AsyncConnection, customer_id: str, at: datetime,
                     *, lead: bool = False) -> None:
        await serialise(conn)
        row = (await conn.execute(select(profiles.c.last_contact_at, profiles.c.first_seen_at)
               .where(profiles.c.customer_id == customer_id))).first()
        if row is None:
            # A tombstone may have come before this customer's first event (rebuild).
            erased = await self.keyring.is_erased(conn, customer_id)
            await conn.execute(insert(profiles).values(
                customer_id=customer_id, first_seen_at=at, last_contact_at=at,
                leads=1 if lead else 0, erased=erased))
            return
        values: dict[str, Any] = {}
        if _aware(row.last_contact_at, at) < at:
            values["last_contact_at"] = at
        if _aware(row.first_seen_at, at) > at:
            values["first_seen_at"] = at
        if lead:
            values["leads"] = profiles.c.leads + 1
        if values:
            await conn.execute(update(profiles).where(profiles.c.customer_id == customer_id)
                               .values(**values))

    async def _keep_sealed(self, conn: AsyncConnection, envelope: Envelope, customer_id: str,
                           token: str) -> None:
        await conn.execute(insert(sealed_contacts).values(
            event_id=str(envelope.event_id), customer_id=customer_id, token=token,
            occurred_at=envelope.occurred_at, resolved=False))
        await self.resolve(conn, customer_id)

    # -- event handlers ---------------------------------------------------------------------
    async def lead_captured(self, conn: AsyncConnection, envelope: Envelope, p: Any) -> None:
        await self._touch(conn, p.customer_id, envelope.occurred_at, lead=True)
        await self._keep_sealed(conn, envelope, p.customer_id, p.contact_sealed)

    async def order_placed(self, conn: AsyncConnection, envelope: Envelope, p: Any) -> None:
        await self._touch(conn, p.customer_id, envelope.occurred_at)
        if await conn.scalar(select(orders.c.order_id).where(orders.c.order_id == p.order_id)) is None:
            await conn.execute(insert(orders).values(
                order_id=p.order_id, customer_id=p.customer_id, placed_at=envelope.occurred_at,
                total_minor=p.total.amount, currency=p.total.currency,
                product_ids=json.dumps(sorted({i.product_id for i in p.items})), status="placed"))
        await self._keep_sealed(conn, envelope, p.customer_id, p.recipient_sealed)

    async def order_moved(self, conn: AsyncConnection, order_id: str, status: str,
                          at: datetime) -> str:
        """Shipped, delivered, returned, cancelled: the furthest status stays."""
        row = (await conn.execute(select(orders.c.status, orders.c.customer_id)
               .where(orders.c.order_id == order_id))).first()
        if row is None:
            raise MissingDependency(f"order:{order_id}")
        if STATUS_RANK[status] > STATUS_RANK[row.status]:
            await conn.execute(update(orders).where(orders.c.order_id == order_id)
                               .values(status=status))
        await self._touch(conn, row.customer_id, at)
        return str(row.customer_id)

    async def complaint_opened(self, conn: AsyncConnection, envelope: Envelope, p: Any) -> str:
        customer_id = p.customer_id or await conn.scalar(
            select(orders.c.customer_id).where(orders.c.order_id == p.order_id))
        if customer_id is None:
            raise MissingDependency(f"order:{p.order_id}")
        if await conn.scalar(select(complaints.c.complaint_id)
                             .where(complaints.c.complaint_id == p.complaint_id)) is None:
            await conn.execute(insert(complaints).values(
                complaint_id=p.complaint_id, order_id=p.order_id, customer_id=customer_id,
                category=p.category, opened_at=envelope.occurred_at))
        await self._touch(conn, customer_id, envelope.occurred_at)
        return str(customer_id)

    async def complaint_resolved(self, conn: AsyncConnection, envelope: Envelope, p: Any) -> None:
        found = await conn.execute(update(complaints)
                                   .where(complaints.c.complaint_id == p.complaint_id)
                                   .values(resolved_at=envelope.occurred_at, outcome=p.outcome))
        if found.rowcount == 0:
            raise MissingDependency(f"complaint:{p.complaint_id}")

    async def feedback_received(self, conn: AsyncConnection, envelope: Envelope,
                                p: FeedbackReceived) -> None:
        if await conn.scalar(select(feedback.c.feedback_id)
                             .where(feedback.c.feedback_id == p.feedback_id)) is not None:
            return
        if p.sentiment_label is not None:  # read when given: a sealed comment may be erased
            label, score = p.sentiment_label, p.sentiment_score or 0.0
            matched, topics = p.sentiment_matched, p.topics
        else:
            result = analyse(p.comment, p.language)
            label, score, matched, topics = result.label, result.score, result.matched, result.topics
        await conn.execute(insert(feedback).values(
            feedback_id=p.feedback_id, customer_id=p.customer_id, order_id=p.order_id,
            product_id=p.product_id, rating=p.rating, language=p.language, label=label,
            score=score, matched=json.dumps(matched), topics=json.dumps(topics),
            received_at=envelope.occurred_at))
        if p.customer_id:
            await self._touch(conn, p.customer_id, envelope.occurred_at)

    async def link_changed(self, conn: AsyncConnection, p: Any) -> None:
        await serialise(conn)
        if isinstance(p, ProfilesMerged):
            await self._touch_exists(conn, p.survivor_id, p.merged_id)
            await conn.execute(update(profiles).where(profiles.c.customer_id == p.merged_id)
                               .values(merged_into=p.survivor_id))
        elif isinstance(p, ProfilesUnmerged):
            # Same check as the merge: if the merge waits, the unmerge waits behind it.
            await self._touch_exists(conn, p.survivor_id, p.merged_id)
            await conn.execute(update(profiles).where(profiles.c.customer_id == p.merged_id)
                               .where(profiles.c.merged_into == p.survivor_id)
                               .values(merged_into=None))

    async def _touch_exists(self, conn: AsyncConnection, *ids: str) -> None:
        for customer_id in ids:
            if await conn.scalar(select(profiles.c.customer_id)
                                 .where(profiles.c.customer_id == customer_id)) is None:
                raise MissingDependency(f"profile:{customer_id}")

    # -- personal data ------------------------------------------------------------------------
    async def resolve(self, conn: AsyncConnection, customer_id: str) -> None:
        """Unseal what the key opens; newest contact wins; merge profiles sharing a phone."""
        await serialise(conn)
        key = await self.keyring.get(conn, customer_id)
        if key is None:
            return
        rows = (await conn.execute(select(sealed_contacts)
                .where(sealed_contacts.c.customer_id == customer_id)
                .order_by(sealed_contacts.c.occurred_at, sealed_contacts.c.event_id))).all()
        name = phone = None
        for row in rows:
            data = unseal(key, row.token)
            if data is None:
                continue
            name = data.get("name") or name
            phone = normalise_phone(data.get("phone")) or phone
        await conn.execute(update(sealed_contacts)
                           .where(sealed_contacts.c.customer_id == customer_id)
                           .values(resolved=True))
        if name is None and phone is None:
            return
        await conn.execute(update(profiles).where(profiles.c.customer_id == customer_id)
                           .values(name=name, phone_e164=phone))
        if phone:
            await self._merge_same_phone(conn, customer_id, phone)

    async def _merge_same_phone(self, conn: AsyncConnection, customer_id: str, phone: str) -> None:
        others = (await conn.execute(select(profiles.c.customer_id, profiles.c.first_seen_at)
                  .where(profiles.c.phone_e164 == phone)
                  .order_by(profiles.c.first_seen_at, profiles.c.customer_id))).all()
        if len(others) < 2:
            return
        survivor = others[0].customer_id
        for other in others[1:]:
            merged = other.customer_id
            event_id = derived_event_id("merge", *sorted((survivor, merged)))
            payload = ProfilesMerged(survivor_id=survivor, merged_id=merged, reason="same_phone")
            envelope = await own_events.record(
                conn, self.store, payload, aggregate_id=link_id(survivor, merged),
                occurred_at=_aware(other.first_seen_at), event_id=event_id)
            if envelope is not None:
                await self.link_changed(conn, payload)
                logger.info("profiles merged", extra={"survivor_id": survivor,
                                                      "merged_id": merged})

    async def resolve_pending(self, conn: AsyncConnection) -> int:
        """Unseal contacts whose key arrived after them (the keys topic is separate)."""
        await serialise(conn)
        ids = (await conn.execute(select(sealed_contacts.c.customer_id)
               .where(sealed_contacts.c.resolved.is_(False)).distinct().limit(500))).scalars().all()
        for customer_id in ids:
            await self.resolve(conn, customer_id)
        return len(ids)

    async def erase(self, conn: AsyncConnection, customer_id: str) -> None:
        """on_erased: the key is gone; wipe the personal fields and their sealed copies."""
        await serialise(conn)
        await conn.execute(update(profiles).where(profiles.c.customer_id == customer_id)
                           .values(name=None, phone_e164=None, erased=True))
        await conn.execute(delete(sealed_contacts)
                           .where(sealed_contacts.c.customer_id == customer_id))
        logger.info("profile personal data erased", extra={"customer_id": customer_id})

    # -- manual merge -------------------------------------------------------------------------
    async def merge(self, conn: AsyncConnection, survivor_id: str, merged_id: str, reason: str,
                    *, actor: Actor, now: datetime) -> None:
        await serialise(conn)
        if survivor_id == merged_id:
            raise MergeRefusedError("a profile cannot be merged with itself", field="merged_id")
        for cid, field in ((survivor_id, "survivor_id"), (merged_id, "merged_id")):
            row = (await conn.execute(select(profiles.c.merged_into)
                   .where(profiles.c.customer_id == cid))).first()
            if row is None:
                raise ProfileNotFoundError(cid)
            if row.merged_into is not None:
                raise MergeRefusedError(f"{cid} is already merged into {row.merged_into}",
                                        field=field)
        payload = ProfilesMerged(survivor_id=survivor_id, merged_id=merged_id, reason=reason)
        await own_events.record(conn, self.store, payload, aggregate_id=link_id(survivor_id, merged_id),
                                occurred_at=now, actor=actor)
        await self.link_changed(conn, payload)

    async def unmerge(self, conn: AsyncConnection, survivor_id: str, merged_id: str, reason: str,
                      *, actor: Actor, now: datetime) -> None:
        await serialise(conn)
        current = await conn.scalar(select(profiles.c.merged_into)
                                    .where(profiles.c.customer_id == merged_id))
        if current != survivor_id:
            raise MergeRefusedError(f"{merged_id} is not merged into {survivor_id}",
                                    field="merged_id")
        payload = ProfilesUnmerged(survivor_id=survivor_id, merged_id=merged_id, reason=reason)
        await own_events.record(conn, self.store, payload, aggregate_id=link_id(survivor_id, merged_id),
                                occurred_at=now, actor=actor)
        await self.link_changed(conn, payload)


def _aware(value: datetime, like: datetime | None = None) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["Profiles", "link_id", "serialise"]
