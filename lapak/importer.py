"""`lapak import`: the bundled real data through the services' public APIs.

What goes where (the README section "The main job on real data" explains each choice):

- Facebook ad reports (fb-ads-kaggle, fb-ads-api-export) -> marketing's bundled-report
  import; marketing records AdSpendRecorded per ad and day in the report's currency
  (USD, MXN), and the ledger books it as advertising expense.
- Olist products of the chosen orders -> research candidates (sku = Olist product id).
- Olist reviews of the chosen orders -> crm feedback (rating, order and product ids).
- PRDECT-ID (Indonesian marketplace reviews) -> crm feedback with the Indonesian
  comment, so crm's sentiment reads real Indonesian text.
- Olist orders -> NOT imported: sales and pricing take rupiah only and sales checks the
  address against the Indonesian region table, so a BRL order to a Brazilian address has
  no way in (reported in issue 9). The importer says so loudly instead of converting.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lapak.client import ServiceCallError, ShopClient
from lapak.olist import OlistSubset, load_subset

logger = logging.getLogger(__name__)

ID_REVIEWS = "prdect-id-reviews/PRDECT-ID_Dataset.csv"
AD_REPORTS = ["fb-ads-kaggle/KAG_conversion_data.csv", "fb-ads-api-export/facebook_ads_data.csv"]

ORDERS_BLOCKED = (
    "Olist orders not imported: sales and pricing accept rupiah (IDR) only and sales "
    "checks every address against the Indonesian region table, so a BRL order to a "
    "Brazilian address is refused; converting the currency would break the rule that "
    "amounts stay in the source's currency (see README, 'The main job on real data')."
)


@dataclass
class ImportResult:
    """What one import recorded, per kind."""

    ad_rows_recorded: int = 0
    ad_rows_already: int = 0
    products: dict[str, str] = field(default_factory=dict)  # olist id -> research id
    products_skipped_no_weight: int = 0
    feedback: int = 0
    id_feedback: int = 0
    orders_blocked: int = 0


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                    console=console, transient=False)


async def import_ads(shop: ShopClient, result: ImportResult, progress: Progress) -> None:
    task = progress.add_task("ad reports -> marketing", total=len(AD_REPORTS))
    for path in AD_REPORTS:
        body = await shop.post("marketing", "/ad-reports/imports", json={"path": path})
        result.ad_rows_recorded += body["recorded"]
        result.ad_rows_already += body["already_recorded"]
        progress.advance(task)


async def _known_products(shop: ShopClient) -> dict[str, str]:
    known: dict[str, str] = {}
    for stage in ("candidate", "researching", "approved", "rejected"):
        for row in await shop.get("research", "/products", params={"stage": stage}):
            known[row["sku"]] = row["product_id"]
    return known


async def import_products(shop: ShopClient, subset: OlistSubset, result: ImportResult,
                          progress: Progress) -> None:
    task = progress.add_task("products -> research", total=len(subset.products))
    known = await _known_products(shop)
    for p in subset.products:
        sku = p["product_id"]
        weight = int(p["product_weight_g"] or 0)
        if sku in known:
            result.products[sku] = known[sku]
        elif weight <= 0:
            # research needs a packed weight; a blank or zero source weight stays out
            result.products_skipped_no_weight += 1
        else:
            category = p["product_category_name"] or None
            english = subset.category_en.get(category or "", category or "uncategorised")
            body = await shop.post("research", "/products", json={
                "sku": sku, "name": f"{english} {sku[:8]}", "weight_grams": weight,
                "category": english,
            })
            result.products[sku] = body["product_id"]
        progress.advance(task)


async def import_reviews(shop: ShopClient, subset: OlistSubset, result: ImportResult,
                         progress: Progress) -> None:
    task = progress.add_task("reviews -> crm feedback", total=len(subset.reviews))
    first_product = {}
    for item in sorted(subset.items, key=lambda i: (i["order_id"], int(i["order_item_id"]))):
        first_product.setdefault(item["order_id"], item["product_id"])
    for review in subset.reviews:
        olist_product = first_product.get(review["order_id"])
        await shop.post("crm", "/feedback", json={
            # review ids repeat across orders in Olist: the pair is the key
            "feedback_id": f"olist-{review['review_id'][:20]}-{review['order_id'][:20]}",
            "order_id": review["order_id"],
            "product_id": result.products.get(olist_product or ""),
            "rating": int(review["review_score"]),
        })
        result.feedback += 1
        progress.advance(task)


def id_reviews(data_dir: Path, count: int) -> list[dict[str, str]]:
    """The first ``count`` rows of the PRDECT-ID file (file order)."""
    with (data_dir / ID_REVIEWS).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))[:count]


async def import_id_reviews(shop: ShopClient, rows: list[dict[str, str]],
                            result: ImportResult, progress: Progress) -> None:
    task = progress.add_task("ID reviews -> crm feedback", total=len(rows))
    for n, row in enumerate(rows, start=1):
        await shop.post("crm", "/feedback", json={
            "feedback_id": f"prdect-id-{n}", "rating": int(row["Customer Rating"]),
            "comment": row["Customer Review"][:4000], "language": "id",
        })
        result.id_feedback += 1
        progress.advance(task)


async def run_import(shop: ShopClient, *, data_dir: Path, orders: int,
                     console: Console, id_review_rows: int = 0) -> ImportResult:
    """Feed ads, products and reviews; say loudly what cannot be fed (orders)."""
    subset = load_subset(data_dir, orders)
    result = ImportResult()
    with _progress(console) as progress:
        await import_ads(shop, result, progress)
        await import_products(shop, subset, result, progress)
        try:
            await import_reviews(shop, subset, result, progress)
            await import_id_reviews(shop, id_reviews(data_dir, id_review_rows), result,
                                    progress)
        except ServiceCallError as exc:
            console.print(f"[red]crm refused a review:[/] {exc}")
            raise
    result.orders_blocked = len(subset.orders)
    console.print(f"ad rows recorded {result.ad_rows_recorded} (already "
                  f"{result.ad_rows_already}); products {len(result.products)} (skipped, no "
                  f"weight: {result.products_skipped_no_weight}); feedback {result.feedback} "
                  f"(Olist) + {result.id_feedback} (PRDECT-ID)")
    console.print(f"[bold red]NOT IMPORTED:[/] {result.orders_blocked} orders. {ORDERS_BLOCKED}")
    logger.info("import finished", extra={"products": len(result.products),
                                          "feedback": result.feedback})
    return result
