"""Full-cost pricing: a worked example done by hand, rounding, strategies, a property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from eventkit.errors import RuleBrokenError
from services.pricing.domain.calculator import (
    CompetitorAnchored,
    CostInputs,
    CostPlus,
    Rounding,
    TargetMargin,
    choose_price,
    minimum_price,
    quote,
)

BLENDER = CostInputs(
    hpp_idr=45_000, packaging_idr=2_000, shipping_subsidy_idr=5_000,
    cod_fee_percent=Decimal(3), payment_fee_percent=Decimal("1.5"),
    cod_share_percent=Decimal(80), cs_commission_idr=5_000,
    rts_rate_percent=Decimal(10), rts_cost_idr=20_000,
    target_ad_cost_idr=30_000, target_margin_percent=Decimal(15),
)


def test_worked_example_by_hand() -> None:
    # fee rate      = 80% x 3% + 20% x 1.5% = 2.4% + 0.3% = 2.7%
    # RTS allowance = 80% x 10% x 20,000 = 1,600
    # fixed costs F = 45,000 + 2,000 + 5,000 + 5,000 + 1,600 + 30,000 = 88,600
    # minimum P     = 88,600 / (1 - 0.027 - 0.15) = 107,654.9 -> 107,655, but there
    #   fees = ceil(2,906.685) = 2,907, floor = ceil(16,148.25) = 16,149 and
    #   107,655 - 88,600 - 2,907 = 16,148 < 16,149, so one rupiah more: 107,656
    #   (fees 2,907, floor ceil(16,148.4) = 16,149, left 16,149: covers)
    # rounded up to a price ending in 9,000: 109,000
    # fees at 109,000     = 109,000 x 2.7% = 2,943
    # contribution margin = 109,000 - (88,600 - 30,000) - 2,943 = 47,457 = break-even CPA
    # break-even ROAS     = 109,000 / 47,457 = 2.2968 -> 2.30 (up)
    # margin floor        = 109,000 x 15% = 16,350
    # max CPA             = 47,457 - 16,350 = 31,107
    # min ROAS            = 109,000 / 31,107 = 3.5041 -> 3.51 (up)
    # max CPL at 30% closing = 31,107 x 0.3 = 9,332.1 -> 9,332 (down)
    assert minimum_price(BLENDER) == 107_656

    price = choose_price(BLENDER, TargetMargin(), Rounding())
    result = quote(BLENDER, price, closing_rate=Decimal("0.3"))

    assert price == 109_000
    assert result.fees_idr == 2_943
    assert result.contribution_margin_idr == 47_457
    assert result.break_even_cpa_idr == 47_457
    assert result.break_even_roas == Decimal("2.30")
    assert result.margin_floor_idr == 16_350
    assert result.max_cpa_idr == 31_107
    assert result.min_roas == Decimal("3.51")
    assert result.max_cpl_idr == 9_332


def test_price_points_pick_the_lowest_point_that_covers() -> None:
    points = Rounding(kind="points", points=[99_000, 149_000, 199_000])

    # minimum 107,656 is above 99,000, so the next point up
    assert choose_price(BLENDER, TargetMargin(), points) == 149_000


def test_price_above_every_point_is_refused_naming_the_rounding() -> None:
    with pytest.raises(RuleBrokenError) as refused:
        choose_price(BLENDER, TargetMargin(), Rounding(kind="points", points=[99_000]))

    assert refused.value.field == "rounding.points"


def test_cost_plus_marks_up_fixed_costs_then_rounds_up() -> None:
    # 88,600 x 1.4 = 124,040 -> next price ending in 9,000 is 129,000
    assert choose_price(BLENDER, CostPlus(markup_percent=Decimal(40)), Rounding()) == 129_000


def test_cost_plus_too_thin_to_cover_fees_and_margin_is_refused() -> None:
    # 88,600 x 1.1 = 97,460 < minimum 107,656
    with pytest.raises(RuleBrokenError) as refused:
        choose_price(BLENDER, CostPlus(markup_percent=Decimal(10)), Rounding())

    assert refused.value.field == "strategy.markup_percent"


def test_competitor_anchored_rounds_down_under_the_competitor() -> None:
    anchored = CompetitorAnchored(competitor_price_idr=125_000, undercut_idr=1_000)

    # 125,000 - 1,000 = 124,000 -> the price ending in 9,000 at or below: 119,000
    assert choose_price(BLENDER, anchored, Rounding()) == 119_000


def test_competitor_too_cheap_to_follow_is_refused_with_the_floor() -> None:
    anchored = CompetitorAnchored(competitor_price_idr=100_000)

    with pytest.raises(RuleBrokenError, match="lowest covering price point is 109000") as refused:
        choose_price(BLENDER, anchored, Rounding())

    assert refused.value.field == "strategy.competitor_price_idr"


@pytest.mark.parametrize(
    ("field", "value"),
    [("packaging_idr", -1), ("cod_fee_percent", Decimal(101)), ("rts_rate_percent", -1),
     ("target_margin_percent", Decimal(100))],
)
def test_bad_inputs_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        CostInputs.model_validate({**BLENDER.model_dump(), field: value})

    assert refused.value.errors()[0]["loc"] == (field,)


def test_fees_and_margin_taking_the_whole_price_are_refused() -> None:
    with pytest.raises(ValidationError, match="take the whole price"):
        CostInputs.model_validate({**BLENDER.model_dump(), "cod_fee_percent": 50,
                                   "payment_fee_percent": 50, "target_margin_percent": 60})


def test_ending_rounding_examples() -> None:
    nines = Rounding(kind="ending", ending=9_000, step=10_000)

    assert nines.at_or_above(97_345) == 99_000
    assert nines.at_or_above(99_000) == 99_000
    assert nines.at_or_above(99_001) == 109_000
    assert nines.at_or_below(108_999) == 99_000
    assert Rounding(kind="ending", ending=900, step=1_000).at_or_above(48_120) == 48_900


percent = st.decimals(min_value=0, max_value=30, places=2)
rupiah = st.integers(min_value=0, max_value=2_000_000)


# No deadline or speed health check: CI machines are shared and busy.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hpp=rupiah, packaging=st.integers(0, 50_000), subsidy=st.integers(0, 100_000),
    cod_fee=percent, pay_fee=percent, cod_share=st.decimals(0, 100, places=1),
    cs=st.integers(0, 100_000), rts_rate=st.decimals(0, 60, places=1),
    rts_cost=st.integers(0, 200_000), ad=st.integers(1, 1_000_000),
    margin=st.decimals(0, 40, places=2),
    rounding=st.sampled_from([Rounding(), Rounding(kind="none"),
                              Rounding(kind="ending", ending=900, step=1_000)]),
)
def test_chosen_price_covers_every_cost_at_the_target_margin(
    hpp: int, packaging: int, subsidy: int, cod_fee: Decimal, pay_fee: Decimal,
    cod_share: Decimal, cs: int, rts_rate: Decimal, rts_cost: int, ad: int,
    margin: Decimal, rounding: Rounding,
) -> None:
    inputs = CostInputs(
        hpp_idr=hpp, packaging_idr=packaging, shipping_subsidy_idr=subsidy,
        cod_fee_percent=cod_fee, payment_fee_percent=pay_fee, cod_share_percent=cod_share,
        cs_commission_idr=cs, rts_rate_percent=rts_rate, rts_cost_idr=rts_cost,
        target_ad_cost_idr=ad, target_margin_percent=margin,
    )

    price = choose_price(inputs, TargetMargin(), rounding)
    result = quote(inputs, price, closing_rate=Decimal("0.25"))

    # Every cost, counted independently of the calculator's helpers, exact in Decimal:
    share = cod_share / 100
    fees = Decimal(price) * (share * cod_fee + (1 - share) * pay_fee) / 100
    rts = share * rts_rate / 100 * rts_cost
    costs = hpp + packaging + subsidy + cs + ad + rts + fees
    assert Decimal(price) - costs >= Decimal(price) * margin / 100
    # Ads may cost up to max CPA per order and the target margin still holds.
    assert result.max_cpa_idr >= ad
    assert Decimal(price) - (costs - ad) - result.max_cpa_idr >= Decimal(price) * margin / 100
    assert result.break_even_cpa_idr >= result.max_cpa_idr > 0
