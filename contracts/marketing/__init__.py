"""Events of the content creator and the advertiser (topic ``marketing.events``)."""

from __future__ import annotations

from datetime import date
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


EVENTS = [ContentApproved, CampaignLaunched, AdSpendRecorded, CampaignScaled, CampaignPaused]
