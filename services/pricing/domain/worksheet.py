"""The pricing worksheet of one approved product: its inputs, its price and its history.

Opened by ProductApproved; each pricing records PricingInputsSet, PriceSet (with the
previous price) and KpiTargetsSet, so the worksheet's history is its event stream.

A worksheet works in the currency of the product's HPP: rupiah for the shop's own
products, reais (centavos) for a marketplace product. The calculator counts integer
minor units; its ``*_idr`` names are the rupiah case (LIMIT: renaming them changes the
pricing API, so they stay and mean "minor units of the worksheet's currency").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import ValidationError

from contracts.envelope import EventPayload
from contracts.money import Money
from contracts.pricing import KpiTargetsSet, PriceSet, PricingInputsSet, WorksheetOpened
from eventkit.aggregate import Aggregate
from eventkit.errors import RuleBrokenError
from services.pricing.domain.calculator import (
    HUNDRED,
    CostInputs,
    Quote,
    Rounding,
    Strategy,
    choose_price,
    quote,
)


@dataclass(frozen=True)
class Targets:
    """What sales is expected to reach: closing rate and order volume."""

    closing_rate_percent: Decimal
    orders_per_day: int


class Worksheet(Aggregate):
    """Finance's worksheet for one product (aggregate id = product id)."""

    aggregate_type: ClassVar[str] = "worksheet"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.sku = ""
        self.name = ""
        self.hpp = Money.idr(0)
        self.weight_grams = 0
        self.inputs: PricingInputsSet | None = None
        self.price: PriceSet | None = None
        self.kpis: KpiTargetsSet | None = None
        self.prices: list[PriceSet] = []

    @classmethod
    def open(cls, opened: WorksheetOpened) -> Worksheet:
        """Start the worksheet of a product research approved."""
        worksheet = cls(opened.product_id)
        worksheet.record(opened)
        return worksheet

    def cost_inputs(self, **given: object) -> CostInputs:
        """The calculator's inputs: HPP from research, the rest from finance."""
        try:
            return CostInputs.model_validate({**given, "hpp_idr": self.hpp.amount})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "inputs"
            raise RuleBrokenError(first["msg"], field=field) from None

    def set_price(
        self, inputs: CostInputs, strategy: Strategy, rounding: Rounding, targets: Targets,
        *, effective_from: date | None = None,
    ) -> Quote:
        """Price the product and set KPI targets; the price covers every cost at the
        target margin (the calculator refuses otherwise)."""
        price_idr = choose_price(inputs, strategy, rounding)
        result = quote(inputs, price_idr, closing_rate=targets.closing_rate_percent / HUNDRED)
        currency = self.hpp.currency

        def idr(amount: int) -> Money:  # the worksheet's currency; "idr" as named above
            return Money(amount=amount, currency=currency)

        params = strategy.model_dump(mode="json", exclude={"kind"})
        self.record(PricingInputsSet(
            product_id=self.id, hpp=idr(inputs.hpp_idr), packaging=idr(inputs.packaging_idr),
            shipping_subsidy=idr(inputs.shipping_subsidy_idr),
            cod_fee_percent=inputs.cod_fee_percent,
            payment_fee_percent=inputs.payment_fee_percent,
            cod_share_percent=inputs.cod_share_percent,
            cs_commission=idr(inputs.cs_commission_idr),
            rts_rate_percent=inputs.rts_rate_percent, rts_cost=idr(inputs.rts_cost_idr),
            target_ad_cost=idr(inputs.target_ad_cost_idr),
            target_margin_percent=inputs.target_margin_percent, strategy=strategy.kind,
            strategy_params=params, rounding=rounding.model_dump(mode="json"),
        ))
        self.record(PriceSet(
            product_id=self.id, price=idr(price_idr),
            previous_price=self.price.price if self.price else None, strategy=strategy.kind,
            hpp=idr(inputs.hpp_idr), contribution_margin=idr(result.contribution_margin_idr),
            break_even_cpa=idr(result.break_even_cpa_idr),
            break_even_roas=result.break_even_roas, effective_from=effective_from,
            max_cpa=idr(result.max_cpa_idr),
        ))
        self.record(KpiTargetsSet(
            product_id=self.id, max_cpl=idr(result.max_cpl_idr), max_cpa=idr(result.max_cpa_idr),
            min_roas=result.min_roas,
            target_closing_rate=targets.closing_rate_percent / HUNDRED,
            target_orders_per_day=targets.orders_per_day,
        ))
        return result

    def apply(self, event: EventPayload) -> None:
        match event:
            case WorksheetOpened():
                self.sku, self.name = event.sku, event.name
                self.hpp, self.weight_grams = event.hpp, event.weight_grams
            case PricingInputsSet():
                self.inputs = event
            case PriceSet():
                self.price = event
                self.prices.append(event)
            case KpiTargetsSet():
                self.kpis = event
            case _:
                raise NotImplementedError(f"worksheet cannot apply {event.event_type}")
