"""Done-when of issue 6 on real Kafka and PostgreSQL.

Sales' OrderPlaced/OrderCancelled and a customer key are produced onto this module's
namespaced topics; the fulfillment worker (projection, key follower, outbox relay) and
API run once for the module. Orders are confirmed, shipped, delivered or returned, a
COD remittance is matched, a complaint resolved; the events are read back from the
namespaced fulfillment topic.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy.engine import make_url

from contracts.envelope import Envelope
from contracts.personal import new_customer_key
from contracts.sales import CUSTOMER_KEYS_TOPIC
from fulfillment_helpers import RECIPIENT, order_cancelled, order_placed
from eventkit.testing import bearer, make_tokens, read_topic, running, unique, wait_for
from services.fulfillment.config import Settings
from services.fulfillment.entrypoints.http import create_app
from services.fulfillment.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration

IDR = "IDR"


def idr(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": IDR}


async def _admin(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(host=u.host, port=u.port, user=u.username,
                                 password=u.password, database=u.database)


@pytest.fixture(scope="module")
async def env(kafka_bootstrap: str, pg_admin_url: str) -> AsyncIterator[dict[str, Any]]:
    name = unique("fulfillment").replace("-", "_")
    conn = await _admin(pg_admin_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    tokens_json, tokens = make_tokens()
    settings = Settings(api_tokens=tokens_json, kafka_bootstrap_servers=kafka_bootstrap,
                        topic_namespace=unique("t") + ".", database_url=url)
    app = create_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        async with running(create_worker(settings)), app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://fulfillment") as client:
                yield {"client": client, "tokens": tokens, "settings": settings,
                       "producer": producer, "bootstrap": kafka_bootstrap,
                       "key": new_customer_key()}
    finally:
        await producer.stop()
    conn = await _admin(pg_admin_url)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def produce(env: dict[str, Any], *envelopes: Envelope) -> None:
    topic = env["settings"].topic("sales")
    for envelope in envelopes:
        await env["producer"].send_and_wait(topic, envelope.to_bytes(), key=envelope.key)


async def post(env: dict[str, Any], path: str, body: Any = None) -> httpx.Response:
    return await env["client"].post(path, json=body,
                                    headers=bearer(env["tokens"]["fulfillment"]))


async def get(env: dict[str, Any], path: str) -> httpx.Response:
    return await env["client"].get(path, headers=bearer(env["tokens"]["fulfillment"]))


async def order_status(env: dict[str, Any], order_id: str) -> str | None:
    response = await get(env, f"/orders/{order_id}")
    return response.json()["status"] if response.status_code == 200 else None


async def test_orders_from_sales_arrive_and_cancelled_ones_are_never_booked(
    env: dict[str, Any],
) -> None:
    keys_topic = env["settings"].topic_namespace + CUSTOMER_KEYS_TOPIC
    await env["producer"].send_and_wait(
        keys_topic, json.dumps({"customer_id": "c-1", "data_key": env["key"].decode()}).encode(),
        key=b"c-1")
    key = env["key"]
    await produce(
        env,
        order_placed("o-cod", key=key, province="Jawa Barat"),
        order_placed("o-rts", key=key, province="Jawa Timur"),
        order_placed("o-xfer", key=key, method="transfer"),
        order_cancelled("o-early"),                       # cancellation overtakes ...
        order_placed("o-early", key=key),                 # ... its order
        order_placed("o-late", key=key),
        order_cancelled("o-late"),
    )

    for order_id in ("o-cod", "o-rts", "o-xfer"):
        assert await wait_for(lambda oid=order_id: _is(env, oid, "awaiting_check"))
    await wait_for(lambda: _is(env, "o-late", "cancelled"))
    await wait_for(lambda: _cancelled_with_facts(env, "o-early"))
    early = await post(env, "/orders/o-early/confirm")
    late = await post(env, "/orders/o-late/confirm")

    assert (early.status_code, late.status_code) == (422, 422)


async def _is(env: dict[str, Any], order_id: str, status: str) -> bool:
    return await order_status(env, order_id) == status


async def _cancelled_with_facts(env: dict[str, Any], order_id: str) -> bool:
    response = await get(env, f"/orders/{order_id}")
    body = response.json() if response.status_code == 200 else {}
    return body.get("status") == "cancelled" and body.get("total") is not None


async def test_packing_view_unseals_the_recipient(env: dict[str, Any]) -> None:
    async def shown() -> Any:
        body = (await get(env, "/orders/o-cod/packing")).json()
        return body if body["recipient"] != "[erased]" else None

    body = await wait_for(shown)

    assert body["recipient"]["name"] == RECIPIENT["name"]
    assert body["postal_code"] == "40132"


async def test_confirm_ship_deliver_and_return(env: dict[str, Any]) -> None:
    for n, order_id in enumerate(("o-cod", "o-rts", "o-xfer"), start=1):
        assert (await post(env, f"/orders/{order_id}/confirm")).status_code == 200
        booked = await post(env, f"/orders/{order_id}/booking", {
            "courier": "SICEPAT", "service": "REG", "resi": f"SCP{n:06d}",
            "pickup_date": "2026-12-03", "shipping_cost": idr(18_000)})
        assert booked.status_code == 200, booked.text
    reused = await post(env, "/orders/o-early/booking", {
        "courier": "SICEPAT", "service": "REG", "resi": "SCP000001",
        "pickup_date": "2026-12-03", "shipping_cost": idr(18_000)})

    updates = [
        {"resi": "SCP000001", "update_id": "s1", "status": "PICKUP",
         "occurred_at": "2026-12-03T10:00:00+07:00"},
        {"resi": "SCP000001", "update_id": "s3", "status": "DELIVERED",
         "occurred_at": "2026-12-04T14:00:00+07:00"},
        {"resi": "SCP000002", "update_id": "r1", "status": "GAGAL KIRIM",
         "occurred_at": "2026-12-04T11:00:00+07:00"},
        {"resi": "SCP000002", "update_id": "r2", "status": "RETUR",
         "occurred_at": "2026-12-06T11:00:00+07:00", "return_shipping_cost": 15_000},
        {"resi": "SCP000003", "update_id": "x1", "status": "DELIVERED",
         "occurred_at": "2026-12-04T09:00:00+07:00"},
    ]
    first = await post(env, "/couriers/webhook", updates)
    resend = await post(env, "/couriers/webhook", updates[1])
    late = await post(env, "/couriers/webhook", {
        "resi": "SCP000001", "update_id": "s2", "status": "ON PROCESS",
        "occurred_at": "2026-12-03T20:00:00+07:00"})

    assert reused.status_code == 422  # o-early is cancelled: refused before the resi
    assert first.json() == {"applied": 5, "duplicates": 0}
    assert resend.json() == {"applied": 0, "duplicates": 1}
    assert late.json() == {"applied": 1, "duplicates": 0}
    cod = (await get(env, "/orders/o-cod")).json()
    assert (cod["status"], cod["tracking"]) == ("delivered", "delivered")
    assert cod["cod_amount"] == idr(164_000)
    assert [h["applied"] for h in cod["history"]] == [True, True, False]


async def test_resi_reused_by_another_order_is_409(env: dict[str, Any]) -> None:
    await produce(env, order_placed("o-new", key=env["key"]))
    await wait_for(lambda: _is(env, "o-new", "awaiting_check"))
    await post(env, "/orders/o-new/confirm")

    response = await post(env, "/orders/o-new/booking", {
        "courier": "SICEPAT", "service": "REG", "resi": "SCP000001",
        "pickup_date": "2026-12-03", "shipping_cost": idr(18_000)})

    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "resi"]


async def test_cod_remittance_and_complaint(env: dict[str, Any]) -> None:
    outstanding = (await get(env, "/cod/outstanding")).json()
    # o-cod delivered, COD 164,000; o-rts was returned (no cash); o-xfer is transfer
    assert outstanding["total"] == idr(164_000)

    # gross 164,000 (o-cod) + 7,000 (unknown "o-ghost") = 171,000
    # fee 3% of 171,000 = 5,130; net 171,000 - 5,130 = 165,870
    remitted = await post(env, "/remittances", {
        "remittance_id": "SCP-R-1", "courier": "SICEPAT", "remitted_on": "2026-12-08",
        "gross": idr(171_000), "fee": idr(5_130), "net": idr(165_870),
        "lines": [{"order_id": "o-cod", "amount": idr(164_000)},
                  {"order_id": "o-ghost", "amount": idr(7_000)}]})
    cancelled = await post(env, "/remittances", {
        "remittance_id": "SCP-R-2", "courier": "SICEPAT", "remitted_on": "2026-12-08",
        "gross": idr(164_000), "fee": idr(0), "net": idr(164_000),
        "lines": [{"order_id": "o-late", "amount": idr(164_000)}]})
    await post(env, "/complaints", {"complaint_id": "k-1", "order_id": "o-xfer",
                                    "category": "damaged"})
    await post(env, "/complaints/k-1/assign", {"assignee_id": "admin-2"})
    resolved = await post(env, "/complaints/k-1/resolve", {
        "outcome": "refund", "refund": idr(40_000)})

    assert remitted.json()["events"] == ["CodRemitted", "RemittanceLinesFlagged"]
    assert cancelled.status_code == 422
    assert resolved.status_code == 200
    assert (await get(env, "/cod/outstanding")).json()["total"] == idr(0)
    [issue] = (await get(env, "/remittances/issues")).json()
    assert (issue["order_id"], issue["reason"]) == ("o-ghost", "unknown_order")
    rts = (await get(env, "/reports/rts-rate?by=province")).json()
    assert {r["key"]: r["rts_rate_pct"] for r in rts}["Jawa Timur"] == 100.0


async def test_events_reach_the_fulfillment_topic(env: dict[str, Any]) -> None:
    topic = env["settings"].topic("fulfillment")
    # OrderReceived x7 (o-cod, o-rts, o-xfer, o-early, o-late, o-new... counted below)
    wanted = {"Shipped", "Delivered", "ReturnedToSender", "CodRemitted",
              "RemittanceLinesFlagged", "ComplaintOpened", "ComplaintResolved"}

    async def seen() -> Any:
        found = await read_topic(env["bootstrap"], topic, expect=40, timeout=3)
        return found if wanted <= {e.event_type for e in found} else None

    found: list[Envelope] = await wait_for(seen, timeout=30)

    by_type: dict[str, list[Envelope]] = {}
    for envelope in found:
        by_type.setdefault(envelope.event_type, []).append(envelope)
    [cod_shipped] = [e for e in by_type["Shipped"] if e.aggregate_id == "o-cod"]
    assert cod_shipped.payload["cod_amount"] == idr(164_000)
    [xfer_shipped] = [e for e in by_type["Shipped"] if e.aggregate_id == "o-xfer"]
    assert xfer_shipped.payload["cod_amount"] is None
    [rts] = by_type["ReturnedToSender"]
    assert rts.payload["return_shipping_cost"] == idr(15_000)
    [cod] = by_type["CodRemitted"]
    assert (cod.payload["net"], cod.payload["unmatched"]) == (idr(165_870), idr(7_000))
    assert [ln["order_id"] for ln in cod.payload["lines"]] == ["o-cod"]
    assert by_type["ComplaintResolved"][0].payload["refund"] == idr(40_000)
    assert len(by_type["Delivered"]) == 2  # o-cod and o-xfer; the late update moved nothing
    assert {e.aggregate_id for e in by_type["OrderWithdrawn"]} == {"o-early", "o-late"}


async def test_erasure_makes_the_recipient_unreadable(env: dict[str, Any]) -> None:
    keys_topic = env["settings"].topic_namespace + CUSTOMER_KEYS_TOPIC
    await env["producer"].send_and_wait(keys_topic, None, key=b"c-1")

    async def erased() -> bool:
        return (await get(env, "/orders/o-cod/packing")).json()["recipient"] == "[erased]"

    assert await wait_for(erased)
