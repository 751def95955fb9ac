"""The bundled Olist sample, read with the csv module and cut to the first N orders.

Money stays in the source's currency: BRL, counted in centavos (``Decimal`` text ->
integer, exact: the CSV has at most two decimals). Nothing here does I/O beyond reading
the bundled files.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

OLIST_DIR = "olist-ecommerce"


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
    )
