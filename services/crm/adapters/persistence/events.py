"""Recording the CRM's own events: through the EventStore, at most once per event id.

The CRM records events because of other events (a task opened by ProductApproved);
those get deterministic ids, so a redelivery or a rebuild finds them already there.
Events read back from ``crm.events`` are imported into the store without an outbox row
(they are on Kafka already), so a rebuilt database can take new commands too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from eventkit.errors import ConcurrencyError
from eventkit.store import EventStore
from eventkit.tables import events

SYSTEM = Actor(user_id="crm", division="system")


async def exists(conn: AsyncConnection, event_id: uuid.UUID | str) -> bool:
    found = await conn.scalar(select(events.c.position).where(events.c.event_id == str(event_id)))
    return found is not None


@dataclass
class Pending:
    """Events one projection batch recorded, appended in one statement at its end.

    Until then ``record`` answers from here what the store cannot know yet: the event
    ids taken and each stream's last version. A stream found empty in the store holds
    only this batch's events, so the store need not be asked about it again.
    """

    envelopes: list[Envelope] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)

    async def learn_empty(self, conn: AsyncConnection, aggregate_ids: set[str]) -> None:
        """Read in one query which of these streams the store holds nothing of."""
        ids = sorted(a for a in aggregate_ids if a not in self.versions)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            stored = set((await conn.execute(
                select(events.c.aggregate_id).where(events.c.aggregate_id.in_(chunk))
                .distinct())).scalars())
            for aggregate_id in chunk:
                if aggregate_id not in stored:
                    self.fresh.add(aggregate_id)
                    self.versions[aggregate_id] = 0

    async def flush(self, conn: AsyncConnection, store: EventStore) -> None:
        # A command that took one of these versions meanwhile makes this a
        # ConcurrencyError: the consumer retries the batch, which reads them again.
        envelopes, self.envelopes = self.envelopes, []
        await store.append(conn, envelopes)


async def _record_pending(
    conn: AsyncConnection, pending: Pending, payload: EventPayload, *, aggregate_id: str,
    occurred_at: datetime, actor: Actor, event_id: uuid.UUID | None,
    causation_id: uuid.UUID | None,
) -> Envelope | None:
    if event_id is not None and str(event_id) in pending.ids:
        return None
    if aggregate_id in pending.fresh:
        version = pending.versions[aggregate_id]
    else:  # one query: is the event stored, and the stream's last version
        found = select(events.c.position).where(events.c.event_id == str(event_id))
        row = (await conn.execute(select(
            found.scalar_subquery() if event_id is not None else literal(None),
            select(func.max(events.c.aggregate_version))
            .where(events.c.aggregate_id == aggregate_id).scalar_subquery(),
        ))).one()
        if row[0] is not None:
            return None
        stored = int(row[1] or 0)
        if stored == 0:
            pending.fresh.add(aggregate_id)
        version = max(stored, pending.versions.get(aggregate_id, 0))
    envelope = new_envelope(
        payload, aggregate_id=aggregate_id, aggregate_version=version + 1, actor=actor,
        occurred_at=occurred_at, event_id=event_id, causation_id=causation_id,
        correlation_id=causation_id,
    )
    pending.envelopes.append(envelope)
    pending.ids.add(str(envelope.event_id))
    pending.versions[aggregate_id] = version + 1
    return envelope


async def record(
    conn: AsyncConnection,
    store: EventStore,
    payload: EventPayload,
    *,
    aggregate_id: str,
    occurred_at: datetime,
    actor: Actor = SYSTEM,
    event_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    pending: Pending | None = None,
) -> Envelope | None:
    """Append one event at the stream's next version; None if that event id is stored.

    With ``pending`` the event is only buffered there; ``Pending.flush`` appends it.
    """
    if pending is not None:
        return await _record_pending(
            conn, pending, payload, aggregate_id=aggregate_id, occurred_at=occurred_at,
            actor=actor, event_id=event_id, causation_id=causation_id)
    for attempt in range(3):
        if event_id is not None and await exists(conn, event_id):
            return None
        version = await store.current_version(conn, aggregate_id) + 1
        envelope = new_envelope(
            payload, aggregate_id=aggregate_id, aggregate_version=version, actor=actor,
            occurred_at=occurred_at, event_id=event_id, causation_id=causation_id,
            correlation_id=causation_id,
        )
        try:
            await store.append(conn, [envelope])
            return envelope
        except ConcurrencyError:
            # Derived events race the API and the periodic jobs on the same task; the
            # store's savepoint kept our transaction usable, so read the version again.
            if event_id is None or attempt == 2:
                raise
    raise AssertionError("unreachable")


async def import_own(conn: AsyncConnection, envelope: Envelope,
                     pending: Pending | None = None, store: EventStore | None = None) -> None:
    """Keep an event read from crm.events in the store (rebuilds), without re-sending it."""
    if pending is not None:
        assert store is not None
        if str(envelope.event_id) in pending.ids:
            return
        await pending.flush(conn, store)  # the store keeps arrival order
        pending.fresh.discard(envelope.aggregate_id)  # its version is the store's again
        pending.versions.pop(envelope.aggregate_id, None)
    if await exists(conn, envelope.event_id):
        return
    try:
        async with conn.begin_nested():
            await conn.execute(insert(events).values(
                event_id=str(envelope.event_id), aggregate_type=envelope.aggregate_type,
                aggregate_id=envelope.aggregate_id,
                aggregate_version=envelope.aggregate_version,
                event_type=envelope.event_type, schema_version=envelope.schema_version,
                occurred_at=envelope.occurred_at, body=envelope.model_dump_json(),
            ))
    except IntegrityError:
        # LIMIT: the version is taken by an event derived again during a rebuild; the
        # read model still applies it, the store keeps the derived one.
        pass
