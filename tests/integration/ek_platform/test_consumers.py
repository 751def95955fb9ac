"""Idempotent consumers on real Kafka and PostgreSQL: redelivery, dead letters, replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from contracts import Actor, Money
from contracts.envelope import new_envelope
from contracts.research import StockReceived
from eventkit.consumer import EventConsumer
from eventkit.db import Database
from eventkit.tables import inbox
from eventkit.tables import metadata as eventkit_tables
from eventkit.testing import bearer, running, send_records, unique, wait_for
from eventkit.topics import ensure_topics
from eventkit.worker import build_worker

from . import stockapp
from .conftest import client_for
from .stockapp import build, read_models, stock_of, stock_projection

pytestmark = pytest.mark.integration
ACTOR = Actor(user_id="rina", division="research")


def delivery(product_id: str, version: int, quantity: int) -> bytes:
    event = StockReceived(
        product_id=product_id, delivery_id=f"d{version}", quantity=quantity,
        unit_cost=Money.idr(10_000), supplier_name="CV Uji",
    )
    return new_envelope(event, aggregate_id=product_id, aggregate_version=version,
                        actor=ACTOR, occurred_at=datetime.now(UTC)).to_bytes()


async def fetch_all(consumer: AIOKafkaConsumer, expect: int) -> list[Any]:
    records: list[Any] = []
    for _ in range(60):
        batch = await consumer.getmany(timeout_ms=500)
        for part in batch.values():
            records.extend(part)
        if len(records) >= expect:
            break
    return records


async def test_a_consumer_killed_between_db_commit_and_offset_commit_applies_once(
    kafka_bootstrap: str, new_pg_database: Any
) -> None:
    topic, group = unique("stock") , unique("g")
    await ensure_topics(kafka_bootstrap, [topic])
    await send_records(kafka_bootstrap, topic,
                  [(b"p-a", delivery("p-a", v, 2 * v)) for v in range(1, 21)])
    db = Database(await new_pg_database(), eventkit_tables, read_models)
    await db.create_all()
    consumer = EventConsumer(stock_projection(group, topic), db)

    first = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    await first.start()
    delivered_first = await fetch_all(first, 20)
    await consumer.process_batch(delivered_first)  # the database commit happens here
    await first.stop()  # "killed": the offsets were never committed

    second = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group,
                              enable_auto_commit=False, auto_offset_reset="earliest")
    await second.start()
    delivered_again = await fetch_all(second, 20)
    await consumer.process_batch(delivered_again)
    await second.commit()
    await second.stop()

    async with db.read() as conn:
        accepted = await conn.scalar(select(func.count()).select_from(inbox))
    # 2 * (1 + 2 + ... + 20) = 2 * 210 = 420 units, from 20 deliveries, counted once
    assert len(delivered_again) == 20
    assert await stock_of(db, "p-a") == (420, 20)
    assert accepted == 20
    await db.dispose()


async def test_bad_events_go_to_the_dlq_and_the_partition_keeps_flowing(
    kafka_bootstrap: str, new_pg_database: Any, tokens: Any, settings: Any
) -> None:
    namespace = settings.topic_namespace
    topic = namespace + "research.events"
    app, db = build(settings)
    group = unique("stock-levels")
    worker, _ = build_worker(service="research", bootstrap=kafka_bootstrap, db=db,
                             projections=[stock_projection(group, topic)], relay=False,
                             namespace=namespace)
    schema_violation = json.loads(delivery("p-b", 3, 1))
    schema_violation["payload"]["quantity"] = -4
    stream = [
        (b"p-b", delivery("p-b", 1, 5)),
        (b"p-b", b"\xff\xfe not an event at all"),
        (b"p-b", delivery("p-b", 2, 13)),  # refused by the projection's rule
        (b"p-b", json.dumps(schema_violation).encode()),
        (b"p-b", delivery("p-b", 4, 7)),  # same partition, after three bad ones
    ]

    async with running(worker):
        await send_records(kafka_bootstrap, topic, stream)
        await wait_for(lambda: stock_of(db, "p-b"), timeout=30)
        await wait_for(_dead_letter_count(db, 3), timeout=30)
        dlq = AIOKafkaConsumer(topic + ".dlq", bootstrap_servers=kafka_bootstrap,
                               auto_offset_reset="earliest", group_id=None)
        await dlq.start()
        letters = await fetch_all(dlq, 3)
        await dlq.stop()

        # The operator fixes the rule and replays the refused delivery of 13.
        stockapp.REFUSED_QUANTITIES.discard(13)
        try:
            async for client in client_for(app):
                headers = bearer(tokens[1]["owner"])
                listed = (await client.get("/ops/dead-letters", headers=headers)).json()
                refused = next(x for x in listed if x["error_type"] == "ValueError")
                replay = await client.post(f"/ops/dead-letters/{refused['id']}/replay",
                                           headers=headers)
                await wait_for(_stock_is(db, "p-b", (25, 3)), timeout=30)
                after = (await client.get("/ops/dead-letters", headers=headers)).json()
        finally:
            stockapp.REFUSED_QUANTITIES.add(13)

    reasons = {dict(r.headers)["dlq-error-type"].decode(): r for r in letters}
    # 5 + 7 = 12 before the replay; + 13 after it = 25 units in 3 deliveries
    assert set(reasons) == {"ValidationError", "ValueError"}
    assert len(letters) == 3
    assert b"\xff\xfe not an event at all" in [r.value for r in letters]
    assert all(dict(r.headers)["dlq-reason"] for r in letters)
    assert all(dict(r.headers)["dlq-original-topic"].decode() == topic for r in letters)
    assert len(listed) == 3
    assert replay.status_code == 200
    assert await stock_of(db, "p-b") == (25, 3)
    assert len(after) == 2  # the replayed one no longer counts as open


def _dead_letter_count(db: Database, n: int) -> Any:
    from eventkit.tables import dead_letters

    async def check() -> bool:
        async with db.read() as conn:
            count = await conn.scalar(select(func.count()).select_from(dead_letters))
        return int(count or 0) >= n

    return check


def _stock_is(db: Database, product_id: str, expected: tuple[int, int]) -> Any:
    async def check() -> bool:
        return await stock_of(db, product_id) == expected

    return check
