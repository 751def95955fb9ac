"""A Facebook campaign: its ad sets and budgets, the spend reported per ad per day, and
the test-to-scale decisions taken on those numbers.

Budgets and spend are in the ad account's currency, counted in its minor unit (whole
rupiah for an IDR account: a budget of Rp150.000 is ``Money(amount=150000, "IDR")``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from contracts.envelope import EventPayload
from contracts.marketing import (
    AdSpendRecorded,
    CampaignLaunched,
    CampaignPaused,
    CampaignScaled,
    LaunchedAdSet,
)
from contracts.money import Money
from eventkit.aggregate import Aggregate
from services.marketing.domain.errors import (
    CampaignAlreadyLaunchedError,
    MarketingRuleBrokenError,
)


@dataclass(frozen=True)
class ScaleRules:
    """When an ad set in test is judged, and how much a winner's budget grows.

    An ad set is judged once it has run ``min_days`` days with spend OR spent
    ``min_spend_x_max_cpl`` times the product's max CPL (either suffices); its CPL is
    then compared with the max CPL from finance's KpiTargetsSet.
    """

    min_days: int | None = 3
    min_spend_x_max_cpl: Decimal | None = Decimal(2)
    scale_step: Decimal = Decimal("0.2")

    def __post_init__(self) -> None:
        if self.min_days is None and self.min_spend_x_max_cpl is None:
            raise MarketingRuleBrokenError("give min_days or min_spend_x_max_cpl",
                                           field="min_days")
        if self.scale_step <= 0:
            raise MarketingRuleBrokenError("scale step must be positive", field="scale_step")


@dataclass
class AdSetState:
    ad_set_id: str
    daily_budget: Money | None
    status: str = "active"
    # Spend since launch or since the last scale-up: the window the rules judge.
    window_spend: Money | None = None
    window_leads: int = 0
    window_days: set[date] = field(default_factory=set)


@dataclass(frozen=True)
class Decision:
    ad_set_id: str
    verdict: str  # scaled | paused
    reason: str


class Campaign(Aggregate):
    """One campaign's launch, spend and test-to-scale history."""

    aggregate_type: ClassVar[str] = "campaign"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.launched = False
        self.product_id: str | None = None
        self.name = ""
        self.currency: str | None = None
        self.daily_budget: Money | None = None
        self.ad_sets: dict[str, AdSetState] = {}
        self.row_keys: set[str] = set()

    # -- commands -----------------------------------------------------------------
    def launch(
        self, *, product_id: str | None, name: str, daily_budget: Money,
        ad_sets: list[LaunchedAdSet],
    ) -> None:
        """Start the test phase; the caller has checked the launch checklist."""
        if self.launched:
            raise CampaignAlreadyLaunchedError(self.id)
        if daily_budget.amount <= 0:
            raise MarketingRuleBrokenError("daily budget must be positive",
                                           field="daily_budget")
        if self.currency and daily_budget.currency != self.currency:
            raise MarketingRuleBrokenError(
                f"this ad account spends {self.currency}", field="daily_budget"
            )
        if not ad_sets or any(not s.ads for s in ad_sets):
            raise MarketingRuleBrokenError("every ad set needs an ad", field="ad_sets")
        total = Money.zero(daily_budget.currency)
        for ad_set in ad_sets:
            if ad_set.daily_budget.currency != daily_budget.currency:
                raise MarketingRuleBrokenError("one currency per campaign", field="ad_sets")
            if ad_set.daily_budget.amount <= 0:
                raise MarketingRuleBrokenError("ad set budget must be positive",
                                               field="ad_sets")
            total = total + ad_set.daily_budget
        if daily_budget < total:
            raise MarketingRuleBrokenError(
                f"ad set budgets ({total}) exceed the campaign's ({daily_budget})",
                field="ad_sets",
            )
        self.record(
            CampaignLaunched(
                campaign_id=self.id, product_id=product_id, name=name, phase="test",
                daily_budget=daily_budget, ad_sets=ad_sets,
            )
        )

    def record_spend(self, row: AdSpendRecorded) -> bool:
        """Record one ad's day; False when that report row was recorded before."""
        if row.row_key in self.row_keys:
            return False
        if row.spend.is_negative():
            raise MarketingRuleBrokenError("spend must not be negative", field="spend")
        if self.currency and row.spend.currency != self.currency:
            raise MarketingRuleBrokenError(
                f"campaign {self.id} spends {self.currency}, not {row.spend.currency}",
                field="currency",
            )
        if self.product_id and row.product_id is None:
            row = row.model_copy(update={"product_id": self.product_id})
        self.record(row)
        return True

    def evaluate(self, rules: ScaleRules, max_cpl: Money) -> list[Decision]:
        """Judge every active ad set whose window is long enough: scale or pause it."""
        if not self.launched:
            raise MarketingRuleBrokenError(
                f"campaign {self.id} was not launched here; no budgets to scale",
                field="campaign_id",
            )
        if self.currency != max_cpl.currency:
            raise MarketingRuleBrokenError(
                f"max CPL is in {max_cpl.currency}, the campaign spends {self.currency}",
                field="max_cpl",
            )
        decisions = []
        for ad_set in self.ad_sets.values():
            if ad_set.status != "active" or ad_set.daily_budget is None:
                continue
            decision = self._judge(ad_set, rules, max_cpl)
            if decision is not None:
                decisions.append(decision)
        return decisions

    def _judge(self, ad_set: AdSetState, rules: ScaleRules, max_cpl: Money) -> Decision | None:
        spend = ad_set.window_spend or Money.zero(max_cpl.currency)
        days = len(ad_set.window_days)
        enough_days = rules.min_days is not None and days >= rules.min_days
        enough_spend = (
            rules.min_spend_x_max_cpl is not None
            and spend.amount >= max_cpl.amount * rules.min_spend_x_max_cpl
        )
        if not (enough_days or enough_spend):
            return None
        leads = ad_set.window_leads
        cpl = spend.share(Decimal(1) / Decimal(leads)) if leads else None
        basis = f"after {days} day(s) and {spend} spent"
        assert ad_set.daily_budget is not None
        # Exact comparison (spend < max_cpl x leads): a rounded CPL could flip a tie.
        if leads and spend.amount < max_cpl.amount * leads:
            new_budget = ad_set.daily_budget.share(Decimal(1) + rules.scale_step)
            reason = f"CPL {cpl} under max CPL {max_cpl} {basis}"
            self.record(
                CampaignScaled(
                    campaign_id=self.id, ad_set_id=ad_set.ad_set_id,
                    old_daily_budget=ad_set.daily_budget, new_daily_budget=new_budget,
                    reason=reason, spend=spend, leads=leads, cpl=cpl, max_cpl=max_cpl,
                )
            )
            return Decision(ad_set.ad_set_id, "scaled", reason)
        reason = (
            f"CPL {cpl} not under max CPL {max_cpl} {basis}" if leads
            else f"no leads {basis}"
        )
        self.record(
            CampaignPaused(
                campaign_id=self.id, ad_set_id=ad_set.ad_set_id, reason=reason,
                spend=spend, leads=leads, cpl=cpl, max_cpl=max_cpl,
            )
        )
        return Decision(ad_set.ad_set_id, "paused", reason)

    # -- state ----------------------------------------------------------------------
    def apply(self, event: EventPayload) -> None:
        if isinstance(event, CampaignLaunched):
            self.launched = True
            self.product_id = event.product_id
            self.name = event.name
            self.currency = event.daily_budget.currency
            self.daily_budget = event.daily_budget
            for s in event.ad_sets:
                state = self.ad_sets.setdefault(s.ad_set_id, AdSetState(s.ad_set_id, None))
                state.daily_budget = s.daily_budget
        elif isinstance(event, AdSpendRecorded):
            self.row_keys.add(event.row_key)
            self.currency = self.currency or event.spend.currency
            state = self.ad_sets.setdefault(
                event.ad_set_id, AdSetState(event.ad_set_id, None)
            )
            state.window_spend = (
                event.spend if state.window_spend is None else state.window_spend + event.spend
            )
            state.window_leads += event.leads
            if event.spend.amount > 0 or event.impressions > 0:
                state.window_days.add(event.day)
        elif isinstance(event, CampaignScaled):
            state = self.ad_sets[event.ad_set_id]
            state.daily_budget = event.new_daily_budget
            state.window_spend = None
            state.window_leads = 0
            state.window_days = set()
        elif isinstance(event, CampaignPaused):
            self.ad_sets[event.ad_set_id].status = "paused"
        else:
            super().apply(event)
