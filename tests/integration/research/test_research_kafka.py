"""Research on real Kafka and PostgreSQL: decisions and deliveries reach
``research.events`` through the outbox; a refused approval writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from eventkit.tables import outbox
from eventkit.testing import bearer, make_tokens, read_topic, running, unique
from services.research.config import Settings
from services.research.entrypoints.http import create_app
from services.research.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration

FILE = {
    "suppliers": [{"name": "CV Maju", "unit_cost": {"amount": 30000, "currency": "IDR"},
                   "deal_status": "signed"}],
    "confirmed_stock": [{"quantity": 50, "location": "Surabaya"}],
    "estimated_price": {"amount": 99000, "currency": "IDR"},
    "ad_policy_allowed": True,
}


async def _admin(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(host=u.host, port=u.port, user=u.username,
                                 password=u.password, database=u.database)


@pytest.fixture(scope="module")
async def env(kafka_bootstrap: str, pg_admin_url: str) -> AsyncIterator[dict[str, Any]]:
    name = unique("research").replace("-", "_")
    conn = await _admin(pg_admin_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    tokens_json, tokens = make_tokens()
    settings = Settings(
        api_tokens=tokens_json, kafka_bootstrap_servers=kafka_bootstrap,
        database_url=make_url(pg_admin_url).set(database=name).render_as_string(
            hide_password=False),
        topic_namespace=unique("t") + ".",
    )
    app = create_app(settings)
    async with running(create_worker(settings)), app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t",
                                     headers=bearer(tokens["research"])) as client:
            yield {"client": client, "settings": settings, "bootstrap": kafka_bootstrap,
                   "db": app.state.deps.db}
    conn = await _admin(pg_admin_url)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def _outbox_rows(env: dict[str, Any]) -> int:
    async with env["db"].read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)


async def test_refused_approval_records_nothing(env) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = env["client"]
    pid = (await c.post("/products", json={"sku": "A-1", "name": "A", "weight_grams": 5000})
           ).json()["product_id"]
    await c.put(f"/products/{pid}/research-file", json=FILE)
    before = await _outbox_rows(env)

    r = await c.post(f"/products/{pid}/approve", json={})

    # 5,000 g is above the 2,000 g shipping limit of the default checklist.
    assert r.status_code == 422
    assert [d["loc"][-1] for d in r.json()["detail"]] == ["shipping_weight_limit"]
    assert await _outbox_rows(env) == before
    assert (await c.get(f"/products/{pid}")).json()["stage"] == "researching"


async def test_approval_rejection_and_delivery_reach_kafka(env) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = env["client"]
    good = (await c.post("/products", json={"sku": "B-1", "name": "B", "weight_grams": 400})
            ).json()["product_id"]
    bad = (await c.post("/products", json={"sku": "C-1", "name": "C", "weight_grams": 400})
           ).json()["product_id"]
    await c.put(f"/products/{good}/research-file", json=FILE)
    assert (await c.post(f"/products/{good}/approve", json={})).status_code == 200
    assert (await c.post(f"/products/{bad}/reject", json={"reason": "no supplier"})
            ).status_code == 200
    delivery = {"delivery_id": "SJ-001", "quantity": 40, "unit_cost_idr": 30000,
                "supplier_name": "CV Maju", "paid_with": "cash"}
    assert (await c.post(f"/products/{good}/deliveries", json=delivery)).status_code == 201
    repeat = await c.post(f"/products/{good}/deliveries", json=delivery)

    assert repeat.status_code == 409
    topic = env["settings"].topic("research")
    # proposed + file; B-1: proposed + file + approved + stock; C-1: proposed + rejected
    events = await read_topic(env["bootstrap"], topic, expect=8, timeout=60)
    mine = [(e.aggregate_id, e.event_type) for e in events if e.aggregate_id in (good, bad)]
    assert (good, "ProductApproved") in mine and (bad, "ProductRejected") in mine
    stock = next(e for e in events if e.event_type == "StockReceived")
    assert stock.payload["quantity"] == 40
    assert stock.payload["unit_cost"] == {"amount": 30000, "currency": "IDR"}
    assert stock.payload["paid_with"] == "cash"
    assert len(events) == 8
