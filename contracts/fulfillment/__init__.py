"""Events of the admins who ship orders (topic ``fulfillment.events``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "fulfillment.events"

ComplaintCategory = Literal["damaged", "wrong_item", "late", "missing"]
ComplaintOutcome = Literal["refund", "reship", "reject"]


class _Shipment(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "fulfillment_order"


class _Remittance(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "remittance"


class _Complaint(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "complaint"


class OrderConfirmed(_Shipment):
    event_type: ClassVar[str] = "OrderConfirmed"

    order_id: str
    admin_id: str


class OrderCheckFailed(_Shipment):
    """The admin sent the order back to sales with the problem named."""

    event_type: ClassVar[str] = "OrderCheckFailed"

    order_id: str
    admin_id: str
    problem: str


class Shipped(_Shipment):
    event_type: ClassVar[str] = "Shipped"

    order_id: str
    courier: str
    service: str
    resi: str = Field(description="courier waybill number")
    shipping_cost: Money = Field(description="what the shop pays the courier")
    pickup_date: date
    cod_amount: Money | None = Field(default=None, description="cash the courier collects")


class Delivered(_Shipment):
    event_type: ClassVar[str] = "Delivered"

    order_id: str
    resi: str
    delivered_at: datetime


class ReturnedToSender(_Shipment):
    event_type: ClassVar[str] = "ReturnedToSender"

    order_id: str
    resi: str
    return_shipping_cost: Money
    reason: str
    returned_at: datetime


class RemittanceLine(BaseModel):
    order_id: str
    amount: Money


class CodRemitted(_Remittance):
    """The courier paid out the cash it collected, net of its COD fee."""

    event_type: ClassVar[str] = "CodRemitted"

    remittance_id: str
    courier: str
    gross: Money
    fee: Money
    net: Money
    lines: list[RemittanceLine] = Field(min_length=1)
    remitted_on: date


class ComplaintOpened(_Complaint):
    event_type: ClassVar[str] = "ComplaintOpened"

    complaint_id: str
    order_id: str
    customer_id: str | None = None
    category: ComplaintCategory
    opened_by: str


class ComplaintResolved(_Complaint):
    event_type: ClassVar[str] = "ComplaintResolved"

    complaint_id: str
    order_id: str
    outcome: ComplaintOutcome
    refund: Money | None = None
    resolved_by: str


EVENTS = [
    OrderConfirmed,
    OrderCheckFailed,
    Shipped,
    Delivered,
    ReturnedToSender,
    CodRemitted,
    ComplaintOpened,
    ComplaintResolved,
]
