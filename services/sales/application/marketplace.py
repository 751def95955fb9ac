"""Record a historical marketplace order (Olist): lead and order once per external id.

A marketplace order reaches the shop already closed: the marketplace found the buyer,
set the prices and took the order. So it is recorded as a lead of channel
``marketplace`` that is converted at once into the order, both dated by the
marketplace's ``placed_at``.

Its unit prices are the marketplace's own and need no PriceSet: finance prices what the
shop sells through its ads, while on a marketplace the seller's listing price (as the
marketplace reports it on the order) is what the buyer paid. Its amounts stay in the
marketplace's currency (reais in centavos for Olist), never converted.

No phone or name comes with it: the buyer is one pseudonymous customer id per
(marketplace, external customer id), with a data key issued so the sealed fields hold
the only personal reference we have, the marketplace's customer id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy.exc import IntegrityError

from contracts.envelope import Actor
from contracts.money import Money
from contracts.personal import seal
from contracts.sales import Attribution, Destination, OrderPlaced, PaymentMethod
from services.sales.application.ports import Deps
from services.sales.domain import ConflictError, RuleBrokenError, UnknownAddressError
from services.sales.domain.lead import Lead
from services.sales.domain.order import Order, PricedItem

logger = logging.getLogger(__name__)


class MarketplaceOrderReusedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("this external_order_id was recorded with a different body",
                         field="external_order_id")


@dataclass(frozen=True)
class MarketplaceDestination:
    country: str
    region: str
    city: str
    postal_code: str
    district: str | None = None


@dataclass(frozen=True)
class RecordMarketplaceOrder:
    marketplace: str
    external_order_id: str
    external_customer_id: str
    placed_at: datetime
    items: list[PricedItem]
    shipping_fee: Money
    payment_method: PaymentMethod
    destination: MarketplaceDestination
    # What the client sent; its hash tells a re-import from a different order.
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedMarketplaceOrder:
    order_id: str
    lead_id: str
    customer_id: str
    created: bool


def _fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _destination(deps: Deps, d: MarketplaceDestination) -> Destination:
    """Indonesian addresses go through the region table; others are taken as given."""
    if d.country == "ID":
        if not d.district:
            raise RuleBrokenError("an Indonesian destination needs its kecamatan",
                                  field="destination.district")
        try:
            checked = deps.regions.check(province=d.region, city=d.city,
                                         district=d.district, postal_code=d.postal_code)
        except UnknownAddressError as exc:
            part = (exc.field or "address.region").split(".")[-1]
            raise UnknownAddressError(
                str(exc), field="destination." + ("region" if part == "province" else part)
            ) from None
        return checked
    # LIMIT: foreign regions and cities are not checked against any table; they are
    # kept as the marketplace wrote them.
    return Destination(country=d.country, province_code=d.region, province=d.region,
                       city=d.city, district=d.district or "", postal_code=d.postal_code)


async def record_marketplace_order(
    cmd: RecordMarketplaceOrder, deps: Deps, actor: Actor
) -> RecordedMarketplaceOrder:
    """Record the lead (converted) and the order once per (marketplace, order id)."""
    fingerprint = _fingerprint(cmd.body)
    try:
        return await _record(cmd, deps, actor, fingerprint)
    except IntegrityError:
        # A concurrent import of the same order (or of the same new customer) won the
        # race: once more, now finding what it recorded.
        return await _record(cmd, deps, actor, fingerprint)


async def _record(
    cmd: RecordMarketplaceOrder, deps: Deps, actor: Actor, fingerprint: str
) -> RecordedMarketplaceOrder:
    destination = _destination(deps, cmd.destination)
    now = deps.clock()
    async with deps.db.begin() as conn:
        known = await deps.read_model.marketplace_order(conn, cmd.marketplace,
                                                        cmd.external_order_id)
        if known is not None:
            if known["request_hash"] != fingerprint:
                raise MarketplaceOrderReusedError()
            logger.info("marketplace order re-imported", extra={"order_id": known["order_id"]})
            return RecordedMarketplaceOrder(order_id=known["order_id"],
                                            lead_id=known["lead_id"],
                                            customer_id=known["customer_id"], created=False)

        customer_id = await deps.read_model.customer_for_marketplace(
            conn, cmd.marketplace, cmd.external_customer_id, now=now)
        key = await deps.keyring.issue(conn, customer_id)
        reference = {"marketplace": cmd.marketplace,
                     "external_customer_id": cmd.external_customer_id}

        lead_id = "lead_" + uuid.uuid4().hex
        order_id = "ord_" + uuid.uuid4().hex
        product_id = cmd.items[0].product_id if cmd.items else None
        order = Order.place(
            order_id, customer_id=customer_id, lead_id=lead_id, agent_id=None,
            attribution=Attribution(), items=cmd.items, shipping_fee=cmd.shipping_fee,
            payment_method=cmd.payment_method, destination=destination,
            recipient_sealed=seal(key, reference), placed_at=cmd.placed_at,
            marketplace=cmd.marketplace, external_order_id=cmd.external_order_id,
        )
        placed = cast(OrderPlaced, order.pending[0])
        lead = Lead.capture(
            lead_id, customer_id=customer_id, channel="marketplace",
            attribution=Attribution(), product_id=product_id, linked_to_lead_id=None,
            contact_sealed=seal(key, reference), placed_at=cmd.placed_at,
        )
        lead.convert(order_id)
        await deps.leads.save(conn, lead, actor=actor)
        await deps.orders.save(conn, order, actor=actor)

        await deps.read_model.add_lead(
            conn, lead_id=lead_id, customer_id=customer_id, channel="marketplace",
            product_id=product_id, status="won", captured_at=cmd.placed_at, attempts=0,
            order_id=order_id, next_follow_up_at=None,
        )
        await deps.read_model.add_order(
            conn,
            order=dict(
                order_id=order_id, lead_id=lead_id, customer_id=customer_id,
                payment_method=cmd.payment_method,
                # LIMIT: the *_idr columns hold minor units of the order's currency
                # (sales_marketplace_orders.currency); renaming them needs a migration.
                subtotal_idr=placed.subtotal.amount,
                shipping_fee_idr=placed.shipping_fee.amount, total_idr=placed.total.amount,
                status="placed", placed_at=cmd.placed_at, province=destination.province,
                city=destination.city, district=destination.district,
                # The column holds 5 characters (kode pos); the full code is kept in
                # sales_marketplace_orders.postal_code.
                postal_code=destination.postal_code[:5],
            ),
            items=[{"product_id": line.product_id, "quantity": line.quantity,
                    "unit_price_idr": line.unit_price.amount,
                    "line_total_idr": line.line_total.amount} for line in placed.items],
            idempotency_key=None, request_hash=fingerprint,
        )
        await deps.read_model.add_marketplace_order(
            conn, marketplace=cmd.marketplace, external_order_id=cmd.external_order_id,
            request_hash=fingerprint, order_id=order_id, lead_id=lead_id,
            customer_id=customer_id, currency=placed.total.currency,
            country=destination.country, postal_code=destination.postal_code,
        )

    logger.info("marketplace order recorded", extra={
        "order_id": order_id, "lead_id": lead_id, "customer_id": customer_id,
        "marketplace": cmd.marketplace, "total_minor": placed.total.amount,
        "currency": placed.total.currency})
    return RecordedMarketplaceOrder(order_id=order_id, lead_id=lead_id,
                                    customer_id=customer_id, created=True)
