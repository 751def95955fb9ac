"""Request and response bodies of the research API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from contracts.envelope import Actor
from contracts.money import MAX_MINOR_UNITS, Money
from contracts.research import Competitor, StockConfirmation, Supplier


class ProposeProduct(BaseModel):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    weight_grams: int = Field(gt=0, le=1_000_000, description="packed weight, for shipping")
    category: str | None = Field(default=None, max_length=100)


class ResearchFile(BaseModel):
    """The whole research file; writing it replaces the previous one."""

    target_audience: str = Field(default="", max_length=2000)
    demand_signals: str = Field(default="", max_length=2000)
    competitors: list[Competitor] = Field(default_factory=list, max_length=50)
    suppliers: list[Supplier] = Field(default_factory=list, max_length=50)
    confirmed_stock: list[StockConfirmation] = Field(default_factory=list, max_length=50)
    evidence_links: list[str] = Field(default_factory=list, max_length=50)
    ad_policy_allowed: bool | None = None
    estimated_price: Money | None = None


class Approve(BaseModel):
    summary: str = Field(default="", max_length=1000,
                         description="research summary; default: audience and demand notes")


class Reject(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class ReceiveStock(BaseModel):
    delivery_id: str = Field(min_length=1, max_length=64, description="supplier's note number")
    quantity: int = Field(gt=0, le=10_000_000)
    unit_cost_idr: int | None = Field(default=None, ge=0, le=MAX_MINOR_UNITS,
                                      description="whole rupiah per unit (IDR products)")
    unit_cost: Money | None = Field(
        default=None, description="per unit in the product's currency (e.g. BRL centavos);"
                                  " instead of unit_cost_idr")
    supplier_name: str = Field(min_length=1, max_length=200)
    paid_with: Literal["cash", "payable"] = "payable"

    @model_validator(mode="after")
    def _one_unit_cost(self) -> ReceiveStock:
        if (self.unit_cost_idr is None) == (self.unit_cost is None):
            raise ValueError("give exactly one of unit_cost_idr and unit_cost")
        if self.unit_cost is not None and self.unit_cost.amount < 0:
            raise ValueError("unit_cost must not be negative")
        return self

    def cost(self) -> Money:
        if self.unit_cost is not None:
            return self.unit_cost
        assert self.unit_cost_idr is not None
        return Money.idr(self.unit_cost_idr)


class ProductSummary(BaseModel):
    product_id: str
    sku: str
    name: str
    category: str | None
    stage: str
    version: int
    updated_at: datetime


class ProductView(BaseModel):
    """A product, its stage and its research file."""

    product_id: str
    sku: str
    name: str
    category: str | None
    weight_grams: int
    stage: str
    version: int
    research_file: ResearchFile
    hpp: Money | None = Field(description="unit cost of the chosen supplier")
    received_units: int
    rejection_reason: str | None
    summary: str


class VerdictView(BaseModel):
    criterion: str
    mandatory: bool
    passed: bool
    reason: str


class Checklist(BaseModel):
    product_id: str
    approvable: bool
    verdicts: list[VerdictView]


class HistoryEntry(BaseModel):
    version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    actor: Actor
    payload: dict[str, Any]
