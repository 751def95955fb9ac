"""A service's worker process: its FastStream subscribers plus the outbox relay.

The relay has an aiokafka producer of its own (``KafkaSender``), which it replaces after
a failure; the FastStream broker's producer publishes dead letters.

Each projection becomes one batch subscriber with manual acknowledgement. A batch is
applied in one database transaction (``EventConsumer``), its dead letters are published
to ``<topic>.dlq`` and confirmed, and only then are the offsets committed. If anything
in between fails the consumer seeks back to the start of the batch, so nothing is
skipped; the inbox makes the redelivery harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream import AckPolicy, Context, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from sqlalchemy import delete, insert

from contracts.catalogue import TOPICS, dlq_topic
from contracts.sales import CUSTOMER_KEYS_TOPIC
from eventkit.consumer import DeadLetter, EventConsumer, Projection
from eventkit.db import Database
from eventkit.keyring import KEY_TOPIC_CONFIG
from eventkit.metrics import CONSUMER_LAG, DEAD_LETTERS
from eventkit.outbox import KafkaSender, OutboxRelay
from eventkit.tables import consumer_lag
from eventkit.topics import ensure_topics

logger = logging.getLogger(__name__)

# Services that issue or follow per-customer data keys (eventkit.keyring).
KEY_TOPIC_USERS = frozenset({"sales", "crm", "fulfillment"})

CONSUMER_OPTIONS: dict[str, Any] = {
    "batch": True,
    "max_records": 500,
    "batch_timeout_ms": 100,
    "auto_offset_reset": "earliest",
    "ack_policy": AckPolicy.MANUAL,
    "session_timeout_ms": 10_000,
    "heartbeat_interval_ms": 1_000,
    "max_poll_interval_ms": 600_000,
}


def make_broker(bootstrap: str, *, client_id: str) -> KafkaBroker:
    """A FastStream broker whose producer is idempotent and waits for all replicas."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15_000,
        logger=None,
    )


async def publish_dead_letters(
    broker: KafkaBroker, consumer: str, letters: Sequence[DeadLetter]
) -> None:
    """Send dead letters to ``<topic>.dlq`` with the reason and the original bytes."""
    pending = []
    for letter in letters:
        headers = {
            "dlq-consumer": consumer,
            "dlq-error-type": letter.error_type,
            "dlq-reason": letter.reason[:500],
            "dlq-original-topic": letter.topic,
            "dlq-original-partition": str(letter.partition),
            "dlq-original-offset": str(letter.offset),
        }
        if letter.event_id:
            headers["dlq-event-id"] = letter.event_id
        pending.append(
            await broker.publish(
                letter.value, dlq_topic(letter.topic), key=letter.key, headers=headers,
                no_confirm=True,
            )
        )
        DEAD_LETTERS.labels(consumer, letter.topic).inc()
    await asyncio.gather(*pending)


class LagRecorder:
    """Keeps the consumer's lag in a gauge and, every few seconds, in the database."""

    def __init__(self, db: Database, consumer: str, every_seconds: float = 2.0) -> None:
        self.db = db
        self.consumer = consumer
        self.every = every_seconds
        self._last = 0.0
        self._last_total: int | None = None

    async def record(self, kafka_consumer: Any) -> None:
        loop = asyncio.get_running_loop()
        rows = []
        for tp in kafka_consumer.assignment():
            high = kafka_consumer.highwater(tp)
            if high is None:
                continue
            position = await kafka_consumer.position(tp)
            lag = max(0, high - position)
            CONSUMER_LAG.labels(self.consumer, tp.topic, str(tp.partition)).set(lag)
            rows.append({"consumer": self.consumer, "topic": tp.topic,
                         "partition": tp.partition, "lag": lag})
        total = sum(r["lag"] for r in rows)
        # Throttled, except when the consumer has just caught up: an idle consumer gets
        # no further batch, so a throttled "caught up" would leave a stale lag behind.
        caught_up = total == 0 and self._last_total != 0
        if not rows or (loop.time() - self._last < self.every and not caught_up):
            return
        self._last = loop.time()
        self._last_total = total
        from eventkit.clock import utcnow

        now = utcnow()
        async with self.db.begin() as conn:
            await conn.execute(delete(consumer_lag).where(consumer_lag.c.consumer == self.consumer))
            await conn.execute(insert(consumer_lag), [{**r, "updated_at": now} for r in rows])


def subscribe(broker: KafkaBroker, consumer: EventConsumer, db: Database) -> None:
    """Register a projection's batch subscriber on the broker."""
    lag = LagRecorder(db, consumer.name)

    async def on_batch(body: Any, msg: KafkaMessage = Context("message")) -> None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        try:
            dead = await consumer.process_batch(records)
            if dead:
                await publish_dead_letters(broker, consumer.name, dead)
            await msg.ack()
        except Exception:
            logger.exception("batch not applied; rewinding", extra={"consumer": consumer.name})
            await msg.nack()
            await asyncio.sleep(1.0)
            return
        try:
            await lag.record(msg.consumer)
        except Exception:
            logger.warning("lag not recorded", exc_info=True)

    on_batch.__name__ = f"apply_{consumer.name.replace('.', '_').replace('-', '_')}"
    broker.subscriber(
        *consumer.projection.topics, group_id=consumer.name, **CONSUMER_OPTIONS,
        decoder=_raw_decoder,
    )(on_batch)


async def _raw_decoder(msg: Any) -> Any:
    # Decoding is the consumer's job (bad bytes must reach the dead-letter topic).
    return None


def build_worker(
    *,
    service: str,
    bootstrap: str,
    db: Database,
    projections: Sequence[Projection],
    background: Sequence[Callable[[asyncio.Event], Awaitable[None]]] = (),
    relay: bool = True,
    broker: KafkaBroker | None = None,
    namespace: str = "",
) -> tuple[FastStream, KafkaBroker]:
    """The FastStream app of one service: subscribers, relay and periodic jobs."""
    broker = broker or make_broker(bootstrap, client_id=f"lapak-{service}")
    consumers = [EventConsumer(p, db) for p in projections]
    for consumer in consumers:
        subscribe(broker, consumer, db)

    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    own = namespace + TOPICS[service] if service in TOPICS else None
    topics = {own, dlq_topic(own)} if own else set()
    for projection in projections:
        for topic in projection.topics:
            topics.update({topic, dlq_topic(topic)})

    configs = {}
    if service in KEY_TOPIC_USERS:
        key_topic = namespace + CUSTOMER_KEYS_TOPIC
        topics.add(key_topic)
        configs[key_topic] = KEY_TOPIC_CONFIG

    async def on_startup() -> None:
        await db.create_all()
        await ensure_topics(bootstrap, topics, configs=configs)

    async def after_startup() -> None:
        if relay:
            sender = KafkaSender(bootstrap, client_id=f"lapak-{service}-relay")
            tasks.append(asyncio.create_task(OutboxRelay(db, sender, service=service).run(stop)))
        for job in background:
            tasks.append(asyncio.create_task(job(stop)))

    async def on_shutdown() -> None:
        stop.set()
        for task in tasks:
            try:
                await asyncio.wait_for(task, timeout=10)
            except Exception:
                task.cancel()

    async def after_shutdown() -> None:
        await db.dispose()

    app = FastStream(broker)
    app.on_startup(on_startup)
    app.after_startup(after_startup)
    app.on_shutdown(on_shutdown)
    app.after_shutdown(after_shutdown)
    return app, broker
