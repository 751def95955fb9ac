"""The CRM's HTTP API on SQLite: commands, 4xx with the field, board views, upsell tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.catalogue import topic_of
from contracts.personal import new_customer_key, unseal
from crm_events import as_records, order
from eventkit.consumer import EventConsumer
from eventkit.testing import bearer, make_tokens
from services.crm.application.upsell import open_suggestion_tasks
from services.crm.config import Settings
from services.crm.entrypoints.http import create_app


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Any]]:
    tokens, by_role = make_tokens()
    settings = Settings(api_tokens=tokens, topic_namespace="api.",
                        database_url=f"sqlite+aiosqlite:///{tmp_path / 'api.db'}")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client, by_role, app.state.deps


async def test_commands_need_a_division_and_reads_a_token(api: Any) -> None:
    http, roles, _ = api

    assert (await http.get("/tasks")).status_code == 401
    merge = {"survivor_id": "a", "merged_id": "b", "reason": "same person"}
    assert (await http.post("/profiles/merge", json=merge,
                            headers=bearer(roles["sales"]))).status_code == 403


async def test_bad_input_names_the_field_and_changes_nothing(api: Any) -> None:
    http, roles, _ = api
    crm = bearer(roles["crm"])

    bad = await http.post("/tasks", headers=crm, json={"title": "x", "division": "nobody"})
    naive = await http.post("/tasks", headers=crm, json={"title": "x", "division": "crm",
                                                         "due_at": "2026-12-01T10:00:00"})
    self_merge = await http.post("/profiles/merge", headers=crm, json={
        "survivor_id": "a", "merged_id": "a", "reason": "oops"})

    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "division"
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"][-1] == "due_at"
    assert self_merge.status_code == 422
    assert self_merge.json()["detail"][0]["loc"] == ["body", "merged_id"]
    assert (await http.get("/tasks", headers=crm)).json() == []
    assert (await http.get("/tasks/nope", headers=crm)).status_code == 404


async def test_manual_task_plan_schedule_assign_comment_complete(api: Any) -> None:
    http, roles, _ = api
    pricing, crm = bearer(roles["pricing"]), bearer(roles["crm"])
    due = datetime.now(UTC) + timedelta(days=2)

    planned = (await http.post("/tasks", headers=pricing, json={
        "title": "Check supplier price list", "division": "pricing"})).json()
    task_id = planned["task_id"]
    await http.post(f"/tasks/{task_id}/schedule", headers=pricing,
                    json={"due_at": due.isoformat()})
    await http.post(f"/tasks/{task_id}/assign", headers=crm, json={"assignee": "dewi"})
    await http.post(f"/tasks/{task_id}/comments", headers=pricing, json={"text": "asked CV A"})
    open_view = (await http.get("/members/dewi/tasks", headers=crm)).json()
    done = await http.post(f"/tasks/{task_id}/complete", headers=bearer(roles["owner"]))
    twice = await http.post(f"/tasks/{task_id}/complete", headers=crm)

    assert planned["assignee"] == "finance-lead"  # by rule for the pricing division
    assert [t["task_id"] for t in open_view["open"]] == [task_id]
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert [a["action"] for a in done.json()["activity"]] == [
        "opened", "scheduled", "assigned", "commented", "completed"]
    assert twice.status_code == 409
    dewi = (await http.get("/members/dewi/tasks", headers=crm)).json()
    assert [t["task_id"] for t in dewi["done"]] == [task_id] and dewi["open"] == []
    log = (await http.get("/members/pricing-tester/activity", headers=crm)).json()
    assert {a["action"] for a in log} == {"scheduled", "commented"}


async def test_feedback_shows_its_sentiment_and_is_summarised(api: Any) -> None:
    http, roles, _ = api
    crm = bearer(roles["crm"])

    first = await http.post("/feedback", headers=crm, json={
        "feedback_id": "f1", "product_id": "p1", "rating": 2, "language": "id",
        "comment": "kecewa, barang rusak dan pengiriman lama"})
    again = await http.post("/feedback", headers=crm, json={
        "feedback_id": "f1", "product_id": "p1", "rating": 2, "language": "id",
        "comment": "kecewa, barang rusak dan pengiriman lama"})
    await http.post("/feedback", headers=crm, json={
        "feedback_id": "f2", "product_id": "p1", "rating": 5, "language": "en",
        "comment": "Great product, fast delivery"})
    summary = (await http.get("/feedback/summary?product_id=p1", headers=crm)).json()

    assert first.json()["label"] == "negative"
    assert "kecewa(-3)" in first.json()["matched"]
    assert again.status_code == 201
    assert summary["count"] == 2  # the retry of f1 changed nothing
    assert summary["sentiment"] == {"negative": 1, "positive": 1}
    assert summary["topics"]["delivery"] == {"negative": 1, "positive": 1}
    assert list(summary["by_month"].values()) == [{"negative": 1, "positive": 1}]


async def test_other_feedback_under_a_recorded_id_is_refused_and_changes_nothing(
    api: Any,
) -> None:
    http, roles, _ = api
    crm = bearer(roles["crm"])

    await http.post("/feedback", headers=crm, json={
        "feedback_id": "f7", "product_id": "p7", "rating": 5, "comment": "bagus sekali"})
    changed = await http.post("/feedback", headers=crm, json={
        "feedback_id": "f7", "product_id": "p7", "rating": 1, "comment": "jelek"})
    summary = (await http.get("/feedback/summary?product_id=p7", headers=crm)).json()

    assert changed.status_code == 409
    assert changed.json()["detail"][0]["loc"] == ["body", "feedback_id"]
    assert summary["count"] == 1
    assert summary["sentiment"] == {"positive": 1}


async def test_upsell_job_opens_one_task_per_suggestion_with_its_reason(api: Any) -> None:
    http, roles, deps = api
    key = new_customer_key()
    old = datetime.now(UTC) - timedelta(days=40)
    records = as_records([
        ("api." + topic_of("OrderPlaced"), order(c, f"o-{c}", key, products, old))
        for c, products in (("a", {"kopi": 50_000, "gula": 20_000}),
                            ("b", {"kopi": 50_000, "gula": 20_000}),
                            ("c", {"kopi": 50_000}))
    ])
    for projection in deps.projections():
        await EventConsumer(projection, deps.db).process_batch(records)

    opened = await open_suggestion_tasks(deps, datetime.now(UTC))
    again = await open_suggestion_tasks(deps, datetime.now(UTC))
    suggestions = (await http.get("/customers/c/suggestions", headers=bearer(roles["crm"])))
    upsell = [t for t in (await http.get("/tasks?division=sales", headers=bearer(roles["crm"])))
              .json() if t["kind"] == "upsell"]

    assert opened == 1 and again == 0
    assert [(s["kind"], s["product_id"]) for s in suggestions.json()] == [("cross_sell", "gula")]
    assert upsell[0]["subject_id"] == "c" and "bought together with kopi" in upsell[0]["title"]
    profile = (await http.get("/customers/a", headers=bearer(roles["crm"]))).json()
    # 50,000 + 20,000 + 10,000 ongkir = 80,000 rupiah
    assert profile["lifetime_value"] == [{"amount": 80_000, "currency": "IDR"}]
    assert profile["rfm"]["segment"] == "new"
    segments = (await http.get("/segments", headers=bearer(roles["crm"]))).json()
    assert sorted(segments["new"]) == ["a", "b", "c"]


async def test_a_known_customers_comment_is_sealed_on_the_log(api: Any) -> None:
    http, roles, deps = api
    key = new_customer_key()
    async with deps.db.begin() as conn:
        await deps.keyring.store(conn, "c9", key.decode())

    await http.post("/feedback", headers=bearer(roles["crm"]), json={
        "feedback_id": "f9", "customer_id": "c9", "rating": 1,
        "comment": "kurir bernama Joko kasar sekali"})

    async with deps.db.read() as conn:
        [stored] = await deps.store.load(conn, "f9")
    assert stored.payload["comment"] == ""
    assert unseal(key, stored.payload["comment_sealed"]) == {
        "comment": "kurir bernama Joko kasar sekali"}
    assert stored.payload["sentiment_label"] == "negative"
    assert unseal(None, stored.payload["comment_sealed"]) is None  # after erasure
