"""Fulfillment's consumer of sales' events: OrderPlaced and OrderCancelled."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from contracts.sales import OrderCancelled, OrderPlaced
from eventkit.consumer import HandlerContext, Projection

from services.fulfillment.adapters.persistence.tables import orders
from services.fulfillment.application.deps import Deps
from services.fulfillment.application.orders import (
    receive_order_when_placed,
    withdraw_order_when_cancelled,
)


def sales_projection(deps: Deps, *, name: str, sales_topic: str) -> Projection:
    """Opens orders for the check and withdraws cancelled ones, in the batch transaction.

    The two events of one order share sales' partition, but a redelivery or a replay can
    still bring OrderCancelled first; both orders of arrival end in a cancelled order
    that is never booked, so nothing is parked.
    """
    projection = Projection(name=name, topics=[sales_topic], handlers={})

    @projection.on("OrderPlaced")
    async def on_placed(ctx: HandlerContext, envelope: Envelope, payload: OrderPlaced) -> None:
        await receive_order_when_placed(ctx.conn, deps, envelope, payload)

    @projection.on("OrderCancelled")
    async def on_cancelled(
        ctx: HandlerContext, envelope: Envelope, payload: OrderCancelled
    ) -> None:
        await withdraw_order_when_cancelled(ctx.conn, deps, envelope, payload)

    return projection


async def forget_recipient_when_erased(conn: AsyncConnection, customer_id: str) -> None:
    """Erasure: drop our copy of the sealed recipient too (the key is gone already)."""
    await conn.execute(update(orders).where(orders.c.customer_id == customer_id)
                       .values(recipient_sealed=None))
