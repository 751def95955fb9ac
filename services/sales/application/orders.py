"""Order handlers: close a lead into an order (idempotently) and cancel before shipment."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.money import Money
from contracts.personal import seal
from contracts.sales import Attribution, OrderPlaced, PaymentMethod
from services.sales.application.ports import Deps
from services.sales.domain import (
    IdempotencyKeyReusedError,
    LeadNotFoundError,
    OrderNotFoundError,
    UnpricedProductError,
)
from services.sales.domain.order import Order, PricedItem
from services.sales.domain.phone import normalise_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class PlaceOrder:
    idempotency_key: str
    name: str
    phone: str
    province: str
    city: str
    district: str
    postal_code: str
    street: str
    items: list[Item]
    shipping_fee: Money
    payment_method: PaymentMethod
    lead_id: str | None = None
    notes: str = ""
    # What the client sent; its hash tells a retry from a different order under one key.
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlacedOrder:
    order_id: str
    created: bool


def _fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def _replayed(
    conn: AsyncConnection, deps: Deps, key: str, fingerprint: str
) -> str | None:
    known = await deps.read_model.idempotent_order(conn, key)
    if known is None:
        return None
    if known[0] != fingerprint:
        raise IdempotencyKeyReusedError()
    return known[1]


async def place_order(cmd: PlaceOrder, deps: Deps, actor: Actor) -> PlacedOrder:
    """Price the items at today's PriceSet, check the address, record the order once."""
    fingerprint = _fingerprint(cmd.body)
    try:
        return await _place(cmd, deps, actor, fingerprint)
    except IntegrityError:
        # A concurrent submit with the same key won the race: answer with its order.
        async with deps.db.read() as conn:
            existing = await _replayed(conn, deps, cmd.idempotency_key, fingerprint)
        if existing is None:
            # A walk-in customer's new phone was inserted by a concurrent order: once
            # more, now finding that customer.
            return await _place(cmd, deps, actor, fingerprint)
        return PlacedOrder(order_id=existing, created=False)


async def _place(cmd: PlaceOrder, deps: Deps, actor: Actor, fingerprint: str) -> PlacedOrder:
    phone = normalise_phone(cmd.phone)
    destination = deps.regions.check(province=cmd.province, city=cmd.city,
                                     district=cmd.district, postal_code=cmd.postal_code)
    now = deps.clock()
    async with deps.db.begin() as conn:
        existing = await _replayed(conn, deps, cmd.idempotency_key, fingerprint)
        if existing is not None:
            logger.info("order submit replayed", extra={"order_id": existing})
            return PlacedOrder(order_id=existing, created=False)

        priced = []
        for index, item in enumerate(cmd.items):
            price = await deps.read_model.price(conn, item.product_id)
            if price is None:
                raise UnpricedProductError(f"no price set for product {item.product_id}",
                                           field=f"items.{index}.product_id")
            priced.append(PricedItem(item.product_id, item.quantity, price))

        lead = None
        attribution = Attribution()
        if cmd.lead_id is not None:
            lead = await deps.leads.get(conn, cmd.lead_id)
            if lead is None:
                raise LeadNotFoundError(cmd.lead_id)
            customer_id, attribution = lead.customer_id, lead.attribution
        else:
            customer_id, _ = await deps.read_model.customer_for_phone(conn, phone, name=cmd.name,
                                                                now=now)
        key = await deps.keyring.issue(conn, customer_id)

        order_id = "ord_" + uuid.uuid4().hex
        order = Order.place(
            order_id, customer_id=customer_id, lead_id=cmd.lead_id,
            agent_id=lead.agent_id if lead else None, attribution=attribution, items=priced,
            shipping_fee=cmd.shipping_fee, payment_method=cmd.payment_method,
            destination=destination,
            recipient_sealed=seal(key, {"name": cmd.name, "phone": phone,
                                        "street": cmd.street, "notes": cmd.notes}),
        )
        placed = cast(OrderPlaced, order.pending[0])
        if lead is not None:
            lead.convert(order_id)
            await deps.leads.save(conn, lead, actor=actor)
            await deps.read_model.update_lead(conn, lead.id, status="won", order_id=order_id,
                                              next_follow_up_at=None)
        await deps.orders.save(conn, order, actor=actor)

        await deps.read_model.add_order(
            conn,
            order=dict(
                order_id=order_id, lead_id=cmd.lead_id, customer_id=customer_id,
                agent_id=placed.agent_id, campaign_id=attribution.campaign_id,
                ad_id=attribution.ad_id, payment_method=cmd.payment_method,
                subtotal_idr=placed.subtotal.amount,
                shipping_fee_idr=placed.shipping_fee.amount, total_idr=placed.total.amount,
                status="placed", placed_at=now, province=destination.province,
                city=destination.city, district=destination.district,
                postal_code=destination.postal_code, recipient_name=cmd.name,
                recipient_phone=phone, street=cmd.street, notes=cmd.notes,
            ),
            items=[{"product_id": line.product_id, "quantity": line.quantity,
                    "unit_price_idr": line.unit_price.amount,
                    "line_total_idr": line.line_total.amount} for line in placed.items],
            idempotency_key=cmd.idempotency_key, request_hash=fingerprint,
        )

    logger.info("order placed", extra={"order_id": order_id, "customer_id": customer_id,
                                       "lead_id": cmd.lead_id, "total_idr": placed.total.amount})
    return PlacedOrder(order_id=order_id, created=True)


async def cancel_order(order_id: str, reason: str, deps: Deps, actor: Actor) -> Order:
    """Cancel an order fulfillment has not shipped yet."""
    async with deps.db.begin() as conn:
        order = await deps.orders.get(conn, order_id)
        if order is None:
            raise OrderNotFoundError(order_id)
        shipped = await deps.read_model.is_shipped(conn, order_id)
        order.cancel(reason=reason, cancelled_by=actor.user_id, shipped=shipped)
        await deps.orders.save(conn, order, actor=actor)
        await deps.read_model.mark_cancelled(conn, order_id, deps.clock())
    logger.info("order cancelled", extra={"order_id": order_id})
    return order
