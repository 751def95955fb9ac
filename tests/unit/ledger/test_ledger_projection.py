"""The projection on an embedded SQLite database (no broker): late events in closed
periods, redelivery, the outbox, journal filters and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from contracts.catalogue import topic_of
from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from eventkit.consumer import EventConsumer
from eventkit.tables import outbox
from eventkit.testing import bearer, make_tokens
from services.ledger import wiring
from services.ledger.adapters.persistence.tables import entries
from services.ledger.application.commands import close_period
from services.ledger.config import Settings
from services.ledger.entrypoints.http import create_app

from ledger_events import ad_spend, stock

TOKENS, BY_ROLE = make_tokens()


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def record(payload: EventPayload, offset: int, at: datetime) -> tuple[Envelope, FakeRecord]:
    env = new_envelope(payload, aggregate_id="a1", aggregate_version=1,
                       actor=Actor(user_id="t", division="research"), occurred_at=at)
    return env, FakeRecord(topic_of(env.event_type), 0, offset, env.key, env.to_bytes())


@pytest.fixture
def deps(tmp_path: Path) -> wiring.Deps:
    settings = Settings(api_tokens=TOKENS, database_url=f"sqlite+aiosqlite:///{tmp_path}/l.db")
    return wiring.build(settings)


async def test_late_event_for_a_closed_month_posts_into_the_next_open_one(
    deps: wiring.Deps,
) -> None:
    await deps.db.create_all()
    async with deps.db.begin() as conn:
        for period in ("2026-10", "2026-11"):
            await close_period(conn, deps.store, period=period,
                               now=datetime(2026, 12, 1, tzinfo=UTC),
                               actor=Actor(user_id="acc", division="ledger"))
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db)
    _, late = record(stock(qty=2, cost=10_000), 0, datetime(2026, 10, 15, 5, tzinfo=UTC))

    await consumer.process_batch([late])

    async with deps.db.read() as conn:
        row = (await conn.execute(select(entries))).mappings().one()
    # October and November closed: the first open day is 1 December
    assert (row["entry_date"], row["original_date"], row["period"]) == (
        date(2026, 12, 1), date(2026, 10, 15), "2026-12")
    await deps.db.dispose()


async def test_redelivered_event_posts_once_and_each_entry_is_announced(
    deps: wiring.Deps,
) -> None:
    await deps.db.create_all()
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db)
    at = datetime(2026, 11, 2, 3, tzinfo=UTC)
    _, first = record(stock(qty=2, cost=10_000), 0, at)
    _, spend = record(ad_spend(spend=70_000), 1, at)

    await consumer.process_batch([first, spend, first])
    await consumer.process_batch([first])

    async with deps.db.read() as conn:
        n_entries = await conn.scalar(select(func.count()).select_from(entries))
        announced = await conn.scalar(select(func.count()).select_from(outbox))
    assert (n_entries, announced) == (2, 2)
    await deps.db.dispose()


async def test_journal_filters_and_csv(deps: wiring.Deps) -> None:
    await deps.db.create_all()
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db)
    at = datetime(2026, 11, 2, 3, tzinfo=UTC)
    stock_env, stocked = record(stock(qty=2, cost=10_000), 0, at)
    _, spend = record(ad_spend(spend=70_000, day=date(2026, 11, 20)), 1, at)
    await consumer.process_batch([stocked, spend])
    app = create_app(deps.settings)
    h = bearer(BY_ROLE["crm"])

    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            by_account = (await client.get("/ledger/journal?account=6100", headers=h)).json()
            by_date = (await client.get("/ledger/journal?date_to=2026-11-10",
                                        headers=h)).json()
            by_source = (await client.get(
                f"/ledger/journal?source_event_id={stock_env.event_id}", headers=h)).json()
            text = (await client.get("/ledger/trial-balance?at=2026-11-30&format=csv",
                                     headers=h)).text
            bad = await client.get("/ledger/profit-and-loss?period=2026-1", headers=h)
            reversed_range = await client.get(
                "/ledger/profit-and-loss?date_from=2027-01-01&date_to=2026-01-01", headers=h)

    assert [e["memo"] for e in by_account] == ["ad spend ad1 2026-11-20"]
    assert [e["memo"] for e in by_date] == ["stock received d1"]
    assert [e["source_event_id"] for e in by_source] == [str(stock_env.event_id)]
    # 2 x 10,000 = 20,000 inventory and payable; 70,000 ads and ad payable
    assert text.splitlines() == [
        "currency,account,name,type,debit,credit",
        "IDR,1300,Inventory,asset,20000,0",
        "IDR,2100,Payable to suppliers,liability,0,20000",
        "IDR,2200,Payable to ad platform,liability,0,70000",
        "IDR,6100,Advertising expense,expense,70000,0",
    ]
    assert bad.status_code == 422 and "period" in bad.text
    assert reversed_range.status_code == 422 and "date_from" in reversed_range.text
