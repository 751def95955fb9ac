"""An order closed by a CS agent (or imported from a marketplace): items, ongkir, payment.

Amounts are ``Money``; every amount of one order is in one currency: whole rupiah for
the shop's own orders, the marketplace's currency (reais in centavos for Olist) for a
marketplace order, never converted. The order is cancellable until fulfillment ships
it; whether it shipped is told by the caller (sales learns it from ``Shipped`` events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.envelope import EventPayload
from contracts.money import Money
from contracts.sales import (
    Attribution,
    Destination,
    OrderCancelled,
    OrderLine,
    OrderPlaced,
    PaymentMethod,
)
from eventkit.aggregate import Aggregate
from services.sales.domain import (
    OrderAlreadyCancelledError,
    OrderAlreadyShippedError,
    RuleBrokenError,
)


@dataclass(frozen=True)
class PricedItem:
    product_id: str
    quantity: int
    unit_price: Money


class Order(Aggregate):
    aggregate_type = "order"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = "placed"
        self.customer_id = ""
        self.total = Money.zero("IDR")

    @classmethod
    def place(
        cls,
        order_id: str,
        *,
        customer_id: str,
        lead_id: str | None,
        agent_id: str | None,
        attribution: Attribution,
        items: list[PricedItem],
        shipping_fee: Money,
        payment_method: PaymentMethod,
        destination: Destination,
        recipient_sealed: str,
        placed_at: datetime | None = None,
        marketplace: str | None = None,
        external_order_id: str | None = None,
    ) -> Order:
        """Price the lines, add ongkir and record the order, all in one currency."""
        if not items:
            raise RuleBrokenError("an order needs at least one item", field="items")
        currency = shipping_fee.currency
        if shipping_fee.is_negative():
            raise RuleBrokenError("shipping fee must not be negative", field="shipping_fee")
        for index, item in enumerate(items):
            if item.unit_price.currency != currency:
                raise RuleBrokenError(
                    f"unit price is in {item.unit_price.currency}, the shipping fee in "
                    f"{currency}: one order is in one currency",
                    field=f"items.{index}.unit_price")
            if item.unit_price.is_negative():
                raise RuleBrokenError("unit price must not be negative",
                                      field=f"items.{index}.unit_price")
        lines = [
            OrderLine(product_id=i.product_id, quantity=i.quantity, unit_price=i.unit_price,
                      line_total=i.unit_price.times(i.quantity))
            for i in items
        ]
        subtotal = Money.zero(currency)
        for line in lines:
            subtotal = subtotal + line.line_total
        order = cls(order_id)
        order.record(OrderPlaced(
            order_id=order_id, lead_id=lead_id, customer_id=customer_id, agent_id=agent_id,
            attribution=attribution, items=lines, subtotal=subtotal,
            shipping_fee=shipping_fee, total=subtotal + shipping_fee,
            payment_method=payment_method, destination=destination,
            recipient_sealed=recipient_sealed, placed_at=placed_at,
            marketplace=marketplace, external_order_id=external_order_id,
        ))
        return order

    def cancel(self, *, reason: str, cancelled_by: str, shipped: bool) -> None:
        """Cancel before shipment; a shipped parcel goes the return route instead."""
        if self.status == "cancelled":
            raise OrderAlreadyCancelledError(self.id)
        if shipped:
            raise OrderAlreadyShippedError(self.id)
        self.record(OrderCancelled(order_id=self.id, reason=reason, cancelled_by=cancelled_by))

    def apply(self, event: EventPayload) -> None:
        match event:
            case OrderPlaced():
                self.customer_id = event.customer_id
                self.total = event.total
            case OrderCancelled():
                self.status = "cancelled"
            case _:
                raise NotImplementedError(f"Order cannot apply {event.event_type}")
