"""HTTP routes of the advertiser: checklist, launch, spend, reports, rules, metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from contracts.marketing import AdSpendRecorded, LaunchedAdSet
from contracts.money import Money
from eventkit.auth import Caller, division, reader
from services.marketing.adapters.api.content import actor_of, deps_of
from services.marketing.adapters.persistence.queries import Level, totals_by
from services.marketing.adapters.reports.fb_csv import ReportRejectedError
from services.marketing.application import campaigns, spend
from services.marketing.domain.campaign import Campaign
from services.marketing.domain.checklist import Item, LaunchChecklist
from services.marketing.domain.metrics import metrics_of

router = APIRouter(tags=["advertising"])
COMMAND = [Depends(division("marketing"))]
Id = Field(min_length=1, max_length=64)


class ChecklistView(BaseModel):
    product_id: str
    items: dict[str, bool]
    missing: list[str]
    landing_page_url: str | None
    pixel_id: str | None
    page_id: str | None


class CheckItem(BaseModel):
    item: Item
    done: bool = True
    landing_page_url: str | None = Field(default=None, max_length=500)
    pixel_id: str | None = Field(default=None, max_length=64)
    page_id: str | None = Field(default=None, max_length=64)


class LaunchCampaign(BaseModel):
    campaign_id: str = Id
    product_id: str = Id
    name: str = Field(min_length=1, max_length=200)
    daily_budget: Money
    ad_sets: list[LaunchedAdSet] = Field(min_length=1)


class AdSetView(BaseModel):
    ad_set_id: str
    daily_budget: Money | None
    status: str


class CampaignView(BaseModel):
    campaign_id: str
    product_id: str | None
    name: str
    launched: bool
    currency: str | None
    daily_budget: Money | None
    ad_sets: list[AdSetView]


class DecisionView(BaseModel):
    ad_set_id: str
    verdict: str
    reason: str


class RulesView(BaseModel):
    min_days: int | None = Field(default=None, ge=1)
    min_spend_x_max_cpl: Decimal | None = Field(default=None, gt=0)
    scale_step: Decimal = Field(gt=0, le=5)


class ImportBundled(BaseModel):
    path: str = Field(min_length=1, max_length=300,
                      description="relative to the bundled data folder, e.g. "
                      "fb-ads-kaggle/KAG_conversion_data.csv")
    currency: str | None = Field(default=None, min_length=3, max_length=3,
                                 description="account currency; default by report shape")


class ImportView(BaseModel):
    file_sha256: str
    source: str
    rows_in_report: int
    recorded: int
    already_recorded: int
    campaign_ids: list[str]


class RecordedView(BaseModel):
    recorded: int


class MetricsView(BaseModel):
    level: str
    key: str
    days: int
    spend: Money
    impressions: int
    reach: int
    clicks: int
    leads: int
    purchases: int
    captured_leads: int
    orders: int
    cpm: Money | None
    ctr: Decimal | None
    cpc: Money | None
    cpl: Money | None
    cpa: Money | None
    roas: Decimal | None
    platform_roas: Decimal | None
    frequency: Decimal | None
    cpl_captured: Money | None
    cpa_orders: Money | None


def checklist_view(c: LaunchChecklist) -> ChecklistView:
    return ChecklistView(product_id=c.product_id, items=dict(c.done), missing=c.missing(),
                         landing_page_url=c.landing_page_url, pixel_id=c.pixel_id,
                         page_id=c.page_id)


def campaign_view(c: Campaign) -> CampaignView:
    return CampaignView(
        campaign_id=c.id, product_id=c.product_id, name=c.name, launched=c.launched,
        currency=c.currency, daily_budget=c.daily_budget,
        ad_sets=[AdSetView(ad_set_id=s.ad_set_id, daily_budget=s.daily_budget,
                           status=s.status) for s in c.ad_sets.values()],
    )


def rejected(exc: ReportRejectedError) -> HTTPException:
    return HTTPException(422, detail=[
        {"loc": ["body", p.field], "line": p.line, "msg": p.reason, "type": "ReportRejected"}
        for p in exc.problems
    ])


@router.get("/products/{product_id}/launch-checklist", response_model=ChecklistView)
async def get_checklist(product_id: str, request: Request,
                        _: Caller = Depends(reader)) -> ChecklistView:
    """What is done and what is missing before this product's campaign may launch."""
    return checklist_view(await campaigns.get_checklist(deps_of(request), product_id))


@router.post("/products/{product_id}/launch-checklist", response_model=ChecklistView,
             dependencies=COMMAND)
async def check_item(product_id: str, body: CheckItem, request: Request,
                     caller: Caller = Depends(reader)) -> ChecklistView:
    """Tick (or untick) page ready (page_id), pixel verified (pixel_id) or landing page
    live (https URL). 'content_approved' is ticked by approving the brief."""
    checklist = await campaigns.check_item(deps_of(request), actor_of(caller),
                                           product_id=product_id, **body.model_dump())
    return checklist_view(checklist)


@router.post("/campaigns", response_model=CampaignView, status_code=201, dependencies=COMMAND)
async def launch(body: LaunchCampaign, request: Request,
                 caller: Caller = Depends(reader)) -> CampaignView:
    """Launch a campaign in the test phase: 422 naming what the checklist still misses."""
    campaign = await campaigns.launch_campaign(deps_of(request), actor_of(caller),
                                               **dict(body))
    return campaign_view(campaign)


@router.get("/campaigns/{campaign_id}", response_model=CampaignView)
async def get_campaign(campaign_id: str, request: Request,
                       _: Caller = Depends(reader)) -> CampaignView:
    """A campaign with its ad sets' current daily budgets and status."""
    return campaign_view(await campaigns.get_campaign(deps_of(request), campaign_id))


@router.post("/campaigns/{campaign_id}/evaluate", response_model=list[DecisionView],
             dependencies=COMMAND)
async def evaluate(campaign_id: str, request: Request,
                   caller: Caller = Depends(reader)) -> list[DecisionView]:
    """Apply the test-to-scale rules now: winners get CampaignScaled, losers
    CampaignPaused; ad sets without enough days or spend yet are left alone."""
    decisions = await campaigns.evaluate_campaign(deps_of(request), actor_of(caller),
                                                  campaign_id)
    return [DecisionView(**vars(d)) for d in decisions]


@router.get("/scale-rules", response_model=RulesView)
async def get_rules(request: Request, _: Caller = Depends(reader)) -> RulesView:
    """The test-to-scale rules in force."""
    r = await campaigns.read_rules(deps_of(request))
    return RulesView(min_days=r.min_days, min_spend_x_max_cpl=r.min_spend_x_max_cpl,
                     scale_step=r.scale_step)


@router.put("/scale-rules", response_model=RulesView, dependencies=COMMAND)
async def put_rules(body: RulesView, request: Request,
                    caller: Caller = Depends(reader)) -> RulesView:
    """Set when ad sets are judged (days and/or spend as a multiple of max CPL; either
    suffices) and the budget step for winners (0.2 = +20 %)."""
    r = await campaigns.set_rules(deps_of(request), actor_of(caller), **body.model_dump())
    return RulesView(min_days=r.min_days, min_spend_x_max_cpl=r.min_spend_x_max_cpl,
                     scale_step=r.scale_step)


# Ad days before Facebook's ad platform existed, or after tomorrow, are typing errors.
EARLIEST_AD_DAY = date(2004, 1, 1)


def _implausible_rows(rows: list[AdSpendRecorded]) -> list[dict[str, object]]:
    """Reasons, per row, why an ad day cannot be what the platform reported."""
    latest = (datetime.now(UTC) + timedelta(days=1)).date()
    problems: list[dict[str, object]] = []
    for i, row in enumerate(rows):
        if row.spend.is_negative():
            problems.append({"loc": ["body", i, "spend"], "msg": "spend must not be negative",
                             "type": "value_error"})
        if not EARLIEST_AD_DAY <= row.day <= latest:
            problems.append({"loc": ["body", i, "day"], "type": "value_error",
                             "msg": f"day must lie between {EARLIEST_AD_DAY} and {latest}"})
        if row.clicks > row.impressions:
            problems.append({"loc": ["body", i, "clicks"], "type": "value_error",
                             "msg": "clicks cannot exceed impressions"})
        if row.reach > row.impressions:
            problems.append({"loc": ["body", i, "reach"], "type": "value_error",
                             "msg": "reach cannot exceed impressions"})
    return problems


@router.post("/ad-spend", response_model=RecordedView, dependencies=COMMAND)
async def record_spend(body: list[AdSpendRecorded], request: Request,
                       caller: Caller = Depends(reader)) -> RecordedView:
    """Record ad days as the ad platform reported them; a known row_key is skipped."""
    problems = _implausible_rows(body)
    if problems:
        raise HTTPException(422, detail=problems)
    return RecordedView(recorded=await spend.record_spend(deps_of(request), actor_of(caller),
                                                          body))


@router.post("/ad-reports/imports", response_model=ImportView, dependencies=COMMAND)
async def import_bundled(body: ImportBundled, request: Request,
                         caller: Caller = Depends(reader)) -> ImportView:
    """Import a bundled Facebook ad report by its path under the data folder. All rows
    or none; 422 lists bad lines. Importing the same rows again records nothing new."""
    try:
        result = await spend.import_bundled(deps_of(request), actor_of(caller), body.path,
                                            body.currency)
    except ReportRejectedError as exc:
        raise rejected(exc) from None
    return ImportView(**vars(result))


@router.post("/ad-reports/uploads", response_model=ImportView, dependencies=COMMAND)
async def upload(request: Request, filename: str = Query(min_length=1, max_length=200),
                 currency: str | None = Query(default=None, min_length=3, max_length=3),
                 caller: Caller = Depends(reader)) -> ImportView:
    """Import a report sent as the raw request body (Content-Type text/csv). The Kaggle
    KAG file has no day and needs the dated release: import that one instead."""
    raw = await request.body()
    if len(raw) > 20_000_000:
        raise HTTPException(413, "report larger than 20 MB")
    try:
        result = await spend.import_report(deps_of(request), actor_of(caller), raw,
                                           source=filename, currency=currency)
    except ReportRejectedError as exc:
        raise rejected(exc) from None
    return ImportView(**vars(result))


@router.get("/metrics/{level}", response_model=list[MetricsView])
async def metrics(level: Level, request: Request, campaign_id: str | None = None,
                  product_id: str | None = None,
                  _: Caller = Depends(reader)) -> list[MetricsView]:
    """CPM, CTR, CPC, CPL, CPA, ROAS and frequency per ad, ad set, campaign or product,
    in the ad account's currency. cpl/cpa use the platform's counts; cpl_captured,
    cpa_orders and roas use the leads and orders sales attributed to the ads."""
    async with deps_of(request).db.read() as conn:
        rows = await totals_by(conn, level, campaign_id=campaign_id, product_id=product_id)
    return [
        MetricsView(level=level, key=key, days=t.days, spend=t.spend,
                    impressions=t.impressions, reach=t.reach, clicks=t.clicks, leads=t.leads,
                    purchases=t.purchases, captured_leads=t.captured_leads, orders=t.orders,
                    **vars(metrics_of(t)))
        for key, t in rows
    ]
