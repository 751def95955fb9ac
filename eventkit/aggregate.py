"""Event-sourced aggregates: state changes only by applying events.

A command method checks the rule, then calls ``self.record(SomethingHappened(...))``;
``apply`` changes the state for that event, both when it is recorded and when the stream
is replayed, so a loaded aggregate is exactly what its events say.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Generic, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.catalogue import read_payload
from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from eventkit.clock import Clock, utcnow
from eventkit.store import EventStore


class Aggregate:
    """Base of every event-sourced aggregate."""

    aggregate_type: ClassVar[str]
    # Save a snapshot every N events (None: never); the aggregate then implements
    # ``snapshot_state`` and ``from_snapshot``.
    snapshot_every: ClassVar[int | None] = None

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[EventPayload] = []

    def apply(self, event: EventPayload) -> None:
        raise NotImplementedError(f"{type(self).__name__} must apply {event.event_type}")

    def record(self, event: EventPayload) -> None:
        self.apply(event)
        self.version += 1
        self._pending.append(event)

    def replay(self, event: EventPayload) -> None:
        self.apply(event)
        self.version += 1

    @property
    def pending(self) -> list[EventPayload]:
        return list(self._pending)

    def snapshot_state(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} keeps no snapshots")

    @classmethod
    def from_snapshot(cls, aggregate_id: str, state: dict[str, Any]) -> Self:
        raise NotImplementedError(f"{cls.__name__} keeps no snapshots")


A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    """Loads aggregates by replaying their stream and saves what they recorded."""

    def __init__(self, store: EventStore, factory: type[A], *, clock: Clock = utcnow) -> None:
        self.store = store
        self.factory = factory
        self.clock = clock

    async def get(self, conn: AsyncConnection, aggregate_id: str) -> A | None:
        aggregate: A | None = None
        after = 0
        if self.factory.snapshot_every:
            snap = await self.store.load_snapshot(conn, aggregate_id)
            if snap is not None:
                after, state = snap
                aggregate = self.factory.from_snapshot(aggregate_id, state)
                aggregate.version = after
        history = await self.store.load(conn, aggregate_id, after_version=after)
        if aggregate is None:
            if not history:
                return None
            aggregate = self.factory(aggregate_id)
        for envelope in history:
            aggregate.replay(read_payload(envelope))
        return aggregate

    async def save(
        self,
        conn: AsyncConnection,
        aggregate: A,
        *,
        actor: Actor,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
    ) -> list[Envelope]:
        """Append the aggregate's new events (and outbox rows) in the caller's transaction."""
        pending = aggregate._pending
        first_version = aggregate.version - len(pending) + 1
        now = self.clock()
        correlation = correlation_id or uuid.uuid4()
        envelopes = [
            new_envelope(
                event,
                aggregate_id=aggregate.id,
                aggregate_version=first_version + i,
                actor=actor,
                occurred_at=now,
                correlation_id=correlation,
                causation_id=causation_id,
            )
            for i, event in enumerate(pending)
        ]
        await self.store.append(conn, envelopes)
        aggregate._pending = []
        every = self.factory.snapshot_every
        if every and envelopes and aggregate.version // every > (first_version - 1) // every:
            await self.store.save_snapshot(
                conn,
                aggregate_id=aggregate.id,
                aggregate_type=aggregate.aggregate_type,
                version=aggregate.version,
                state=aggregate.snapshot_state(),
            )
        return envelopes
