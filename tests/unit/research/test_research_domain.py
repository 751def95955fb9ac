"""The product aggregate and the approval checklist, without I/O."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.money import Money
from contracts.research import (
    Competitor,
    ProductApproved,
    ResearchFileUpdated,
    StockConfirmation,
    Supplier,
)
from eventkit.errors import RuleBrokenError
from services.research.domain.criteria import DEFAULT_CRITERIA, Criterion, evaluate
from services.research.domain.errors import ApprovalRefusedError, ProductAlreadyDecidedError
from services.research.domain.product import Product


def good_file() -> ResearchFileUpdated:
    return ResearchFileUpdated(
        product_id="x",
        target_audience="ibu rumah tangga 25-40",
        demand_signals="ads running 60+ days",
        competitors=[Competitor(name="Toko A", price=Money.idr(129_000)),
                     Competitor(name="Toko B", price=Money.idr(119_000))],
        suppliers=[Supplier(name="CV Maju", unit_cost=Money.idr(45_000), deal_status="signed"),
                   Supplier(name="PT Murah", unit_cost=Money.idr(40_000))],
        confirmed_stock=[StockConfirmation(quantity=300, location="Bandung"),
                         StockConfirmation(quantity=200, location="Jakarta")],
        evidence_links=["https://example.com/ad-library/1"],
        ad_policy_allowed=True,
    )


def proposed() -> Product:
    return Product.propose("prd-1", sku="BLD-01", name="Blender mini", weight_grams=900,
                           category="dapur")


def test_approval_carries_signed_supplier_cost_weight_stock_and_summary() -> None:
    product = proposed()
    product.write_file(good_file())

    product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    event = product.pending[-1]
    assert isinstance(event, ProductApproved)
    # The cheaper PT Murah has no signed deal, so HPP is CV Maju's 45,000.
    assert event.hpp == Money.idr(45_000)
    assert event.supplier_name == "CV Maju"
    assert event.stock_on_hand == 500  # 300 + 200 confirmed
    assert event.weight_grams == 900
    assert event.category == "dapur"
    assert event.research_summary == "ibu rumah tangga 25-40 / ads running 60+ days"
    assert product.stage == "approved"


def test_advisory_failure_does_not_block_approval() -> None:
    product = proposed()
    product.write_file(good_file())  # one evidence link; the advisory wants two

    verdicts = evaluate(product, DEFAULT_CRITERIA)

    evidence = next(v for v in verdicts if v.criterion == "evidence")
    assert (evidence.passed, evidence.mandatory) == (False, False)
    product.approve(verdicts, summary="ok")
    assert product.stage == "approved"


def test_refusal_names_every_failing_mandatory_criterion() -> None:
    product = proposed()
    bad = good_file().model_copy(update={
        "suppliers": [Supplier(name="CV Mahal", unit_cost=Money.idr(160_000))],
        "ad_policy_allowed": None,
    })
    product.write_file(bad)

    with pytest.raises(ApprovalRefusedError) as refused:
        product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    names = [name for name, _ in refused.value.failures]
    # 160,000 > 150,000 ceiling; margin (119,000 - 160,000) / 119,000 < 40 %.
    assert names == ["supplier_deal_signed", "unit_cost_ceiling", "margin_floor",
                     "ad_policy_allowed"]
    assert product.pending[-1].event_type == "ResearchFileUpdated"
    assert product.stage == "researching"


def test_estimated_margin_uses_the_lowest_competitor_price() -> None:
    product = proposed()
    product.write_file(good_file())

    margin = next(v for v in evaluate(product, DEFAULT_CRITERIA) if v.criterion == "margin_floor")

    # (119,000 - 45,000) / 119,000 = 62.18...% -> 62.2 %
    assert margin.passed
    assert "62.2%" in margin.reason


def test_criteria_are_data_a_stricter_ceiling_refuses() -> None:
    product = proposed()
    product.write_file(good_file())
    strict = [Criterion(name="cheap", kind="unit_cost_max", limit=Decimal(44_999))]

    with pytest.raises(ApprovalRefusedError) as refused:
        product.approve(evaluate(product, strict), summary="")

    assert refused.value.failures == [("cheap", "unit cost 45000 above ceiling 44999")]


def test_approving_twice_conflicts() -> None:
    product = proposed()
    product.write_file(good_file())
    product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    with pytest.raises(ProductAlreadyDecidedError):
        product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")


def test_rejected_product_cannot_be_researched_further() -> None:
    product = proposed()
    product.reject("supplier unreliable")

    with pytest.raises(ProductAlreadyDecidedError):
        product.write_file(good_file())
    assert product.rejection_reason == "supplier unreliable"


def test_negative_supplier_cost_is_refused_naming_the_field() -> None:
    product = proposed()
    bad = good_file().model_copy(update={
        "suppliers": [Supplier(name="CV X", unit_cost=Money.idr(-1))]})

    with pytest.raises(RuleBrokenError) as refused:
        product.write_file(bad)

    assert refused.value.field == "suppliers.0.unit_cost"


def test_stock_is_received_only_for_approved_products_and_once_per_delivery() -> None:
    product = proposed()
    with pytest.raises(RuleBrokenError):
        product.receive_stock(delivery_id="D1", quantity=10, unit_cost=Money.idr(45_000),
                              supplier_name="CV Maju", paid_with="cash")
    product.write_file(good_file())
    product.approve(evaluate(product, DEFAULT_CRITERIA), summary="")

    product.receive_stock(delivery_id="D1", quantity=10, unit_cost=Money.idr(45_000),
                          supplier_name="CV Maju", paid_with="cash")

    assert product.received_units == 10
    with pytest.raises(Exception, match="received already"):
        product.receive_stock(delivery_id="D1", quantity=10, unit_cost=Money.idr(45_000),
                              supplier_name="CV Maju", paid_with="cash")


def test_replay_rebuilds_the_same_state() -> None:
    product = proposed()
    product.write_file(good_file())
    product.approve(evaluate(product, DEFAULT_CRITERIA), summary="s")

    again = Product("prd-1")
    for event in product.pending:
        again.replay(event)

    assert (again.stage, again.hpp, again.version, again.summary) == (
        "approved", Money.idr(45_000), 3, "s")
