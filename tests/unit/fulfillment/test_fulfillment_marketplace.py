"""A BRL transfer order from the Olist marketplace, shipped to Brazil with 2017 dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts.envelope import new_envelope
from contracts.money import Money
from contracts.personal import seal
from contracts.sales import Destination, OrderLine, OrderPlaced
from eventkit.keyring import Keyring
from fulfillment_helpers import SALES, order_cancelled

from test_fulfillment_api import Service, svc  # noqa: F401 - the fixture

__all__ = ["svc"]


def brl(centavos: int) -> Money:
    return Money(amount=centavos, currency="BRL")


async def place_brl(svc: Service, order_id: str) -> None:  # noqa: F811
    async with svc.app.state.deps.db.begin() as conn:
        await Keyring().store(conn, "c-br", svc.key.decode())
    # 2 x 29.99 = 59.98 + 8.72 freight = 68.70 BRL
    payload = OrderPlaced(
        order_id=order_id, customer_id="c-br",
        items=[OrderLine(product_id="p-br", quantity=2, unit_price=brl(2_999),
                         line_total=brl(5_998))],
        subtotal=brl(5_998), shipping_fee=brl(872), total=brl(6_870),
        payment_method="transfer",
        destination=Destination(country="BR", province_code="SP", province="SP",
                                city="sao paulo", district="", postal_code="03149"),
        recipient_sealed=seal(svc.key, {"marketplace": "olist",
                                        "external_customer_id": "9ef4"}),
        placed_at=datetime(2017, 10, 2, 13, 56, tzinfo=UTC), marketplace="olist",
        external_order_id="e481",
    )
    await svc.feed(new_envelope(payload, aggregate_id=order_id, aggregate_version=1,
                                actor=SALES, occurred_at=datetime.now(UTC)))


async def _add_olist_courier(svc: Service) -> None:  # noqa: F811
    added = await svc.client.put("/couriers/olist", headers=svc.as_admin, json={
        "code": "olist", "name": "Olist logistics", "services": ["standard"]})
    assert added.status_code == 200, added.text


async def _book(svc: Service, order_id: str, **over: Any) -> Any:  # noqa: F811
    body = {"courier": "olist", "service": "standard", "resi": f"OL-{order_id}",
            "pickup_date": "2017-10-04", "shipping_cost": {"amount": 872, "currency": "BRL"},
            **over}
    return await svc.post(f"/orders/{order_id}/booking", body)


async def test_a_brl_order_is_confirmed_booked_and_delivered_with_2017_dates(
    svc: Service,  # noqa: F811
) -> None:
    await place_brl(svc, "o-br")
    await _add_olist_courier(svc)

    confirmed = await svc.post("/orders/o-br/confirm")
    booked = await _book(svc, "o-br")
    picked = await svc.post("/couriers/webhook", {
        "resi": "OL-o-br", "update_id": "ol-1", "status": "picked_up",
        "occurred_at": "2017-10-04T15:10:00-03:00"})
    delivered = await svc.post("/couriers/webhook", {
        "resi": "OL-o-br", "update_id": "ol-2", "status": "delivered",
        "occurred_at": "2017-10-10T21:25:13-03:00"})

    assert [r.status_code for r in (confirmed, booked, picked, delivered)] == [200] * 4, [
        r.text for r in (confirmed, booked, picked, delivered)]
    order = await svc.get("/orders/o-br")
    assert order["total"] == {"amount": 6_870, "currency": "BRL"}
    assert order["province"] == "SP" and order["postal_code"] == "03149"
    assert order["tracking"] == "delivered"
    assert order["cod_amount"] is None  # transfer: nothing to collect


async def test_a_brl_booking_in_rupiah_is_refused(svc: Service) -> None:  # noqa: F811
    await place_brl(svc, "o-br")
    await _add_olist_courier(svc)
    await svc.post("/orders/o-br/confirm")

    r = await _book(svc, "o-br", shipping_cost={"amount": 18_000, "currency": "IDR"})

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "shipping_cost"


async def test_a_cancelled_brl_order_is_never_booked(svc: Service) -> None:  # noqa: F811
    await place_brl(svc, "o-br")
    await _add_olist_courier(svc)
    await svc.feed(order_cancelled("o-br"))

    r = await _book(svc, "o-br")

    assert r.status_code == 422  # the order's state forbids it, as for rupiah orders
    assert (await svc.get("/orders/o-br"))["status"] == "cancelled"


async def test_a_returned_brl_parcel_counts_its_cost_in_centavos(
    svc: Service,  # noqa: F811
) -> None:
    await place_brl(svc, "o-br")
    await _add_olist_courier(svc)
    await svc.post("/orders/o-br/confirm")
    await _book(svc, "o-br")

    r = await svc.post("/couriers/webhook", {
        "resi": "OL-o-br", "update_id": "ol-9", "status": "returned_to_sender",
        "occurred_at": "2017-10-12T10:00:00-03:00", "return_shipping_cost": 1_250})

    assert r.status_code == 200, r.text
    assert (await svc.get("/orders/o-br"))["tracking"] == "returned_to_sender"
