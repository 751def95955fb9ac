"""A tiny event-sourced service used to test eventkit itself: product stock.

It is not one of Lapak's services: it records StockReceived events on product streams
through the real EventStore, outbox, HTTP factory and worker factory, so the platform's
promises can be tested without any division's domain in the way.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects import postgresql

from contracts import Actor, Money
from contracts.research import StockReceived
from eventkit.aggregate import Aggregate, Repository
from eventkit.auth import Caller, division, reader
from eventkit.consumer import Projection
from eventkit.db import Database
from eventkit.http import create_app
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_tables

read_models = MetaData()
stock_levels = Table(
    "stock_levels",
    read_models,
    Column("product_id", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("deliveries", Integer, nullable=False),
)


class Product(Aggregate):
    aggregate_type = "product"
    snapshot_every = None

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.quantity = 0

    def receive(self, delivery_id: str, quantity: int) -> None:
        self.record(
            StockReceived(
                product_id=self.id, delivery_id=delivery_id, quantity=quantity,
                unit_cost=Money.idr(10_000), supplier_name="CV Uji",
            )
        )

    def apply(self, event: Any) -> None:
        if isinstance(event, StockReceived):
            self.quantity += event.quantity

    def snapshot_state(self) -> dict[str, Any]:
        return {"quantity": self.quantity}

    @classmethod
    def from_snapshot(cls, aggregate_id: str, state: dict[str, Any]) -> Product:
        product = cls(aggregate_id)
        product.quantity = int(state["quantity"])
        return product


class SnapshottedProduct(Product):
    snapshot_every = 1000


class Receive(BaseModel):
    delivery_id: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    expected_version: int | None = Field(default=None, ge=0)


class Receipt(BaseModel):
    product_id: str
    version: int
    quantity: int


def build(settings: Any) -> tuple[Any, Database]:
    db = Database(settings.resolved_database_url(), eventkit_tables, read_models)
    store = EventStore("research", namespace=settings.topic_namespace)
    products = Repository(store, Product)
    router = APIRouter()

    @router.post("/products/{product_id}/deliveries", response_model=Receipt, status_code=201)
    async def receive(
        product_id: str, body: Receive, request: Request,
        caller: Caller = Depends(division("research")),
    ) -> Receipt:
        """Record a supplier delivery of this product."""
        async with db.begin() as conn:
            product = await products.get(conn, product_id) or Product(product_id)
            if body.expected_version is not None:
                product.version = body.expected_version  # the caller's view, for 409
            product.receive(body.delivery_id, body.quantity)
            await products.save(conn, product, actor=Actor(user_id=caller.user_id,
                                                           division="research"))
        return Receipt(product_id=product_id, version=product.version,
                       quantity=product.quantity)

    @router.get("/products/{product_id}", response_model=Receipt)
    async def show(product_id: str, _: Caller = Depends(reader)) -> Receipt:
        """The product's stock, replayed from its events."""
        async with db.read() as conn:
            product = await products.get(conn, product_id) or Product(product_id)
        return Receipt(product_id=product_id, version=product.version,
                       quantity=product.quantity)

    app = create_app(service="research", owning_division="research", settings=settings,
                     db=db, routers=[router], title="stock test app")
    return app, db


# Quantities the test projection's rule refuses; a test may "fix the rule" by emptying it.
REFUSED_QUANTITIES = {13}


def stock_projection(name: str, topic: str) -> Projection:
    """Sums received stock per product into ``stock_levels`` (read model)."""
    projection = Projection(name=name, topics=[topic], handlers={})

    @projection.on("StockReceived")
    async def add_stock(ctx: Any, envelope: Any, event: StockReceived) -> None:
        if event.quantity in REFUSED_QUANTITIES:
            raise ValueError("thirteen is refused by this test projection's rule")
        changed = await ctx.conn.execute(
            update(stock_levels)
            .where(stock_levels.c.product_id == event.product_id)
            .values(quantity=stock_levels.c.quantity + event.quantity,
                    deliveries=stock_levels.c.deliveries + 1)
        )
        if changed.rowcount == 0:
            await ctx.conn.execute(
                stock_levels.insert().values(product_id=event.product_id,
                                             quantity=event.quantity, deliveries=1)
            )

    return projection


async def stock_of(db: Database, product_id: str) -> tuple[int, int] | None:
    async with db.read() as conn:
        row = (
            await conn.execute(
                select(stock_levels.c.quantity, stock_levels.c.deliveries).where(
                    stock_levels.c.product_id == product_id
                )
            )
        ).first()
    return (int(row.quantity), int(row.deliveries)) if row else None


__all__ = ["postgresql"]
