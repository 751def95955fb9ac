"""`lapak import`: the bundled real data through the services' public APIs.

What goes where (the README section "The main job on real data" explains each choice):

- Facebook ad reports (fb-ads-kaggle, fb-ads-api-export) -> marketing's bundled-report
  import; marketing records AdSpendRecorded per ad and day in the report's currency
  (USD, MXN), and the ledger books it as advertising expense.
- Olist products of the chosen orders -> research candidates (sku = Olist product id).
- Olist reviews of the chosen orders -> crm feedback (rating, order and product ids).
- PRDECT-ID (Indonesian marketplace reviews) -> crm feedback with the Indonesian
  comment, so crm's sentiment reads real Indonesian text.
- Olist products are then researched in BRL (assumed unit cost, see lapak.olist) and
  approved, so ProductApproved carries the HPP the ledger books as cost of goods sold.
- Olist orders -> sales' marketplace route (BRL, Brazilian address); canceled and
  unavailable ones are cancelled in sales; shipped and delivered ones are confirmed,
  booked with the OLIST courier and tracked through the courier webhook.

Every step reads the state first or is idempotent in the service, so a re-run records
nothing twice.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from lapak.client import ServiceCallError, ShopClient
from lapak.olist import (
    COURIER,
    COURIER_SERVICE,
    OlistSubset,
    OrderPlan,
    load_subset,
    research_file,
    sales_body,
)

logger = logging.getLogger(__name__)

ID_REVIEWS = "prdect-id-reviews/PRDECT-ID_Dataset.csv"
AD_REPORTS = ["fb-ads-kaggle/KAG_conversion_data.csv", "fb-ads-api-export/facebook_ads_data.csv"]



@dataclass
class ImportResult:
    """What one import recorded, per kind."""

    ad_rows_recorded: int = 0
    ad_rows_already: int = 0
    products: dict[str, str] = field(default_factory=dict)  # olist id -> research id
    products_skipped_no_weight: int = 0
    feedback: int = 0
    id_feedback: int = 0
    approved: int = 0
    not_approved: dict[str, str] = field(default_factory=dict)  # olist id -> refusal
    orders: dict[str, str] = field(default_factory=dict)  # olist order id -> sales id
    orders_created: int = 0
    orders_left_out: dict[str, str] = field(default_factory=dict)  # olist id -> why
    cancelled: int = 0
    booked: int = 0
    tracking_updates: int = 0


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
    return {sku: pid for sku, (pid, _) in (await _product_stages(shop)).items()}


async def _product_stages(shop: ShopClient) -> dict[str, tuple[str, str]]:
    """sku -> (research product id, stage)."""
    known: dict[str, tuple[str, str]] = {}
    for stage in ("candidate", "researching", "approved", "rejected"):
        for row in await shop.get("research", "/products", params={"stage": stage}):
            known[row["sku"]] = (row["product_id"], stage)
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


async def approve_products(shop: ShopClient, subset: OlistSubset, result: ImportResult,
                           progress: Progress) -> None:
    """Write each imported product's BRL research file and approve it. A product that
    fails a mandatory criterion stays in research (not rejected: a later run under other
    criteria may still approve it) and its orders are left out."""
    task = progress.add_task("research files + approval", total=len(result.products))
    stages = await _product_stages(shop)
    for sku, product_id in sorted(result.products.items()):
        if stages.get(sku, ("", ""))[1] == "approved":
            result.approved += 1
        else:
            await shop.call("research", "PUT", f"/products/{product_id}/research-file",
                            json=research_file(sku, subset.items))
            try:
                await shop.post("research", f"/products/{product_id}/approve",
                                json={"summary": "sold on Olist (bundled sample)"})
                result.approved += 1
            except ServiceCallError as exc:
                if exc.status != 422:
                    raise
                result.not_approved[sku] = _failed_criteria(exc.body)
        progress.advance(task)


def _failed_criteria(body: str) -> str:
    """The names of the failing criteria in research's 422 body (or the body's start);
    the reasons name amounts and weights, too fine to group orders by."""
    import json

    try:
        detail = json.loads(body)["detail"]
        # each failure is {"loc": ["body", "criteria", <criterion name>], "msg": ...}
        return ", ".join(sorted({str(d["loc"][-1]) for d in detail}))
    except (ValueError, KeyError, TypeError, AttributeError):
        return body[:120]


def _why_left_out(plan: OrderPlan, result: ImportResult) -> str | None:
    if not plan.lines:
        return "no item rows in the source"
    for line in plan.lines:
        if line.product_id not in result.products:
            return "a product without packed weight"
        if line.product_id in result.not_approved:
            return f"a product not approved ({result.not_approved[line.product_id]})"
    return None


async def place_orders(shop: ShopClient, plans: list[OrderPlan], result: ImportResult,
                       progress: Progress) -> list[OrderPlan]:
    """Place every order whose products are approved; return those placed."""
    task = progress.add_task("orders -> sales", total=len(plans))
    placed = []
    for plan in plans:
        why = _why_left_out(plan, result)
        if why is not None:
            result.orders_left_out[plan.order_id] = why
        else:
            body = await shop.post("sales", "/orders/marketplace",
                                   json=sales_body(plan, result.products))
            result.orders[plan.order_id] = body["order_id"]
            result.orders_created += bool(body["created"])
            placed.append(plan)
        progress.advance(task)
    return placed


async def cancel_orders(shop: ShopClient, plans: list[OrderPlan], result: ImportResult,
                        progress: Progress) -> None:
    cancelled = [p for p in plans if p.stage == "cancelled"]
    task = progress.add_task("cancellations -> sales", total=len(cancelled))
    for plan in cancelled:
        order_id = result.orders[plan.order_id]
        order = await shop.get("sales", f"/orders/{order_id}")
        if order["status"] != "cancelled":
            await shop.post("sales", f"/orders/{order_id}/cancellation",
                            json={"reason": "cancelled on Olist (canceled/unavailable)"})
        result.cancelled += 1
        progress.advance(task)


async def settle(shop: ShopClient, timeout_s: float = 300.0, quiet_rounds: int = 2) -> None:
    """Until every service reports no consumer lag and an empty outbox: fulfillment
    learns of an order (and sales' cancellation) only through Kafka."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < quiet_rounds:
        if time.monotonic() > deadline:
            raise TimeoutError(f"services not caught up after {timeout_s:.0f} s")
        rows = await shop.ops_status()
        done = all(r.get("consumer_lag") == 0 and r.get("outbox_backlog") == 0
                   for r in rows.values())
        quiet = quiet + 1 if done else 0
        await asyncio.sleep(0.5)


async def _fulfillment_order(shop: ShopClient, order_id: str,
                             timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            order: dict[str, Any] = await shop.get("fulfillment", f"/orders/{order_id}")
            return order
        except ServiceCallError as exc:
            if exc.status != 404 or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.5)


async def fulfil_orders(shop: ShopClient, plans: list[OrderPlan], result: ImportResult,
                        progress: Progress) -> None:
    """Confirm, book the OLIST courier and replay Olist's carrier and delivery dates
    through the courier webhook, each step only if the order has not passed it."""
    moving = [p for p in plans if p.stage in ("confirmed", "shipped", "delivered")]
    task = progress.add_task("fulfillment", total=len(moving))
    await shop.call("fulfillment", "PUT", f"/couriers/{COURIER}", json={
        "code": COURIER, "name": "Olist logistics", "services": [COURIER_SERVICE]})
    for plan in moving:
        order_id = result.orders[plan.order_id]
        status = (await _fulfillment_order(shop, order_id))["status"]
        if status == "awaiting_check":
            await shop.post("fulfillment", f"/orders/{order_id}/confirm")
            status = "confirmed"
        if status == "confirmed" and plan.picked_up_at is not None:
            await shop.post("fulfillment", f"/orders/{order_id}/booking", json={
                "courier": COURIER, "service": COURIER_SERVICE,
                "shipping_cost": {"amount": plan.freight_centavos, "currency": "BRL"},
                "pickup_date": plan.picked_up_at.date().isoformat(), "resi": plan.resi})
            result.booked += 1
        updates = []
        if plan.picked_up_at is not None:
            updates.append({"resi": plan.resi, "status": "picked_up",
                            "occurred_at": plan.picked_up_at.isoformat(),
                            "update_id": f"{plan.resi}-picked-up"})
        if plan.delivered_at is not None:
            updates.append({"resi": plan.resi, "status": "delivered",
                            "occurred_at": plan.delivered_at.isoformat(),
                            "update_id": f"{plan.resi}-delivered"})
        if updates:
            body = await shop.post("fulfillment", "/couriers/webhook", json=updates)
            result.tracking_updates += body["applied"]
        progress.advance(task)


async def run_import(shop: ShopClient, *, data_dir: Path, orders: int,
                     console: Console, id_review_rows: int = 0) -> ImportResult:
    """Feed ads, products (researched and approved), orders with their cancellations and
    deliveries, and reviews, in the order the services need them."""
    subset = load_subset(data_dir, orders)
    plans = subset.plans()
    result = ImportResult()
    with _progress(console) as progress:
        await import_ads(shop, result, progress)
        await import_products(shop, subset, result, progress)
        await approve_products(shop, subset, result, progress)
        await settle(shop)  # sales learns the approved products from research's events
        placed = await place_orders(shop, plans, result, progress)
        await cancel_orders(shop, placed, result, progress)
        await settle(shop)  # fulfillment learns orders and cancellations from sales
        await fulfil_orders(shop, placed, result, progress)
        try:
            await import_reviews(shop, subset, result, progress)
            await import_id_reviews(shop, id_reviews(data_dir, id_review_rows), result,
                                    progress)
        except ServiceCallError as exc:
            console.print(f"[red]crm refused a review:[/] {exc}")
            raise
    console.print(f"ad rows recorded {result.ad_rows_recorded} (already "
                  f"{result.ad_rows_already}); products {len(result.products)} (skipped, no "
                  f"weight: {result.products_skipped_no_weight}); approved {result.approved} "
                  f"(not approved: {len(result.not_approved)}); feedback {result.feedback} "
                  f"(Olist) + {result.id_feedback} (PRDECT-ID)")
    console.print(f"orders {len(result.orders)} of {len(plans)} (new {result.orders_created}); "
                  f"cancelled {result.cancelled}; booked now {result.booked}; tracking "
                  f"updates applied now {result.tracking_updates}")
    for why, n in sorted(Counter(result.orders_left_out.values()).items()):
        console.print(f"[yellow]orders left out:[/] {n} ({why})")
    logger.info("import finished", extra={"products": len(result.products),
                                          "orders": len(result.orders),
                                          "feedback": result.feedback})
    return result
