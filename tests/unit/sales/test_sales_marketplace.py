"""Marketplace orders (Olist, BRL): recorded once, in their own currency, no phone."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from contracts.personal import unseal
from eventkit.tables import events


def olist_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "marketplace": "olist", "external_order_id": "e481f51cbdc54678b7cc49136f2d6af7",
        "external_customer_id": "9ef432eb6251297304e76186b10a928d",
        "placed_at": "2017-10-02T10:56:33-03:00",
        "items": [{"product_id": "P-BR1", "quantity": 2,
                   "unit_price": {"amount": 2999, "currency": "BRL"}},
                  {"product_id": "P-BR2", "quantity": 1,
                   "unit_price": {"amount": 11990, "currency": "BRL"}}],
        "shipping_fee": {"amount": 872, "currency": "BRL"},
        "payment_method": "transfer",
        "destination": {"country": "BR", "region": "SP", "city": "sao paulo",
                        "postal_code": "03149"},
    }
    body.update(over)
    return body


async def post(sales: Any, body: dict[str, Any]) -> Any:
    return await sales.client.post("/orders/marketplace", json=body, headers=sales.auth)


async def _payloads(sales: Any, event_type: str) -> list[dict[str, Any]]:
    async with sales.deps.db.read() as conn:
        rows = (await conn.execute(select(events.c.body).where(
            events.c.event_type == event_type))).all()
    return [json.loads(body)["payload"] for (body,) in rows]


async def test_a_marketplace_order_is_recorded_in_brl_without_a_price_set(sales: Any) -> None:
    r = await post(sales, olist_body())

    assert r.status_code == 201, r.text
    out = r.json()
    assert out["created"] is True
    order = (await sales.client.get(f"/orders/{out['order_id']}", headers=sales.auth)).json()
    # 2 x 29.99 = 59.98 + 1 x 119.90 = 179.88 subtotal (17,988 centavos); + 8.72 = 188.60
    assert order["subtotal"] == {"amount": 17_988, "currency": "BRL"}
    assert order["total"] == {"amount": 18_860, "currency": "BRL"}
    assert (order["lead_id"], order["customer_id"]) == (out["lead_id"], out["customer_id"])
    assert (order["province"], order["city"], order["postal_code"]) == (
        "SP", "sao paulo", "03149")
    (placed,) = await _payloads(sales, "OrderPlaced")
    assert placed["placed_at"].startswith("2017-10-02T13:56:33")  # 10:56:33-03:00 in UTC
    assert (placed["marketplace"], placed["external_order_id"]) == (
        "olist", "e481f51cbdc54678b7cc49136f2d6af7")
    assert placed["destination"]["country"] == "BR"
    assert placed["destination"]["province_code"] == "SP"


async def test_the_lead_is_a_converted_marketplace_lead_dated_by_the_order(
    sales: Any,
) -> None:
    out = (await post(sales, olist_body())).json()

    (captured,) = await _payloads(sales, "LeadCaptured")
    (converted,) = await _payloads(sales, "LeadConverted")
    assert captured["channel"] == "marketplace" and captured["attribution"] == {
        k: None for k in captured["attribution"]}
    assert captured["placed_at"].startswith("2017-10-02T13:56:33")
    assert converted["order_id"] == out["order_id"]
    lead = (await sales.client.get(f"/leads/{out['lead_id']}", headers=sales.auth)).json()
    assert (lead["status"], lead["channel"]) == ("won", "marketplace")
    rates = (await sales.client.get("/reports/closing-rate?by=product",
                                    headers=sales.auth)).json()
    assert {"key": "P-BR1", "leads": 1, "orders": 1} == {
        k: rates[0][k] for k in ("key", "leads", "orders")}


async def test_the_customer_is_pseudonymous_and_sealed_holds_only_the_reference(
    sales: Any,
) -> None:
    first = (await post(sales, olist_body())).json()
    second = (await post(sales, olist_body(external_order_id="other-order-1"))).json()

    assert first["customer_id"] == second["customer_id"]  # same external customer
    (placed, _) = await _payloads(sales, "OrderPlaced")
    async with sales.deps.db.read() as conn:
        key = await sales.deps.keyring.get(conn, first["customer_id"])
    assert unseal(key, placed["recipient_sealed"]) == {
        "marketplace": "olist", "external_customer_id": "9ef432eb6251297304e76186b10a928d"}


async def test_a_re_import_answers_the_same_ids_and_records_nothing(sales: Any) -> None:
    first = await post(sales, olist_body())

    again = await post(sales, olist_body())
    changed = await post(sales, olist_body(payment_method="cod"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert changed.status_code == 409
    assert changed.json()["detail"][0]["loc"][-1] == "external_order_id"
    assert len(await _payloads(sales, "OrderPlaced")) == 1
    assert len(await _payloads(sales, "LeadCaptured")) == 1


async def test_one_order_is_in_one_currency(sales: Any) -> None:
    items = olist_body()["items"]
    items[1]["unit_price"] = {"amount": 100_000, "currency": "IDR"}

    r = await post(sales, olist_body(items=items))

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "items.1.unit_price"
    assert await _payloads(sales, "OrderPlaced") == []


async def test_negative_money_and_naive_time_are_refused(sales: Any) -> None:
    bad_fee = await post(sales, olist_body(shipping_fee={"amount": -1, "currency": "BRL"}))
    naive = await post(sales, olist_body(placed_at="2017-10-02T10:56:33"))

    assert bad_fee.status_code == 422 and "shipping_fee" in bad_fee.json()["detail"][0]["loc"]
    assert naive.status_code == 422 and "placed_at" in naive.json()["detail"][0]["loc"]


async def test_an_indonesian_destination_still_goes_through_the_region_check(
    sales: Any,
) -> None:
    idr = [{"product_id": "P1", "quantity": 1, "unit_price": {"amount": 99_000,
                                                              "currency": "IDR"}}]
    dest = {"country": "ID", "region": "DI Yogyakarta", "city": "Kab. Sleman",
            "district": "Gamping", "postal_code": "55295"}

    ok = await post(sales, olist_body(external_order_id="id-1", items=idr,
                                      shipping_fee={"amount": 10_000, "currency": "IDR"},
                                      destination=dest))
    wrong = await post(sales, olist_body(external_order_id="id-2", items=idr,
                                         shipping_fee={"amount": 10_000, "currency": "IDR"},
                                         destination={**dest, "postal_code": "10110"}))

    assert ok.status_code == 201, ok.text
    order = (await sales.client.get(f"/orders/{ok.json()['order_id']}",
                                    headers=sales.auth)).json()
    assert (order["city"], order["total"]) == (
        "Kabupaten Sleman", {"amount": 109_000, "currency": "IDR"})  # 99,000 + 10,000
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"][-1] == "destination.postal_code"


async def test_a_marketplace_order_is_cancelled_by_the_usual_route(sales: Any) -> None:
    order_id = (await post(sales, olist_body())).json()["order_id"]

    r = await sales.client.post(f"/orders/{order_id}/cancellation",
                                json={"reason": "canceled on olist"}, headers=sales.auth)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert r.json()["total"]["currency"] == "BRL"


async def test_recording_a_marketplace_order_needs_the_sales_role(sales: Any) -> None:
    r = await sales.client.post("/orders/marketplace", json=olist_body())

    assert r.status_code == 401
