"""The measured paths beside their raw baselines: write path and end-to-end latency."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import Column, MetaData, String, Table, Text, insert, select

from eventkit.db import Database
from eventkit.testing import bearer
from eventkit.topics import ensure_topics

BARE = MetaData()
bare_rows = Table("bench_rows", BARE, Column("id", String(36), primary_key=True),
                  Column("body", Text, nullable=False))

ADDRESS = {"province": "Jawa Barat", "city": "Bandung", "district": "Coblong",
           "postal_code": "40132", "street": "Jl. Fiktif 1"}
PRODUCTS = [f"p{i:03d}" for i in range(20)]


def bare_app(database_url: str) -> FastAPI:
    """The baseline: one endpoint inserting one row into the same kind of database."""
    db = Database(database_url, BARE)
    app = FastAPI()

    @app.on_event("startup")
    async def start() -> None:
        await db.create_all()

    @app.on_event("shutdown")
    async def stop() -> None:
        await db.dispose()

    @app.post("/rows", status_code=201)
    async def add(body: dict[str, Any]) -> dict[str, str]:
        row_id = str(uuid.uuid4())
        async with db.begin() as conn:
            await conn.execute(insert(bare_rows).values(id=row_id, body=str(body)))
        return {"id": row_id}

    return app


def order_body(n: int, *, method: str = "cod") -> dict[str, Any]:
    return {"name": "Pembeli Uji", "phone": f"0812{n % 100_000_000:08d}", "address": ADDRESS,
            "items": [{"product_id": PRODUCTS[n % len(PRODUCTS)], "quantity": 1 + n % 3}],
            "shipping_fee": {"amount": 12_000, "currency": "IDR"}, "payment_method": method}


async def set_sales_prices(db: Database) -> None:
    """Prices normally arrive as PriceSet events; the benchmark writes the read model."""
    from services.sales.adapters.persistence.tables import prices

    now = datetime.now(UTC)
    async with db.begin() as conn:
        await conn.execute(insert(prices), [
            {"product_id": p, "amount": 59_000 + 1_000 * i, "currency": "IDR", "set_at": now}
            for i, p in enumerate(PRODUCTS)])


async def rate_of(call: Callable[[int], Awaitable[None]], count: int,
                  concurrency: int) -> float:
    """Calls per second of ``call(n)`` for n in range(count), ``concurrency`` at a time."""
    numbers = iter(range(count))

    async def lane() -> None:
        for n in numbers:
            await call(n)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")


async def place_orders(client: httpx.AsyncClient, token: str, count: int, concurrency: int,
                       *, offset: int = 0) -> float:
    async def call(n: int) -> None:
        response = await client.post(
            "/orders", json=order_body(offset + n),
            headers={**bearer(token), "Idempotency-Key": f"bench-{uuid.uuid4().hex}"})
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:300]}")

    return await rate_of(call, count, concurrency)


async def insert_rows(client: httpx.AsyncClient, count: int, concurrency: int) -> float:
    async def call(n: int) -> None:
        response = await client.post("/rows", json=order_body(n))
        if response.status_code != 201:
            raise RuntimeError(f"row refused: {response.status_code}")

    return await rate_of(call, count, concurrency)


async def journal_latencies(client: httpx.AsyncClient, token: str, ledger_db: Database,
                            samples: int, api_part: list[float] | None = None) -> list[float]:
    """Seconds from the order call until the ledger has a line for that order
    (``api_part`` collects how long the API call itself took)."""
    from services.ledger.adapters.persistence.tables import lines

    found: list[float] = []
    for n in range(samples):
        started = time.perf_counter()
        response = await client.post(
            "/orders", json=order_body(n, method="transfer"),  # transfer: posts at once
            headers={**bearer(token), "Idempotency-Key": f"bench-e2e-{uuid.uuid4().hex}"})
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:300]}")
        order_id = response.json()["order_id"]
        if api_part is not None:
            api_part.append(time.perf_counter() - started)
        deadline = time.monotonic() + 60
        while True:
            async with ledger_db.read() as conn:
                hit = await conn.scalar(select(lines.c.id).where(lines.c.order_id == order_id)
                                        .limit(1))
            if hit is not None:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"no journal line for {order_id} within 60 s")
            await asyncio.sleep(0.005)
        found.append(time.perf_counter() - started)
    return found


async def raw_round_trips(bootstrap: str, topic: str, samples: int) -> list[float]:
    """Seconds from ``send_and_wait`` until a bare consumer holds the record."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=True)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="latest", enable_auto_commit=False)
    await ensure_topics(bootstrap, [topic])
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"warm")
        await consumer.getmany(timeout_ms=2000)
        found: list[float] = []
        for n in range(samples):
            key = f"rt-{n}".encode()
            started = time.perf_counter()
            await producer.send_and_wait(topic, b'{"n": %d}' % n, key=key)
            seen = False
            while not seen:
                batch = await consumer.getmany(timeout_ms=1000)
                seen = any(r.key == key for records in batch.values() for r in records)
            found.append(time.perf_counter() - started)
        return found
    finally:
        await consumer.stop()
        await producer.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
