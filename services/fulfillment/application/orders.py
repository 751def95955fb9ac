"""Handlers for the order's life in fulfillment: received, checked, booked, tracked."""

from __future__ import annotations

import json
import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor, Envelope
from contracts.fulfillment import OrderReceived
from contracts.money import Money
from contracts.sales import OrderCancelled, OrderPlaced
from eventkit.auth import Caller
from eventkit.errors import NotFoundError, RuleBrokenError

from services.fulfillment.adapters.persistence.read_model import apply_events, upsert_order
from services.fulfillment.adapters.persistence.tables import couriers, orders
from services.fulfillment.application.deps import Deps
from services.fulfillment.application.ports import CourierUpdate
from services.fulfillment.domain import OrderNotFoundError, ResiTakenError, UnknownCourierError
from services.fulfillment.domain.order import FulfillmentOrder

logger = logging.getLogger(__name__)

WORKER = Actor(user_id="fulfillment-worker", division="system")


def _actor(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, division="fulfillment")


async def receive_order_when_placed(
    conn: AsyncConnection, deps: Deps, envelope: Envelope, placed: OrderPlaced
) -> None:
    """Open the order for an admin's check; keep the sealed recipient for packing."""
    order = await deps.orders.get(conn, placed.order_id) or FulfillmentOrder(placed.order_id)
    order.receive(OrderReceived(
        order_id=placed.order_id, customer_id=placed.customer_id, total=placed.total,
        payment_method=placed.payment_method,
        province_code=placed.destination.province_code,
        province=placed.destination.province,
        product_ids=[line.product_id for line in placed.items],
    ))
    stored = await deps.orders.save(conn, order, actor=WORKER,
                                    correlation_id=envelope.correlation_id,
                                    causation_id=envelope.event_id)
    await apply_events(conn, stored)
    d = placed.destination
    await upsert_order(conn, placed.order_id, deps.clock(), city=d.city, district=d.district,
                       postal_code=d.postal_code, recipient_sealed=placed.recipient_sealed)
    logger.info("order received for check", extra={"order_id": placed.order_id})


async def withdraw_order_when_cancelled(
    conn: AsyncConnection, deps: Deps, envelope: Envelope, cancelled: OrderCancelled
) -> None:
    """Mark the order cancelled, even when OrderPlaced has not arrived yet."""
    order = await deps.orders.get(conn, cancelled.order_id) or FulfillmentOrder(
        cancelled.order_id)
    order.withdraw(cancelled.reason)
    stored = await deps.orders.save(conn, order, actor=WORKER,
                                    correlation_id=envelope.correlation_id,
                                    causation_id=envelope.event_id)
    await apply_events(conn, stored)
    if any(e.payload.get("after_shipping") for e in stored):
        logger.warning("order cancelled after shipping", extra={"order_id": cancelled.order_id})
    else:
        logger.info("order withdrawn", extra={"order_id": cancelled.order_id})


async def _load(conn: AsyncConnection, deps: Deps, order_id: str) -> FulfillmentOrder:
    order = await deps.orders.get(conn, order_id)
    if order is None or not order.received:
        raise OrderNotFoundError(order_id)
    return order


async def confirm_order(deps: Deps, order_id: str, caller: Caller) -> None:
    async with deps.db.begin() as conn:
        order = await _load(conn, deps, order_id)
        order.confirm(caller.user_id)
        await apply_events(conn, await deps.orders.save(conn, order, actor=_actor(caller)))
    logger.info("order confirmed", extra={"order_id": order_id})


async def fail_order_check(deps: Deps, order_id: str, problem: str, caller: Caller) -> None:
    async with deps.db.begin() as conn:
        order = await _load(conn, deps, order_id)
        order.fail_check(caller.user_id, problem)
        await apply_events(conn, await deps.orders.save(conn, order, actor=_actor(caller)))
    logger.info("order sent back to sales", extra={"order_id": order_id})


async def book_courier(
    deps: Deps, order_id: str, *, courier: str, service: str, shipping_cost: Money,
    pickup_date: date, resi: str, caller: Caller,
) -> None:
    """Book the pickup: Shipped (a resi belongs to one order only)."""
    try:
        async with deps.db.begin() as conn:
            order = await _load(conn, deps, order_id)
            order.ensure_bookable()  # an unknown or cancelled order fails before the resi
            row = (await conn.execute(
                select(couriers.c.services).where(couriers.c.code == courier))).first()
            if row is None:
                raise UnknownCourierError(f"unknown courier {courier}", field="courier")
            if service not in json.loads(row.services):
                raise UnknownCourierError(f"{courier} has no service {service}",
                                          field="service")
            other = await conn.scalar(select(orders.c.order_id).where(orders.c.resi == resi))
            if other is not None and other != order_id:
                raise ResiTakenError(resi, other)
            order.book(courier=courier, service=service, shipping_cost=shipping_cost,
                       pickup_date=pickup_date, resi=resi)
            await apply_events(conn, await deps.orders.save(conn, order, actor=_actor(caller)))
    except IntegrityError:
        # Another admin booked the same resi between our check and our write.
        raise ResiTakenError(resi, "another order") from None
    logger.info("courier booked", extra={"order_id": order_id, "courier": courier})


async def apply_courier_updates(
    deps: Deps, updates: list[CourierUpdate], caller: Caller
) -> list[bool]:
    """Apply tracking updates in one transaction (all or none); per update, False when
    its update_id was already applied (a courier resend changes nothing)."""
    results: list[bool] = []
    async with deps.db.begin() as conn:
        for i, update in enumerate(updates):
            field = f"[{i}].resi" if len(updates) > 1 else "resi"
            order_id = await conn.scalar(
                select(orders.c.order_id).where(orders.c.resi == update.resi))
            if order_id is None:
                raise NotFoundError(f"no shipment with resi {update.resi}", field=field)
            order = await _load(conn, deps, order_id)
            return_cost = update.return_shipping_cost
            if return_cost is not None and order.total is not None:
                # The webhook's bare amount counts the order's own minor unit.
                return_cost = Money(amount=return_cost.amount, currency=order.total.currency)
            changed = order.track(
                update_id=update.update_id, status=update.status,
                courier_status=update.courier_status, occurred_at=update.occurred_at,
                return_shipping_cost=return_cost, reason=update.reason)
            if changed:
                await apply_events(conn, await deps.orders.save(conn, order,
                                                                actor=_actor(caller)))
            else:
                logger.warning("duplicate courier update skipped",
                               extra={"order_id": order_id, "update_id": update.update_id})
            results.append(changed)
    return results


def require_non_negative(money: Money, field: str) -> None:
    if money.is_negative():
        raise RuleBrokenError(f"{field} must not be negative", field=field)
