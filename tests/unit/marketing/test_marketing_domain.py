"""Marketing rules without I/O: content approval, checklist, budgets in whole rupiah."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.marketing import AdSpendRecorded, CampaignScaled, LaunchedAd, LaunchedAdSet
from contracts.money import Money
from eventkit.errors import ConflictError, RuleBrokenError
from services.marketing.domain.campaign import Campaign, ScaleRules
from services.marketing.domain.checklist import LaunchChecklist
from services.marketing.domain.content import ContentBrief
from services.marketing.domain.metrics import Totals, metrics_of


def idr_campaign() -> Campaign:
    campaign = Campaign("c-1")
    ad_set = LaunchedAdSet(ad_set_id="s-1", name="broad", daily_budget=Money.idr(150_000),
                           ads=[LaunchedAd(ad_id="a-1", name="video", creative_id="ad-1@1")])
    campaign.launch(product_id="p-1", name="serum", daily_budget=Money.idr(150_000),
                    ad_sets=[ad_set])
    return campaign


def day(n: int, spend_idr: int, leads: int) -> AdSpendRecorded:
    return AdSpendRecorded(
        campaign_id="c-1", ad_set_id="s-1", ad_id="a-1", day=date(2026, 12, n),
        spend=Money.idr(spend_idr), impressions=1000, reach=800, clicks=20, leads=leads,
        purchases=0, source="api", row_key=f"api:a-1:{n}",
    )


def test_winner_in_rupiah_is_scaled_in_whole_rupiah() -> None:
    campaign = idr_campaign()
    for n in (1, 2, 3):
        campaign.record_spend(day(n, 100_000, 10))  # CPL Rp10.000

    decisions = campaign.evaluate(ScaleRules(min_days=3, min_spend_x_max_cpl=None,
                                             scale_step=Decimal("0.2")), Money.idr(15_000))

    scaled = campaign.pending[-1]
    assert [d.verdict for d in decisions] == ["scaled"]
    assert isinstance(scaled, CampaignScaled)
    # Rp150.000 x 1.2 = Rp180.000, counted in rupiah, not sen
    assert scaled.new_daily_budget.model_dump() == {"amount": 180_000, "currency": "IDR"}
    assert scaled.cpl == Money.idr(10_000)  # Rp300.000 / 30 leads


def test_loser_is_paused_with_the_numbers() -> None:
    campaign = idr_campaign()
    campaign.record_spend(day(1, 60_000, 2))  # CPL Rp30.000

    decisions = campaign.evaluate(ScaleRules(min_days=None, min_spend_x_max_cpl=Decimal(2),
                                             scale_step=Decimal("0.2")), Money.idr(25_000))

    assert [d.verdict for d in decisions] == ["paused"]
    assert "30,000 IDR" in decisions[0].reason  # Rp60.000 / 2 leads
    assert campaign.ad_sets["s-1"].status == "paused"


def test_too_little_data_is_not_judged_and_rows_are_recorded_once() -> None:
    campaign = idr_campaign()

    assert campaign.record_spend(day(1, 10_000, 0)) is True
    assert campaign.record_spend(day(1, 10_000, 0)) is False
    assert campaign.evaluate(ScaleRules(), Money.idr(25_000)) == []


def test_spend_in_another_currency_is_refused() -> None:
    campaign = idr_campaign()
    row = day(1, 1, 0).model_copy(update={"spend": Money(amount=100, currency="USD")})

    with pytest.raises(RuleBrokenError):
        campaign.record_spend(row)


def test_content_is_approved_only_after_review() -> None:
    brief = ContentBrief.open("p-1", Money.idr(149_000), None)
    version = brief.draft(asset_id="ad-1", kind="ad_copy", channel="facebook_feed",
                          language="id", hook="h", body="b", call_to_action="c")

    with pytest.raises(RuleBrokenError):
        brief.approve([("ad-1", version)])
    brief.review("ad-1", version, passed=True, note="")
    with pytest.raises(ConflictError):
        brief.review("ad-1", version, passed=False, note="again")
    brief.approve([("ad-1", version)])

    assert brief.pending[-1].event_type == "ContentApproved"


def test_checklist_needs_an_https_landing_page() -> None:
    checklist = LaunchChecklist.for_product("p-1")

    with pytest.raises(RuleBrokenError):
        checklist.check("landing_page_live", landing_page_url="http://x")
    checklist.check("landing_page_live", landing_page_url="https://lapak.test/p-1")

    assert checklist.missing() == ["page_ready", "pixel_verified", "content_approved"]


def test_metrics_by_hand() -> None:
    t = Totals(spend=Money.idr(300_000), impressions=60_000, reach=40_000, clicks=600,
               leads=30, purchases=10, purchase_value=Money.idr(1_490_000), days=3)

    m = metrics_of(t)

    assert m.cpm == Money.idr(5_000)  # 300.000 x 1000 / 60.000
    assert m.cpc == Money.idr(500) and m.cpl == Money.idr(10_000)
    assert m.cpa == Money.idr(30_000) and m.ctr == Decimal("0.0100")
    assert m.frequency == Decimal("1.5000") and m.platform_roas == Decimal("4.9667")
    assert m.roas is None  # no orders attributed by sales yet
