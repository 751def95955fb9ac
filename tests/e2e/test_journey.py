"""One product's whole journey through the seven services, real Kafka and PostgreSQL.

research -> price -> content -> campaign -> ad spend -> two leads -> two COD orders ->
both shipped -> one delivered, one returned to sender (RTS) -> the ledger's entries and
trial balance, and the customers' profiles in crm. Everything goes through the public
HTTP APIs (in process) and the events each service publishes; amounts are whole rupiah
and every expected figure is worked out below from the inputs, not copied from output.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from eventkit.testing import unique
from lapak.client import ShopClient
from lapak.inprocess import ShopSystem, shop_on_postgres, until
from lapak.lag import wait_caught_up
from lapak.report import collect

pytestmark = pytest.mark.e2e

HPP = 45_000  # supplier's unit cost, IDR
UNITS_RECEIVED = 40
ONGKIR = 12_000  # charged to each buyer
COURIER_FEE = 18_000  # what the shop pays the courier per parcel
RETURN_FEE = 15_000  # courier's fee for bringing the RTS parcel back
COD_FEE = 4_000  # the courier's fee for collecting A's cash
AD_SPEND = 250_000
ADDRESS = {"province": "Jawa Barat", "city": "Bandung", "district": "Coblong",
           "postal_code": "40132", "street": "Jl. Fiktif 9"}
RESEARCH_FILE = {
    "target_audience": "ibu rumah tangga 25-40",
    "demand_signals": "3 competitors running ads for 60+ days",
    "competitors": [{"name": "Toko A", "price": {"amount": 129000, "currency": "IDR"}}],
    "suppliers": [{"name": "CV Maju", "unit_cost": {"amount": HPP, "currency": "IDR"},
                   "minimum_order": 10, "deal_status": "signed"}],
    "confirmed_stock": [{"quantity": 500, "location": "Bandung"}],
    "evidence_links": ["https://example.com/ads/1", "https://example.com/ads/2"],
    "ad_policy_allowed": True,
}
PRICE_REQUEST = {
    "costs": {"packaging_idr": 2000, "shipping_subsidy_idr": 0, "cod_fee_percent": "3",
              "payment_fee_percent": "0", "cod_share_percent": "100",
              "cs_commission_idr": 5000, "rts_rate_percent": "10", "rts_cost_idr": 20000,
              "target_ad_cost_idr": 30000, "target_margin_percent": "15"},
    "strategy": {"kind": "target_margin"},
    "kpi": {"closing_rate_percent": "30", "orders_per_day": 20},
}


@pytest.fixture
async def shop(kafka_bootstrap: str, new_pg_database: Any, tmp_path: Path
               ) -> AsyncIterator[ShopSystem]:
    async with shop_on_postgres(bootstrap=kafka_bootstrap, new_database=new_pg_database,
                                namespace=unique("journey") + ".", data_dir=tmp_path) as system:
        yield system


async def launch_product(shop: ShopClient) -> tuple[str, int]:
    """research -> approve -> stock -> price -> content -> campaign -> ad spend."""
    pid = (await shop.post("research", "/products", json={
        "sku": "JRN-1", "name": "Blender mini", "weight_grams": 800}))["product_id"]
    await shop.call("research", "PUT", f"/products/{pid}/research-file", json=RESEARCH_FILE)
    await shop.post("research", f"/products/{pid}/approve", json={"summary": "laris"})
    await shop.post("research", f"/products/{pid}/deliveries", json={
        "delivery_id": "SJ-1", "quantity": UNITS_RECEIVED, "unit_cost_idr": HPP,
        "supplier_name": "CV Maju", "paid_with": "cash"})

    await until(shop, "pricing", f"/worksheets/{pid}")
    priced = await shop.post("pricing", f"/worksheets/{pid}/price", json=PRICE_REQUEST)
    price = priced["quote"]["price"]["amount"]

    brief = f"brief-{pid}"
    await until(shop, "marketing", f"/briefs/{brief}")
    await shop.post("marketing", f"/briefs/{brief}/assets", json={
        "asset_id": "ad-1", "kind": "ad_copy", "channel": "facebook_feed", "language": "id",
        "hook": "Jus segar?", "body": "Blender mini 5 detik.", "call_to_action": "Chat WA"})
    await shop.post("marketing", f"/briefs/{brief}/assets/ad-1/versions/1/review",
                    json={"passed": True})
    await shop.post("marketing", f"/briefs/{brief}/approve",
                    json={"assets": [{"asset_id": "ad-1", "version": 1}]})
    for item in [{"item": "page_ready", "page_id": "page-1"},
                 {"item": "pixel_verified", "pixel_id": "px-1"},
                 {"item": "landing_page_live", "landing_page_url": "https://lapak.test/p"}]:
        await shop.post("marketing", f"/products/{pid}/launch-checklist", json=item)
    idr = lambda n: {"amount": n, "currency": "IDR"}  # noqa: E731
    await shop.post("marketing", "/campaigns", json={
        "campaign_id": "cmp-j", "product_id": pid, "name": "Blender test",
        "daily_budget": idr(300_000),
        "ad_sets": [{"ad_set_id": "as-j", "name": "ibu", "daily_budget": idr(300_000),
                     "ads": [{"ad_id": "ad-j", "name": "video", "creative_id": "ad-1@1"}]}]})
    await shop.post("marketing", "/ad-spend", json=[{
        "campaign_id": "cmp-j", "ad_set_id": "as-j", "ad_id": "ad-j", "product_id": pid,
        "day": date.today().isoformat(), "spend": idr(AD_SPEND), "impressions": 10_000,
        "reach": 8_000, "clicks": 300, "leads": 2, "purchases": 0, "source": "api",
        "row_key": "ad-j-today"}])
    return pid, price


async def sell_and_ship(shop: ShopClient, pid: str) -> dict[str, dict[str, Any]]:
    """Two leads from the ad, two COD orders, both shipped; A delivered, B returned."""
    await shop.call("sales", "PUT", "/agents/ani", json={
        "name": "Ani", "shift_start": "00:00", "shift_end": "00:00"})
    await until(shop, "sales", "/prices", lambda rows: any(r["product_id"] == pid
                                                            for r in rows))
    buyers = {"A": ("Wati Fiktif", "081311112222"), "B": ("Dodi Fiktif", "081333334444")}
    out: dict[str, dict[str, Any]] = {}
    for n, (key, (name, phone)) in enumerate(buyers.items(), start=1):
        lead = await shop.post("sales", "/leads", json={
            "name": name, "phone": phone, "attribution": {"campaign_id": "cmp-j",
                                                          "ad_set_id": "as-j", "ad_id": "ad-j"},
            "product_id": pid})
        await shop.post("sales", f"/leads/{lead['lead_id']}/follow-ups",
                        json={"outcome": "answered"})
        placed = await shop.post("sales", "/orders", headers={"Idempotency-Key": f"journey-{key}-0001"},
                                 json={"lead_id": lead["lead_id"], "name": name, "phone": phone,
                                       "address": ADDRESS,
                                       "items": [{"product_id": pid, "quantity": 1}],
                                       "shipping_fee": {"amount": ONGKIR, "currency": "IDR"},
                                       "payment_method": "cod"})
        order_id = placed["order_id"]
        await until(shop, "fulfillment", f"/orders/{order_id}",
                    lambda o: o["status"] == "awaiting_check")
        await shop.post("fulfillment", f"/orders/{order_id}/confirm")
        await shop.post("fulfillment", f"/orders/{order_id}/booking", json={
            "courier": "SICEPAT", "service": "REG", "resi": f"JRN{n:06d}",
            "pickup_date": date.today().isoformat(),
            "shipping_cost": {"amount": COURIER_FEE, "currency": "IDR"}})
        out[key] = {"order_id": order_id, "customer_id": lead["customer_id"],
                    "resi": f"JRN{n:06d}"}

    now = datetime.now(UTC).isoformat()
    await shop.post("fulfillment", "/couriers/webhook", json=[
        {"resi": out["A"]["resi"], "update_id": "a1", "status": "DELIVERED", "occurred_at": now},
        {"resi": out["B"]["resi"], "update_id": "b1", "status": "GAGAL KIRIM",
         "occurred_at": now},
        {"resi": out["B"]["resi"], "update_id": "b2", "status": "RETUR", "occurred_at": now,
         "return_shipping_cost": RETURN_FEE},
    ])
    return out


async def remit_cod(shop: ShopClient, order_id: str, total: int) -> None:
    """The courier pays out A's cash less its COD fee."""
    idr = lambda n: {"amount": n, "currency": "IDR"}  # noqa: E731
    await shop.post("fulfillment", "/remittances", json={
        "remittance_id": "SCP-PAYOUT-1", "courier": "SICEPAT", "gross": idr(total),
        "fee": idr(COD_FEE), "net": idr(total - COD_FEE),
        "remitted_on": date.today().isoformat(),
        "lines": [{"order_id": order_id, "amount": idr(total)}]})


async def test_one_product_from_research_to_books_and_crm(shop: ShopSystem) -> None:
    async with shop.client() as api:
        pid, price = await launch_product(api)
        orders = await sell_and_ship(api, pid)
        await until(api, "fulfillment", f"/orders/{orders['A']['order_id']}",
                    lambda o: o["status"] == "delivered")
        await remit_cod(api, orders["A"]["order_id"], price + ONGKIR)
        await wait_caught_up(api, bootstrap=shop.bootstrap, namespace=shop.namespace,
                             timeout_s=120)

        accounts = {a["name"]: a["code"] for a in await api.get("ledger", "/ledger/accounts")}
        journal = await api.get("ledger", "/ledger/journal")
        balance = await api.get("ledger", "/ledger/trial-balance", params={"at": "2099-12-31"})
        profile_a = await api.get("crm", f"/customers/{orders['A']['customer_id']}")
        profile_b = await api.get("crm", f"/customers/{orders['B']['customer_id']}")
        order_a = await api.get("sales", f"/orders/{orders['A']['order_id']}")
        figures = await collect(api)

    total = price + ONGKIR  # one unit plus ongkir, COD: collected at the door
    assert order_a["total"] == {"amount": total, "currency": "IDR"}
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in journal:
        by_type.setdefault(entry["source_event_type"], []).append(entry)
    # COD orders post nothing when placed and a delivery posts nothing (ledger rules)
    assert sorted((t, len(e)) for t, e in by_type.items()) == [
        ("AdSpendRecorded", 1), ("CodRemitted", 1), ("ReturnedToSender", 1), ("Shipped", 2),
        ("StockReceived", 1)]

    def lines(entry: dict[str, Any]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for line in entry["lines"]:
            d, c = out.get(line["account"], (0, 0))
            out[line["account"]] = (d + line["debit"], c + line["credit"])
        return out

    shipped_a = next(e for e in by_type["Shipped"] if orders["A"]["order_id"] in e["memo"])
    receivable = next(code for name, code in accounts.items() if "COD" in name
                      and "eceivable" in name)
    assert lines(shipped_a)[receivable] == (total, 0)
    assert sum(c for _, c in lines(shipped_a).values()) == total + HPP + COURIER_FEE
    assert all(sum(l["debit"] for l in e["lines"]) == sum(l["credit"] for l in e["lines"])
               for e in journal)

    rts = lines(by_type["ReturnedToSender"][0])
    assert rts[receivable] == (0, total)  # B's cash will never come: receivable undone
    assert rts[accounts["Sales returns (RTS)"]] == (total, 0)

    (tb,) = balance
    rows = {r["account"]: (r["debit"], r["credit"]) for r in tb["rows"] if r["debit"] or r["credit"]}
    code = accounts.__getitem__
    assert tb["currency"] == "IDR" and tb["total_debit"] == tb["total_credit"]
    assert rows == {
        # stock paid in cash, A's COD cash in net of the courier's fee
        code("Cash and bank"): (0, UNITS_RECEIVED * HPP - (total - COD_FEE)),
        # receivable: A's remitted, B's reversed by the RTS -> nothing left (no row)
        code("Inventory"): ((UNITS_RECEIVED - 2 + 1) * HPP, 0),  # 2 shipped, 1 came back
        code("Payable to ad platform"): (0, AD_SPEND),
        code("Payable to couriers"): (0, 2 * COURIER_FEE + RETURN_FEE),
        code("Sales revenue"): (0, 2 * price),  # recognised at shipment
        code("Ongkir charged to buyers"): (0, 2 * ONGKIR),
        code("Sales returns (RTS)"): (total, 0),
        code("Cost of goods sold"): (HPP, 0),  # 2 x HPP shipped, 1 x HPP back
        code("Advertising expense"): (AD_SPEND, 0),
        code("Shipping expense"): (2 * COURIER_FEE, 0),
        code("Return shipping expense"): (RETURN_FEE, 0),
        code("COD fees"): (COD_FEE, 0),
    }

    assert (profile_a["orders"], profile_a["orders_counted"], profile_a["returns"]) == (1, 1, 0)
    assert profile_a["lifetime_value"] == [{"amount": total, "currency": "IDR"}]
    assert (profile_b["orders"], profile_b["orders_counted"], profile_b["returns"]) == (1, 0, 1)
    assert profile_b["lifetime_value"] in ([], [{"amount": 0, "currency": "IDR"}])

    # lapak report's funnel over the same services
    assert figures.spend == {"IDR": AD_SPEND}
    assert (figures.leads, figures.orders, figures.delivered, figures.returned,
            figures.paid) == (2, 2, 1, 1, 1)
    funnel = dict(figures.funnel_rows())
    assert funnel["CPL (IDR)"] == f"IDR {AD_SPEND // 2:,}"
    assert funnel["CPA (IDR)"] == f"IDR {AD_SPEND // 2:,}"
    # revenue net of the return: 2 x (price + ongkir) booked at shipment, B's undone
    assert figures.revenue == {"IDR": total}
    assert funnel["ROAS (IDR)"] == f"{Decimal(total) / AD_SPEND:.2f}"
    assert funnel["closing rate"] == "100.00%" and funnel["RTS rate"] == "50.00%"
