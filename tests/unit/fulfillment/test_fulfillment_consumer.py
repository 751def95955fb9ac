"""The sales projection through the real EventConsumer on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from contracts.personal import new_customer_key
from eventkit.aggregate import Repository
from eventkit.consumer import EventConsumer
from eventkit.errors import ConcurrencyError
from eventkit.tables import dead_letters
from eventkit.testing import make_tokens

from fulfillment_helpers import order_cancelled, order_placed, records
from services.fulfillment.adapters.persistence.tables import orders
from services.fulfillment.config import Settings
from services.fulfillment.domain.order import FulfillmentOrder
from services.fulfillment.wiring import build_deps, build_projections


class ConflictOnceRepository(Repository[FulfillmentOrder]):
    """Loses the first save to an admin who wrote to the same order a moment earlier."""

    conflicts = 1

    async def save(self, conn: Any, aggregate: FulfillmentOrder, **kw: Any) -> Any:
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrencyError(aggregate.id, aggregate.version)
        return await super().save(conn, aggregate, **kw)


async def test_cancellation_racing_an_admin_is_retried_not_dead_lettered(
    tmp_path: Path,
) -> None:
    settings = Settings(api_tokens=make_tokens()[0],
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/f.db")
    deps = build_deps(settings)
    await deps.db.create_all()
    consumer = EventConsumer(build_projections(settings, deps)[0], deps.db)
    topic = settings.topic("sales")
    await consumer.process_batch(records(topic, order_placed("o-1", key=new_customer_key())))
    deps.orders = ConflictOnceRepository(deps.orders.store, FulfillmentOrder)
    consumer = EventConsumer(build_projections(settings, deps)[0], deps.db)

    dead = await consumer.process_batch(records(topic, order_cancelled("o-1")))

    async with deps.db.read() as conn:
        status = await conn.scalar(select(orders.c.status))
        letters = (await conn.execute(select(dead_letters))).all()
    assert (dead, letters, status) == ([], [], "cancelled")
    await deps.db.dispose()


async def test_redelivered_order_placed_is_skipped(tmp_path: Path) -> None:
    settings = Settings(api_tokens=make_tokens()[0],
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/f.db")
    deps = build_deps(settings)
    await deps.db.create_all()
    consumer = EventConsumer(build_projections(settings, deps)[0], deps.db)
    placed = order_placed("o-1", key=new_customer_key())

    await consumer.process_batch(records(settings.topic("sales"), placed))
    await consumer.process_batch(records(settings.topic("sales"), placed))

    async with deps.db.read() as conn:
        order = await deps.orders.get(conn, "o-1")
    assert order is not None and order.version == 1
    await deps.db.dispose()
