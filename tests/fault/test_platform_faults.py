"""eventkit under faults, on the tiny stock service of tests/integration/ek_platform (no division's domain).

Races on one aggregate, malformed bytes in a stream, and PostgreSQL stopped under a
running consumer. Each uses its own topics, consumer group and database.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from bench.kit import committed, end_offsets
from contracts import Actor, Money
from contracts.envelope import new_envelope
from contracts.research import StockReceived
from eventkit.db import Database
from eventkit.settings import settings_for
from eventkit.tables import dead_letters, inbox
from eventkit.tables import metadata as eventkit_tables
from eventkit.testing import bearer, running, unique, wait_for
from eventkit.topics import ensure_topics
from eventkit.worker import build_worker
from lapak import stack

from .conftest import FAULT_POSTGRES_PORT

pytestmark = [pytest.mark.integration, pytest.mark.fault]

Settings = settings_for("research")
ACTOR = Actor(user_id="rina", division="research")


def delivery(product_id: str, version: int, quantity: int, *, unit_cost: Any = None) -> bytes:
    event = StockReceived(product_id=product_id, delivery_id=f"d{version}", quantity=quantity,
                          unit_cost=unit_cost or Money.idr(10_000), supplier_name="CV Uji")
    return new_envelope(event, aggregate_id=product_id, aggregate_version=version,
                        actor=ACTOR, occurred_at=datetime.now(UTC)).to_bytes()


async def send_all(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True,
                                acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def stock_totals(db: Database, stockapp: Any) -> dict[str, int]:
    async with db.read() as conn:
        rows = await conn.execute(select(stockapp.stock_levels.c.product_id,
                                         stockapp.stock_levels.c.quantity))
        return {row.product_id: int(row.quantity) for row in rows}


async def caught_up(bootstrap: str, group: str, topic: str) -> bool:
    ends = await end_offsets(bootstrap, [topic])
    offsets = await committed(bootstrap, group)
    return all(offsets.get(tp, -1) >= end for tp, end in ends.items())


# -- 50 writers on one aggregate -------------------------------------------------------
async def test_50_concurrent_writers_exactly_one_wins_each_version(
    kafka_bootstrap: str, new_pg_database: Any, tokens: Any, stockapp: Any
) -> None:
    settings = Settings(api_tokens=tokens[0], kafka_bootstrap_servers=kafka_bootstrap,
                        database_url=await new_pg_database(), topic_namespace=unique("race") + ".")
    app, db = stockapp.build(settings)
    research = bearer(tokens[1]["research"])
    winners: list[int] = []

    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        for version in range(4):
            async def write(writer: int, version: int = version) -> httpx.Response:
                return await client.post(
                    "/products/p-race/deliveries", headers=research,
                    json={"delivery_id": f"v{version}-w{writer}", "quantity": writer + 1,
                          "expected_version": version})

            responses = await asyncio.gather(*(write(w) for w in range(50)))
            statuses = Counter(r.status_code for r in responses)
            assert statuses == {201: 1, 409: 49}, (version, statuses)
            won = next(r for r in responses if r.status_code == 201).json()
            assert won["version"] == version + 1
            winners.append(won["quantity"] - sum(winners))
        state = (await client.get("/products/p-race", headers=research)).json()

    async with db.read() as conn:
        from eventkit.tables import events

        versions = [v for (v,) in await conn.execute(
            select(events.c.aggregate_version).where(events.c.aggregate_id == "p-race")
            .order_by(events.c.aggregate_version))]
    assert versions == [1, 2, 3, 4]
    assert all(1 <= quantity <= 50 for quantity in winners)
    assert state == {"product_id": "p-race", "version": 4, "quantity": sum(winners)}


# -- malformed events --------------------------------------------------------------------
def malformed(n: int) -> bytes:
    """100 kinds of wrong: bad bytes, bad envelopes, bad payloads, a refused rule."""
    kind = n % 4
    if kind == 0:
        return b"\x00not json at all " + str(n).encode()
    if kind == 1:
        return json.dumps({"event_type": "StockReceived", "payload": {}}).encode()
    if kind == 2:  # a valid envelope whose payload the model refuses
        good = json.loads(delivery("p-bad", 1, 5))
        good["payload"]["quantity"] = "many"
        return json.dumps(good).encode()
    return delivery(f"p-{n % 7}", 999, 13)  # the test projection refuses 13


async def test_100_malformed_events_all_dead_lettered_good_ones_applied(
    fault_kafka: str, new_pg_database: Any, stockapp: Any
) -> None:
    namespace = unique("bad") + "."
    topic, group = namespace + "research.events", unique("stock-bad")
    rng = random.Random(11)
    good = [(f"p-{i % 7}".encode(), delivery(f"p-{i % 7}", i + 1, rng.randint(1, 12)))
            for i in range(900)]
    bad = [(f"p-{n % 7}".encode(), malformed(n)) for n in range(100)]
    stream = good + bad
    rng.shuffle(stream)
    expected: Counter[str] = Counter()
    for _, value in good:
        payload = json.loads(value)["payload"]
        expected[payload["product_id"]] += payload["quantity"]
    await ensure_topics(fault_kafka, [topic, topic + ".dlq"])
    await send_all(fault_kafka, topic, stream)

    db = Database(await new_pg_database(), eventkit_tables, stockapp.read_models)
    worker, _ = build_worker(service="research", bootstrap=fault_kafka, db=db, relay=False,
                             projections=[stockapp.stock_projection(group, topic)],
                             namespace=namespace)
    async with running(worker):
        await wait_for(lambda: caught_up(fault_kafka, group, topic), timeout=50)
        totals = await stock_totals(db, stockapp)
        async with db.read() as conn:
            stored = await conn.scalar(select(func.count()).select_from(dead_letters))

    letters = await read_raw(fault_kafka, topic + ".dlq", expect=100)
    assert len(letters) == 100
    assert all(dict(r.headers).get("dlq-reason") for r in letters)
    assert Counter(r.value for r in letters) == Counter(value for _, value in bad)
    assert stored == 100
    assert totals == dict(expected)


async def read_raw(bootstrap: str, topic: str, *, expect: int, timeout: float = 20) -> list[Any]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            found += [r for records in batch.values() for r in records]
            if len(found) >= expect:
                await asyncio.sleep(0.5)  # and nothing more after them
                batch = await consumer.getmany(timeout_ms=500)
                found += [r for records in batch.values() for r in records]
                break
    finally:
        await consumer.stop()
    return found


# -- PostgreSQL stopped under a consumer -------------------------------------------------
@pytest.fixture(scope="module")
def private_postgres() -> Iterator[stack.PostgresConfig]:
    config = stack.PostgresConfig(port=FAULT_POSTGRES_PORT,
                                  root=stack.VAR_DIR / f"postgres-{FAULT_POSTGRES_PORT}")
    stack.start_postgres(config)
    yield config
    stack.stop_postgres(config)


async def test_consumer_retries_while_postgres_is_stopped_and_skips_nothing(
    fault_kafka: str, private_postgres: stack.PostgresConfig, stockapp: Any, full: bool
) -> None:
    namespace = unique("pgdown") + "."
    topic, group = namespace + "research.events", unique("stock-pgdown")
    name = unique("pgdown").replace("-", "_")
    await asyncio.to_thread(stack.create_database, name, private_postgres)
    db = Database(private_postgres.url(name), eventkit_tables, stockapp.read_models)
    await ensure_topics(fault_kafka, [topic, topic + ".dlq"])
    bursts = [[(f"p-{i % 5}".encode(), delivery(f"p-{i % 5}", b * 100 + i + 1, 1 + i % 4))
               for i in range(100)] for b in range(3)]
    worker, _ = build_worker(service="research", bootstrap=fault_kafka, db=db, relay=False,
                             projections=[stockapp.stock_projection(group, topic)],
                             namespace=namespace)

    async with running(worker):
        await send_all(fault_kafka, topic, bursts[0])
        await wait_for(lambda: caught_up(fault_kafka, group, topic), timeout=30)

        await asyncio.to_thread(stack.stop_postgres, private_postgres)
        await send_all(fault_kafka, topic, bursts[1])  # arrives while the database is away
        await asyncio.sleep(20 if full else 6)
        assert not await caught_up(fault_kafka, group, topic)  # nothing acked meanwhile
        await asyncio.to_thread(stack.start_postgres, private_postgres)

        await send_all(fault_kafka, topic, bursts[2])
        await wait_for(lambda: caught_up(fault_kafka, group, topic), timeout=40)
        totals = await stock_totals(db, stockapp)
        async with db.read() as conn:
            accepted = await conn.scalar(select(func.count()).select_from(inbox))
            dead = await conn.scalar(select(func.count()).select_from(dead_letters))
    await db.dispose()

    expected: Counter[str] = Counter()
    for burst in bursts:
        for _, value in burst:
            payload = json.loads(value)["payload"]
            expected[payload["product_id"]] += payload["quantity"]
    assert (accepted, dead) == (300, 0)
    assert totals == dict(expected)

