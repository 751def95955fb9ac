"""Events of the CS agents (topic ``sales.events``).

Personal data (name, phone, street address, free-text notes) never travels in clear: it
is sealed under the customer's own key (``contracts.personal``). Erasing a customer
destroys that key, so the sealed fields of every old event become unreadable while ids
and amounts stay readable for the books.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "sales.events"
# Compacted topic: key = customer id, value = that customer's data key; a tombstone
# (null value) is the erasure of the customer.
CUSTOMER_KEYS_TOPIC = "sales.customer-keys"

LeadChannel = Literal["chat", "form", "manual", "marketplace"]
ContactOutcome = Literal["answered", "no_answer", "wrong_number", "not_interested", "fake"]
PaymentMethod = Literal["cod", "transfer"]


class _Lead(EventPayload):
    producer: ClassVar[str] = "sales"
    aggregate_type: ClassVar[str] = "lead"


class _Order(EventPayload):
    producer: ClassVar[str] = "sales"
    aggregate_type: ClassVar[str] = "order"


class Attribution(BaseModel):
    campaign_id: str | None = None
    ad_set_id: str | None = None
    ad_id: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None


class LeadCaptured(_Lead):
    event_type: ClassVar[str] = "LeadCaptured"

    lead_id: str
    customer_id: str = Field(description="pseudonymous id of the person (one per phone)")
    channel: LeadChannel
    attribution: Attribution = Attribution()
    product_id: str | None = None
    linked_to_lead_id: str | None = Field(
        default=None, description="earlier lead of the same phone within the window"
    )
    contact_sealed: str = Field(description="name and E.164 phone, sealed")
    placed_at: datetime | None = Field(
        default=None,
        description="business time of a historical (marketplace) lead; None: occurred_at")


class LeadAssigned(_Lead):
    event_type: ClassVar[str] = "LeadAssigned"

    lead_id: str
    agent_id: str
    reason: str = Field(description="policy that chose the agent, or why it changed")
    previous_agent_id: str | None = None


class LeadFollowedUp(_Lead):
    event_type: ClassVar[str] = "LeadFollowedUp"

    lead_id: str
    agent_id: str
    outcome: ContactOutcome
    attempt: int = Field(ge=1)
    next_follow_up_at: str | None = Field(default=None, description="ISO time, UTC")


class LeadLost(_Lead):
    event_type: ClassVar[str] = "LeadLost"

    lead_id: str
    agent_id: str | None
    reason: str


class LeadConverted(_Lead):
    """The lead was closed into an order (the order's own event is OrderPlaced)."""

    event_type: ClassVar[str] = "LeadConverted"

    lead_id: str
    order_id: str
    agent_id: str | None = None


class OrderLine(BaseModel):
    product_id: str
    quantity: int = Field(gt=0)
    unit_price: Money
    line_total: Money


class Destination(BaseModel):
    """Where the parcel goes; coarse enough to report on, not to find a person.

    Outside Indonesia ``province_code`` and ``province`` both carry the region (a
    Brazilian state code such as "SP") and ``district`` may be empty.
    """

    country: str = Field(default="ID", description="ISO 3166-1 alpha-2")
    province_code: str
    province: str
    city: str
    district: str
    postal_code: str


class OrderPlaced(_Order):
    event_type: ClassVar[str] = "OrderPlaced"

    order_id: str
    lead_id: str | None = None
    customer_id: str
    agent_id: str | None = None
    attribution: Attribution = Attribution()
    items: list[OrderLine] = Field(min_length=1)
    subtotal: Money
    shipping_fee: Money = Field(description="ongkir charged to the buyer")
    total: Money
    payment_method: PaymentMethod
    destination: Destination
    recipient_sealed: str = Field(description="name, phone, street address, notes; sealed")
    placed_at: datetime | None = Field(
        default=None,
        description="business time the order was placed (historical imports); None: "
                    "the envelope's occurred_at")
    marketplace: str | None = Field(default=None, description='e.g. "olist"')
    external_order_id: str | None = Field(default=None,
                                          description="the marketplace's own order id")


class OrderCancelled(_Order):
    event_type: ClassVar[str] = "OrderCancelled"

    order_id: str
    reason: str
    cancelled_by: str


EVENTS = [
    LeadCaptured, LeadAssigned, LeadFollowedUp, LeadLost, LeadConverted, OrderPlaced,
    OrderCancelled,
]
