"""The ledger's projection: every division's events through the posting table.

Per batch (one transaction) a cache holds the facts read or written so far, so an
order or a unit cost is read from the database at most once per batch. The cache is
updated only after an event's writes succeeded: an event whose savepoint rolls back
leaves no trace in it.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from contracts.money import Money
from eventkit.clock import Clock, utcnow
from eventkit.consumer import HandlerContext, Projection
from eventkit.store import EventStore
from services.ledger.adapters.persistence.journal import closed_periods, place, record_entry
from services.ledger.adapters.persistence.tables import orders, product_costs
from services.ledger.domain.facts import OrderFacts
from services.ledger.domain.posting import RULES, Source, post

logger = logging.getLogger(__name__)

PROJECTION_NAME = "ledger.books"


class BatchFacts:
    """Facts for one batch transaction: loaded lazily, remembered until it ends."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderFacts | None] = {}
        self.costs: dict[str, Money | None] = {}
        self.closed: set[str] | None = None

    def order(self, order_id: str) -> OrderFacts | None:
        return self.orders.get(order_id)

    def unit_cost(self, product_id: str) -> Money | None:
        return self.costs.get(product_id)

    async def load(self, conn: AsyncConnection, payload: Any) -> None:
        order_id = getattr(payload, "order_id", None)
        if isinstance(order_id, str) and order_id not in self.orders:
            row = (await conn.execute(
                select(orders.c.facts).where(orders.c.order_id == order_id))).first()
            self.orders[order_id] = (
                OrderFacts.model_validate_json(row.facts) if row else None)
        wanted = set()
        product_id = getattr(payload, "product_id", None)
        if isinstance(product_id, str):
            wanted.add(product_id)
        order = self.orders.get(order_id) if isinstance(order_id, str) else None
        if order is not None:
            wanted.update(item.product_id for item in order.items)
        missing = [p for p in wanted if p not in self.costs]
        if missing:
            found = {row.product_id: Money(amount=row.unit_cost, currency=row.currency)
                     for row in await conn.execute(
                         select(product_costs).where(product_costs.c.product_id.in_(missing)))}
            for product_id in missing:
                self.costs[product_id] = found.get(product_id)
        if self.closed is None:
            self.closed = await closed_periods(conn)


def build_projection(
    store: EventStore, topics: list[str], *, clock: Clock = utcnow,
    name: str = PROJECTION_NAME,
) -> Projection:
    """The ledger projection over ``topics`` (the producers' namespaced topics)."""
    projection = Projection(name=name, topics=topics, handlers={})
    caches: weakref.WeakKeyDictionary[AsyncConnection, BatchFacts] = (
        weakref.WeakKeyDictionary())

    async def apply_rule(ctx: HandlerContext, envelope: Envelope, payload: Any) -> None:
        facts = caches.get(ctx.conn)
        if facts is None:
            facts = caches[ctx.conn] = BatchFacts()
        await facts.load(ctx.conn, payload)
        source = Source(event_id=str(envelope.event_id), event_type=envelope.event_type,
                        occurred_at=envelope.occurred_at)

        outcome = post(envelope.event_type, payload, facts, source)

        for order in outcome.orders:
            body = order.model_dump_json()
            if facts.orders.get(order.order_id) is None:
                await ctx.conn.execute(insert(orders).values(order_id=order.order_id,
                                                             facts=body))
            else:
                await ctx.conn.execute(update(orders).where(
                    orders.c.order_id == order.order_id).values(facts=body))
        for product_id, cost in outcome.costs.items():
            values = {"unit_cost": cost.amount, "currency": cost.currency}
            if facts.costs.get(product_id) is None:
                await ctx.conn.execute(insert(product_costs).values(product_id=product_id,
                                                                    **values))
            else:
                await ctx.conn.execute(update(product_costs).where(
                    product_costs.c.product_id == product_id).values(**values))
        entry_id = None
        if outcome.entry is not None:
            assert facts.closed is not None
            entry = place(outcome.entry, facts.closed)
            entry_id = await record_entry(
                ctx.conn, store, entry, source_event_id=source.event_id,
                source_event_type=source.event_type, occurred_at=envelope.occurred_at,
                posted_at=clock(), correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id,
            )

        # Written: now the batch may remember it.
        for order in outcome.orders:
            facts.orders[order.order_id] = order
        facts.costs.update(outcome.costs)
        for key in outcome.provides:
            ctx.provide(key)
        if entry_id is not None:
            logger.debug("entry posted", extra={"entry_id": entry_id,
                                                "event_id": source.event_id})

    for event_type in RULES:
        projection.on(event_type)(apply_rule)
    return projection
