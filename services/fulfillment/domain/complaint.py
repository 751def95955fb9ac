"""Complaints about a delivered (or late) order: opened, assigned, resolved."""

from __future__ import annotations

from contracts.envelope import EventPayload
from contracts.fulfillment import (
    ComplaintAssigned,
    ComplaintCategory,
    ComplaintOpened,
    ComplaintOutcome,
    ComplaintResolved,
)
from contracts.money import Money
from eventkit.aggregate import Aggregate
from eventkit.errors import ConflictError, RuleBrokenError

from services.fulfillment.domain import OrderStateError


class Complaint(Aggregate):
    """A buyer's complaint about one order."""

    aggregate_type = "complaint"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.order_id = ""
        self.status = "new"
        self.assignee_id: str | None = None

    def open(
        self, *, order_id: str, customer_id: str | None, category: ComplaintCategory,
        opened_by: str,
    ) -> None:
        if self.status != "new":
            raise ConflictError(f"complaint {self.id} already exists", field="complaint_id")
        self.record(ComplaintOpened(
            complaint_id=self.id, order_id=order_id, customer_id=customer_id,
            category=category, opened_by=opened_by))

    def assign(self, *, assignee_id: str, assigned_by: str) -> None:
        if self.status == "resolved":
            raise OrderStateError(f"complaint {self.id} is resolved", field="complaint_id")
        self.record(ComplaintAssigned(
            complaint_id=self.id, order_id=self.order_id, assignee_id=assignee_id,
            assigned_by=assigned_by))

    def resolve(
        self, *, outcome: ComplaintOutcome, refund: Money | None, order_total: Money,
        resolved_by: str,
    ) -> None:
        if self.status == "resolved":
            raise ConflictError(f"complaint {self.id} is already resolved",
                                field="complaint_id")
        if outcome == "refund":
            if refund is None or refund.amount <= 0:
                raise RuleBrokenError("a refund needs a positive amount", field="refund")
            if refund.currency != order_total.currency or order_total < refund:
                raise RuleBrokenError(
                    f"refund may not exceed the order total {order_total.amount}",
                    field="refund")
        elif refund is not None:
            raise RuleBrokenError(f"outcome {outcome} takes no refund amount",
                                  field="refund")
        self.record(ComplaintResolved(
            complaint_id=self.id, order_id=self.order_id, outcome=outcome, refund=refund,
            resolved_by=resolved_by))

    def apply(self, event: EventPayload) -> None:
        if isinstance(event, ComplaintOpened):
            self.order_id, self.status = event.order_id, "open"
        elif isinstance(event, ComplaintAssigned):
            self.assignee_id, self.status = event.assignee_id, "assigned"
        elif isinstance(event, ComplaintResolved):
            self.status = "resolved"
        else:
            raise NotImplementedError(f"Complaint cannot apply {event.event_type}")
