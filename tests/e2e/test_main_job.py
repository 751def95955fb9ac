"""The main job on real data: `lapak import` on a small Olist subset plus the bundled
ad reports, through every service's public API and real Kafka, then `lapak report`.

Each expected figure is computed here, independently, from the bundled CSV files with
the csv module; the test then looks for it in the report's printed text.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from rich.console import Console

from lapak.importer import run_import
from lapak.inprocess import ShopSystem
from lapak.lag import wait_caught_up
from lapak.report import collect, print_report

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

    usd_pnl = printed.split("Profit and loss")[2].split("Trial balance")[0]
    assert "(USD)" in usd_pnl.splitlines()[0]
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


ORDERS_MISSING = ("sales and pricing take IDR only and sales refuses non-Indonesian "
                  "addresses, so the importer cannot place Olist's BRL orders (issue 9)")


@pytest.mark.xfail(strict=True, reason=ORDERS_MISSING)
def test_revenue_and_freight_in_brl_match_the_order_items(printed: str) -> None:
    ids = {o["order_id"] for o in first_orders()}
    items = [i for i in rows(OLIST / "olist_order_items_dataset.csv") if i["order_id"] in ids]
    revenue = sum(cents(i["price"]) for i in items)
    freight = sum(cents(i["freight_value"]) for i in items)

    assert f"BRL {grouped(revenue)}" in printed
    assert f"BRL {grouped(freight)}" in printed


@pytest.mark.xfail(strict=True, reason=ORDERS_MISSING)
def test_order_counts_by_status_match_the_orders(printed: str) -> None:
    delivered = sum(1 for o in first_orders() if o["order_status"] == "delivered")

    assert f"orders delivered │ {delivered}" in " ".join(printed.split())
