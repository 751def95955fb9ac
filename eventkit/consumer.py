"""Idempotent batch consumers: inbox, savepoint per event, dead letters, parking.

``EventConsumer.process_batch`` applies a batch of Kafka records to a read model in ONE
database transaction, together with the inbox rows that remember which event ids were
accepted. The caller commits the Kafka offsets only after that transaction (and after
any dead letters reached ``<topic>.dlq``), so a crash at any point leads to redelivery,
and redelivery is skipped by the inbox.

Per record:
- bytes that are not a valid envelope, or a payload its model refuses, are permanent
  failures: recorded as dead letters, the rest of the batch goes on;
- a handler that raises ``MissingDependency(key)`` has its event parked, to run again
  once a later handler calls ``ctx.provide(key)`` (an event from another topic may
  arrive before the one it depends on);
- any other handler error is permanent for that event (its savepoint is rolled back);
- a transient failure (database or network away) rolls back the whole batch, which is
  retried with back-off and never skipped.

Batch writes: a projection may buffer its rows in ``ctx.batch`` (one dict per attempt
at a batch) and write them in bulk in its ``flush`` hook, called once before the inbox
rows on the first pass. On the guarded pass (and for released parked events) ``flush``
runs before each event, outside its savepoint, and again inside it, so a failing
event's rows go with its savepoint; ``ctx.batch`` is then emptied, since it may hold
that event's facts. ``on_batch_start`` sees every new event of the batch first (to read
what the handlers will need in one query).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.catalogue import UnknownEventTypeError, read_payload
from contracts.envelope import Envelope, EventPayload
from eventkit.clock import Clock, utcnow
from eventkit.errors import ConcurrencyError, MissingDependency
from eventkit.metrics import (
    DUPLICATES_SKIPPED,
    EVENTS_CONSUMED,
    EVENTS_PARKED,
    HANDLER_LATENCY,
    TRANSIENT_RETRIES,
)
from eventkit.tables import dead_letters, inbox, parked

logger = logging.getLogger(__name__)


class Record(Protocol):
    """What a consumer needs of a Kafka record (aiokafka's ConsumerRecord fits)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class HandlerContext:
    """Handed to every handler: the open transaction and a way to release parked events."""

    conn: AsyncConnection
    consumer: str
    now: Callable[[], Any]
    provided: list[str] = field(default_factory=list)
    # The projection's own state for this attempt at the batch: caches, buffered rows.
    batch: dict[str, Any] = field(default_factory=dict)

    def provide(self, key: str) -> None:
        """Declare that the fact ``key`` now exists; events parked on it run next."""
        self.provided.append(key)


Handler = Callable[[HandlerContext, Envelope, Any], Awaitable[None]]
BatchStart = Callable[[HandlerContext, list[tuple[Envelope, Any]]], Awaitable[None]]
Flush = Callable[[HandlerContext], Awaitable[None]]


@dataclass
class Projection:
    """A named consumer group: which topics it reads and a handler per event type.

    ``flush`` writes what the handlers left in ``ctx.batch`` (see the module docstring);
    ``on_batch_start`` gets the batch's new events before any handler runs.
    """

    name: str
    topics: list[str]
    handlers: dict[str, Handler]
    on_batch_start: BatchStart | None = None
    flush: Flush | None = None
    # True when every handler raises MissingDependency before it writes or buffers
    # anything: the first pass may then park at once instead of rerunning the batch
    # guarded (events from several topics often arrive before the facts they need).
    parks_before_writing: bool = False

    def on(self, *event_types: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for event_type in event_types:
                self.handlers[event_type] = handler
            return handler

        return register


@dataclass
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    error_type: str
    reason: str
    event_id: str | None


def is_transient(exc: BaseException) -> bool:
    """True for failures that go away by themselves: retry, never skip.

    A ``ConcurrencyError`` counts: a handler that saves an aggregate lost the race to a
    command on the same stream, and the retried batch reloads it and succeeds.
    """
    if isinstance(exc, ConcurrencyError):
        return True
    if isinstance(exc, IntegrityError):
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, TimeoutError, OSError)):
            return True
        name = type(current).__module__
        if name.startswith("asyncpg") and "Connection" in type(current).__name__:
            return True
        if type(current).__name__ in {"CannotConnectNowError", "ConnectionDoesNotExistError"}:
            return True
        current = current.__cause__ or current.__context__
    return False


class EventConsumer:
    """Applies batches of records for one projection, exactly once per event id."""

    def __init__(
        self,
        projection: Projection,
        db: Any,
        *,
        clock: Clock = utcnow,
        max_backoff: float = 5.0,
    ) -> None:
        self.projection = projection
        self.db = db
        self.clock = clock
        self.max_backoff = max_backoff
        # Keys that parked events wait for, read once per batch: a ``provide`` of any
        # other key needs no query (most events park nothing, but many provide keys).
        # LIMIT: another instance of this consumer that parks an event and commits
        # while this batch runs is not seen until the next batch (before, only until
        # the release query); the event then waits for the next provide of its key.
        self._waiting: set[str] | None = None
        self._batch: dict[str, Any] = {}  # ``ctx.batch`` of the attempt under way
        self._guarded_pass = False

    @property
    def name(self) -> str:
        return self.projection.name

    async def process_batch(self, records: Sequence[Record]) -> list[DeadLetter]:
        """Apply the batch in one transaction; return the dead letters it recorded.

        The batch is first applied without a savepoint per event (two round trips less
        per event). Should a handler fail for good, that attempt is rolled back and the
        batch runs again with a savepoint around each event, so only the failing event
        is dead-lettered.
        """
        delay = 0.2
        guarded = False
        while True:
            try:
                started = time.perf_counter()
                async with self.db.begin() as conn:
                    dead = await self._apply_batch(conn, records, guarded)
                if records:
                    HANDLER_LATENCY.labels(self.name).observe(
                        (time.perf_counter() - started) / len(records)
                    )
                return dead
            except _HandlerFailed:
                guarded = True
                continue
            except Exception as exc:
                if not is_transient(exc):
                    raise
                TRANSIENT_RETRIES.labels(self.name).inc()
                logger.warning(
                    "batch failed transiently; retrying",
                    extra={"consumer": self.name, "retry_in_s": delay,
                           "error_type": type(exc).__name__},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    async def _apply_batch(
        self, conn: AsyncConnection, records: Sequence[Record], guarded: bool
    ) -> list[DeadLetter]:
        dead: list[DeadLetter] = []
        decoded: list[tuple[Record, Envelope, EventPayload]] = []
        for record in records:
            item = self._decode(record, dead)
            if item is not None:
                decoded.append((record, *item))

        seen = await self._already_accepted(conn, [str(env.event_id) for _, env, _ in decoded])
        self._waiting = await self._waiting_keys(conn)
        self._batch = {}
        self._guarded_pass = guarded
        try:
            if self.projection.on_batch_start is not None:
                await self.projection.on_batch_start(
                    self._context(conn),
                    [(env, payload) for _, env, payload in decoded
                     if str(env.event_id) not in seen])
            return await self._apply_decoded(conn, decoded, seen, dead, guarded)
        finally:
            self._waiting = None
            self._batch = {}

    def _context(self, conn: AsyncConnection) -> HandlerContext:
        return HandlerContext(conn=conn, consumer=self.name, now=self.clock, batch=self._batch)

    async def _flush(self, conn: AsyncConnection, guarded: bool) -> None:
        """Write the rows the handlers buffered; on the first pass a failure for good
        cannot be pinned on one event, so the batch runs again guarded."""
        if self.projection.flush is None:
            return
        try:
            await self.projection.flush(self._context(conn))
        except Exception as exc:
            if guarded or is_transient(exc):
                raise
            raise _HandlerFailed from exc

    async def _apply_decoded(
        self,
        conn: AsyncConnection,
        decoded: list[tuple[Record, Envelope, EventPayload]],
        seen: set[str],
        dead: list[DeadLetter],
        guarded: bool,
    ) -> list[DeadLetter]:
        accepted: list[dict[str, Any]] = []
        now = self.clock()
        for record, envelope, payload in decoded:
            event_id = str(envelope.event_id)
            if event_id in seen:
                DUPLICATES_SKIPPED.labels(self.name).inc()
                continue
            seen.add(event_id)
            applied = await self._apply(
                conn, envelope, payload, record.topic, record.value or b"", guarded
            )
            if isinstance(applied, DeadLetter):
                applied.partition, applied.offset, applied.key = (
                    record.partition, record.offset, record.key)
                dead.append(applied)
                continue
            accepted.append({"consumer": self.name, "event_id": event_id, "processed_at": now})

        await self._flush(conn, guarded)
        if accepted:
            await conn.execute(insert(inbox), accepted)
        if dead:
            await self._record_dead_letters(conn, dead, now)
        return dead

    def _decode(
        self, record: Record, dead: list[DeadLetter]
    ) -> tuple[Envelope, EventPayload] | None:
        value = record.value or b""
        try:
            envelope = Envelope.model_validate_json(value)
        except (ValidationError, ValueError) as exc:
            dead.append(self._dead(record, value, exc, None))
            return None
        if envelope.event_type not in self.projection.handlers:
            return None  # not this projection's business
        try:
            payload = read_payload(envelope)
        except (ValidationError, UnknownEventTypeError, ValueError) as exc:
            dead.append(self._dead(record, value, exc, str(envelope.event_id)))
            return None
        return envelope, payload

    def _dead(
        self, record: Record, value: bytes, exc: BaseException, event_id: str | None
    ) -> DeadLetter:
        return DeadLetter(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=value,
            error_type=type(exc).__name__,
            reason=_short(exc),
            event_id=event_id,
        )

    async def _already_accepted(self, conn: AsyncConnection, event_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            rows = await conn.execute(
                select(inbox.c.event_id)
                .where(inbox.c.consumer == self.name)
                .where(inbox.c.event_id.in_(chunk))
            )
            found.update(event_id for (event_id,) in rows)
        return found

    async def _waiting_keys(self, conn: AsyncConnection) -> set[str]:
        rows = await conn.execute(
            select(parked.c.waiting_for).where(parked.c.consumer == self.name).distinct()
        )
        return {key for (key,) in rows}

    async def _apply(
        self,
        conn: AsyncConnection,
        envelope: Envelope,
        payload: EventPayload,
        topic: str,
        value: bytes,
        guarded: bool = True,
    ) -> DeadLetter | None:
        handler = self.projection.handlers[envelope.event_type]
        ctx = self._context(conn)
        if guarded:
            # Earlier events' rows (a parked event released on the first pass runs after
            # buffered ones) go outside this event's savepoint and are not its failure.
            await self._flush(conn, self._guarded_pass)
        try:
            if guarded:
                async with conn.begin_nested():
                    await handler(ctx, envelope, payload)
                    await self._flush(conn, guarded)
            else:
                await handler(ctx, envelope, payload)
        except MissingDependency as waiting:
            if not guarded and not self.projection.parks_before_writing:
                # A handler may have written something before it found the gap; only
                # the guarded pass can roll that event back alone before parking it.
                raise _HandlerFailed from waiting
            await conn.execute(
                insert(parked).values(
                    consumer=self.name,
                    waiting_for=waiting.key,
                    event_id=str(envelope.event_id),
                    topic=topic,
                    value=value,
                    parked_at=self.clock(),
                )
            )
            if self._waiting is not None:
                self._waiting.add(waiting.key)
            EVENTS_PARKED.labels(self.name).inc()
            logger.info("event parked", extra={"consumer": self.name, "waiting_for": waiting.key,
                                               "event_id": str(envelope.event_id)})
            return None
        except Exception as exc:
            if is_transient(exc):
                raise
            if not guarded:
                raise _HandlerFailed from exc
            self._batch.clear()  # may hold this event's facts; its rows were rolled back
            logger.error(
                "event not applied; dead-lettered",
                extra={"consumer": self.name, "event_id": str(envelope.event_id),
                       "event_type": envelope.event_type, "error_type": type(exc).__name__},
            )
            return DeadLetter(
                topic=topic, partition=-1, offset=-1, key=None, value=value,
                error_type=type(exc).__name__, reason=_short(exc),
                event_id=str(envelope.event_id),
            )
        EVENTS_CONSUMED.labels(self.name, envelope.event_type).inc()
        for key in ctx.provided:
            await self._release(conn, key, guarded)
        return None

    async def _release(self, conn: AsyncConnection, key: str, guarded: bool = True) -> None:
        """Run again, in arrival order, the events that waited for ``key``.

        On the first (unguarded) pass they run unguarded too, their rows buffered with
        the batch's; should one fail, the whole batch reruns guarded like any other.
        """
        if self._waiting is not None:
            if key not in self._waiting:
                return  # nothing of this consumer waits for it (read at batch start)
            self._waiting.discard(key)  # its rows go now; a re-park adds it back
        rows = (
            await conn.execute(
                select(parked.c.id, parked.c.topic, parked.c.value)
                .where(parked.c.consumer == self.name)
                .where(parked.c.waiting_for == key)
                .order_by(parked.c.id)
            )
        ).all()
        if not rows:
            return
        await conn.execute(delete(parked).where(parked.c.id.in_([row.id for row in rows])))
        for row in rows:
            envelope = Envelope.model_validate_json(row.value)
            payload = read_payload(envelope)
            failed = await self._apply(conn, envelope, payload, row.topic, bytes(row.value),
                                       guarded=guarded)
            if failed is not None:
                await self._record_dead_letters(conn, [failed], self.clock())

    async def _record_dead_letters(
        self, conn: AsyncConnection, dead: list[DeadLetter], now: Any
    ) -> None:
        for letter in dead:
            if letter.offset >= 0:
                exists = await conn.scalar(
                    select(dead_letters.c.id)
                    .where(dead_letters.c.consumer == self.name)
                    .where(dead_letters.c.topic == letter.topic)
                    .where(dead_letters.c.partition == letter.partition)
                    .where(dead_letters.c.offset == letter.offset)
                )
                if exists is not None:
                    continue
            await conn.execute(
                insert(dead_letters).values(
                    consumer=self.name,
                    topic=letter.topic,
                    partition=letter.partition,
                    offset=letter.offset,
                    key=letter.key.decode(errors="replace") if letter.key else None,
                    value=letter.value,
                    error_type=letter.error_type,
                    reason=letter.reason,
                    event_id=letter.event_id,
                    dead_at=now,
                )
            )


class _HandlerFailed(Exception):
    """A handler failed for good on the unguarded pass: rerun the batch guarded."""


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:2000]
