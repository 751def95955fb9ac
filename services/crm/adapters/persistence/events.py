"""Recording the CRM's own events: through the EventStore, at most once per event id.

The CRM records events because of other events (a task opened by ProductApproved);
those get deterministic ids, so a redelivery or a rebuild finds them already there.
Events read back from ``crm.events`` are imported into the store without an outbox row
(they are on Kafka already), so a rebuilt database can take new commands too.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select
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
) -> Envelope | None:
    """Append one event at the stream's next version; None if that event id is stored."""
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


async def import_own(conn: AsyncConnection, envelope: Envelope) -> None:
    """Keep an event read from crm.events in the store (rebuilds), without re-sending it."""
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
