"""The CRM on real Kafka and PostgreSQL: events of the other services in, profiles and
the task board out; redelivery changes nothing; erasure; a rebuild from the log into a
fresh database gives the same profiles and tasks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from contracts.envelope import Envelope
from contracts.personal import new_customer_key
from contracts.sales import CUSTOMER_KEYS_TOPIC
from crm_events import (
    complaint,
    content_approved,
    delivered,
    lead,
    lead_assigned,
    order,
    price_set,
    product_approved,
    rows,
    shipped,
)
from eventkit.db import Database
from eventkit.testing import (
    bearer,
    make_tokens,
    running,
    send_envelopes,
    send_records,
    unique,
    wait_for,
)
from services.crm.adapters.persistence.tables import (
    complaints,
    feedback,
    orders,
    product_stages,
    profiles,
    tasks,
)
from services.crm.config import Settings
from services.crm.entrypoints.http import create_app
from services.crm.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration

FAST = {"escalation_every_seconds": 3600.0, "suggestions_every_seconds": 3600.0,
        "contacts_every_seconds": 0.3}


def settings(url: str, ns: str, kafka: str, tokens: str) -> Settings:
    return Settings(api_tokens=tokens, topic_namespace=ns, database_url=url,
                    kafka_bootstrap_servers=kafka, **FAST)  # type: ignore[arg-type]


async def produce(kafka: str, ns: str, envelopes: list[Envelope]) -> None:
    await send_envelopes(kafka, envelopes, namespace=ns)


async def produce_keys(kafka: str, ns: str, keys: dict[str, bytes | None]) -> None:
    """Customer keys as sales publishes them; None is the erasure tombstone."""
    await send_records(kafka, ns + CUSTOMER_KEYS_TOPIC, [
        (cid.encode(), None if key is None else json.dumps(
            {"customer_id": cid, "data_key": key.decode()}).encode())
        for cid, key in keys.items()
    ])


async def snapshot(db: Database) -> dict[str, Any]:
    async with db.read() as conn:
        return {
            name: rows(await conn.execute(select(table).order_by(*table.primary_key.columns)))
            for name, table in (("tasks", tasks), ("profiles", profiles), ("orders", orders),
                                ("complaints", complaints), ("feedback", feedback),
                                ("stages", product_stages))
        }


async def test_crm_builds_profiles_and_board_and_survives_rebuild(
    kafka_bootstrap: str, new_pg_database: Any
) -> None:
    ns = unique("t") + "."
    tokens, by_role = make_tokens()
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    at = lambda minutes: now + timedelta(minutes=minutes)  # noqa: E731
    k1, k2 = new_customer_key(), new_customer_key()
    history = [
        price_set("p1", at(2)), product_approved("p1", at(0)), content_approved("p1", at(4)),
        lead("c1", "l1", k1, "0812-3456-7890", "Siti", at(5)),
        lead("c2", "l2", k2, "+62 812 3456 7890", "Siti A.", at(6)),
        lead_assigned("l1", at(7)),
        shipped("o1", at(20)),  # before its order
        order("c1", "o1", k1, {"p1": 99_000}, at(10)),
        order("c2", "o2", k2, {"p1": 99_000, "p2": 50_000}, at(11)),
        delivered("o1", at(30)), complaint("o2", at(31)),
    ]
    first_url = await new_pg_database("crm")
    first = settings(first_url, ns, kafka_bootstrap, tokens)
    db = Database(first_url)

    # -- events in, read models out ------------------------------------------------------
    suffix = "." + unique("g")
    async with running(create_worker(first, group_suffix=suffix)):
        await produce_keys(kafka_bootstrap, ns, {"c1": k1, "c2": k2})
        await produce(kafka_bootstrap, ns, history)

        async def settled() -> Any:
            s = await snapshot(db)
            merged = any(p["merged_into"] == "c1" for p in s["profiles"])
            # the board and the profiles are separate consumer groups: wait for both
            profiles_done = len(s["orders"]) == 2 and len(s["complaints"]) == 1
            return s if len(s["tasks"]) == 9 and merged and profiles_done else None

        try:
            state = await wait_for(settled, timeout=60)
        except AssertionError:
            s = await snapshot(db)
            print({k: len(v) for k, v in s.items()}, [p["merged_into"] for p in s["profiles"]])
            raise
        kinds = {(t["kind"], t["subject_id"]): t["status"] for t in state["tasks"]}
        assert kinds[("set_price", "p1")] == "done"
        assert kinds[("confirm_and_book", "o1")] == "done"
        assert kinds[("ask_feedback", "o1")] == "open"

        app = create_app(first)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            crm, sales = bearer(by_role["crm"]), bearer(by_role["sales"])
            person = (await http.get("/customers/c2", headers=crm)).json()
            assert person["customer_id"] == "c1" and person["customer_ids"] == ["c1", "c2"]
            assert person["phone"] == "+6281234567890"
            # o1 109,000 + o2 159,000 (149,000 + 10,000 ongkir) = 268,000 rupiah
            assert person["lifetime_value"] == [{"amount": 268_000, "currency": "IDR"}]

            bad = await http.post("/feedback", headers=crm, json={"rating": 9})
            assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "rating"
            given = await http.post("/feedback", headers=sales, json={
                "feedback_id": "f1", "customer_id": "c1", "order_id": "o1",
                "product_id": "p1", "rating": 5, "comment": "barang bagus, pengiriman cepat"})
            assert given.status_code == 201 and given.json()["label"] == "positive"
            summary = (await http.get("/feedback/summary?product_id=p1", headers=crm)).json()
            assert summary["sentiment"] == {"positive": 1}

            planned = await http.post("/tasks", headers=bearer(by_role["marketing"]), json={
                "title": "Plan the Ramadan bundle", "division": "marketing",
                "product_id": "p1"})
            task_id = planned.json()["task_id"]
            await http.post(f"/tasks/{task_id}/assign", headers=crm, json={"assignee": "rina"})
            await http.post(f"/tasks/{task_id}/comments", headers=crm, json={"text": "draft"})
            done = await http.post(f"/tasks/{task_id}/complete", headers=crm)
            assert done.json()["status"] == "done"
            again = await http.post(f"/tasks/{task_id}/complete", headers=crm)
            assert again.status_code == 409
            rina = (await http.get("/members/rina/tasks", headers=crm)).json()
            assert [t["task_id"] for t in rina["done"]] == [task_id]

            split = await http.post("/profiles/unmerge", headers=crm, json={
                "survivor_id": "c1", "merged_id": "c2", "reason": "two sisters"})
            assert split.status_code == 200
            board = (await http.get("/board/products", headers=crm)).json()
            assert board[0]["stage"] == "launch"

        async def feedback_closed() -> Any:
            s = await snapshot(db)
            ask = [t for t in s["tasks"] if t["kind"] == "ask_feedback"]
            return s if ask and ask[0]["status"] == "done" and len(s["tasks"]) == 10 else None

        await wait_for(feedback_closed, timeout=30)

        # -- redelivery: the same events again change nothing ---------------------------
        before = await snapshot(db)
        await produce(kafka_bootstrap, ns, history)
        await wait_for(lambda: _caught_up(kafka_bootstrap, ns, suffix), timeout=30)
        assert await snapshot(db) == before

        # -- erasure: sales publishes the tombstone --------------------------------------
        await produce_keys(kafka_bootstrap, ns, {"c1": None})

        async def wiped() -> bool:
            s = await snapshot(db)
            c1 = next(p for p in s["profiles"] if p["customer_id"] == "c1")
            return c1["name"] is None and c1["phone_e164"] is None and c1["erased"]

        await wait_for(wiped, timeout=30)
        final = await snapshot(db)
        assert [o["total_minor"] for o in final["orders"] if o["customer_id"] == "c1"] == [109_000]

    # -- rebuild: fresh database, fresh groups, from the beginning ---------------------------
    rebuilt_url = await new_pg_database("crm")
    rebuilt_db = Database(rebuilt_url)
    async with running(create_worker(settings(rebuilt_url, ns, kafka_bootstrap, tokens),
                                     group_suffix=".rebuild." + unique("g"))):

        async def same() -> bool:
            return await snapshot(rebuilt_db) == final

        try:
            await wait_for(same, timeout=60)
        except AssertionError:
            got = await snapshot(rebuilt_db)
            for name in final:
                a = [r for r in final[name] if r not in got[name]]
                b = [r for r in got[name] if r not in final[name]]
                if a or b:
                    print("DIFF", name, "\nwant", a, "\ngot ", b)
            from eventkit.tables import dead_letters, events, parked
            async with rebuilt_db.read() as conn:
                for t in (dead_letters, parked):
                    print(t.name, rows(await conn.execute(select(t))))
                print([(r["event_type"], r["event_id"], r["aggregate_version"]) for r in rows(
                    await conn.execute(select(events).where(
                        events.c.aggregate_type == "profile_link").order_by(events.c.position)))])
            async with db.read() as conn:
                print([(r["event_type"], r["event_id"], r["aggregate_version"]) for r in rows(
                    await conn.execute(select(events).where(
                        events.c.aggregate_type == "profile_link").order_by(events.c.position)))])
            raise
    await db.dispose()
    await rebuilt_db.dispose()


async def _caught_up(kafka: str, ns: str, suffix: str) -> bool:
    """Both CRM groups have committed up to the end of every topic they read."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    probe = AIOKafkaConsumer(bootstrap_servers=kafka)
    await admin.start()
    await probe.start()
    try:
        for group in (f"{ns}crm.profiles{suffix}", f"{ns}crm.board{suffix}"):
            committed = await admin.list_consumer_group_offsets(group)
            ends = await probe.end_offsets(list(committed))
            if not committed or any(
                (meta.offset if meta else 0) < ends[tp] for tp, meta in committed.items()
            ):
                return False
        return True
    finally:
        await probe.stop()
        await admin.close()
