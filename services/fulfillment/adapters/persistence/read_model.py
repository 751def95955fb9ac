"""Keeps the read models in step with fulfillment's own events, in the same transaction.

``apply_events`` is called with the envelopes a command or the sales projection just
stored, so a query never lags behind a command's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.catalogue import read_payload
from contracts.envelope import Envelope
from contracts.fulfillment import (
    CodRemitted,
    ComplaintAssigned,
    ComplaintOpened,
    ComplaintResolved,
    Delivered,
    OrderCheckFailed,
    OrderConfirmed,
    OrderReceived,
    OrderWithdrawn,
    RemittanceLinesFlagged,
    ReturnedToSender,
    Shipped,
    TrackingUpdated,
)

from services.fulfillment.adapters.persistence.tables import (
    complaints,
    orders,
    remittance_issues,
    tracking_history,
)


async def upsert_order(conn: AsyncConnection, order_id: str, now: datetime,
                       **values: Any) -> None:
    exists = await conn.scalar(select(orders.c.order_id).where(orders.c.order_id == order_id))
    if exists is None:
        values.setdefault("status", "new")
        values.setdefault("cancelled", False)
        await conn.execute(insert(orders).values(order_id=order_id, updated_at=now, **values))
    else:
        await conn.execute(
            update(orders).where(orders.c.order_id == order_id).values(updated_at=now, **values)
        )


async def apply_events(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
    for envelope in envelopes:
        await _apply(conn, envelope, read_payload(envelope))


async def _apply(conn: AsyncConnection, env: Envelope, e: Any) -> None:
    now = env.occurred_at
    if isinstance(e, OrderReceived):
        current = await conn.scalar(select(orders.c.status).where(orders.c.order_id == e.order_id))
        await upsert_order(
            conn, e.order_id, now, customer_id=e.customer_id,
            payment_method=e.payment_method, currency=e.total.currency,
            total=e.total.amount, province_code=e.province_code, province=e.province,
            product_ids=",".join(e.product_ids),
            **({} if current == "cancelled" else {"status": "awaiting_check"}),
        )
    elif isinstance(e, OrderWithdrawn):
        values: dict[str, Any] = {"cancelled": True}
        if not e.after_shipping:
            values["status"] = "cancelled"
        await upsert_order(conn, e.order_id, now, **values)
    elif isinstance(e, OrderConfirmed):
        await upsert_order(conn, e.order_id, now, status="confirmed", problem=None)
    elif isinstance(e, OrderCheckFailed):
        await upsert_order(conn, e.order_id, now, status="check_failed", problem=e.problem)
    elif isinstance(e, Shipped):
        await upsert_order(
            conn, e.order_id, now, status="shipped", courier=e.courier, service=e.service,
            resi=e.resi, shipping_cost=e.shipping_cost.amount, pickup_date=e.pickup_date,
            cod_amount=e.cod_amount.amount if e.cod_amount else None, tracking="booked",
            booked_at=now,
        )
    elif isinstance(e, TrackingUpdated):
        await conn.execute(insert(tracking_history).values(
            order_id=e.order_id, resi=e.resi, update_id=e.update_id, status=e.status,
            courier_status=e.courier_status, occurred_at=e.occurred_at, applied=e.applied))
        if e.applied:
            await upsert_order(conn, e.order_id, now, tracking=e.status)
    elif isinstance(e, Delivered):
        await upsert_order(conn, e.order_id, now, status="delivered",
                           delivered_at=e.delivered_at)
    elif isinstance(e, ReturnedToSender):
        await upsert_order(conn, e.order_id, now, status="returned",
                           returned_at=e.returned_at,
                           return_shipping_cost=e.return_shipping_cost.amount)
    elif isinstance(e, CodRemitted):
        for line in e.lines:
            await upsert_order(conn, line.order_id, now, remittance_id=e.remittance_id,
                               remitted_amount=line.amount.amount)
    elif isinstance(e, RemittanceLinesFlagged):
        await conn.execute(insert(remittance_issues), [
            {"remittance_id": e.remittance_id, "courier": e.courier,
             "order_id": line.order_id, "currency": line.amount.currency,
             "amount": line.amount.amount,
             "expected": line.expected.amount if line.expected else None,
             "reason": line.reason}
            for line in e.lines
        ])
    elif isinstance(e, ComplaintOpened):
        await conn.execute(insert(complaints).values(
            complaint_id=e.complaint_id, order_id=e.order_id, category=e.category,
            status="open", opened_at=now))
    elif isinstance(e, ComplaintAssigned):
        await conn.execute(update(complaints)
                           .where(complaints.c.complaint_id == e.complaint_id)
                           .values(status="assigned", assignee_id=e.assignee_id))
    elif isinstance(e, ComplaintResolved):
        await conn.execute(update(complaints)
                           .where(complaints.c.complaint_id == e.complaint_id)
                           .values(status="resolved", outcome=e.outcome,
                                   currency=e.refund.currency if e.refund else None,
                                   refund=e.refund.amount if e.refund else None))
    else:
        raise NotImplementedError(f"read model has no rule for {env.event_type}")
