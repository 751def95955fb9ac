"""Request and response bodies of the pricing API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from contracts.money import MAX_MINOR_UNITS, Money
from contracts.pricing import KpiTargetsSet, PriceSet, PricingInputsSet
from services.pricing.domain.calculator import (
    CompetitorAnchored,
    CostPlus,
    Quote,
    Rounding,
    TargetMargin,
)

Percent = Annotated[Decimal, Field(ge=0, le=100)]


class Costs(BaseModel):
    """Per-order costs besides HPP (which comes from research), in minor units of the
    worksheet's currency: whole rupiah, or centavos for a BRL worksheet (the ``_idr``
    names are kept from when pricing was rupiah only)."""

    packaging_idr: int = Field(default=0, ge=0, le=MAX_MINOR_UNITS)
    shipping_subsidy_idr: int = Field(default=0, ge=0, le=MAX_MINOR_UNITS, description="ongkir the shop pays")
    cod_fee_percent: Percent = Decimal(0)
    payment_fee_percent: Percent = Decimal(0)
    cod_share_percent: Percent = Field(default=Decimal(100),
                                       description="share of orders paid COD")
    cs_commission_idr: int = Field(default=0, ge=0, le=MAX_MINOR_UNITS)
    rts_rate_percent: Percent = Field(default=Decimal(0), description="COD orders returned")
    rts_cost_idr: int = Field(default=0, ge=0, le=MAX_MINOR_UNITS, description="cost of one return")
    target_ad_cost_idr: int = Field(gt=0, le=MAX_MINOR_UNITS, description="target advertising cost per order")
    target_margin_percent: Annotated[Decimal, Field(ge=0, lt=100)] = Field(
        description="net margin on the price after every cost and ads")


class KpiInputs(BaseModel):
    closing_rate_percent: Annotated[Decimal, Field(gt=0, le=100)] = Field(
        description="expected share of leads that order")
    orders_per_day: int = Field(default=0, ge=0, le=1_000_000, description="target orders per day")


class PriceRequest(BaseModel):
    """Inputs of one pricing. ``rounding`` defaults to the service's price-point rule."""

    costs: Costs
    strategy: CostPlus | TargetMargin | CompetitorAnchored = Field(discriminator="kind")
    rounding: Rounding | None = None
    kpi: KpiInputs
    effective_from: date | None = None


class QuoteView(BaseModel):
    """The price and what it means per order, in the worksheet's currency."""

    price: Money
    payment_fees: Money
    contribution_margin: Money = Field(description="per order, before advertising")
    break_even_cpa: Money
    break_even_roas: Decimal
    margin_floor: Money
    max_cpa: Money
    min_roas: Decimal
    max_cpl: Money

    @classmethod
    def of(cls, q: Quote, currency: str) -> QuoteView:
        def idr(amount: int) -> Money:
            return Money(amount=amount, currency=currency)

        return cls(price=idr(q.price_idr), payment_fees=idr(q.fees_idr),
                   contribution_margin=idr(q.contribution_margin_idr),
                   break_even_cpa=idr(q.break_even_cpa_idr), break_even_roas=q.break_even_roas,
                   margin_floor=idr(q.margin_floor_idr), max_cpa=idr(q.max_cpa_idr),
                   min_roas=q.min_roas, max_cpl=idr(q.max_cpl_idr))


class PriceHistoryEntry(BaseModel):
    version: int
    occurred_at: datetime
    set_by: str
    price: PriceSet


class WorksheetView(BaseModel):
    """A product's worksheet: HPP from research, the last inputs, price and KPI targets."""

    product_id: str
    sku: str
    name: str
    hpp: Money
    weight_grams: int
    version: int
    inputs: PricingInputsSet | None
    price: PriceSet | None
    kpi_targets: KpiTargetsSet | None


class Priced(BaseModel):
    worksheet: WorksheetView
    quote: QuoteView
