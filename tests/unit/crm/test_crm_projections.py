"""CRM projections driven through eventkit's EventConsumer on SQLite (no broker).

The same batches Kafka would deliver: out of order across topics, redelivered, and
replayed into a fresh database, which must come out identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contracts.catalogue import topic_of
from contracts.personal import new_customer_key
from crm_events import (
    FakeRecord,
    as_records,
    campaign_launched,
    complaint,
    content_approved,
    delivered,
    lead,
    lead_assigned,
    later,
    order,
    price_set,
    product_approved,
    returned,
    rows,
    shipped,
)
from eventkit.consumer import EventConsumer
from eventkit.tables import outbox
from eventkit.testing import make_tokens
from services.crm.adapters.persistence.tables import orders, product_stages, profiles, tasks
from services.crm.config import Settings
from services.crm.wiring import Deps, build

NS = "u."


def topic(event_type: str) -> str:
    return NS + topic_of(event_type)


async def make(tmp_path: Path, name: str) -> Deps:
    settings = Settings(api_tokens=make_tokens()[0], topic_namespace=NS,
                        database_url=f"sqlite+aiosqlite:///{tmp_path / name}.db")
    deps = build(settings)
    await deps.db.create_all()
    return deps


async def feed(deps: Deps, records: list[FakeRecord], suffix: str = "") -> None:
    for projection in deps.projections(suffix):
        dead = await EventConsumer(projection, deps.db).process_batch(records)
        assert dead == [], [d.reason for d in dead]


async def snapshot(deps: Deps) -> dict[str, Any]:
    async with deps.db.read() as conn:
        return {
            "tasks": rows(await conn.execute(select(tasks).order_by(tasks.c.task_id))),
            "profiles": rows(await conn.execute(select(profiles).order_by(profiles.c.customer_id))),
            "orders": rows(await conn.execute(select(orders).order_by(orders.c.order_id))),
            "stages": rows(await conn.execute(select(product_stages))),
        }


async def own_topic(deps: Deps) -> list[FakeRecord]:
    """What the relay would have sent to crm.events (the outbox, in order)."""
    async with deps.db.read() as conn:
        out = (await conn.execute(select(outbox).where(outbox.c.topic == NS + "crm.events")
               .order_by(outbox.c.id))).all()
    return [FakeRecord(r.topic, 0, i, r.key.encode(), bytes(r.value)) for i, r in enumerate(out)]


async def store_key(deps: Deps, customer_id: str, key: bytes) -> None:
    async with deps.db.begin() as conn:
        await deps.keyring.store(conn, customer_id, key.decode())


def history(k1: bytes, k2: bytes) -> list[FakeRecord]:
    # The relay of divisions for one product, the closing events sometimes first.
    return as_records([
        (topic("PriceSet"), price_set("p1", later(30))),  # before ProductApproved
        (topic("ProductApproved"), product_approved("p1", later(0))),
        (topic("ContentApproved"), content_approved("p1", later(60))),
        (topic("CampaignLaunched"), campaign_launched("p1", later(90))),
        (topic("LeadCaptured"), lead("c1", "l1", k1, "0812-3456-7890", "Siti", later(100))),
        (topic("LeadCaptured"), lead("c2", "l2", k2, "+62 812 3456 7890", "Siti A.", later(110))),
        (topic("LeadAssigned"), lead_assigned("l1", later(101))),
        (topic("Shipped"), shipped("o1", later(200))),  # before its order: parked
        (topic("OrderPlaced"), order("c1", "o1", k1, {"p1": 99_000}, later(150))),
        (topic("OrderPlaced"), order("c2", "o2", k2, {"p1": 99_000, "p2": 50_000}, later(160))),
        (topic("Delivered"), delivered("o1", later(300))),
        (topic("ReturnedToSender"), returned("o2", later(320))),
        (topic("ComplaintOpened"), complaint("o1", later(330))),
    ])


async def test_tasks_open_and_close_from_events_in_any_order(tmp_path: Path) -> None:
    deps = await make(tmp_path, "a")

    await feed(deps, history(new_customer_key(), new_customer_key()))

    state = await snapshot(deps)
    by_kind = {(t["kind"], t["subject_id"]): t for t in state["tasks"]}
    assert by_kind[("set_price", "p1")]["status"] == "done"  # PriceSet came first
    assert by_kind[("write_copy", "p1")]["status"] == "done"
    assert by_kind[("launch_test", "p1")]["status"] == "done"
    assert by_kind[("reply_lead", "l1")]["status"] == "done"
    assert by_kind[("reply_lead", "l2")]["status"] == "open"
    assert by_kind[("confirm_and_book", "o1")]["status"] == "done"
    assert by_kind[("confirm_and_book", "o2")]["status"] == "open"
    assert by_kind[("ask_feedback", "o1")]["status"] == "open"
    assert by_kind[("resolve_complaint", "k-o1")]["division"] == "fulfillment"
    assert by_kind[("set_price", "p1")]["assignee"] == "finance-lead"
    assert state["stages"][0]["stage"] == "testing"


async def test_redelivery_changes_nothing(tmp_path: Path) -> None:
    deps = await make(tmp_path, "b")
    records = history(new_customer_key(), new_customer_key())
    await feed(deps, records)
    before = await snapshot(deps)

    await feed(deps, records)

    assert await snapshot(deps) == before


async def test_same_phone_written_differently_is_one_profile(tmp_path: Path) -> None:
    deps = await make(tmp_path, "c")
    k1, k2 = new_customer_key(), new_customer_key()
    await store_key(deps, "c1", k1)
    await store_key(deps, "c2", k2)

    await feed(deps, history(k1, k2))

    state = await snapshot(deps)
    by_id = {p["customer_id"]: p for p in state["profiles"]}
    assert by_id["c1"]["phone_e164"] == "+6281234567890"
    assert by_id["c2"]["merged_into"] == "c1"


async def test_key_arriving_after_the_lead_still_unseals(tmp_path: Path) -> None:
    deps = await make(tmp_path, "d")
    k1, k2 = new_customer_key(), new_customer_key()
    await feed(deps, history(k1, k2))
    assert {p["name"] for p in (await snapshot(deps))["profiles"]} == {None}

    await store_key(deps, "c1", k1)
    async with deps.db.begin() as conn:
        await deps.profiles.resolve_pending(conn)

    by_id = {p["customer_id"]: p for p in (await snapshot(deps))["profiles"]}
    assert by_id["c1"]["name"] == "Budi"  # the newest sealed contact (the order's)
    assert by_id["c2"]["name"] is None  # its key has not come


async def test_rebuild_from_the_log_gives_identical_tasks_and_profiles(tmp_path: Path) -> None:
    k1, k2 = new_customer_key(), new_customer_key()
    records = history(k1, k2)
    first = await make(tmp_path, "e1")
    await store_key(first, "c1", k1)
    await store_key(first, "c2", k2)
    await feed(first, records)
    crm_log = await own_topic(first)

    rebuilt = await make(tmp_path, "e2")
    await store_key(rebuilt, "c1", k1)
    await store_key(rebuilt, "c2", k2)
    # The fresh group reads crm.events as well, interleaved differently.
    await feed(rebuilt, crm_log + list(reversed(records)), suffix=".rebuild")

    assert await snapshot(rebuilt) == await snapshot(first)


async def test_erasure_wipes_personal_fields_and_a_rebuild_cannot_unseal(tmp_path: Path) -> None:
    k1, k2 = new_customer_key(), new_customer_key()
    deps = await make(tmp_path, "f")
    await store_key(deps, "c1", k1)
    await feed(deps, history(k1, k2))

    async with deps.db.begin() as conn:
        await deps.keyring.forget(conn, "c1")
        await deps.profiles.erase(conn, "c1")

    after = {p["customer_id"]: p for p in (await snapshot(deps))["profiles"]}
    assert after["c1"]["name"] is None and after["c1"]["phone_e164"] is None
    assert after["c1"]["erased"] is True
    assert len([o for o in (await snapshot(deps))["orders"] if o["customer_id"] == "c1"]) == 1

    rebuilt = await make(tmp_path, "f2")  # the key is gone everywhere: never stored
    await feed(rebuilt, history(k1, k2))
    async with rebuilt.db.begin() as conn:
        await rebuilt.profiles.resolve_pending(conn)
    again = {p["customer_id"]: p for p in (await snapshot(rebuilt))["profiles"]}
    assert again["c1"]["name"] is None
    assert [o["total_minor"] for o in (await snapshot(rebuilt))["orders"]
            if o["customer_id"] == "c1"] == [109_000]  # 99,000 + 10,000 ongkir


@pytest.mark.parametrize("name", ["g"])
async def test_late_tasks_escalate_once(tmp_path: Path, name: str) -> None:
    deps = await make(tmp_path, name)
    await feed(deps, history(new_customer_key(), new_customer_key()))

    async with deps.db.begin() as conn:
        first = await deps.board.escalate_late(conn, later(60 * 24 * 30))
    async with deps.db.begin() as conn:
        second = await deps.board.escalate_late(conn, later(60 * 24 * 31))

    assert first > 0 and second == 0
    state = await snapshot(deps)
    assert all(t["escalated"] for t in state["tasks"] if t["status"] == "open")
    assert {t["assignee"] for t in state["tasks"] if t["status"] == "open"} == {"owner"}
