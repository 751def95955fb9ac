"""Full-cost pricing: from per-order costs and targets to a price and KPI targets.

The per-order model, at selling price P (all amounts whole rupiah):

    fixed costs    F  = HPP + packaging + shipping subsidy + CS commission
                        + RTS allowance + target ad cost per order
    RTS allowance     = COD share x RTS rate x cost of one return
    payment fees      = P x (COD share x COD fee % + (1 - COD share) x payment fee %)
    margin floor      = P x target margin %
    P covers          when  P - F - payment fees >= margin floor

ROUNDING RULE (one, against the shop): every amount the shop pays or must keep
(fees, allowance, margin floor) is rounded UP to the whole rupiah, so costs are never
understated; every spending limit (max CPA, max CPL) is rounded DOWN, so no limit is
overstated; minimum ratios (ROAS) are rounded UP to two decimals.

Outputs: contribution margin per order = P - (F - target ad cost) - payment fees (before
advertising); break-even CPA = contribution margin; break-even ROAS = P / contribution
margin; max CPA = contribution margin - margin floor (the most an order may cost in ads
and still leave the target margin); min ROAS = P / max CPA; max CPL = max CPA x expected
closing rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eventkit.errors import RuleBrokenError

HUNDRED = Decimal(100)
Percent = Decimal


def up(value: Decimal) -> int:
    """Whole rupiah, rounded up (costs)."""
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def down(value: Decimal) -> int:
    """Whole rupiah, rounded down (spending limits)."""
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def ratio_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


class CostInputs(BaseModel):
    """Per-order costs and targets finance prices from. Amounts in whole rupiah."""

    model_config = ConfigDict(frozen=True)

    hpp_idr: int = Field(ge=0)
    packaging_idr: int = Field(default=0, ge=0)
    shipping_subsidy_idr: int = Field(default=0, ge=0)
    cod_fee_percent: Percent = Field(default=Decimal(0), ge=0, le=100)
    payment_fee_percent: Percent = Field(default=Decimal(0), ge=0, le=100)
    cod_share_percent: Percent = Field(default=Decimal(100), ge=0, le=100,
                                       description="share of orders paid COD")
    cs_commission_idr: int = Field(default=0, ge=0)
    rts_rate_percent: Percent = Field(default=Decimal(0), ge=0, le=100,
                                      description="share of COD orders returned")
    rts_cost_idr: int = Field(default=0, ge=0, description="cost of one return")
    target_ad_cost_idr: int = Field(gt=0, description="target advertising cost per order")
    target_margin_percent: Percent = Field(ge=0, lt=100,
                                           description="net margin on price after ads")

    @property
    def fee_rate(self) -> Decimal:
        """Expected payment fee as a fraction of the price, over COD and paid orders."""
        cod = self.cod_share_percent / HUNDRED
        return (cod * self.cod_fee_percent + (1 - cod) * self.payment_fee_percent) / HUNDRED

    @property
    def rts_allowance_idr(self) -> int:
        cod = self.cod_share_percent / HUNDRED
        return up(cod * self.rts_rate_percent / HUNDRED * self.rts_cost_idr)

    @property
    def costs_before_ads_idr(self) -> int:
        return (self.hpp_idr + self.packaging_idr + self.shipping_subsidy_idr
                + self.cs_commission_idr + self.rts_allowance_idr)

    @property
    def fixed_costs_idr(self) -> int:
        return self.costs_before_ads_idr + self.target_ad_cost_idr

    def fees_idr(self, price_idr: int) -> int:
        return up(price_idr * self.fee_rate)

    def margin_floor_idr(self, price_idr: int) -> int:
        return up(price_idr * self.target_margin_percent / HUNDRED)

    def covers(self, price_idr: int) -> bool:
        """True when the price pays every cost and leaves the target margin."""
        left = price_idr - self.fixed_costs_idr - self.fees_idr(price_idr)
        return left >= self.margin_floor_idr(price_idr)

    @model_validator(mode="after")
    def _price_can_exist(self) -> CostInputs:
        # Fees and margin are shares of the price; together they must leave room for costs.
        if self.fee_rate + self.target_margin_percent / HUNDRED >= 1:
            raise ValueError("payment fees plus target margin take the whole price")
        return self


class Rounding(BaseModel):
    """Psychological price points: ``ending`` (e.g. prices ending in 9,000 every 10,000),
    ``points`` (a list such as 99,000 / 149,000 / 199,000) or ``none`` (whole rupiah)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["ending", "points", "none"] = "ending"
    ending: int = Field(default=9_000, ge=0)
    step: int = Field(default=10_000, gt=0)
    points: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Rounding:
        if self.kind == "ending" and self.ending >= self.step:
            raise ValueError("ending must be below step")
        if self.kind == "points" and (not self.points or min(self.points) <= 0):
            raise ValueError("points needs positive price points")
        return self

    def at_or_above(self, price_idr: int) -> int:
        if self.kind == "none":
            return price_idr
        if self.kind == "ending":
            base = (price_idr - self.ending + self.step - 1) // self.step
            return max(base, 0) * self.step + self.ending
        for point in sorted(self.points):
            if point >= price_idr:
                return point
        raise RuleBrokenError(
            f"price {price_idr} is above the largest price point {max(self.points)}",
            field="rounding.points",
        )

    def at_or_below(self, price_idr: int) -> int | None:
        if self.kind == "none":
            return price_idr
        if self.kind == "ending":
            if price_idr < self.ending:
                return None
            return (price_idr - self.ending) // self.step * self.step + self.ending
        below = [p for p in self.points if p <= price_idr]
        return max(below) if below else None


class CostPlus(BaseModel):
    """Price = fixed costs x (1 + markup), rounded up to a price point."""

    kind: Literal["cost_plus"] = "cost_plus"
    markup_percent: Percent = Field(ge=0, le=1000)


class TargetMargin(BaseModel):
    """The lowest price point that covers every cost at the target margin."""

    kind: Literal["target_margin"] = "target_margin"


class CompetitorAnchored(BaseModel):
    """Just under a competitor: their price minus an undercut, rounded down to a point."""

    kind: Literal["competitor_anchored"] = "competitor_anchored"
    competitor_price_idr: int = Field(gt=0)
    undercut_idr: int = Field(default=0, ge=0)


Strategy = CostPlus | TargetMargin | CompetitorAnchored


@dataclass(frozen=True)
class Quote:
    """A price and what it means per order."""

    price_idr: int
    fees_idr: int
    contribution_margin_idr: int
    break_even_cpa_idr: int
    break_even_roas: Decimal
    margin_floor_idr: int
    max_cpa_idr: int
    min_roas: Decimal
    max_cpl_idr: int


def minimum_price(inputs: CostInputs) -> int:
    """The lowest whole-rupiah price that covers every cost at the target margin."""
    rate = 1 - inputs.fee_rate - inputs.target_margin_percent / HUNDRED
    price = up(inputs.fixed_costs_idr / rate)
    # Rounding fees and margin up can leave a price one or two rupiah short.
    while not inputs.covers(price):
        price += 1
    return price


def choose_price(inputs: CostInputs, strategy: Strategy, rounding: Rounding) -> int:
    """Apply the strategy and the rounding; the result always covers (else 422)."""
    if isinstance(strategy, CompetitorAnchored):
        wanted = strategy.competitor_price_idr - strategy.undercut_idr
        price = rounding.at_or_below(wanted)
        if price is None or not inputs.covers(price):
            floor = rounding.at_or_above(minimum_price(inputs))
            raise RuleBrokenError(
                f"{wanted} under the competitor does not cover costs at the target margin;"
                f" the lowest covering price point is {floor}",
                field="strategy.competitor_price_idr",
            )
        return price
    if isinstance(strategy, CostPlus):
        start = up(inputs.fixed_costs_idr * (1 + strategy.markup_percent / HUNDRED))
        if not inputs.covers(start):
            raise RuleBrokenError(
                f"a {strategy.markup_percent}% markup gives {start}, which does not cover"
                f" fees at the target margin; the minimum is {minimum_price(inputs)}",
                field="strategy.markup_percent",
            )
    else:
        start = minimum_price(inputs)
    price = rounding.at_or_above(start)
    # A higher price point can still fall short by a rupiah of rounded fees: step on.
    while not inputs.covers(price):
        price = rounding.at_or_above(price + 1)
    return price


def quote(inputs: CostInputs, price_idr: int, *, closing_rate: Decimal) -> Quote:
    """What one order at this price earns, and the ad limits that keep the margin."""
    fees = inputs.fees_idr(price_idr)
    contribution = price_idr - inputs.costs_before_ads_idr - fees
    floor = inputs.margin_floor_idr(price_idr)
    max_cpa = contribution - floor
    if max_cpa <= 0:
        raise RuleBrokenError(f"price {price_idr} leaves no room for advertising",
                              field="price")
    return Quote(
        price_idr=price_idr, fees_idr=fees, contribution_margin_idr=contribution,
        break_even_cpa_idr=contribution,
        break_even_roas=ratio_up(Decimal(price_idr) / contribution),
        margin_floor_idr=floor, max_cpa_idr=max_cpa,
        min_roas=ratio_up(Decimal(price_idr) / max_cpa),
        max_cpl_idr=down(max_cpa * closing_rate),
    )
