"""Closing leads into orders: prices, address check, idempotency, cancellation, reports."""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from contracts.fulfillment import Shipped
from contracts.money import Money
from contracts.personal import unseal
from contracts.pricing import PriceSet
from eventkit.tables import events


def price_set(product_id: str, rupiah: int) -> PriceSet:
    return PriceSet(product_id=product_id, price=Money.idr(rupiah), strategy="test",
                    hpp=Money.idr(40_000), contribution_margin=Money.idr(50_000),
                    break_even_cpa=Money.idr(50_000), break_even_roas=Decimal("2.5"))


def order_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Siti Contoh", "phone": "0812-3456-7890",
        "address": {"province": "DI Yogyakarta", "city": "Kab. Sleman", "district": "Gamping",
                    "postal_code": "55295", "street": "Jl. Contoh No. 1"},
        "items": [{"product_id": "P1", "quantity": 2}, {"product_id": "P2", "quantity": 1}],
        "shipping_fee": {"amount": 18_000, "currency": "IDR"},
        "payment_method": "cod", "notes": "pagar hijau",
    }
    body.update(over)
    return body


async def priced(sales: Any) -> Any:
    await sales.agent("ani")
    await sales.feed(price_set("P1", 149_000), "ws-P1")
    await sales.feed(price_set("P2", 55_500), "ws-P2")
    return sales


async def post(sales: Any, body: dict[str, Any], key: str = "key-00000001") -> Any:
    return await sales.client.post("/orders", json=body,
                                   headers={**sales.auth, "Idempotency-Key": key})


async def test_a_lead_closes_into_an_order_at_current_prices(sales: Any) -> None:
    await priced(sales)
    await sales.feed(price_set("P1", 139_000), "ws-P1")  # the newer price counts
    lead = await sales.lead()

    r = await post(sales, order_body(lead_id=lead["lead_id"]))

    assert r.status_code == 201
    order = (await sales.client.get(f"/orders/{r.json()['order_id']}", headers=sales.auth)).json()
    # 2 x 139,000 = 278,000 + 1 x 55,500 = 333,500 subtotal; + 18,000 ongkir = 351,500
    assert order["subtotal"] == {"amount": 333_500, "currency": "IDR"}
    assert order["total"] == {"amount": 351_500, "currency": "IDR"}
    assert (order["agent_id"], order["city"], order["customer_id"]) == (
        "ani", "Kabupaten Sleman", lead["customer_id"])
    view = (await sales.client.get(f"/leads/{lead['lead_id']}", headers=sales.auth)).json()
    assert view["status"] == "won" and view["order_id"] == order["order_id"]


async def test_the_order_event_carries_amounts_in_clear_and_the_recipient_sealed(
    sales: Any,
) -> None:
    await priced(sales)

    order_id = (await post(sales, order_body())).json()["order_id"]

    async with sales.deps.db.read() as conn:
        body = json.loads(await conn.scalar(select(events.c.body).where(
            events.c.aggregate_id == order_id)))
        payload = body["payload"]
        key = await sales.deps.keyring.get(conn, payload["customer_id"])
    assert payload["total"] == {"amount": 371_500, "currency": "IDR"}  # 353,500 + 18,000
    assert "Contoh" not in json.dumps(body) and "3456" not in json.dumps(body)
    assert unseal(key, payload["recipient_sealed"]) == {
        "name": "Siti Contoh", "phone": "+6281234567890", "street": "Jl. Contoh No. 1",
        "notes": "pagar hijau"}


async def test_a_double_submit_with_one_key_creates_one_order(sales: Any) -> None:
    await priced(sales)

    first = await post(sales, order_body())
    again = await post(sales, order_body())
    other = await post(sales, order_body(payment_method="transfer"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["order_id"] == again.json()["order_id"]
    assert other.status_code == 409
    assert other.json()["detail"][0]["loc"][-1] == "Idempotency-Key"
    async with sales.deps.db.read() as conn:
        placed = (await conn.execute(select(events.c.event_id).where(
            events.c.event_type == "OrderPlaced"))).all()
    assert len(placed) == 1


async def test_an_order_without_an_idempotency_key_is_refused(sales: Any) -> None:
    await priced(sales)

    r = await sales.client.post("/orders", json=order_body(), headers=sales.auth)

    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_an_unpriced_product_is_refused_naming_the_item(sales: Any) -> None:
    await priced(sales)

    r = await post(sales, order_body(items=[{"product_id": "P1", "quantity": 1},
                                            {"product_id": "NOPE", "quantity": 1}]))

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "items.1.product_id"]


async def test_an_address_outside_the_region_table_is_refused_naming_the_part(
    sales: Any,
) -> None:
    await priced(sales)
    bad = order_body()
    bad["address"] = {**bad["address"], "district": "Coblong"}

    r = await post(sales, bad)

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "address.district"]
    async with sales.deps.db.read() as conn:
        assert (await conn.execute(select(events))).first() is None


async def test_a_float_or_foreign_shipping_fee_is_refused(sales: Any) -> None:
    await priced(sales)

    as_float = await post(sales, order_body(shipping_fee={"amount": 18000.5, "currency": "IDR"}))
    in_usd = await post(sales, order_body(shipping_fee={"amount": 18, "currency": "USD"}))

    assert as_float.status_code == in_usd.status_code == 422


async def test_an_order_is_cancelled_before_shipment_but_not_after(sales: Any) -> None:
    await priced(sales)
    early = (await post(sales, order_body(), key="key-early-01")).json()["order_id"]
    late = (await post(sales, order_body(), key="key-late-001")).json()["order_id"]
    await sales.feed(Shipped(order_id=late, courier="jne", service="REG", resi="JNE123",
                             shipping_cost=Money.idr(15_000), pickup_date=date(2026, 12, 3)),
                     late)

    ok = await sales.client.post(f"/orders/{early}/cancellation", json={"reason": "ganti"},
                                 headers=sales.auth)
    twice = await sales.client.post(f"/orders/{early}/cancellation", json={"reason": "x"},
                                    headers=sales.auth)
    refused = await sales.client.post(f"/orders/{late}/cancellation", json={"reason": "x"},
                                      headers=sales.auth)

    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    assert twice.status_code == 409
    assert refused.status_code == 409 and "shipped" in refused.json()["detail"][0]["msg"]


async def test_reports_count_pipeline_first_response_and_closing_rate(sales: Any) -> None:
    await priced(sales)
    await sales.agent("budi")
    leads = [await sales.lead(f"08120000000{i}", attribution={"campaign_id": "cmp1",
                                                                "ad_id": f"ad{i % 2}"})
             for i in range(4)]  # ani, budi, ani, budi
    sales.clock.advance(minutes=5)
    for lead in leads[:2]:
        await sales.client.post(f"/leads/{lead['lead_id']}/follow-ups",
                                json={"outcome": "answered"}, headers=sales.auth)
    await post(sales, order_body(lead_id=leads[0]["lead_id"]))

    pipeline = (await sales.client.get("/reports/pipeline?by=agent", headers=sales.auth)).json()
    first = (await sales.client.get("/reports/first-response", headers=sales.auth)).json()
    by_ad = (await sales.client.get("/reports/closing-rate?by=ad", headers=sales.auth)).json()
    by_campaign = (await sales.client.get("/reports/closing-rate?by=campaign",
                                          headers=sales.auth)).json()

    assert pipeline == [
        {"key": "ani", "new": 1, "contacted": 0, "won": 1, "lost": 0, "total": 2},
        {"key": "budi", "new": 1, "contacted": 1, "won": 0, "lost": 0, "total": 2},
    ]
    assert first == [
        {"agent_id": "ani", "leads": 1, "average_seconds": 300, "median_seconds": 300},
        {"agent_id": "budi", "leads": 1, "average_seconds": 300, "median_seconds": 300},
    ]
    # ad0: leads 0 and 2, one order -> 1/2; ad1: leads 1 and 3, none -> 0
    assert [(r["key"], r["leads"], r["orders"], r["rate"]) for r in by_ad] == [
        ("ad0", 2, 1, "0.5000"), ("ad1", 2, 0, "0.0000")]
    assert [(r["key"], r["rate"]) for r in by_campaign] == [("cmp1", "0.2500")]  # 1 of 4


async def test_an_older_price_arriving_late_does_not_replace_the_current_one(
    sales: Any,
) -> None:
    await sales.feed(price_set("P1", 139_000), "ws-P1")
    sales.clock.advance(hours=-1)
    await sales.feed(price_set("P1", 149_000), "ws-P1")  # set earlier, delivered later

    current = (await sales.client.get("/prices", headers=sales.auth)).json()

    assert current[0]["price"] == {"amount": 139_000, "currency": "IDR"}


async def test_a_price_in_another_currency_is_dead_lettered_not_applied(sales: Any) -> None:
    from eventkit.consumer import EventConsumer
    from contracts.envelope import Actor, new_envelope
    from services.sales.adapters.messaging.projections import projections

    event = PriceSet(product_id="P9", price=Money(amount=1000, currency="USD"), strategy="t",
                     hpp=Money(amount=1, currency="USD"),
                     contribution_margin=Money(amount=1, currency="USD"),
                     break_even_cpa=Money(amount=1, currency="USD"),
                     break_even_roas=Decimal("2"))
    envelope = new_envelope(event, aggregate_id="ws", aggregate_version=1,
                            actor=Actor(user_id="x", division="system"),
                            occurred_at=sales.clock())
    pricing = projections(sales.settings)[0]
    Record = namedtuple("Record", "topic partition offset key value")

    dead = await EventConsumer(pricing, sales.deps.db).process_batch(
        [Record("pricing.events", 0, 1, b"ws", envelope.to_bytes())])

    assert [d.error_type for d in dead] == ["PermanentEventError"]
    assert (await sales.client.get("/prices", headers=sales.auth)).json() == []


async def test_closing_rate_per_product_sits_beside_the_pricing_target(sales: Any) -> None:
    from contracts.pricing import KpiTargetsSet

    await priced(sales)
    await sales.feed(KpiTargetsSet(
        product_id="P1", max_cpl=Money.idr(10_000), max_cpa=Money.idr(50_000),
        min_roas=Decimal("2"), target_closing_rate=Decimal("0.3"), target_orders_per_day=10,
    ), "ws-P1")
    first = await sales.lead("081200000001", product_id="P1")
    await sales.lead("081200000002", product_id="P1")
    await post(sales, order_body(lead_id=first["lead_id"]))

    rows = (await sales.client.get("/reports/closing-rate?by=product",
                                   headers=sales.auth)).json()

    assert rows == [{"key": "P1", "leads": 2, "orders": 1, "rate": "0.5000", "target": "0.3"}]


async def test_a_fresh_lead_is_due_for_its_first_contact_at_once(sales: Any) -> None:
    await sales.agent("ani")
    lead = await sales.lead()

    due = (await sales.client.get("/follow-ups/due?agent_id=ani", headers=sales.auth)).json()

    assert [d["lead_id"] for d in due] == [lead["lead_id"]]
