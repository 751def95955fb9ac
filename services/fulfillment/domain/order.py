"""The order as fulfillment sees it: check, courier booking and tracking.

One event stream per order (aggregate id = sales' order id). It opens with
``OrderReceived`` (sales placed it) or ``OrderWithdrawn`` (sales cancelled it; Kafka may
deliver the cancellation first), then follows the admin's check, the booking and the
courier's tracking updates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.envelope import EventPayload
from contracts.fulfillment import (
    Delivered,
    OrderCheckFailed,
    OrderConfirmed,
    OrderReceived,
    OrderWithdrawn,
    ReturnedToSender,
    Shipped,
    TrackingState,
    TrackingUpdated,
)
from contracts.money import Money
from eventkit.aggregate import Aggregate
from eventkit.errors import RuleBrokenError

from services.fulfillment.domain import OrderNotFoundError, OrderStateError

# How far along the road each tracking state is. An update whose rank is not above the
# current one arrived late or out of order: kept in the history, state unchanged.
# LIMIT: a re-delivery attempt after failed_delivery ("in transit" again) is therefore
# kept but not applied; the next "delivered" or "returned" update still moves it on.
RANK: dict[str, int] = {
    "booked": 0,
    "picked_up": 1,
    "in_transit": 2,
    "failed_delivery": 3,
    "delivered": 4,
    "returned_to_sender": 4,
}


class FulfillmentOrder(Aggregate):
    """An order from OrderPlaced to its delivery or its return."""

    aggregate_type = "fulfillment_order"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.received = False
        self.cancelled = False
        self.status = "new"  # awaiting_check, check_failed, confirmed, shipped, ...
        self.total: Money | None = None
        self.payment_method: str | None = None
        self.resi: str | None = None
        self.shipping_cost: Money | None = None
        self.cod_amount: Money | None = None
        self.tracking = "none"
        self.update_ids: set[str] = set()

    # -- commands ------------------------------------------------------------------
    def receive(self, facts: OrderReceived) -> None:
        """Open the order for an admin's check (a redelivered OrderPlaced is a no-op)."""
        if self.received:
            return
        self.record(facts)

    def withdraw(self, reason: str) -> None:
        """Sales cancelled the order: never book it (a repeat is a no-op)."""
        if self.cancelled:
            return
        self.record(OrderWithdrawn(
            order_id=self.id, reason=reason, after_shipping=self.status in _SHIPPED,
        ))

    def confirm(self, admin_id: str) -> None:
        self._require_open()
        if self.status not in ("awaiting_check", "check_failed"):
            raise OrderStateError(f"order {self.id} is {self.status}; it cannot be confirmed")
        self.record(OrderConfirmed(order_id=self.id, admin_id=admin_id))

    def fail_check(self, admin_id: str, problem: str) -> None:
        self._require_open()
        if self.status != "awaiting_check":
            raise OrderStateError(f"order {self.id} is {self.status}; only an order"
                                  " awaiting its check can be sent back")
        self.record(OrderCheckFailed(order_id=self.id, admin_id=admin_id, problem=problem))

    def book(
        self, *, courier: str, service: str, shipping_cost: Money, pickup_date: date,
        resi: str,
    ) -> None:
        """Hand the parcel to a courier: Shipped, collecting the total when COD."""
        self.ensure_bookable()
        if shipping_cost.is_negative():
            raise RuleBrokenError("shipping cost must not be negative", field="shipping_cost")
        assert self.total is not None
        if shipping_cost.currency != self.total.currency:
            raise RuleBrokenError("shipping cost must be in the order's currency",
                                  field="shipping_cost")
        self.record(Shipped(
            order_id=self.id, courier=courier, service=service, resi=resi,
            shipping_cost=shipping_cost, pickup_date=pickup_date,
            cod_amount=self.total if self.payment_method == "cod" else None,
        ))

    def ensure_bookable(self) -> None:
        self._require_open()
        if self.status != "confirmed":
            raise OrderStateError(f"order {self.id} is {self.status}; only a confirmed"
                                  " order can be booked")

    def track(
        self, *, update_id: str, status: TrackingState, courier_status: str,
        occurred_at: datetime, return_shipping_cost: Money | None, reason: str | None,
    ) -> bool:
        """Apply a courier update; False when it was already seen (nothing recorded)."""
        if self.status not in _SHIPPED:
            raise OrderStateError(f"order {self.id} is {self.status}; it has no shipment",
                                  field="resi")
        if update_id in self.update_ids:
            return False
        if return_shipping_cost is not None and return_shipping_cost.is_negative():
            raise RuleBrokenError("return shipping cost must not be negative",
                                  field="return_shipping_cost")
        applied = RANK[status] > RANK[self.tracking]
        assert self.resi is not None
        self.record(TrackingUpdated(
            order_id=self.id, resi=self.resi, update_id=update_id, status=status,
            courier_status=courier_status, occurred_at=occurred_at, applied=applied,
        ))
        if applied and status == "delivered":
            self.record(Delivered(order_id=self.id, resi=self.resi, delivered_at=occurred_at))
        if applied and status == "returned_to_sender":
            assert self.shipping_cost is not None
            self.record(ReturnedToSender(
                order_id=self.id, resi=self.resi,
                return_shipping_cost=return_shipping_cost or self.shipping_cost,
                reason=reason or courier_status, returned_at=occurred_at,
            ))
        return True

    def _require_open(self) -> None:
        if not self.received:
            raise OrderNotFoundError(self.id)
        if self.cancelled:
            raise OrderStateError(f"order {self.id} was cancelled by sales; it is never"
                                  " booked", field="order_id")

    # -- state ---------------------------------------------------------------------
    def apply(self, event: EventPayload) -> None:
        handler = _APPLY.get(type(event))
        if handler is None:
            raise NotImplementedError(f"FulfillmentOrder cannot apply {event.event_type}")
        handler(self, event)


_SHIPPED = ("shipped", "delivered", "returned")


def _received(o: FulfillmentOrder, e: Any) -> None:
    o.received, o.total, o.payment_method = True, e.total, e.payment_method
    if not o.cancelled:
        o.status = "awaiting_check"


def _withdrawn(o: FulfillmentOrder, e: Any) -> None:
    o.cancelled = True
    if not e.after_shipping:
        o.status = "cancelled"


def _confirmed(o: FulfillmentOrder, e: Any) -> None:
    o.status = "confirmed"


def _check_failed(o: FulfillmentOrder, e: Any) -> None:
    o.status = "check_failed"


def _shipped(o: FulfillmentOrder, e: Any) -> None:
    o.status, o.tracking = "shipped", "booked"
    o.resi, o.shipping_cost, o.cod_amount = e.resi, e.shipping_cost, e.cod_amount


def _tracked(o: FulfillmentOrder, e: Any) -> None:
    o.update_ids.add(e.update_id)
    if e.applied:
        o.tracking = e.status


def _delivered(o: FulfillmentOrder, e: Any) -> None:
    o.status = "delivered"


def _returned(o: FulfillmentOrder, e: Any) -> None:
    o.status = "returned"


_APPLY = {
    OrderReceived: _received,
    OrderWithdrawn: _withdrawn,
    OrderConfirmed: _confirmed,
    OrderCheckFailed: _check_failed,
    Shipped: _shipped,
    TrackingUpdated: _tracked,
    Delivered: _delivered,
    ReturnedToSender: _returned,
}
