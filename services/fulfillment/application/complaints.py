"""Handlers for complaints: open, assign, resolve."""

from __future__ import annotations

import logging

from sqlalchemy import select

from contracts.envelope import Actor
from contracts.fulfillment import ComplaintCategory, ComplaintOutcome
from contracts.money import Money
from eventkit.auth import Caller
from eventkit.errors import NotFoundError

from services.fulfillment.adapters.persistence.read_model import apply_events
from services.fulfillment.adapters.persistence.tables import orders
from services.fulfillment.application.deps import Deps
from services.fulfillment.domain import OrderNotFoundError
from services.fulfillment.domain.complaint import Complaint

logger = logging.getLogger(__name__)


def _actor(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, division="fulfillment")


async def open_complaint(
    deps: Deps, complaint_id: str, *, order_id: str, category: ComplaintCategory,
    caller: Caller,
) -> None:
    async with deps.db.begin() as conn:
        row = (await conn.execute(select(orders.c.customer_id, orders.c.total)
                                  .where(orders.c.order_id == order_id))).first()
        if row is None or row.total is None:
            raise OrderNotFoundError(order_id)
        complaint = await deps.complaints.get(conn, complaint_id) or Complaint(complaint_id)
        complaint.open(order_id=order_id, customer_id=row.customer_id, category=category,
                       opened_by=caller.user_id)
        await apply_events(conn, await deps.complaints.save(conn, complaint,
                                                            actor=_actor(caller)))
    logger.info("complaint opened", extra={"complaint_id": complaint_id, "order_id": order_id})


async def _load(conn, deps: Deps, complaint_id: str) -> Complaint:  # type: ignore[no-untyped-def]
    complaint = await deps.complaints.get(conn, complaint_id)
    if complaint is None:
        raise NotFoundError(f"no complaint {complaint_id}", field="complaint_id")
    return complaint


async def assign_complaint(
    deps: Deps, complaint_id: str, *, assignee_id: str, caller: Caller
) -> None:
    async with deps.db.begin() as conn:
        complaint = await _load(conn, deps, complaint_id)
        complaint.assign(assignee_id=assignee_id, assigned_by=caller.user_id)
        await apply_events(conn, await deps.complaints.save(conn, complaint,
                                                            actor=_actor(caller)))
    logger.info("complaint assigned", extra={"complaint_id": complaint_id})


async def resolve_complaint(
    deps: Deps, complaint_id: str, *, outcome: ComplaintOutcome, refund: Money | None,
    caller: Caller,
) -> None:
    async with deps.db.begin() as conn:
        complaint = await _load(conn, deps, complaint_id)
        row = (await conn.execute(select(orders.c.total, orders.c.currency)
                                  .where(orders.c.order_id == complaint.order_id))).first()
        assert row is not None and row.total is not None  # opened only for known orders
        complaint.resolve(outcome=outcome, refund=refund, resolved_by=caller.user_id,
                          order_total=Money(amount=row.total, currency=row.currency))
        await apply_events(conn, await deps.complaints.save(conn, complaint,
                                                            actor=_actor(caller)))
    logger.info("complaint resolved", extra={"complaint_id": complaint_id, "outcome": outcome})
