"""The bundled Olist sample, read with the csv module and cut to the first N orders.

Money stays in the source's currency: BRL, counted in centavos (``Decimal`` text ->
integer, exact: the CSV has at most two decimals). Nothing here does I/O beyond reading
the bundled files.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

OLIST_DIR = "olist-ecommerce"
Stage = Literal["placed", "confirmed", "shipped", "delivered", "cancelled"]


def centavos(text: str) -> int:
    """'27.99' -> 2799; exact for the source's two-decimal amounts."""
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise ValueError(f"more than two decimals in {text!r}")
    return int(value)


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class OlistSubset:
    """The first N orders by purchase time, with their items, payments and reviews."""

    orders: list[dict[str, str]]
    items: list[dict[str, str]]
    payments: list[dict[str, str]]
    reviews: list[dict[str, str]]
    products: list[dict[str, str]]
    category_en: dict[str, str] = field(default_factory=dict)
    customers: dict[str, dict[str, str]] = field(default_factory=dict)  # by customer_id

    @property
    def revenue_centavos(self) -> int:
        return sum(centavos(i["price"]) for i in self.items)

    @property
    def freight_centavos(self) -> int:
        return sum(centavos(i["freight_value"]) for i in self.items)

    @property
    def status_counts(self) -> Counter[str]:
        return Counter(o["order_status"] for o in self.orders)

    def items_of(self, order_id: str) -> list[dict[str, str]]:
        return [i for i in self.items if i["order_id"] == order_id]

    def plans(self) -> list[OrderPlan]:
        """Every chosen order mapped for the importer, in purchase order."""
        by_order: dict[str, list[dict[str, str]]] = {}
        for item in self.items:
            by_order.setdefault(item["order_id"], []).append(item)
        return [order_plan(o, by_order.get(o["order_id"], []),
                           self.customers[o["customer_id"]]) for o in self.orders]


def load_subset(data_dir: Path, orders: int) -> OlistSubset:
    """Read the bundled sample and keep the first ``orders`` orders by purchase time
    (ties broken by order id, so the cut is the same on every machine)."""
    folder = data_dir / OLIST_DIR
    all_orders = sorted(_rows(folder, "olist_orders_dataset.csv"),
                        key=lambda o: (o["order_purchase_timestamp"], o["order_id"]))
    chosen = all_orders[:orders]
    ids = {o["order_id"] for o in chosen}
    items = [i for i in _rows(folder, "olist_order_items_dataset.csv") if i["order_id"] in ids]
    product_ids = {i["product_id"] for i in items}
    products = [p for p in _rows(folder, "olist_products_dataset.csv")
                if p["product_id"] in product_ids]
    customer_ids = {o["customer_id"] for o in chosen}
    translation = {r["product_category_name"]: r["product_category_name_english"]
                   for r in _rows(folder, "product_category_name_translation.csv")}
    return OlistSubset(
        orders=chosen,
        items=items,
        payments=[p for p in _rows(folder, "olist_order_payments_dataset.csv")
                  if p["order_id"] in ids],
        reviews=[r for r in _rows(folder, "olist_order_reviews_dataset.csv")
                 if r["order_id"] in ids],
        products=sorted(products, key=lambda p: p["product_id"]),
        category_en=translation,
        customers={c["customer_id"]: c for c in _rows(folder, "olist_customers_dataset.csv")
                   if c["customer_id"] in customer_ids},
    )


# -- orders: the mapping onto sales, research and fulfillment (pure) ----------------------
OLIST_TZ = ZoneInfo("America/Sao_Paulo")  # Olist timestamps are Brazilian local time
COURIER = "OLIST"  # fulfillment's courier codes are upper case
COURIER_SERVICE = "standard"
UNIT_COST_PERCENT = 60  # assumed purchase cost, percent of the median selling price

# Olist order_status -> how far the order goes in the shop (README table).
STAGES: dict[str, Stage] = {
    "created": "placed", "approved": "placed",  # payment approved, nothing done yet
    "invoiced": "confirmed", "processing": "confirmed",  # seller preparing the parcel
    "shipped": "shipped", "delivered": "delivered",
    "canceled": "cancelled", "unavailable": "cancelled",
}


def local_time(text: str) -> datetime:
    """'2017-01-05 11:56:06' (São Paulo wall clock) -> an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=OLIST_TZ)


def stage_of(order: dict[str, str]) -> Stage:
    """How far an Olist order goes, from its status and the dates it actually has:
    a shipped or delivered order without a carrier date stops at confirmed (no pickup
    date to book), a delivered one without a customer date stops at shipped."""
    stage = STAGES.get(order["order_status"])
    if stage is None:
        raise ValueError(f"unknown Olist order status {order['order_status']!r}")
    if stage in ("shipped", "delivered") and not order["order_delivered_carrier_date"]:
        return "confirmed"
    if stage == "delivered" and not order["order_delivered_customer_date"]:
        return "shipped"
    return stage


@dataclass(frozen=True)
class OrderLine:
    product_id: str  # Olist product id
    quantity: int
    unit_price_centavos: int


@dataclass(frozen=True)
class OrderPlan:
    """One Olist order as the importer feeds it: the sales body's facts and the stage."""

    order_id: str
    customer_unique_id: str
    placed_at: datetime
    lines: tuple[OrderLine, ...]
    freight_centavos: int
    destination: dict[str, str]
    stage: Stage
    picked_up_at: datetime | None
    delivered_at: datetime | None

    @property
    def revenue_centavos(self) -> int:
        return sum(line.quantity * line.unit_price_centavos for line in self.lines)

    @property
    def resi(self) -> str:
        return f"OLIST-{self.order_id}"  # deterministic: a re-run books the same resi


def order_plan(order: dict[str, str], items: list[dict[str, str]],
               customer: dict[str, str]) -> OrderPlan:
    """Olist has one item row per unit (order_item_id 1..n): count units per product."""
    units: Counter[str] = Counter()
    price: dict[str, int] = {}
    for item in items:
        units[item["product_id"]] += 1
        each = centavos(item["price"])
        if price.setdefault(item["product_id"], each) != each:
            raise ValueError(f"order {order['order_id']}: one product at two prices")
    stage = stage_of(order)
    shipped = stage in ("shipped", "delivered")
    return OrderPlan(
        order_id=order["order_id"],
        customer_unique_id=customer["customer_unique_id"],
        placed_at=local_time(order["order_purchase_timestamp"]),
        lines=tuple(OrderLine(p, units[p], price[p]) for p in sorted(units)),
        freight_centavos=sum(centavos(i["freight_value"]) for i in items),
        destination={"country": "BR", "region": customer["customer_state"],
                     "city": customer["customer_city"],
                     "postal_code": customer["customer_zip_code_prefix"]},
        stage=stage,
        picked_up_at=local_time(order["order_delivered_carrier_date"]) if shipped else None,
        delivered_at=(local_time(order["order_delivered_customer_date"])
                      if stage == "delivered" else None),
    )


def unit_cost_centavos(prices: list[int]) -> int:
    """The assumed purchase cost: UNIT_COST_PERCENT of the median unit price, rounded
    down to the centavo (so the margin never falls under 100 - UNIT_COST_PERCENT)."""
    median = Decimal(statistics.median(prices))
    return int((median * UNIT_COST_PERCENT / 100).to_integral_value(ROUND_FLOOR))


def research_file(product_id: str, items: list[dict[str, str]]) -> dict[str, Any]:
    """The research file of one Olist product from its item rows in the subset (one row
    per unit sold): supplier = the seller of most units, signed, at the assumed cost;
    stock = the units sold; estimated price = the median unit price; all in BRL."""
    rows = [i for i in items if i["product_id"] == product_id]
    if not rows:
        raise ValueError(f"product {product_id} has no item in the subset")
    prices = [centavos(i["price"]) for i in rows]
    sellers = Counter(i["seller_id"] for i in rows)
    seller = min(sellers, key=lambda s: (-sellers[s], s))
    median = int(Decimal(statistics.median(prices)).to_integral_value(ROUND_HALF_UP))
    return {
        "target_audience": "Olist marketplace buyers in Brazil",
        "demand_signals": f"{len(rows)} units sold on Olist in the imported orders",
        "suppliers": [{"name": f"olist-seller-{seller}",
                       "unit_cost": {"amount": unit_cost_centavos(prices), "currency": "BRL"},
                       "deal_status": "signed"}],
        "confirmed_stock": [{"quantity": len(rows), "location": f"olist-seller-{seller}"}],
        "ad_policy_allowed": True,  # Olist sold it; no ad policy check in the source
        "estimated_price": {"amount": median, "currency": "BRL"},
    }


def sales_body(plan: OrderPlan, research_ids: Mapping[str, str]) -> dict[str, Any]:
    """The body of sales' POST /orders/marketplace for one Olist order; research_ids
    maps Olist product ids to the research product ids."""
    return {
        "marketplace": "olist",
        "external_order_id": plan.order_id,
        "external_customer_id": plan.customer_unique_id,  # repeat buyers: one customer
        "placed_at": plan.placed_at.isoformat(),
        "items": [{"product_id": research_ids[line.product_id],
                   "quantity": line.quantity,
                   "unit_price": {"amount": line.unit_price_centavos, "currency": "BRL"}}
                  for line in plan.lines],
        "shipping_fee": {"amount": plan.freight_centavos, "currency": "BRL"},
        "payment_method": "transfer",  # Olist has no COD: every method is paid up front
        "destination": plan.destination,
    }
