"""Request and response bodies of the sales API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from contracts.money import Money
from contracts.sales import Attribution, ContactOutcome, LeadChannel, PaymentMethod

# Surrounding spaces are dropped first, so a name of only spaces is refused (it would
# end up on a shipping label).
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM WIB")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeadIn(_Body):
    name: Name
    phone: Annotated[str, Field(min_length=1, max_length=40,
                                description="08.., +62.. or 62..; spaces, dots, dashes ok")]
    channel: LeadChannel = "chat"
    attribution: Attribution = Attribution()
    product_id: Id | None = None


class LeadOut(BaseModel):
    lead_id: str
    customer_id: str
    agent_id: str | None
    reason: str | None = Field(description="why this agent got the lead")
    linked_to_lead_id: str | None


class ContactView(BaseModel):
    name: str | None
    phone: str | None


class LeadView(BaseModel):
    lead_id: str
    customer_id: str
    channel: str
    status: str
    agent_id: str | None
    campaign_id: str | None
    ad_set_id: str | None
    ad_id: str | None
    product_id: str | None
    linked_to_lead_id: str | None
    captured_at: datetime
    assigned_at: datetime | None
    first_response_at: datetime | None
    attempts: int
    last_outcome: str | None
    next_follow_up_at: datetime | None
    lost_reason: str | None
    order_id: str | None
    contact: ContactView | None = Field(
        default=None, description="only for the sales division and the owner")


class FollowUpIn(_Body):
    outcome: ContactOutcome
    next_follow_up_at: AwareDatetime | None = Field(
        default=None, description="default: by the configured cadence")


class LossIn(_Body):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class DueFollowUp(BaseModel):
    lead_id: str
    agent_id: str | None
    attempts: int
    next_follow_up_at: datetime
    status: str


class AgentIn(_Body):
    name: Name
    weight: int = Field(default=1, ge=1, le=100)
    max_open_leads: int = Field(default=50, ge=1, le=10_000)
    shift_start: HHMM = "08:00"
    shift_end: HHMM = Field(default="17:00", description="before shift_start: overnight")
    active: bool = True


class AgentView(AgentIn):
    model_config = ConfigDict(extra="ignore")
    agent_id: str
    assigned_total: int


class AddressIn(_Body):
    province: Name
    city: Name = Field(description="kabupaten or kota")
    district: Name = Field(description="kecamatan")
    postal_code: Annotated[str, Field(pattern=r"^\d{5}$")]
    street: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=500)]


class ItemIn(_Body):
    product_id: Id
    quantity: int = Field(gt=0, le=1000)


class OrderIn(_Body):
    lead_id: Id | None = None
    name: Name = Field(description="recipient")
    phone: Annotated[str, Field(min_length=1, max_length=40)]
    address: AddressIn
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    shipping_fee: Money = Field(description="ongkir charged to the buyer, IDR")
    payment_method: PaymentMethod
    notes: Annotated[str, Field(max_length=1000)] = ""

    @field_validator("shipping_fee")
    @classmethod
    def _idr_not_negative(cls, value: Money) -> Money:
        if value.currency != "IDR" or value.amount < 0:
            raise ValueError("must be a non-negative IDR amount")
        return value


class OrderOut(BaseModel):
    order_id: str
    created: bool = Field(description="false when this was a replay of an earlier submit")


class OrderView(BaseModel):
    order_id: str
    lead_id: str | None
    customer_id: str
    agent_id: str | None
    status: str
    payment_method: str
    subtotal: Money
    shipping_fee: Money
    total: Money
    province: str
    city: str
    district: str
    postal_code: str
    placed_at: datetime
    cancelled_at: datetime | None


class CancelIn(_Body):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class PriceView(BaseModel):
    product_id: str
    price: Money
    set_at: datetime


class PipelineRow(BaseModel):
    key: str | None = Field(description="agent or campaign id; null: none")
    new: int
    contacted: int
    won: int
    lost: int
    total: int


class FirstResponseRow(BaseModel):
    agent_id: str | None
    leads: int
    average_seconds: int
    median_seconds: int


class ClosingRateRow(BaseModel):
    key: str | None
    leads: int
    orders: int
    rate: Decimal = Field(description="orders / leads, 4 decimals")
    target: Decimal | None = Field(
        default=None, description="pricing's target closing rate (by=product only)")


class ErasureOut(BaseModel):
    customer_id: str
    erased: bool


class RotatorIn(_Body):
    policy: Literal["round_robin", "weighted", "sticky"]


class RotatorView(BaseModel):
    policy: str
    reassign_after_minutes: float
    duplicate_window_hours: float
    follow_up_cadence: str


class AssignIn(_Body):
    agent_id: Id


class MarketplaceItemIn(_Body):
    product_id: Id
    quantity: int = Field(gt=0, le=1000)
    unit_price: Money = Field(description="the marketplace's own price, per unit")

    @field_validator("unit_price")
    @classmethod
    def _not_negative(cls, value: Money) -> Money:
        if value.amount < 0:
            raise ValueError("must not be negative")
        return value


class MarketplaceDestinationIn(_Body):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    region: Name = Field(description="state or province (code), e.g. SP")
    city: Name
    postal_code: Annotated[str, Field(min_length=1, max_length=16)]
    district: Name | None = Field(default=None,
                                  description="kecamatan; required when country is ID")


class MarketplaceOrderIn(_Body):
    marketplace: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$",
                                      description='e.g. "olist"')]
    external_order_id: Id
    external_customer_id: Id
    placed_at: AwareDatetime
    items: list[MarketplaceItemIn] = Field(min_length=1, max_length=50)
    shipping_fee: Money = Field(description="freight the buyer paid, in the order's currency")
    payment_method: PaymentMethod
    destination: MarketplaceDestinationIn

    @field_validator("placed_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("shipping_fee")
    @classmethod
    def _not_negative(cls, value: Money) -> Money:
        if value.amount < 0:
            raise ValueError("must not be negative")
        return value


class MarketplaceOrderOut(BaseModel):
    order_id: str
    lead_id: str
    customer_id: str
    created: bool = Field(description="false when this order was recorded before")
