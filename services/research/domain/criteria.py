"""The approval checklist: the shop's criteria as data, each mandatory or advisory.

A criterion names one of a fixed set of checks (``kind``) and its limit; which criteria
apply, their limits and whether they block approval live in Settings, not in code.

A money limit is written per currency (``{"IDR": 150000, "BRL": 40000}``, minor units:
whole rupiah, centavos), as a product keeps its research in its own currency and a
ceiling in rupiah says nothing about reais. A bare number stays a rupiah limit. A
product in a currency with no configured limit fails that criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.money import exponent_of

if TYPE_CHECKING:
    from services.research.domain.product import Product

CheckKind = Literal[
    "supplier_deal_signed",
    "stock_confirmed",
    "unit_cost_max",
    "estimated_margin_min",
    "ad_policy_allowed",
    "weight_max",
    "evidence_min",
]

# Kinds that need a limit, and what the limit counts.
_LIMIT_UNITS: dict[str, str] = {
    "stock_confirmed": "units",
    "unit_cost_max": "minor units of the product's currency, per currency",
    "estimated_margin_min": "percent of the selling price",
    "weight_max": "grams",
    "evidence_min": "links",
}

# Kinds whose limit is an amount of money, so set per currency.
_MONEY_KINDS = frozenset({"unit_cost_max"})


class Criterion(BaseModel):
    """One line of the approval checklist."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64, description="shown in refusals")
    kind: CheckKind
    mandatory: bool = True
    limit: Annotated[Decimal, Field(ge=0)] | dict[str, Annotated[Decimal, Field(ge=0)]] | None = (
        Field(default=None, description="a number; per currency for money limits"))

    @model_validator(mode="after")
    def _limit_when_needed(self) -> Criterion:
        if self.kind in _LIMIT_UNITS and self.limit is None:
            raise ValueError(f"criterion {self.name!r} ({self.kind}) needs a limit")
        if isinstance(self.limit, dict):
            if self.kind not in _MONEY_KINDS:
                raise ValueError(f"criterion {self.name!r} ({self.kind}) takes one number, "
                                 "not a limit per currency")
            for currency in self.limit:
                exponent_of(currency)
        return self

    def limit_for(self, product: Product) -> tuple[Decimal | None, str]:
        """The limit that applies to this product, and the unit it counts in.

        ``None``: a money limit with none configured for the product's currency.
        """
        if self.kind not in _MONEY_KINDS:
            assert not isinstance(self.limit, dict)
            return self.limit or Decimal(0), ""
        currency = product.currency or "IDR"
        per_currency = self.limit if isinstance(self.limit, dict) else (
            {"IDR": self.limit} if self.limit is not None else {})
        return per_currency.get(currency), currency


DEFAULT_CRITERIA: list[Criterion] = [
    Criterion(name="supplier_deal_signed", kind="supplier_deal_signed"),
    Criterion(name="stock_confirmed", kind="stock_confirmed", limit=Decimal(1)),
    # Rp150,000 for the shop's products; R$400.00 for marketplace (Olist) products.
    Criterion(name="unit_cost_ceiling", kind="unit_cost_max",
              limit={"IDR": Decimal(150_000), "BRL": Decimal(400_00)}),
    Criterion(name="margin_floor", kind="estimated_margin_min", limit=Decimal(40)),
    Criterion(name="ad_policy_allowed", kind="ad_policy_allowed"),
    Criterion(name="shipping_weight_limit", kind="weight_max", limit=Decimal(2_000)),
    Criterion(name="evidence", kind="evidence_min", mandatory=False, limit=Decimal(2)),
]


@dataclass(frozen=True)
class Verdict:
    """How one criterion judged one product."""

    criterion: str
    mandatory: bool
    passed: bool
    reason: str


def evaluate(product: Product, criteria: list[Criterion]) -> list[Verdict]:
    """Judge the product's research file against every criterion, in checklist order."""
    return [_judge(product, c) for c in criteria]


def _judge(product: Product, c: Criterion) -> Verdict:
    limit, currency = c.limit_for(product)
    if limit is None:
        return Verdict(criterion=c.name, mandatory=c.mandatory, passed=False,
                       reason=f"no {c.name} limit configured for {currency}")
    passed, reason = _CHECKS[c.kind](product, limit)
    return Verdict(criterion=c.name, mandatory=c.mandatory, passed=passed, reason=reason)


def _deal_signed(p: Product, _: Decimal) -> tuple[bool, str]:
    if any(s.deal_status == "signed" for s in p.file.suppliers):
        return True, "a supplier deal is signed"
    return False, "no supplier has a signed deal"


def _stock(p: Product, limit: Decimal) -> tuple[bool, str]:
    stock = p.confirmed_stock
    if stock >= limit:
        return True, f"{stock} units confirmed"
    return False, f"{stock} units confirmed, at least {limit} needed"


def _unit_cost(p: Product, limit: Decimal) -> tuple[bool, str]:
    hpp = p.hpp
    if hpp is None:
        return False, "no supplier unit cost in the research file"
    unit = "" if hpp.currency == "IDR" else f" {hpp.currency}"
    if hpp.amount <= limit:
        return True, f"unit cost {hpp.amount} within ceiling {limit}{unit}"
    return False, f"unit cost {hpp.amount} above ceiling {limit}{unit}"


def _margin(p: Product, limit: Decimal) -> tuple[bool, str]:
    hpp, price = p.hpp, p.estimated_price
    if hpp is None or price is None or price.amount <= 0:
        return False, "needs a supplier unit cost and an estimated or competitor price"
    # Gross margin on the expected selling price, before fees and advertising.
    margin = (Decimal(price.amount - hpp.amount) * 100 / price.amount).quantize(Decimal("0.1"))
    if margin >= limit:
        return True, f"estimated margin {margin}% meets floor {limit}%"
    return False, f"estimated margin {margin}% below floor {limit}%"


def _ad_policy(p: Product, _: Decimal) -> tuple[bool, str]:
    if p.file.ad_policy_allowed is True:
        return True, "allowed by ad policy"
    if p.file.ad_policy_allowed is False:
        return False, "not allowed by ad policy"
    return False, "ad policy not checked yet"


def _weight(p: Product, limit: Decimal) -> tuple[bool, str]:
    if p.weight_grams <= limit:
        return True, f"{p.weight_grams} g within {limit} g"
    return False, f"{p.weight_grams} g above shipping limit {limit} g"


def _evidence(p: Product, limit: Decimal) -> tuple[bool, str]:
    count = len(p.file.evidence_links)
    if count >= limit:
        return True, f"{count} evidence links"
    return False, f"{count} evidence links, at least {limit} wanted"


_CHECKS = {
    "supplier_deal_signed": _deal_signed,
    "stock_confirmed": _stock,
    "unit_cost_max": _unit_cost,
    "estimated_margin_min": _margin,
    "ad_policy_allowed": _ad_policy,
    "weight_max": _weight,
    "evidence_min": _evidence,
}
