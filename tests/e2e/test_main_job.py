"""The main job on real data: `lapak import` on a small Olist subset plus the bundled
ad reports, through every service's public API and real Kafka, then `lapak report`.

Each expected figure is computed here, independently, from the bundled CSV files with
the csv module; the test then looks for it in the report's printed text.
"""

from __future__ import annotations

import csv
import statistics
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from rich.console import Console

from lapak.importer import run_import
from lapak.inprocess import ShopSystem
from lapak.lag import wait_caught_up
from lapak.report import collect, print_report
from services.research.domain.criteria import DEFAULT_CRITERIA

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[2] / "data"
OLIST = DATA / "olist-ecommerce"
ORDERS = 40  # the first 40 orders by purchase time: enough for every kind, fast in CI
ID_REVIEWS = 30  # the first 30 Indonesian reviews of PRDECT-ID


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def cents(text: str) -> int:
    """Ad platforms report spend with many decimals; marketing rounds each row half up."""
    return int(Decimal(text).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


def first_orders() -> list[dict[str, str]]:
    orders = rows(OLIST / "olist_orders_dataset.csv")
    orders.sort(key=lambda o: (o["order_purchase_timestamp"], o["order_id"]))
    return orders[:ORDERS]


def grouped(amount_cents: int) -> str:
    """2799 -> '27.99', 4824367 -> '48,243.67' (as the report prints it)."""
    return f"{Decimal(amount_cents) / 100:,.2f}"


@pytest.fixture(scope="module")
async def printed(shop_sqlite: ShopSystem) -> str:
    console = Console(record=True, width=200, force_terminal=False)
    async with shop_sqlite.client() as shop:
        await run_import(shop, data_dir=DATA, orders=ORDERS, console=console,
                         id_review_rows=ID_REVIEWS)
        await wait_caught_up(shop, bootstrap=shop_sqlite.bootstrap,
                             namespace=shop_sqlite.namespace, timeout_s=90)
        print_report(await collect(shop), console)
    return console.export_text()


def test_total_usd_ad_spend_is_the_kaggle_report_total(printed: str) -> None:
    spent = sum(cents(r["Spent"]) for r in rows(DATA / "fb-ads-kaggle" /
                                                 "KAG_conversion_data.csv"))

    assert f"total ad spend USD {grouped(spent)}" in printed


def test_total_mxn_ad_spend_is_the_api_export_total(printed: str) -> None:
    spent = sum(cents(r["spend"]) for r in rows(DATA / "fb-ads-api-export" /
                                                "facebook_ads_data.csv"))

    assert f"total ad spend MXN {grouped(spent)}" in printed


def test_advertising_expense_in_the_books_equals_the_usd_spend(printed: str) -> None:
    spent = sum(cents(r["Spent"]) for r in rows(DATA / "fb-ads-kaggle" /
                                                 "KAG_conversion_data.csv"))

    usd_pnl = next(section for section in printed.split("Profit and loss")[1:]
                   if "(USD)" in section.splitlines()[0]).split("Trial balance")[0]
    expense = next(line for line in usd_pnl.splitlines() if "Advertising expense" in line)
    assert expense.split("│")[3].strip() == f"USD {grouped(spent)}"


def test_review_count_and_average_score_match_both_review_files(printed: str) -> None:
    ids = {o["order_id"] for o in first_orders()}
    olist = [int(r["review_score"]) for r in rows(OLIST / "olist_order_reviews_dataset.csv")
             if r["order_id"] in ids]
    indonesian = [int(r["Customer Rating"]) for r in rows(
        DATA / "prdect-id-reviews" / "PRDECT-ID_Dataset.csv")[:ID_REVIEWS]]
    scores = olist + indonesian
    average = Decimal(sum(scores)) / len(scores)

    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in printed.splitlines() if line.count("│") >= 3}
    assert lines["reviews"] == str(len(scores))
    assert lines["average review score"] == f"{average.quantize(Decimal('0.01'), ROUND_HALF_UP)}"


def test_every_weighed_product_of_the_subset_became_a_research_candidate(printed: str) -> None:
    ids = {o["order_id"] for o in first_orders()}
    product_ids = {i["product_id"] for i in rows(OLIST / "olist_order_items_dataset.csv")
                   if i["order_id"] in ids}
    weighed = [p for p in rows(OLIST / "olist_products_dataset.csv")
               if p["product_id"] in product_ids and int(p["product_weight_g"] or 0) > 0]

    assert f"products {len(weighed)} (skipped, no weight: {len(product_ids) - len(weighed)})" \
        in " ".join(printed.split())


def _limit(kind: str) -> Decimal:
    """A limit of research's default approval checklist (the rule, not the data)."""
    limit = next(c.limit for c in DEFAULT_CRITERIA if c.kind == kind)
    return limit["BRL"] if isinstance(limit, dict) else limit


def importable_orders() -> list[dict[str, str]]:
    """The chosen orders the importer places: at least one item, and every product one
    research approves: packed weight 1 g..the shipping weight limit, and the assumed unit
    cost (60 % of its median price in the chosen orders, rounded down) within the BRL
    unit cost ceiling."""
    ids = {o["order_id"] for o in first_orders()}
    weight = {p["product_id"]: int(p["product_weight_g"] or 0)
              for p in rows(OLIST / "olist_products_dataset.csv")}
    products: dict[str, set[str]] = {}
    for i in rows(OLIST / "olist_order_items_dataset.csv"):
        if i["order_id"] in ids:
            products.setdefault(i["order_id"], set()).add(i["product_id"])
    costs = unit_costs()
    approvable = {p for p in costs if 0 < weight[p] <= _limit("weight_max")
                  and costs[p] <= _limit("unit_cost_max")}
    return [o for o in first_orders() if products.get(o["order_id"])
            and products[o["order_id"]] <= approvable]


def unit_costs() -> dict[str, int]:
    """product -> assumed unit cost in centavos: 60 % of the median item price, down."""
    ids = {o["order_id"] for o in first_orders()}
    prices: dict[str, list[Decimal]] = {}
    for i in rows(OLIST / "olist_order_items_dataset.csv"):
        if i["order_id"] in ids:
            prices.setdefault(i["product_id"], []).append(Decimal(i["price"]))
    return {p: int((statistics.median(sorted(v)) * 60).to_integral_value(ROUND_FLOOR))
            for p, v in prices.items()}


def shipped_orders() -> set[str]:
    """Orders the ledger recognises revenue for: booked with the courier (Shipped), i.e.
    Olist status delivered or shipped with a carrier hand-over date."""
    return {o["order_id"] for o in importable_orders()
            if o["order_status"] in ("delivered", "shipped")
            and o["order_delivered_carrier_date"]}


def books_row(printed: str, label: str) -> str:
    table = printed.split("Orders in the books (BRL)")[1]
    line = next(li for li in table.splitlines() if f" {label} " in li)
    return line.split("│")[2].strip()


def test_revenue_in_brl_is_the_item_prices_of_the_shipped_orders(printed: str) -> None:
    shipped = shipped_orders()
    revenue = sum(cents(i["price"]) for i in rows(OLIST / "olist_order_items_dataset.csv")
                  if i["order_id"] in shipped)

    assert books_row(printed, "sales revenue") == f"BRL {grouped(revenue)}"


def test_freight_in_brl_is_the_freight_value_of_the_shipped_orders(printed: str) -> None:
    shipped = shipped_orders()
    freight = sum(cents(i["freight_value"]) for i in rows(
        OLIST / "olist_order_items_dataset.csv") if i["order_id"] in shipped)

    assert books_row(printed, "ongkir (freight) charged") == f"BRL {grouped(freight)}"


def test_cogs_in_brl_is_the_assumed_unit_cost_of_every_unit_shipped(printed: str) -> None:
    shipped = shipped_orders()
    costs = unit_costs()
    cogs = sum(costs[i["product_id"]] for i in rows(OLIST / "olist_order_items_dataset.csv")
               if i["order_id"] in shipped)  # one row per unit sold

    assert books_row(printed, "cost of goods sold") == f"BRL {grouped(cogs)}"


def test_order_counts_by_status_match_the_orders(printed: str) -> None:
    orders = importable_orders()
    expected = {
        "delivered": sum(1 for o in orders if o["order_status"] == "delivered"
                         and o["order_delivered_carrier_date"]
                         and o["order_delivered_customer_date"]),
        "cancelled": sum(1 for o in orders if o["order_status"] in ("canceled",
                                                                      "unavailable")),
    }
    expected["shipped"] = len(shipped_orders()) - expected["delivered"]

    flat = " ".join(printed.split())
    for status, n in expected.items():
        assert f"orders {status} │ {n} │" in flat
    assert f"│ orders │ {len(orders) - expected['cancelled']} │" in flat
    assert f"│ delivered │ {expected['delivered']} │" in flat
