"""The ledger's projection: every division's events through the posting table.

Per batch (one transaction) ``BatchFacts`` holds the facts read or posted so far, and
the rows still to write: order facts and unit costs (final value per key), entries,
their lines and their JournalEntryPosted. The handler only reads and buffers; the
consumer calls ``flush`` at the end of the batch, which writes each table in one
statement. On the consumer's guarded pass ``flush`` runs after every event inside its
savepoint, and a failed event empties ``ctx.batch`` (see ``eventkit.consumer``), so its
facts never outlive its rows.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from contracts.money import Money
from eventkit.clock import Clock, utcnow
from eventkit.consumer import HandlerContext, Projection
from eventkit.store import EventStore
from services.ledger.adapters.persistence.journal import (
    EntryRows,
    closed_periods,
    entry_rows,
    place,
    write_entries,
)
from services.ledger.adapters.persistence.tables import orders, product_costs
from services.ledger.domain.facts import OrderFacts
from services.ledger.domain.posting import RULES, Source, post

logger = logging.getLogger(__name__)

PROJECTION_NAME = "ledger.books"
_STATE = "ledger.facts"


class BatchFacts:
    """Facts for one batch transaction: loaded lazily, remembered until it ends."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderFacts | None] = {}
        self.costs: dict[str, Money | None] = {}
        self.closed: set[str] | None = None
        # Keys whose row is in the database (read or flushed): UPDATE, not INSERT.
        self.stored_orders: set[str] = set()
        self.stored_costs: set[str] = set()
        self.dirty_orders: set[str] = set()
        self.dirty_costs: set[str] = set()
        self.entries: list[EntryRows] = []

    def order(self, order_id: str) -> OrderFacts | None:
        return self.orders.get(order_id)

    def unit_cost(self, product_id: str) -> Money | None:
        return self.costs.get(product_id)

    async def load_orders(self, conn: AsyncConnection, order_ids: set[str]) -> None:
        missing = [o for o in order_ids if o not in self.orders]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            found = {row.order_id: OrderFacts.model_validate_json(row.facts)
                     for row in await conn.execute(
                         select(orders.c.order_id, orders.c.facts)
                         .where(orders.c.order_id.in_(chunk)))}
            for order_id in chunk:
                self.orders[order_id] = found.get(order_id)
            self.stored_orders.update(found)

    async def load_costs(self, conn: AsyncConnection, product_ids: set[str]) -> None:
        missing = [p for p in product_ids if p not in self.costs]
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            found = {row.product_id: Money(amount=row.unit_cost, currency=row.currency)
                     for row in await conn.execute(
                         select(product_costs).where(product_costs.c.product_id.in_(chunk)))}
            for product_id in chunk:
                self.costs[product_id] = found.get(product_id)
            self.stored_costs.update(found)

    async def load(self, conn: AsyncConnection, payloads: list[Any]) -> None:
        """Read, in one query per table, what posting ``payloads`` needs."""
        await self.load_orders(conn, {o for p in payloads
                                      if isinstance(o := getattr(p, "order_id", None), str)})
        wanted: set[str] = set()
        for payload in payloads:
            product_id = getattr(payload, "product_id", None)
            if isinstance(product_id, str):
                wanted.add(product_id)
            order_id = getattr(payload, "order_id", None)
            order = self.orders.get(order_id) if isinstance(order_id, str) else None
            if order is not None:
                wanted.update(item.product_id for item in order.items)
        await self.load_costs(conn, wanted)
        if self.closed is None:
            self.closed = await closed_periods(conn)

    async def flush(self, conn: AsyncConnection, store: EventStore) -> None:
        """Write what the batch posted since the last flush, one statement per table."""
        await _upsert(conn, self.dirty_orders, self.stored_orders,
                      insert_rows=lambda ids: [
                          {"order_id": o, "facts": _facts_json(self.orders[o])} for o in ids],
                      table_update=update(orders).where(
                          orders.c.order_id == bindparam("b_key")).values(
                          facts=bindparam("b_facts")),
                      update_rows=lambda ids: [
                          {"b_key": o, "b_facts": _facts_json(self.orders[o])} for o in ids],
                      table=orders)
        await _upsert(conn, self.dirty_costs, self.stored_costs,
                      insert_rows=lambda ids: [
                          {"product_id": p, **_cost_values(self.costs[p])} for p in ids],
                      table_update=update(product_costs).where(
                          product_costs.c.product_id == bindparam("b_key")).values(
                          unit_cost=bindparam("b_unit_cost"),
                          currency=bindparam("b_currency")),
                      update_rows=lambda ids: [
                          {"b_key": p, **{f"b_{k}": v for k, v in
                                          _cost_values(self.costs[p]).items()}}
                          for p in ids],
                      table=product_costs)
        entries, self.entries = self.entries, []
        await write_entries(conn, store, entries)


async def _upsert(conn: AsyncConnection, dirty: set[str], stored: set[str], *,
                  insert_rows: Any, table_update: Any, update_rows: Any, table: Any) -> None:
    if not dirty:
        return
    keys = sorted(dirty)  # a fixed order: two writers lock rows alike
    new = [k for k in keys if k not in stored]
    old = [k for k in keys if k in stored]
    if new:
        await conn.execute(insert(table), insert_rows(new))
    if old:
        await conn.execute(table_update, update_rows(old))
    stored.update(keys)
    dirty.clear()


def _facts_json(order: OrderFacts | None) -> str:
    assert order is not None  # only posted facts are dirty
    return order.model_dump_json()


def _cost_values(cost: Money | None) -> dict[str, Any]:
    assert cost is not None
    return {"unit_cost": cost.amount, "currency": cost.currency}


def build_projection(
    store: EventStore, topics: list[str], *, clock: Clock = utcnow,
    name: str = PROJECTION_NAME,
) -> Projection:
    """The ledger projection over ``topics`` (the producers' namespaced topics)."""

    def facts_of(ctx: HandlerContext) -> BatchFacts:
        facts = ctx.batch.get(_STATE)
        if facts is None:
            facts = ctx.batch[_STATE] = BatchFacts()
        assert isinstance(facts, BatchFacts)
        return facts

    async def on_batch_start(ctx: HandlerContext, events: list[tuple[Envelope, Any]]) -> None:
        await facts_of(ctx).load(ctx.conn, [payload for _, payload in events])

    async def flush(ctx: HandlerContext) -> None:
        facts = ctx.batch.get(_STATE)
        if isinstance(facts, BatchFacts):
            await facts.flush(ctx.conn, store)

    async def apply_rule(ctx: HandlerContext, envelope: Envelope, payload: Any) -> None:
        facts = facts_of(ctx)
        await facts.load(ctx.conn, [payload])  # a released parked event was not preloaded
        source = Source(event_id=str(envelope.event_id), event_type=envelope.event_type,
                        occurred_at=envelope.occurred_at)

        outcome = post(envelope.event_type, payload, facts, source)

        # Buffered, not written: ``flush`` writes them (end of batch, or of this event
        # on the guarded pass).
        if outcome.entry is not None:
            assert facts.closed is not None
            entry = place(outcome.entry, facts.closed)
            facts.entries.append(entry_rows(
                entry, source_event_id=source.event_id,
                source_event_type=source.event_type, occurred_at=envelope.occurred_at,
                posted_at=clock(), correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id,
            ))
        for order in outcome.orders:
            facts.orders[order.order_id] = order
            facts.dirty_orders.add(order.order_id)
        facts.costs.update(outcome.costs)
        facts.dirty_costs.update(outcome.costs)
        for key in outcome.provides:
            ctx.provide(key)

    # ``post`` is pure and raises MissingDependency before anything is buffered.
    projection = Projection(name=name, topics=topics, handlers={},
                            on_batch_start=on_batch_start, flush=flush,
                            parks_before_writing=True)
    for event_type in RULES:
        projection.on(event_type)(apply_rule)
    return projection
