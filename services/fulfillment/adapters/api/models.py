"""Request and response bodies of fulfillment's HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from contracts.fulfillment import ComplaintCategory, ComplaintOutcome, RemittanceLine
from contracts.money import Money


class CheckFailure(BaseModel):
    problem: str = Field(min_length=3, max_length=500,
                         description="what sales must fix, e.g. 'postal code does not"
                                     " match the district'")


class Booking(BaseModel):
    courier: str = Field(min_length=1, max_length=32, description="courier code, e.g. JNE")
    service: str = Field(min_length=1, max_length=32, description="e.g. REG")
    shipping_cost: Money = Field(description="what the shop pays the courier")
    pickup_date: date
    resi: str = Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class CourierIn(BaseModel):
    # Lower case too: a marketplace's own logistics is booked as e.g. "olist".
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
    name: str = Field(min_length=2, max_length=64)
    services: list[str] = Field(min_length=1)


class RemittanceIn(BaseModel):
    remittance_id: str = Field(min_length=1, max_length=64,
                               description="the courier's payout reference")
    courier: str = Field(min_length=1, max_length=32)
    gross: Money = Field(description="COD cash collected for the lines")
    fee: Money = Field(description="the courier's COD fee")
    net: Money = Field(description="what reached our account: gross - fee")
    remitted_on: date
    lines: list[RemittanceLine] = Field(min_length=1)


class ComplaintIn(BaseModel):
    complaint_id: str = Field(min_length=1, max_length=64)
    order_id: str = Field(min_length=1, max_length=64)
    category: ComplaintCategory


class Assignment(BaseModel):
    assignee_id: str = Field(min_length=1, max_length=64)


class Resolution(BaseModel):
    outcome: ComplaintOutcome
    refund: Money | None = Field(default=None, description="only with outcome refund")


class Accepted(BaseModel):
    id: str
    status: str


class RemittanceResult(BaseModel):
    remittance_id: str
    events: list[str] = Field(description="CodRemitted and/or RemittanceLinesFlagged")


class WebhookResult(BaseModel):
    applied: int = Field(description="updates recorded now")
    duplicates: int = Field(description="updates seen before: nothing changed")


class OrderView(BaseModel):
    order_id: str
    customer_id: str | None
    status: str
    cancelled: bool
    payment_method: str | None
    total: Money | None
    province: str | None
    city: str | None
    district: str | None
    postal_code: str | None
    product_ids: list[str]
    problem: str | None
    courier: str | None
    service: str | None
    resi: str | None
    shipping_cost: Money | None
    pickup_date: date | None
    cod_amount: Money | None
    tracking: str | None
    delivered_at: datetime | None
    returned_at: datetime | None
    return_shipping_cost: Money | None
    remittance_id: str | None


class TrackingEntry(BaseModel):
    update_id: str
    status: str
    courier_status: str
    occurred_at: datetime
    applied: bool = Field(description="False: late or out of order, state unchanged")


class OrderDetail(OrderView):
    history: list[TrackingEntry]


class Recipient(BaseModel):
    name: str
    phone: str
    street: str
    notes: str


class PackingView(BaseModel):
    order_id: str
    status: str
    recipient: Recipient | Literal["[erased]"]
    province: str | None
    city: str | None
    district: str | None
    postal_code: str | None
    product_ids: list[str]
    courier: str | None
    service: str | None
    resi: str | None
    cod_amount: Money | None


class CourierView(BaseModel):
    code: str
    name: str
    services: list[str]


class ShipmentCount(BaseModel):
    courier: str | None
    tracking: str | None
    count: int


class RtsRate(BaseModel):
    key: str | None
    delivered: int
    returned: int
    finished: int
    rts_rate_pct: float = Field(description="returned / finished x 100, one decimal")


class CodOutstanding(BaseModel):
    total: Money
    orders: list[OrderView]


class RemittanceIssue(BaseModel):
    remittance_id: str
    courier: str
    order_id: str
    amount: Money
    expected: Money | None
    reason: str


class ComplaintView(BaseModel):
    complaint_id: str
    order_id: str
    category: str
    status: str
    assignee_id: str | None
    outcome: str | None
    refund: Money | None
