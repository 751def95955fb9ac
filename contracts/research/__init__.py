"""Events of the research division (topic ``research.events``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "research.events"


class _Research(EventPayload):
    producer: ClassVar[str] = "research"
    aggregate_type: ClassVar[str] = "product"


class ProductProposed(_Research):
    """Someone put a product candidate forward for research."""

    event_type: ClassVar[str] = "ProductProposed"

    product_id: str
    sku: str
    name: str
    weight_grams: int = Field(gt=0)
    category: str | None = None


class Competitor(BaseModel):
    """A shop already selling this product, and how it advertises."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    price: Money
    link: str | None = None
    ad_notes: str = ""


class Supplier(BaseModel):
    """A supplier we could buy from, and where the deal stands."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    unit_cost: Money
    minimum_order: int = Field(default=1, ge=1)
    lead_time_days: int = Field(default=0, ge=0)
    deal_status: Literal["contacted", "negotiating", "signed", "declined"] = "contacted"


class StockConfirmation(BaseModel):
    """Stock a supplier confirmed they hold for us, and where."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    quantity: int = Field(ge=0)
    location: str = Field(min_length=1, max_length=200)


class ResearchFileUpdated(_Research):
    """The research file of a candidate was written (replaces the previous file)."""

    event_type: ClassVar[str] = "ResearchFileUpdated"

    product_id: str
    target_audience: str = ""
    demand_signals: str = ""
    competitors: list[Competitor] = Field(default_factory=list)
    suppliers: list[Supplier] = Field(default_factory=list)
    confirmed_stock: list[StockConfirmation] = Field(default_factory=list)
    evidence_links: list[str] = Field(default_factory=list)
    ad_policy_allowed: bool | None = Field(
        default=None, description="checked against Facebook ad policy; None: not checked"
    )
    estimated_price: Money | None = Field(
        default=None, description="selling price research expects; else lowest competitor"
    )


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
    """Research decided the product will not be sold."""

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


EVENTS = [
    ProductProposed,
    ResearchFileUpdated,
    ProductApprovedV1, ProductApproved, ProductRejected, StockReceived]
