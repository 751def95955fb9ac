"""Events of the finance division (topic ``pricing.events``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "pricing.events"


class _Pricing(EventPayload):
    producer: ClassVar[str] = "pricing"
    aggregate_type: ClassVar[str] = "worksheet"


class WorksheetOpened(_Pricing):
    """An approved product got a pricing worksheet (from ProductApproved)."""

    event_type: ClassVar[str] = "WorksheetOpened"

    product_id: str
    sku: str
    name: str
    hpp: Money
    weight_grams: int = Field(gt=0)
    category: str | None = None


class PricingInputsSet(_Pricing):
    """Finance wrote the cost and target inputs a price was computed from."""

    event_type: ClassVar[str] = "PricingInputsSet"

    product_id: str
    hpp: Money
    packaging: Money
    shipping_subsidy: Money
    cod_fee_percent: Decimal = Field(ge=0, le=100)
    payment_fee_percent: Decimal = Field(ge=0, le=100)
    cod_share_percent: Decimal = Field(ge=0, le=100)
    cs_commission: Money
    rts_rate_percent: Decimal = Field(ge=0, le=100)
    rts_cost: Money
    target_ad_cost: Money
    target_margin_percent: Decimal = Field(ge=0, le=100)
    strategy: str
    strategy_params: dict[str, object] = Field(default_factory=dict)
    rounding: dict[str, object] = Field(default_factory=dict)


class PriceSet(_Pricing):
    """Finance set the selling price of a product; earlier prices stay in history."""

    event_type: ClassVar[str] = "PriceSet"

    product_id: str
    price: Money
    previous_price: Money | None = None
    strategy: str
    hpp: Money
    contribution_margin: Money = Field(description="per order, before advertising")
    break_even_cpa: Money
    break_even_roas: Decimal
    effective_from: date | None = None
    max_cpa: Money | None = Field(
        default=None, description="most ad cost per order that still leaves the target margin"
    )


class KpiTargetsSet(_Pricing):
    """What marketing may spend and sales must reach for one product."""

    event_type: ClassVar[str] = "KpiTargetsSet"

    product_id: str
    max_cpl: Money
    max_cpa: Money
    min_roas: Decimal
    target_closing_rate: Decimal = Field(ge=0, le=1)
    target_orders_per_day: int = Field(ge=0)


EVENTS = [WorksheetOpened, PricingInputsSet, PriceSet, KpiTargetsSet]
