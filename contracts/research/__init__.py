"""Events of the research division (topic ``research.events``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "research.events"


class _Research(EventPayload):
    producer: ClassVar[str] = "research"
    aggregate_type: ClassVar[str] = "product"


class ProductApprovedV1(_Research):
    """Version 1 of ProductApproved, kept so old events stay readable."""

    event_type: ClassVar[str] = "ProductApproved"
    schema_version: ClassVar[int] = 1

    product_id: str
    sku: str
    name: str
    hpp: Money = Field(description="supplier unit cost (harga pokok produksi)")
    weight_grams: int = Field(gt=0)
    stock_on_hand: int = Field(ge=0)
    supplier_name: str
    research_summary: str = ""


class ProductApproved(ProductApprovedV1):
    """A product passed every mandatory research criterion and may be priced.

    Version 2 adds the product category (optional: v1 events carry none).
    """

    schema_version: ClassVar[int] = 2

    category: str | None = None


class ProductRejected(_Research):
    event_type: ClassVar[str] = "ProductRejected"

    product_id: str
    reason: str = Field(min_length=1)


class StockReceived(_Research):
    """A supplier delivery arrived in the gudang (warehouse)."""

    event_type: ClassVar[str] = "StockReceived"

    product_id: str
    delivery_id: str
    quantity: int = Field(gt=0)
    unit_cost: Money
    supplier_name: str
    paid_with: Literal["cash", "payable"] = Field(
        default="payable", description="paid on delivery, or owed to the supplier"
    )


EVENTS = [ProductApprovedV1, ProductApproved, ProductRejected, StockReceived]
