"""Append-only event store with its transactional outbox.

Every append writes the events and their outbox rows in the caller's transaction, so a
state change and the news of it commit or fail together. The unique
(aggregate_id, aggregate_version) constraint is the optimistic lock: a second writer at a
taken version gets ``ConcurrencyError``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.catalogue import topic_of
from contracts.envelope import Envelope
from eventkit.clock import Clock, utcnow
from eventkit.errors import ConcurrencyError
from eventkit.metrics import EVENTS_APPENDED
from eventkit.tables import events, outbox, snapshots


class EventStore:
    """Reads and appends one service's event streams."""

    def __init__(self, service: str, *, clock: Clock = utcnow, namespace: str = "") -> None:
        self.service = service
        self.clock = clock
        # Prefix of every topic name; tests give each run its own set of topics.
        self.namespace = namespace

    async def append(self, conn: AsyncConnection, new_events: Sequence[Envelope]) -> None:
        """Store events and queue them for Kafka, inside the caller's transaction."""
        if not new_events:
            return
        now = self.clock()
        event_rows = []
        outbox_rows = []
        for envelope in new_events:
            body = envelope.model_dump_json()
            event_rows.append(
                {
                    "event_id": str(envelope.event_id),
                    "aggregate_type": envelope.aggregate_type,
                    "aggregate_id": envelope.aggregate_id,
                    "aggregate_version": envelope.aggregate_version,
                    "event_type": envelope.event_type,
                    "schema_version": envelope.schema_version,
                    "occurred_at": envelope.occurred_at,
                    "body": body,
                }
            )
            outbox_rows.append(
                {
                    "event_id": str(envelope.event_id),
                    "topic": self.namespace + topic_of(envelope.event_type),
                    "key": envelope.aggregate_id,
                    "value": body.encode(),
                    "created_at": now,
                }
            )
        try:
            # A savepoint keeps the caller's transaction usable after a conflict.
            async with conn.begin_nested():
                await conn.execute(insert(events), event_rows)
                await conn.execute(insert(outbox), outbox_rows)
        except IntegrityError:
            first = new_events[0]
            raise ConcurrencyError(first.aggregate_id, first.aggregate_version) from None
        for envelope in new_events:
            EVENTS_APPENDED.labels(self.service, envelope.event_type).inc()

    async def load(
        self, conn: AsyncConnection, aggregate_id: str, *, after_version: int = 0
    ) -> list[Envelope]:
        """One stream's events in version order."""
        rows = await conn.execute(
            select(events.c.body)
            .where(events.c.aggregate_id == aggregate_id)
            .where(events.c.aggregate_version > after_version)
            .order_by(events.c.aggregate_version)
        )
        return [Envelope.model_validate_json(body) for (body,) in rows]

    async def current_version(self, conn: AsyncConnection, aggregate_id: str) -> int:
        from sqlalchemy import func

        version = await conn.scalar(
            select(func.max(events.c.aggregate_version)).where(
                events.c.aggregate_id == aggregate_id
            )
        )
        return int(version or 0)

    async def all_events(
        self, conn: AsyncConnection, *, after_position: int = 0, limit: int = 1000
    ) -> list[tuple[int, Envelope]]:
        """The whole store in append order, a page at a time."""
        rows = await conn.execute(
            select(events.c.position, events.c.body)
            .where(events.c.position > after_position)
            .order_by(events.c.position)
            .limit(limit)
        )
        return [(pos, Envelope.model_validate_json(body)) for pos, body in rows]

    # -- snapshots -------------------------------------------------------------------
    async def load_snapshot(
        self, conn: AsyncConnection, aggregate_id: str
    ) -> tuple[int, dict[str, object]] | None:
        row = (
            await conn.execute(
                select(snapshots.c.aggregate_version, snapshots.c.state).where(
                    snapshots.c.aggregate_id == aggregate_id
                )
            )
        ).first()
        if row is None:
            return None
        return int(row.aggregate_version), json.loads(row.state)

    async def save_snapshot(
        self,
        conn: AsyncConnection,
        *,
        aggregate_id: str,
        aggregate_type: str,
        version: int,
        state: dict[str, object],
    ) -> None:
        await conn.execute(snapshots.delete().where(snapshots.c.aggregate_id == aggregate_id))
        await conn.execute(
            insert(snapshots).values(
                aggregate_id=aggregate_id,
                aggregate_type=aggregate_type,
                aggregate_version=version,
                state=json.dumps(state),
            )
        )
