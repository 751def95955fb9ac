"""One Olist marketplace product in BRL from research approval to the books, on real
Kafka and PostgreSQL with the seven services in process.

research (BRL research file, approval, stock) -> pricing (BRL worksheet) -> sales
(POST /orders/marketplace: order A delivered, order B cancelled) -> fulfillment
(olist courier, 2017 booking and webhooks) -> ledger (BRL trial balance, by hand) and
crm (lifetime value in BRL). Amounts are centavos; every figure is worked out below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from eventkit.testing import unique
from lapak.inprocess import ShopSystem, shop_on_postgres, until
from lapak.lag import wait_caught_up

pytestmark = pytest.mark.integration

HPP = 3_500  # R$35.00 per unit from the signed supplier
UNITS = 10  # received, paid in cash
UNIT_PRICE = 2_999  # R$29.99, Olist's price for one unit
FREIGHT_A = 872  # R$8.72 the buyer paid; passed as what the shop pays the carrier too
FREIGHT_B = 500


def brl(centavos: int) -> dict[str, Any]:
    return {"amount": centavos, "currency": "BRL"}


RESEARCH_FILE = {
    "target_audience": "home office", "demand_signals": "olist best seller",
    "competitors": [{"name": "Loja A", "price": brl(8_990)}],
    "suppliers": [{"name": "Fornecedor SP", "unit_cost": brl(HPP), "deal_status": "signed"}],
    "confirmed_stock": [{"quantity": 40, "location": "São Paulo"}],
    "evidence_links": ["https://example.com/1", "https://example.com/2"],
    "ad_policy_allowed": True,
}


def olist_order(pid: str, external_id: str, quantity: int, freight: int) -> dict[str, Any]:
    return {
        "marketplace": "olist", "external_order_id": external_id,
        "external_customer_id": "cust-olist-1", "placed_at": "2017-10-02T10:56:33-03:00",
        "items": [{"product_id": pid, "quantity": quantity, "unit_price": brl(UNIT_PRICE)}],
        "shipping_fee": brl(freight), "payment_method": "transfer",
        "destination": {"country": "BR", "region": "SP", "city": "sao paulo",
                        "postal_code": "03149"},
    }


@pytest.fixture
async def shop(kafka_bootstrap: str, new_pg_database: Any, tmp_path: Path
               ) -> AsyncIterator[ShopSystem]:
    async with shop_on_postgres(bootstrap=kafka_bootstrap, new_database=new_pg_database,
                                namespace=unique("olist") + ".", data_dir=tmp_path) as system:
        yield system


async def test_a_brl_marketplace_order_reaches_the_books_in_brl(shop: ShopSystem) -> None:
    async with shop.client() as api:
        pid = (await api.post("research", "/products", json={
            "sku": "OL-1", "name": "Luminária", "weight_grams": 800}))["product_id"]
        await api.call("research", "PUT", f"/products/{pid}/research-file",
                       json=RESEARCH_FILE)
        approved = await api.post("research", f"/products/{pid}/approve", json={})
        await api.post("research", f"/products/{pid}/deliveries", json={
            "delivery_id": "NF-1", "quantity": UNITS, "unit_cost": brl(HPP),
            "supplier_name": "Fornecedor SP", "paid_with": "cash"})
        worksheet = await until(api, "pricing", f"/worksheets/{pid}")

        a = await api.post("sales", "/orders/marketplace",
                           json=olist_order(pid, "olist-A", 2, FREIGHT_A))
        b = await api.post("sales", "/orders/marketplace",
                           json=olist_order(pid, "olist-B", 1, FREIGHT_B))
        await until(api, "fulfillment", f"/orders/{b['order_id']}",
                    lambda o: o["status"] == "awaiting_check")
        await api.post("sales", f"/orders/{b['order_id']}/cancellation",
                       json={"reason": "canceled on olist"})

        await api.call("fulfillment", "PUT", "/couriers/olist", json={
            "code": "olist", "name": "Olist logistics", "services": ["standard"]})
        await until(api, "fulfillment", f"/orders/{a['order_id']}",
                    lambda o: o["status"] == "awaiting_check")
        await api.post("fulfillment", f"/orders/{a['order_id']}/confirm")
        await api.post("fulfillment", f"/orders/{a['order_id']}/booking", json={
            "courier": "olist", "service": "standard", "resi": "OLIST-A-0001",
            "pickup_date": "2017-10-04", "shipping_cost": brl(FREIGHT_A)})
        await api.post("fulfillment", "/couriers/webhook", json=[
            {"resi": "OLIST-A-0001", "update_id": "a-1", "status": "picked_up",
             "occurred_at": "2017-10-04T15:10:00-03:00"},
            {"resi": "OLIST-A-0001", "update_id": "a-2", "status": "delivered",
             "occurred_at": "2017-10-10T21:25:13-03:00"}])
        await wait_caught_up(api, bootstrap=shop.bootstrap, namespace=shop.namespace,
                             timeout_s=120)

        accounts = {x["name"]: x["code"] for x in await api.get("ledger", "/ledger/accounts")}
        journal = await api.get("ledger", "/ledger/journal")
        balances = await api.get("ledger", "/ledger/trial-balance",
                                 params={"at": "2099-12-31"})
        profile = await api.get("crm", f"/customers/{a['customer_id']}")
        order_a = await api.get("fulfillment", f"/orders/{a['order_id']}")

    assert approved["stage"] == "approved"
    assert worksheet["hpp"] == brl(HPP)
    assert a["customer_id"] == b["customer_id"]  # one Olist customer, one pseudonym
    assert order_a["status"] == "delivered"

    # Dated by the business dates, not by today's import.
    dates = {(e["source_event_type"], e["entry_date"]) for e in journal
             if e["source_event_type"] in ("OrderPlaced", "Shipped")}
    assert dates == {("OrderPlaced", "2017-10-02"), ("Shipped", "2017-10-04")}

    (tb,) = balances  # one currency only: BRL
    rows = {r["account"]: (r["debit"], r["credit"]) for r in tb["rows"]
            if r["debit"] or r["credit"]}
    code = accounts.__getitem__
    total_a = 2 * UNIT_PRICE + FREIGHT_A  # 5,998 + 872 = 6,870
    assert tb["currency"] == "BRL" and tb["total_debit"] == tb["total_credit"]
    assert rows == {
        # stock 10 x 3,500 = 35,000 paid out; A's 6,870 in; B's 3,499 in and refunded
        code("Cash and bank"): (0, UNITS * HPP - total_a),  # 28,130
        # deposits: A's released at shipment, B's refunded -> nothing left (no row)
        code("Inventory"): ((UNITS - 2) * HPP, 0),  # 28,000
        code("Sales revenue"): (0, 2 * UNIT_PRICE),  # 5,998
        code("Ongkir charged to buyers"): (0, FREIGHT_A),  # 872
        code("Cost of goods sold"): (2 * HPP, 0),  # 7,000
        code("Shipping expense"): (FREIGHT_A, 0),  # 872
        code("Payable to couriers"): (0, FREIGHT_A),  # 872
    }

    # A counts (delivered); B was cancelled.
    assert (profile["orders"], profile["orders_counted"]) == (2, 1)
    assert profile["lifetime_value"] == [brl(total_a)]
