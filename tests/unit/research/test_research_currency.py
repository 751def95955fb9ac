"""A marketplace product researched in BRL (centavos): one currency, limits per currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.money import Money
from contracts.research import (
    Competitor, ProductApproved, ResearchFileUpdated, StockConfirmation, Supplier,
)
from eventkit.errors import RuleBrokenError
from services.research.config import Settings
from services.research.domain.criteria import DEFAULT_CRITERIA, Criterion, evaluate
from services.research.domain.errors import ApprovalRefusedError
from services.research.domain.product import Product


def brl(centavos: int) -> Money:
    return Money(amount=centavos, currency="BRL")


def brl_file(**over: object) -> ResearchFileUpdated:
    values: dict[str, object] = dict(
        product_id="x", target_audience="home office", demand_signals="olist best seller",
        competitors=[Competitor(name="Loja A", price=brl(8_990))],
        suppliers=[Supplier(name="Fornecedor SP", unit_cost=brl(3_500), deal_status="signed")],
        confirmed_stock=[StockConfirmation(quantity=40, location="São Paulo")],
        evidence_links=["https://example.com/1", "https://example.com/2"],
        ad_policy_allowed=True,
    )
    values.update(over)
    return ResearchFileUpdated(**values)  # type: ignore[arg-type]


def proposed() -> Product:
    return Product.propose("prd-br", sku="BR-01", name="Luminária", weight_grams=800,
                           category="casa")


def test_a_complete_brl_file_passes_the_default_criteria_and_approves_in_brl() -> None:
    product = proposed()
    product.write_file(brl_file())

    verdicts = evaluate(product, list(Settings.model_fields["approval_criteria"]
                                      .default_factory()))  # type: ignore[misc]
    product.approve(verdicts, summary="")

    assert all(v.passed for v in verdicts if v.mandatory), verdicts
    event = product.pending[-1]
    assert isinstance(event, ProductApproved)
    assert event.hpp == brl(3_500)  # R$35.00, the signed supplier's cost
    # margin (89.90 - 35.00) / 89.90 = 61.1% >= 40%; cost 3,500 <= ceiling 40,000 centavos
    unit_cost = next(v for v in verdicts if v.criterion == "unit_cost_ceiling")
    assert unit_cost.reason == "unit cost 3500 within ceiling 40000 BRL"


def test_a_file_mixing_currencies_is_refused_naming_the_field() -> None:
    product = proposed()

    with pytest.raises(RuleBrokenError) as mixed:
        product.write_file(brl_file(competitors=[
            Competitor(name="Toko A", price=Money.idr(129_000))]))

    assert mixed.value.field == "competitors.0.price"


def test_a_currency_without_a_configured_limit_fails_that_criterion() -> None:
    idr_only = [c if c.kind != "unit_cost_max" else
                Criterion(name="unit_cost_ceiling", kind="unit_cost_max",
                          limit=Decimal(150_000)) for c in DEFAULT_CRITERIA]
    product = proposed()
    product.write_file(brl_file())

    with pytest.raises(ApprovalRefusedError) as refused:
        product.approve(evaluate(product, idr_only), summary="")

    assert refused.value.failures == [
        ("unit_cost_ceiling", "no unit_cost_ceiling limit configured for BRL")]


def test_a_brl_cost_above_the_brl_ceiling_is_refused() -> None:
    product = proposed()
    product.write_file(brl_file(suppliers=[
        Supplier(name="Caro", unit_cost=brl(40_001), deal_status="signed")],
        competitors=[Competitor(name="Loja A", price=brl(99_000))]))

    with pytest.raises(ApprovalRefusedError) as refused:
        product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    # R$400.01 is one centavo above R$400.00
    assert refused.value.failures == [
        ("unit_cost_ceiling", "unit cost 40001 above ceiling 40000 BRL")]


def test_a_limit_per_currency_only_fits_money_criteria() -> None:
    with pytest.raises(ValueError):
        Criterion(name="w", kind="weight_max", limit={"IDR": Decimal(1)})
    with pytest.raises(ValueError):
        Criterion(name="c", kind="unit_cost_max", limit={"XXX": Decimal(1)})


def test_stock_of_a_brl_product_is_received_in_brl_only() -> None:
    product = proposed()
    product.write_file(brl_file())
    product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    with pytest.raises(RuleBrokenError) as wrong:
        product.receive_stock(delivery_id="d1", quantity=5, unit_cost=Money.idr(35_000),
                              supplier_name="Fornecedor SP", paid_with="payable")

    assert wrong.value.field == "unit_cost"
