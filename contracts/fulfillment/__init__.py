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
PaymentMethod = Literal["cod", "transfer"]
TrackingState = Literal[
    "picked_up", "in_transit", "failed_delivery", "delivered", "returned_to_sender"
]
FlagReason = Literal[
    "unknown_order", "amount_differs", "not_delivered", "not_cod", "already_remitted"
]


class _Shipment(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "fulfillment_order"


class _Remittance(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "remittance"


class _Complaint(EventPayload):
    producer: ClassVar[str] = "fulfillment"
    aggregate_type: ClassVar[str] = "complaint"


class OrderReceived(_Shipment):
    """Sales' OrderPlaced reached fulfillment: the order waits for an admin's check.

    Carries the facts fulfillment decides on (amounts, payment method, destination in
    clear, products), never the recipient's personal data.
    """

    event_type: ClassVar[str] = "OrderReceived"

    order_id: str
    customer_id: str
    total: Money
    payment_method: PaymentMethod
    province_code: str
    province: str
    product_ids: list[str]


class OrderWithdrawn(_Shipment):
    """Sales cancelled the order; it is never booked with a courier from now on."""

    event_type: ClassVar[str] = "OrderWithdrawn"

    order_id: str
    reason: str
    after_shipping: bool = Field(
        default=False, description="the parcel had already left: the admin must recall it"
    )


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


class TrackingUpdated(_Shipment):
    """A courier status update, kept in the history whether or not it moved the state.

    ``applied`` is False for an update that arrived late or out of order (it would move
    the shipment backwards); the state stays where it was.
    """

    event_type: ClassVar[str] = "TrackingUpdated"

    order_id: str
    resi: str
    update_id: str = Field(description="the courier's id of this update (idempotency)")
    status: TrackingState
    courier_status: str = Field(description="the courier's own status word")
    occurred_at: datetime
    applied: bool


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
    unmatched: Money | None = Field(
        default=None,
        description="part of gross on flagged lines (RemittanceLinesFlagged): cash"
        " received that matches no delivered COD order yet",
    )


class FlaggedLine(BaseModel):
    order_id: str
    amount: Money
    reason: FlagReason
    expected: Money | None = Field(default=None, description="COD amount we expected")


class RemittanceLinesFlagged(_Remittance):
    """Lines of a courier's remittance that need an admin: not posted as CodRemitted."""

    event_type: ClassVar[str] = "RemittanceLinesFlagged"

    remittance_id: str
    courier: str
    lines: list[FlaggedLine] = Field(min_length=1)


class ComplaintOpened(_Complaint):
    event_type: ClassVar[str] = "ComplaintOpened"

    complaint_id: str
    order_id: str
    customer_id: str | None = None
    category: ComplaintCategory
    opened_by: str


class ComplaintAssigned(_Complaint):
    event_type: ClassVar[str] = "ComplaintAssigned"

    complaint_id: str
    order_id: str
    assignee_id: str
    assigned_by: str


class ComplaintResolved(_Complaint):
    event_type: ClassVar[str] = "ComplaintResolved"

    complaint_id: str
    order_id: str
    outcome: ComplaintOutcome
    refund: Money | None = None
    resolved_by: str


EVENTS = [
    OrderReceived,
    OrderWithdrawn,
    OrderConfirmed,
    OrderCheckFailed,
    Shipped,
    TrackingUpdated,
    Delivered,
    ReturnedToSender,
    CodRemitted,
    RemittanceLinesFlagged,
    ComplaintOpened,
    ComplaintAssigned,
    ComplaintResolved,
]
