"""Sales on real Kafka and PostgreSQL: upstream events in, HTTP commands, events out."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Actor, EventPayload, new_envelope
from contracts.fulfillment import Shipped
from contracts.marketing import CampaignLaunched, LaunchedAd, LaunchedAdSet
from contracts.money import Money
from contracts.pricing import PriceSet
from contracts.sales import CUSTOMER_KEYS_TOPIC
from eventkit.testing import (
    bearer,
    make_tokens,
    read_topic,
    running,
    send_records,
    unique,
    wait_for,
)
from services.sales.config import Settings
from services.sales.entrypoints.http import create_app
from services.sales.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration

ADDRESS = {"province": "Jawa Barat", "city": "Bandung", "district": "Coblong",
           "postal_code": "40132", "street": "Jl. Fiktif 9"}


async def produce(bootstrap: str, topic: str, event: EventPayload, key: str) -> None:
    envelope = new_envelope(event, aggregate_id=key, aggregate_version=1,
                            actor=Actor(user_id="t", division="system"),
                            occurred_at=datetime.now(UTC))
    await send_records(bootstrap, topic, [(key.encode(), envelope.to_bytes())])


async def raw_keys(bootstrap: str, topic: str, expect: int) -> list[tuple[str, bytes | None]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found: list[tuple[str, bytes | None]] = []
    deadline = time.monotonic() + 30
    try:
        while len(found) < expect and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [(r.key.decode(), r.value) for r in records]
    finally:
        await consumer.stop()
    return found


async def make_settings(new_pg_database: Any, kafka_bootstrap: str,
                        **over: Any) -> tuple[Settings, dict[str, str]]:
    token_json, tokens = make_tokens()
    return Settings(api_tokens=token_json, database_url=await new_pg_database("sales"),
                    kafka_bootstrap_servers=kafka_bootstrap,
                    topic_namespace=unique("t") + ".", **over), tokens


async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            yield client


async def test_leads_flow_to_agents_and_close_into_orders_over_kafka(
    new_pg_database: Any, kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings, tokens = await make_settings(
        new_pg_database, kafka_bootstrap, reassign_after_minutes=0.1,
        reassign_check_seconds=0.5)
    auth = bearer(tokens["sales"])
    ns = settings.topic_namespace
    async for api in client_for(settings):
        async with running(create_worker(settings)):
            for agent in ("ani", "budi"):
                await api.put(f"/agents/{agent}", json={"name": agent, "shift_start": "00:00",
                                                        "shift_end": "00:00"}, headers=auth)
            await produce(kafka_bootstrap, ns + "pricing.events", PriceSet(
                product_id="P1", price=Money.idr(149_000), strategy="t", hpp=Money.idr(40_000),
                contribution_margin=Money.idr(60_000), break_even_cpa=Money.idr(60_000),
                break_even_roas=Decimal("2.48")), "ws-1")
            await produce(kafka_bootstrap, ns + "marketing.events", CampaignLaunched(
                campaign_id="cmp1", product_id="P1", name="t", daily_budget=Money.idr(100_000),
                ad_sets=[LaunchedAdSet(ad_set_id="as1", name="a", daily_budget=Money.idr(1),
                                       ads=[LaunchedAd(ad_id="ad1", name="a", creative_id="c")])],
            ), "cmp1")
            await wait_for(lambda: _json(api.get("/prices", headers=auth)))
            await wait_for(lambda: _campaign_known(settings, "ad1"))  # another consumer

            lead = (await api.post("/leads", json={"name": "Wati Fiktif", "phone": "0813 1111 2222",
                                                   "attribution": {"ad_id": "ad1"}},
                                   headers=auth)).json()
            other = (await api.post("/leads", json={"name": "Dodi Fiktif",
                                                    "phone": "62 813 3333 4444"},
                                    headers=auth)).json()
            r = await api.post(f"/leads/{lead['lead_id']}/follow-ups",
                               json={"outcome": "answered"}, headers=auth)
            assert r.status_code == 200, r.text
            body = {"lead_id": lead["lead_id"], "name": "Wati Fiktif", "phone": "081311112222",
                    "address": ADDRESS, "items": [{"product_id": "P1", "quantity": 3}],
                    "shipping_fee": {"amount": 12_000, "currency": "IDR"},
                    "payment_method": "transfer"}
            headers = {**auth, "Idempotency-Key": "integration-1"}
            placed = await api.post("/orders", json=body, headers=headers)
            replay = await api.post("/orders", json=body, headers=headers)
            order_id = placed.json()["order_id"]

            await produce(kafka_bootstrap, ns + "fulfillment.events", Shipped(
                order_id=order_id, courier="jne", service="REG", resi="R1",
                shipping_cost=Money.idr(10_000), pickup_date=date(2026, 12, 3)), order_id)

            async def refused() -> bool:
                r = await api.post(f"/orders/{order_id}/cancellation", json={"reason": "x"},
                                   headers=auth)
                return r.status_code == 409
            await wait_for(refused)

            async def reassigned() -> bool:
                view = (await api.get(f"/leads/{other['lead_id']}", headers=auth)).json()
                return view["agent_id"] != other["agent_id"]
            await wait_for(reassigned)

            erased = await api.post(f"/customers/{lead['customer_id']}/erasure", headers=auth)
            published = await read_topic(kafka_bootstrap, ns + "sales.events", expect=8)
            keys = await raw_keys(kafka_bootstrap, ns + CUSTOMER_KEYS_TOPIC, expect=3)

    assert (lead["agent_id"], other["agent_id"]) == ("ani", "budi")
    assert (placed.status_code, replay.status_code) == (201, 200)
    assert replay.json()["order_id"] == order_id
    assert erased.status_code == 200
    by_type: dict[str, list[Any]] = {}
    for envelope in published:
        by_type.setdefault(envelope.event_type, []).append(envelope)
    assert len(by_type["LeadCaptured"]) == 2 and len(by_type["OrderPlaced"]) == 1
    captured = next(e for e in by_type["LeadCaptured"] if e.aggregate_id == lead["lead_id"])
    assert captured.payload["attribution"]["campaign_id"] == "cmp1"
    order = by_type["OrderPlaced"][0].payload
    # 3 x 149,000 = 447,000 subtotal; + 12,000 ongkir = 459,000
    assert order["subtotal"] == {"amount": 447_000, "currency": "IDR"}
    assert order["total"] == {"amount": 459_000, "currency": "IDR"}
    assert order["destination"]["city"] == "Kota Bandung"
    moved = [e.payload for e in by_type["LeadAssigned"] if e.aggregate_id == other["lead_id"]]
    assert moved[0]["agent_id"] == "budi" and moved[1]["previous_agent_id"] == "budi"
    assert moved[1]["reason"].startswith("unanswered")
    assert by_type["LeadFollowedUp"][0].payload["outcome"] == "answered"
    assert "LeadConverted" in by_type
    assert (lead["customer_id"], None) in [(k, v or None) for k, v in keys]  # tombstone
    assert "order placed" in caplog.text
    flat = re.sub(r"[\s.\-+]", "", caplog.text)
    assert "Fiktif" not in caplog.text and "131111222" not in flat and "133333444" not in flat


@pytest.mark.parametrize("policy", ["round_robin", "weighted", "sticky"])
async def test_each_rotator_policy_spreads_leads_on_postgres(
    new_pg_database: Any, kafka_bootstrap: str, policy: str
) -> None:
    settings, tokens = await make_settings(new_pg_database, kafka_bootstrap,
                                           rotator_policy=policy)
    auth = bearer(tokens["sales"])
    async for api in client_for(settings):
        for agent, weight in (("ani", 3), ("budi", 1)):
            await api.put(f"/agents/{agent}", json={"name": agent, "weight": weight,
                                                    "shift_start": "00:00",
                                                    "shift_end": "00:00"}, headers=auth)
        got = []
        for phone in ("081300000001", "081300000002", "081300000003", "081300000004"):
            out = (await api.post("/leads", json={"name": "Fiktif", "phone": phone},
                                  headers=auth)).json()
            got.append(out["agent_id"])
            await api.post(f"/leads/{out['lead_id']}/loss", json={"reason": "t"}, headers=auth)
        back = (await api.post("/leads", json={"name": "Fiktif", "phone": "081300000002"},
                               headers=auth)).json()["agent_id"]

    if policy == "weighted":
        assert sorted(got) == ["ani", "ani", "ani", "budi"]  # 3:1
    else:
        assert got == ["ani", "budi", "ani", "budi"]
    if policy == "sticky":
        assert back == "budi"  # the second phone's agent, though ani is next in turn
    elif policy == "round_robin":
        assert back == "ani"


async def _campaign_known(settings: Settings, ad_id: str) -> bool:
    """The campaigns projection (its own consumer group) has seen the ad."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import create_async_engine

    from services.sales.adapters.persistence.tables import ads

    engine = create_async_engine(settings.resolved_database_url())
    try:
        async with engine.connect() as conn:
            return await conn.scalar(select(ads.c.ad_id).where(ads.c.ad_id == ad_id)) is not None
    finally:
        await engine.dispose()


async def _json(response_coro: Any) -> Any:
    return (await response_coro).json()


async def test_concurrent_captures_spread_evenly_and_one_phone_makes_one_customer(
    new_pg_database: Any, kafka_bootstrap: str
) -> None:
    import asyncio

    settings, tokens = await make_settings(new_pg_database, kafka_bootstrap)
    auth = bearer(tokens["sales"])
    async for api in client_for(settings):
        for agent in ("ani", "budi"):
            await api.put(f"/agents/{agent}", json={"name": agent, "shift_start": "00:00",
                                                    "shift_end": "00:00"}, headers=auth)

        async def capture(phone: str) -> dict[str, Any]:
            r = await api.post("/leads", json={"name": "Fiktif", "phone": phone}, headers=auth)
            assert r.status_code == 201, r.text
            return dict(r.json())

        started = time.perf_counter()
        distinct = await asyncio.gather(*(capture(f"0813000001{i:02d}") for i in range(20)))
        elapsed = time.perf_counter() - started
        same = await asyncio.gather(*(capture("0813 9999 0000") for _ in range(5)))

    agents = [d["agent_id"] for d in distinct]
    assert agents.count("ani") == agents.count("budi") == 10
    assert len({s["customer_id"] for s in same}) == 1
    assert sum(1 for s in same if s["linked_to_lead_id"] is None) == 1
    print(f"20 concurrent lead captures on PostgreSQL: {elapsed:.2f} s")


async def test_a_double_click_racing_itself_creates_one_order(
    new_pg_database: Any, kafka_bootstrap: str
) -> None:
    import asyncio

    from services.sales.adapters.persistence.tables import prices

    settings, tokens = await make_settings(new_pg_database, kafka_bootstrap)
    auth = bearer(tokens["sales"])
    body = {"name": "Fiktif", "phone": "081377778888", "address": ADDRESS,
            "items": [{"product_id": "P1", "quantity": 1}],
            "shipping_fee": {"amount": 10_000, "currency": "IDR"}, "payment_method": "cod"}
    async for api in client_for(settings):
        async with api._transport.app.state.deps.db.begin() as conn:  # type: ignore[attr-defined]
            await conn.execute(prices.insert().values(
                product_id="P1", amount=149_000, currency="IDR", set_at=datetime.now(UTC)))
        same_key = await asyncio.gather(*(
            api.post("/orders", json=body, headers={**auth, "Idempotency-Key": "dbl-click-1"})
            for _ in range(4)))
        other_keys = await asyncio.gather(*(
            api.post("/orders", json=body, headers={**auth, "Idempotency-Key": f"other-{i:04d}"})
            for i in range(3)))

    assert sorted(r.status_code for r in same_key) == [200, 200, 200, 201]
    assert len({r.json()["order_id"] for r in same_key}) == 1
    assert [r.status_code for r in other_keys] == [201] * 3  # one new phone, raced thrice
