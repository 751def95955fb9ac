"""The projection buffers a batch's rows and writes them at its end: the books are the
same as when every event is written on its own, and a write that fails for good still
dead-letters only its own event."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.history import history
from contracts.catalogue import TOPICS, topic_of
from contracts.envelope import Actor, new_envelope
from eventkit.clock import FixedClock
from eventkit.consumer import EventConsumer
from eventkit.tables import dead_letters, events, inbox, outbox
from eventkit.testing import make_tokens
from services.ledger import wiring
from services.ledger.adapters.persistence.journal import entry_id_for
from services.ledger.adapters.persistence.tables import entries, lines, orders, product_costs
from services.ledger.config import Settings

from ledger_events import ad_spend, order, shipped, stock

TOKENS, _ = make_tokens()
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def build(tmp_path: Path, name: str) -> wiring.Deps:
    settings = Settings(api_tokens=TOKENS,
                        database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db")
    return wiring.build(settings, clock=FixedClock(NOW))


def shop_history(events_count: int) -> list[FakeRecord]:
    offsets: dict[tuple[str, int], int] = {}
    out = []
    for item in history(events_count, seed=11):
        env = item.envelope
        topic, partition = TOPICS[item.producer], zlib.crc32(env.key or b"") % 3
        offset = offsets[(topic, partition)] = offsets.get((topic, partition), -1) + 1
        out.append(FakeRecord(topic, partition, offset, env.key, env.to_bytes()))
    return out


async def books(deps: wiring.Deps) -> dict[str, list[Any]]:
    """Every row the projection writes, ids of its own aside, in insertion order."""
    async with deps.db.read() as conn:
        return {
            "entries": [tuple(r) for r in await conn.execute(
                select(entries).order_by(entries.c.entry_id))],
            "lines": [tuple(r)[1:] for r in await conn.execute(
                select(lines).order_by(lines.c.id))],
            "events": [tuple(r) for r in await conn.execute(
                select(events).order_by(events.c.position))],
            "outbox": [tuple(r)[1:] for r in await conn.execute(
                select(outbox).order_by(outbox.c.id))],
            "orders": [tuple(r) for r in await conn.execute(
                select(orders).order_by(orders.c.order_id))],
            "costs": [tuple(r) for r in await conn.execute(
                select(product_costs).order_by(product_costs.c.product_id))],
            "inbox": sorted(r.event_id for r in await conn.execute(select(inbox))),
        }


async def replay(deps: wiring.Deps, records: list[FakeRecord], batch: int) -> dict[str, Any]:
    await deps.db.create_all()
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db, clock=FixedClock(NOW))
    for start in range(0, len(records), batch):
        await consumer.process_batch(records[start:start + batch])
    found = await books(deps)
    await deps.db.dispose()
    return found


async def test_books_from_500_event_batches_equal_those_written_event_by_event(
    tmp_path: Path,
) -> None:
    records = shop_history(800)

    one_by_one = await replay(build(tmp_path, "single"), records, batch=1)
    batched = await replay(build(tmp_path, "batched"), records, batch=500)

    assert len(one_by_one["entries"]) > 100
    assert batched == one_by_one


async def test_an_entry_that_cannot_be_written_dead_letters_only_its_event(
    tmp_path: Path,
) -> None:
    deps = build(tmp_path, "clash")
    await deps.db.create_all()
    at = datetime(2026, 11, 2, 3, tzinfo=UTC)
    envs = [new_envelope(p, aggregate_id=f"a{n}", aggregate_version=1,
                         actor=Actor(user_id="t", division="research"), occurred_at=at)
            for n, p in enumerate([stock(qty=2, cost=10_000), ad_spend(spend=70_000),
                                   stock(product_id="p2", qty=1, cost=5_000)])]
    batch = [FakeRecord(topic_of(e.event_type), 0, n, e.key, e.to_bytes())
             for n, e in enumerate(envs)]
    clashing = str(envs[1].event_id)
    async with deps.db.begin() as conn:  # an entry for the ad spend is there already
        await conn.execute(insert(entries).values(
            entry_id="someone-else", source_event_id=clashing, source_event_type="X",
            entry_date=date(2026, 11, 2), period="2026-11", currency="IDR", memo="x",
            posted_at=NOW))
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db, clock=FixedClock(NOW))

    dead = await consumer.process_batch(batch)

    found = await books(deps)
    async with deps.db.read() as conn:
        dead_ids = [r.event_id for r in await conn.execute(select(dead_letters))]
    assert [d.event_id for d in dead] == dead_ids == [clashing]
    assert found["inbox"] == sorted(str(e.event_id) for e in (envs[0], envs[2]))
    assert sorted(e[0] for e in found["entries"]) == sorted(
        ["someone-else", entry_id_for(str(envs[0].event_id)),
         entry_id_for(str(envs[2].event_id))])
    # 2 x 10,000 = 20,000 and 1 x 5,000 = 5,000: one debit and one credit each
    assert sorted(line[3] for line in found["lines"]) == [0, 0, 5_000, 20_000]
    assert [c[0] for c in found["costs"]] == ["p1", "p2"]
    await deps.db.dispose()


async def test_a_shipment_released_by_its_order_in_the_same_batch_posts_as_in_order(
    tmp_path: Path,
) -> None:
    at = datetime(2026, 11, 2, 3, tzinfo=UTC)
    stocked, placed, sent = stock(qty=5, cost=40_000), order(), shipped(cod=213_000)
    envs = {name: new_envelope(p, aggregate_id=name, aggregate_version=1,
                               actor=Actor(user_id="t", division="sales"), occurred_at=at)
            for name, p in (("stock", stocked), ("order", placed), ("ship", sent))}

    def batch(*names: str) -> list[FakeRecord]:
        return [FakeRecord(topic_of(envs[n].event_type), 0, i, envs[n].key,
                           envs[n].to_bytes()) for i, n in enumerate(names)]

    in_order = await replay(build(tmp_path, "in_order"), batch("stock", "order", "ship"),
                            batch=3)
    # The shipment parks, then runs (guarded) when the order provides its key, after
    # the stock's entry was buffered on the first pass.
    early = await replay(build(tmp_path, "early"), batch("stock", "ship", "order"), batch=3)

    assert len(in_order["entries"]) == 2  # stock; COD shipment (the COD order posts none)
    assert {k: sorted(v, key=repr) for k, v in early.items()} == {
        k: sorted(v, key=repr) for k, v in in_order.items()}
