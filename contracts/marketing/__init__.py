"""Events of the content creator and the advertiser (topic ``marketing.events``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "marketing.events"


class _Content(EventPayload):
    producer: ClassVar[str] = "marketing"
    aggregate_type: ClassVar[str] = "content_brief"


class _Campaign(EventPayload):
    producer: ClassVar[str] = "marketing"
    aggregate_type: ClassVar[str] = "campaign"


class _Checklist(EventPayload):
    producer: ClassVar[str] = "marketing"
    aggregate_type: ClassVar[str] = "launch_checklist"


class _ScaleRules(EventPayload):
    producer: ClassVar[str] = "marketing"
    aggregate_type: ClassVar[str] = "scale_rules"


class ContentBriefOpened(_Content):
    """A new price means the content creator has a product to write copy for."""

    event_type: ClassVar[str] = "ContentBriefOpened"

    brief_id: str
    product_id: str
    price: Money
    price_event_id: str | None = None


AssetKind = Literal["ad_copy", "landing_copy"]


class AssetDrafted(_Content):
    """A new version of one ad or landing-page copy asset."""

    event_type: ClassVar[str] = "AssetDrafted"

    brief_id: str
    asset_id: str
    version: int = Field(ge=1)
    kind: AssetKind
    channel: str = Field(description="facebook_feed, instagram_reels, landing_page ...")
    language: str = Field(description="BCP 47, e.g. id, en")
    hook: str
    body: str
    call_to_action: str


class AssetReviewed(_Content):
    """A reviewer passed one asset version or sent it back with a note."""

    event_type: ClassVar[str] = "AssetReviewed"

    brief_id: str
    asset_id: str
    version: int = Field(ge=1)
    verdict: Literal["passed", "changes_requested"]
    note: str = ""


class LaunchChecklistItemChecked(_Checklist):
    """One item of a product's launch checklist became true (or was withdrawn)."""

    event_type: ClassVar[str] = "LaunchChecklistItemChecked"

    product_id: str
    item: Literal["page_ready", "pixel_verified", "landing_page_live", "content_approved"]
    done: bool = True
    landing_page_url: str | None = None
    pixel_id: str | None = None
    page_id: str | None = None


class ScaleRulesSet(_ScaleRules):
    """The advertiser's test-to-scale rules: when an ad set is judged, and the step."""

    event_type: ClassVar[str] = "ScaleRulesSet"

    min_days: int | None = Field(default=None, ge=1)
    min_spend_x_max_cpl: Decimal | None = Field(
        default=None, gt=0, description="judge after spending this many times max CPL"
    )
    scale_step: Decimal = Field(gt=0, description="0.2 raises a winner's budget by 20 %")


class ApprovedAsset(BaseModel):
    asset_id: str
    version: int = Field(ge=1)
    kind: Literal["ad_copy", "landing_copy"]


class ContentApproved(_Content):
    event_type: ClassVar[str] = "ContentApproved"

    brief_id: str
    product_id: str
    assets: list[ApprovedAsset] = Field(min_length=1)


class LaunchedAd(BaseModel):
    ad_id: str
    name: str
    creative_id: str


class LaunchedAdSet(BaseModel):
    ad_set_id: str
    name: str
    daily_budget: Money
    ads: list[LaunchedAd]


class CampaignLaunched(_Campaign):
    event_type: ClassVar[str] = "CampaignLaunched"

    campaign_id: str
    product_id: str | None
    name: str
    phase: Literal["test", "scale"] = "test"
    daily_budget: Money
    ad_sets: list[LaunchedAdSet]


class AdSpendRecorded(_Campaign):
    """One ad's results for one day, as the ad platform reported them."""

    event_type: ClassVar[str] = "AdSpendRecorded"

    campaign_id: str
    ad_set_id: str
    ad_id: str
    product_id: str | None = None
    day: date
    spend: Money
    impressions: int = Field(ge=0)
    reach: int = Field(ge=0)
    clicks: int = Field(ge=0)
    leads: int = Field(ge=0, description="leads or messaging conversations started")
    purchases: int = Field(ge=0, description="purchases the ad platform attributes")
    purchase_value: Money | None = None
    source: str = Field(description="api, or the imported file's name")
    campaign_name: str | None = None
    ad_set_name: str | None = None
    ad_name: str | None = None
    row_key: str = Field(description="identity of the report row, for idempotent import")


class CampaignScaled(_Campaign):
    event_type: ClassVar[str] = "CampaignScaled"

    campaign_id: str
    ad_set_id: str
    old_daily_budget: Money
    new_daily_budget: Money
    reason: str
    spend: Money
    leads: int
    cpl: Money | None
    max_cpl: Money


class CampaignPaused(_Campaign):
    event_type: ClassVar[str] = "CampaignPaused"

    campaign_id: str
    ad_set_id: str
    reason: str
    spend: Money
    leads: int
    cpl: Money | None
    max_cpl: Money | None


EVENTS = [
    ContentApproved,
    CampaignLaunched,
    AdSpendRecorded,
    CampaignScaled,
    CampaignPaused,
    ContentBriefOpened,
    AssetDrafted,
    AssetReviewed,
    LaunchChecklistItemChecked,
    ScaleRulesSet,
]
