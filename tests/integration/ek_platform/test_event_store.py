"""Event store on PostgreSQL: append, load, optimistic concurrency, long streams."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts import Actor, Money
from contracts.envelope import new_envelope
from contracts.research import StockReceived
from eventkit.aggregate import Repository
from eventkit.errors import ConcurrencyError
from eventkit.store import EventStore
from eventkit.testing import bearer

from .conftest import client_for
from .stockapp import Product, SnapshottedProduct, build

pytestmark = pytest.mark.integration
ACTOR = Actor(user_id="rina", division="research")


def _delivery(product_id: str, version: int, quantity: int) -> Any:
    event = StockReceived(
        product_id=product_id, delivery_id=f"d{version}", quantity=quantity,
        unit_cost=Money.idr(10_000), supplier_name="CV Uji",
    )
    return new_envelope(event, aggregate_id=product_id, aggregate_version=version,
                        actor=ACTOR, occurred_at=datetime.now(UTC))


async def test_appended_events_load_back_in_version_order(settings: Any) -> None:
    _, db = build(settings)
    await db.create_all()
    store = EventStore("research")
    written = [_delivery("p-1", v, v * 10) for v in (1, 2, 3)]

    async with db.begin() as conn:
        await store.append(conn, written)
    async with db.read() as conn:
        loaded = await store.load(conn, "p-1")

    assert [e.aggregate_version for e in loaded] == [1, 2, 3]
    assert loaded == written
    await db.dispose()


async def test_appending_at_a_taken_version_raises_and_keeps_the_first(settings: Any) -> None:
    _, db = build(settings)
    await db.create_all()
    store = EventStore("research")
    async with db.begin() as conn:
        await store.append(conn, [_delivery("p-2", 1, 5)])

    with pytest.raises(ConcurrencyError):
        async with db.begin() as conn:
            await store.append(conn, [_delivery("p-2", 1, 7)])
    async with db.read() as conn:
        loaded = await store.load(conn, "p-2")

    assert [e.payload["quantity"] for e in loaded] == [5]
    await db.dispose()


async def test_a_stale_writer_gets_409_and_changes_nothing(settings: Any, tokens: Any) -> None:
    app, _ = build(settings)
    research = bearer(tokens[1]["research"])

    async for client in client_for(app):
        first = await client.post("/products/p-3/deliveries", headers=research,
                                  json={"delivery_id": "a", "quantity": 4, "expected_version": 0})
        stale = await client.post("/products/p-3/deliveries", headers=research,
                                  json={"delivery_id": "b", "quantity": 9, "expected_version": 0})
        after = await client.get("/products/p-3", headers=research)

    assert first.status_code == 201
    assert stale.status_code == 409
    assert "already has version 1" in stale.json()["detail"][0]["msg"]
    assert after.json() == {"product_id": "p-3", "version": 1, "quantity": 4}


async def test_a_10000_event_stream_loads_with_and_without_snapshots(settings: Any) -> None:
    """Prints the load time; the figure is measured, not asserted (noisy machines)."""
    _, db = build(settings)
    await db.create_all()
    store = EventStore("research")
    async with db.begin() as conn:
        for start in range(1, 10_000, 1000):
            last = min(start + 1000, 10_000)
            await store.append(conn, [_delivery("p-long", v, 1) for v in range(start, last)])
    plain = Repository(store, Product)
    snapped = Repository(store, SnapshottedProduct)
    async with db.begin() as conn:
        product = await snapped.get(conn, "p-long")
        assert product is not None
        product.receive("a", 1)  # version 10,000: crosses the 1,000-event snapshot mark
        product.receive("last", 2)  # version 10,001
        await snapped.save(conn, product, actor=ACTOR)

    async with db.read() as conn:
        t0 = time.perf_counter()
        replayed = await plain.get(conn, "p-long")
        t1 = time.perf_counter()
        from_snapshot = await snapped.get(conn, "p-long")
        t2 = time.perf_counter()

    assert replayed is not None and from_snapshot is not None
    # 9,999 deliveries of 1, then 1 and 2: 9,999 + 1 + 2 = 10,002 units
    assert (replayed.version, replayed.quantity) == (10_001, 10_002)
    assert (from_snapshot.version, from_snapshot.quantity) == (10_001, 10_002)
    print(f"\n10,001-event stream: full replay {t1 - t0:.3f}s, from snapshot {t2 - t1:.4f}s")
    await db.dispose()
