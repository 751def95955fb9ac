"""The relay: publishes outbox rows to Kafka in order, then marks them sent.

Rows are read in id order and sent with an idempotent producer (acks=all), so events of
one aggregate (one key, one partition) reach Kafka in the order they were stored. When
Kafka is unreachable nothing is marked; the relay backs off and resends from the first
unsent row, so a failure can duplicate an event (consumers skip it by event id) but never
lose or reorder one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update

from eventkit.clock import Clock, utcnow
from eventkit.db import Database
from eventkit.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from eventkit.tables import outbox

logger = logging.getLogger(__name__)

# publish(topic, key, value) -> awaitable that resolves once the broker has the record
# (an empty stored value is sent as None: a tombstone on a compacted topic)
Send = Callable[[str, bytes, bytes | None], Awaitable[Awaitable[Any]]]


class KafkaSender:
    """The relay's own idempotent producer (acks=all), replaced after any failure.

    After a broker outage with records in flight, an idempotent producer can keep
    answering OutOfOrderSequenceNumber for ever; a fresh producer gets a new producer id
    and starts its sequences again. Resending from the first unmarked outbox row keeps
    the order per aggregate; the duplicates it may cause are skipped by consumers.
    """

    def __init__(self, bootstrap: str, *, client_id: str) -> None:
        self.bootstrap = bootstrap
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None

    async def send(self, topic: str, key: bytes, value: bytes | None) -> Awaitable[Any]:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap, client_id=self.client_id,
                enable_idempotence=True, acks="all", linger_ms=5,
                request_timeout_ms=15_000,
            )
            await producer.start()
            self._producer = producer
        return await self._producer.send(topic, value, key=key)

    async def reset(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), timeout=5)
            except Exception:  # a broken producer may fail to stop; it is dropped anyway
                logger.warning("relay producer did not stop cleanly", exc_info=True)

    async def close(self) -> None:
        await self.reset()


class OutboxRelay:
    """Moves one service's outbox to Kafka."""

    def __init__(
        self,
        db: Database,
        send: Send | KafkaSender,
        *,
        service: str,
        batch_size: int = 500,
        idle_seconds: float = 0.05,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.sender = send if isinstance(send, KafkaSender) else None
        self.send = send.send if isinstance(send, KafkaSender) else send
        self.service = service
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.clock = clock

    async def backlog(self) -> int:
        async with self.db.read() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        return int(count or 0)

    async def publish_pending(self) -> int:
        """Send one batch of unsent rows; return how many were sent and marked."""
        async with self.db.read() as conn:
            rows = (
                await conn.execute(
                    select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.value)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0

        sent: list[int] = []
        failure: BaseException | None = None
        try:
            confirmations = [
                await self.send(row.topic, row.key.encode(), bytes(row.value) or None)
                for row in rows
            ]
            results = await asyncio.gather(*confirmations, return_exceptions=True)
        except Exception as exc:  # the producer refused before queueing: nothing is known sent
            results, failure = [], exc
        for row, result in zip(rows, results, strict=False):
            if isinstance(result, BaseException):
                failure = result
                break
            sent.append(row.id)

        if sent:
            async with self.db.begin() as conn:
                for start in range(0, len(sent), 500):
                    chunk = sent[start : start + 500]
                    await conn.execute(
                        update(outbox)
                        .where(outbox.c.id.in_(chunk))
                        .values(published_at=self.clock())
                    )
            EVENTS_PUBLISHED.labels(self.service).inc(len(sent))
        if failure is not None:
            raise failure
        return len(sent)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set, backing off while Kafka or the database is away."""
        try:
            await self._run(stop)
        finally:
            if self.sender is not None:
                await self.sender.close()

    async def _run(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while not stop.is_set():
            try:
                count = await self.publish_pending()
                delay = 0.5
            except Exception as exc:
                logger.warning("outbox publish failed; retrying",
                               extra={"service": self.service, "retry_in_s": delay,
                                      "error_type": type(exc).__name__})
                if self.sender is not None:
                    await self.sender.reset()
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, 5.0)
                continue
            if count == 0 and not stop.is_set():
                try:
                    OUTBOX_BACKLOG.labels(self.service).set(0)
                except Exception:  # metrics must never stop the relay
                    pass
                await _sleep_or_stop(stop, self.idle_seconds)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
