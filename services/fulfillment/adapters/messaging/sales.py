"""Fulfillment's consumer of sales' events: OrderPlaced and OrderCancelled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from contracts.sales import OrderCancelled, OrderPlaced
from eventkit.consumer import HandlerContext, Projection
from eventkit.errors import ConcurrencyError

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
        await _retrying(lambda: receive_order_when_placed(ctx.conn, deps, envelope, payload))

    @projection.on("OrderCancelled")
    async def on_cancelled(
        ctx: HandlerContext, envelope: Envelope, payload: OrderCancelled
    ) -> None:
        await _retrying(
            lambda: withdraw_order_when_cancelled(ctx.conn, deps, envelope, payload))

    return projection


async def _retrying(step: Callable[[], Awaitable[None]], attempts: int = 3) -> None:
    """Run ``step`` again when an admin's command wrote to the same order first.

    A ConcurrencyError is a broken rule to the consumer, which would dead-letter the
    sales event; here it only means "reload and apply again". The store's savepoint
    leaves the batch transaction usable, and the reload sees the admin's committed event.
    """
    for attempt in range(attempts):
        try:
            await step()
            return
        except ConcurrencyError:
            if attempt == attempts - 1:
                raise


async def forget_recipient_when_erased(conn: AsyncConnection, customer_id: str) -> None:
    """Erasure: drop our copy of the sealed recipient too (the key is gone already)."""
    await conn.execute(update(orders).where(orders.c.customer_id == customer_id)
                       .values(recipient_sealed=None))
