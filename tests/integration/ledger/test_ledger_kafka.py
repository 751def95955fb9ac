"""Every posting rule through real Kafka into PostgreSQL, then the reports, a rebuild,
redelivery, out-of-order arrival, reversal and period closing.

The sequence (all IDR, whole rupiah) and its journal, worked out by hand:

  E2  StockReceived p1 10 x 40,000 on credit   Dr 1300 400,000 / Cr 2100 400,000
  E3  AdSpendRecorded c1 2026-11-02            Dr 6100 250,000 / Cr 2200 250,000
  E4  OrderPlaced o1 COD 2 x 99,000 + 15,000    (none)  total 213,000
  E5  OrderPlaced o2 transfer 99,000 + 10,000   Dr 1000 109,000 / Cr 2300 109,000
  E6  OrderPlaced o3 COD 99,000 + 15,000        (none)  total 114,000
  E7  OrderPlaced o4 transfer 99,000 + 10,000   Dr 1000 109,000 / Cr 2300 109,000
  E8  OrderCancelled o4                        Dr 2300 109,000 / Cr 1000 109,000
  E9  Shipped o1 fee 12,000                    Dr 1200 213,000 / Cr 4000 198,000,
                                               Cr 4100 15,000; Dr 5000 80,000 /
                                               Cr 1300 80,000; Dr 6200 12,000 / Cr 2400
  E10 Shipped o2 fee 9,000                     Dr 2300 109,000 / Cr 4000 99,000,
                                               Cr 4100 10,000; COGS 40,000; fee 9,000
  E11 Shipped o3 fee 12,000                    Dr 1200 114,000 / Cr 4000 99,000,
                                               Cr 4100 15,000; COGS 40,000; fee 12,000
  E12 Delivered o1                             (none)
  E13 CodRemitted o1 213,000, fee 6,390        Dr 1000 206,610 + Dr 6300 6,390 /
                                               Cr 1200 213,000
  E14 ReturnedToSender o3, return fee 11,000   Dr 4200 99,000 + 15,000 / Cr 1200 114,000;
                                               Dr 1300 40,000 / Cr 5000 40,000;
                                               Dr 6210 11,000 / Cr 2400 11,000
  E15 ComplaintResolved o1 refund 50,000       Dr 6400 50,000 / Cr 1000 50,000
  (E1 ProductApproved p1 hpp 40,000 posts nothing; 11 entries in all)

Balances at 2026-11-30:
  1000 cash  109,000 + 109,000 - 109,000 + 206,610 - 50,000 = 265,610 Dr
  1300 inventory 400,000 - 80,000 - 40,000 - 40,000 + 40,000 = 280,000 Dr
  1200 and 2300 net to 0;  2100 400,000 Cr; 2200 250,000 Cr
  2400 12,000 + 9,000 + 12,000 + 11,000 = 44,000 Cr
  4000 198,000 + 99,000 + 99,000 = 396,000 Cr; 4100 15,000 + 10,000 + 15,000 = 40,000 Cr
  4200 114,000 Dr; 5000 80,000 + 40,000 + 40,000 - 40,000 = 120,000 Dr
  6100 250,000; 6200 33,000; 6210 11,000; 6300 6,390; 6400 50,000 (all Dr)
  debits 265,610 + 280,000 + 114,000 + 120,000 + 250,000 + 33,000 + 11,000 + 6,390
         + 50,000 = 1,130,000 = credits 400,000 + 250,000 + 44,000 + 396,000 + 40,000
P&L November: revenue 396,000 + 40,000 - 114,000 = 322,000;
  expenses 120,000 + 250,000 + 33,000 + 11,000 + 6,390 + 50,000 = 470,390;
  net -148,390.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from eventkit.consumer import EventConsumer
from eventkit.tables import parked
from eventkit.testing import (
    bearer,
    make_tokens,
    running,
    send_envelopes,
    unique,
    wait_for,
)
from eventkit.topics import ensure_topics
from eventkit.worker import build_worker
from services.ledger import wiring
from services.ledger.adapters.persistence.tables import entries
from services.ledger.config import Settings
from services.ledger.entrypoints.http import create_app
from services.ledger.rebuild import rebuild

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ledger"))
from ledger_events import (  # noqa: E402
    ad_spend, approved, cancelled, complaint, delivered, order, remitted, returned,
    shipped, stock,
)

pytestmark = pytest.mark.integration

NAMESPACE = unique("t") + "."
AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 10:00 WIB on 2 November
TOKENS, BY_ROLE = make_tokens()


def wrap(payload: EventPayload, aggregate_id: str) -> Envelope:
    return new_envelope(payload, aggregate_id=aggregate_id, aggregate_version=1,
                        actor=Actor(user_id="tester", division=payload.producer),  # type: ignore[arg-type]
                        occurred_at=AT)


def settings_for_test(bootstrap: str, url: str) -> Settings:
    return Settings(api_tokens=TOKENS, kafka_bootstrap_servers=bootstrap,
                    database_url=url, topic_namespace=NAMESPACE,
                    projection_name=unique("ledger-books"))


async def send(bootstrap: str, envelopes: list[Envelope]) -> None:
    await send_envelopes(bootstrap, envelopes, namespace=NAMESPACE)


async def reports(client: httpx.AsyncClient) -> dict[str, Any]:
    h = bearer(BY_ROLE["owner"])
    out = {}
    for name, url in {
        "journal": "/ledger/journal",
        "journal_csv": "/ledger/journal?format=csv",
        "trial": "/ledger/trial-balance?at=2026-11-30",
        "pnl": "/ledger/profit-and-loss?period=2026-11",
        "pnl_product": "/ledger/profit-and-loss?period=2026-11&by=product",
        "pnl_campaign": "/ledger/profit-and-loss?period=2026-11&by=campaign",
        "sheet": "/ledger/balance-sheet?at=2026-11-30",
    }.items():
        response = await client.get(url, headers=h)
        assert response.status_code == 200, response.text
        out[name] = response.text if name.endswith("csv") else response.json()
    return out


def balances(trial: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    (idr,) = trial
    return {r["account"]: (r["debit"], r["credit"]) for r in idr["rows"]
            if r["debit"] or r["credit"]}


async def test_books_from_kafka_match_the_hand_computed_journal(
    kafka_bootstrap: str, new_pg_database: Any
) -> None:
    settings = settings_for_test(kafka_bootstrap, await new_pg_database("ledger"))
    deps = wiring.build(settings)
    worker, _ = build_worker(service="ledger", bootstrap=kafka_bootstrap, db=deps.db,
                             projections=wiring.projections(deps), namespace=NAMESPACE,
                             relay=True)
    fulfillment = [
        wrap(shipped("o1", cost=12_000, cod=213_000), "o1"),
        wrap(delivered("o1"), "o1"),
        wrap(shipped("o2", cost=9_000), "o2"),
        wrap(shipped("o3", cost=12_000, cod=114_000), "o3"),
        wrap(returned("o3", cost=11_000), "o3"),
        wrap(remitted(lines=(("o1", 213_000),), fee=6_390), "r1"),
        wrap(complaint("o1", refund=50_000), "k1"),
    ]
    others = [
        wrap(approved("p1", hpp=40_000), "p1"),
        wrap(stock("p1", qty=10, cost=40_000), "p1"),
        wrap(ad_spend(spend=250_000, campaign="c1", product_id="p1"), "c1"),
        wrap(order("o1", "cod", items=(("p1", 2, 99_000),), ongkir=15_000), "o1"),
        wrap(order("o2", "transfer", items=(("p1", 1, 99_000),), ongkir=10_000), "o2"),
        wrap(order("o3", "cod", items=(("p1", 1, 99_000),), ongkir=15_000), "o3"),
        wrap(order("o4", "transfer", items=(("p1", 1, 99_000),), ongkir=10_000), "o4"),
        wrap(cancelled("o4"), "o4"),
    ]

    async def count(table: Any) -> int:
        async with deps.db.read() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)) or 0)

    async with running(worker):
        # Out of order: the shipments come first, and one of them twice.
        await send(kafka_bootstrap, fulfillment + fulfillment[:1])
        await wait_for(lambda: _at_least(count(parked), 4), timeout=60)
        # Shipments, delivery, return and complaint wait for their orders (5 parked:
        # Shipped x3, Delivered, ReturnedToSender... at least 4 seen so far); the
        # remittance needs no order and is the only entry yet.
        await wait_for(lambda: _equals(count(entries), 1), timeout=30)

        await send(kafka_bootstrap, others + others[3:4] + fulfillment[5:6])
        await wait_for(lambda: _equals(count(entries), 11), timeout=60)
        await wait_for(lambda: _equals(count(parked), 0), timeout=30)

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            live = await reports(client)

            assert len(live["journal"]) == 11
            assert balances(live["trial"]) == {
                "1000": (265_610, 0), "1300": (280_000, 0), "2100": (0, 400_000),
                "2200": (0, 250_000), "2400": (0, 44_000), "4000": (0, 396_000),
                "4100": (0, 40_000), "4200": (114_000, 0), "5000": (120_000, 0),
                "6100": (250_000, 0), "6200": (33_000, 0), "6210": (11_000, 0),
                "6300": (6_390, 0), "6400": (50_000, 0),
            }
            assert live["trial"][0]["total_debit"] == live["trial"][0]["total_credit"] \
                == 1_130_000
            (pnl,) = live["pnl"]
            assert (pnl["revenue"], pnl["expenses"], pnl["net_profit"]) == (
                322_000, 470_390, -148_390)
            # Every revenue and cost line carries campaign c1 but the COD fee, which the
            # courier charges per remittance, not per order: c1 -148,390 + 6,390.
            assert live["pnl_campaign"][0]["net_by_group"] == {
                "c1": -142_000, "(none)": -6_390}
            # p1 gets everything but ongkir income (15,000 + 10,000 + 15,000 = 40,000),
            # its reversal on the return (15,000), the shipping fees (33,000 + 11,000),
            # and the COD fee (6,390): -148,390 - 40,000 + 15,000 + 44,000 + 6,390
            # = -123,000 for p1; (none) = 40,000 - 15,000 - 44,000 - 6,390 = -25,390.
            assert live["pnl_product"][0]["net_by_group"] == {
                "p1": -123_000, "(none)": -25_390}
            (sheet,) = live["sheet"]
            # assets 265,610 + 280,000 = 545,610 = liabilities 694,000 - 148,390
            assert (sheet["total_assets"], sheet["total_liabilities"],
                    sheet["current_earnings"], sheet["balanced"]) == (
                545_610, 694_000, -148_390, True)
            shipped_o1 = [e for e in live["journal"]
                          if e["source_event_id"] == str(fulfillment[0].event_id)]
            assert [(line["account"], line["debit"], line["credit"])
                    for line in shipped_o1[0]["lines"]] == [
                ("1200", 213_000, 0), ("4000", 0, 198_000), ("4100", 0, 15_000),
                ("5000", 80_000, 0), ("1300", 0, 80_000), ("6200", 12_000, 0),
                ("2400", 0, 12_000)]

            # Rebuild into a fresh database: the same reports.
            rebuilt_url = await new_pg_database("ledger_rebuilt")
            result = await rebuild(settings, database_url=rebuilt_url)
            assert result.still_parked == 0
            rebuilt_app = create_app(settings.model_copy(update={"database_url": rebuilt_url}))
            async with rebuilt_app.router.lifespan_context(rebuilt_app):
                async with httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=rebuilt_app),
                        base_url="http://t") as rebuilt_client:
                    assert await reports(rebuilt_client) == live

            # Corrections: only by reversal, by the ledger or the owner, once.
            target = shipped_o1[0]["entry_id"]
            refused = await client.post(f"/ledger/entries/{target}/reverse",
                                        json={"reason": "wrong courier fee"},
                                        headers=bearer(BY_ROLE["sales"]))
            assert refused.status_code == 403
            done = await client.post(f"/ledger/entries/{target}/reverse",
                                     json={"reason": "wrong courier fee"},
                                     headers=bearer(BY_ROLE["ledger"]))
            assert done.status_code == 201, done.text
            again = await client.post(f"/ledger/entries/{target}/reverse",
                                      json={"reason": "wrong courier fee"},
                                      headers=bearer(BY_ROLE["ledger"]))
            assert again.status_code == 409
            bad = await client.post("/ledger/periods/2026-13/close",
                                    headers=bearer(BY_ROLE["ledger"]))
            assert bad.status_code == 422 and "period" in bad.text
    await deps.db.dispose()


async def _at_least(awaitable: Any, n: int) -> bool:
    return bool(await awaitable >= n)


async def _equals(awaitable: Any, n: int) -> bool:
    return bool(await awaitable == n)
