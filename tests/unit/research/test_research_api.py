"""The research API over an embedded SQLite database (no Kafka needed for commands)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from eventkit.testing import bearer, make_tokens
from services.research.config import Settings
from services.research.entrypoints.http import create_app

FILE = {
    "target_audience": "pekerja kantoran",
    "competitors": [{"name": "Toko A", "price": {"amount": 99000, "currency": "IDR"}}],
    "suppliers": [{"name": "CV Maju", "unit_cost": {"amount": 30000, "currency": "IDR"},
                   "deal_status": "signed"}],
    "confirmed_stock": [{"quantity": 100, "location": "Surabaya"}],
    "ad_policy_allowed": True,
}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    tokens, by_role = make_tokens()
    settings = Settings(api_tokens=tokens, database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield c, by_role


async def propose(c: httpx.AsyncClient, token: str, sku: str = "SKU-1") -> str:
    r = await c.post("/products", json={"sku": sku, "name": "Lampu", "weight_grams": 300},
                     headers=bearer(token))
    assert r.status_code == 201, r.text
    return str(r.json()["product_id"])


async def test_approve_without_research_lists_every_failing_mandatory_criterion(
    client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    c, role = client
    pid = await propose(c, role["research"])

    r = await c.post(f"/products/{pid}/approve", json={}, headers=bearer(role["research"]))

    assert r.status_code == 422
    failing = [d["loc"][-1] for d in r.json()["detail"]]
    assert failing == ["supplier_deal_signed", "stock_confirmed", "unit_cost_ceiling",
                       "margin_floor", "ad_policy_allowed", "suppliers"]
    history = await c.get(f"/products/{pid}/history", headers=bearer(role["sales"]))
    assert [e["event_type"] for e in history.json()] == ["ProductProposed"]


async def test_candidate_is_researched_approved_and_listed_by_stage(
    client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    c, role = client
    pid = await propose(c, role["research"])

    r = await c.put(f"/products/{pid}/research-file", json=FILE, headers=bearer(role["research"]))
    assert r.status_code == 200 and r.json()["stage"] == "researching"
    r = await c.post(f"/products/{pid}/approve", json={"summary": "laris"},
                     headers=bearer(role["research"]))

    assert r.status_code == 200, r.text
    assert r.json()["hpp"] == {"amount": 30000, "currency": "IDR"}
    approved = await c.get("/products", params={"stage": "approved"}, headers=bearer(role["crm"]))
    assert [p["product_id"] for p in approved.json()] == [pid]
    history = await c.get(f"/products/{pid}/history", headers=bearer(role["crm"]))
    assert [e["event_type"] for e in history.json()] == [
        "ProductProposed", "ResearchFileUpdated", "ProductApproved"]
    again = await c.post(f"/products/{pid}/approve", json={}, headers=bearer(role["research"]))
    assert again.status_code == 409


async def test_other_divisions_may_read_but_not_approve(
    client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    c, role = client
    pid = await propose(c, role["research"])

    r = await c.post(f"/products/{pid}/reject", json={"reason": "x"}, headers=bearer(role["sales"]))

    assert r.status_code == 403
    assert (await c.get(f"/products/{pid}", headers=bearer(role["sales"]))).status_code == 200


async def test_bad_input_names_the_field_and_changes_nothing(
    client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    c, role = client
    pid = await propose(c, role["research"])
    negative = {**FILE, "suppliers": [{"name": "CV", "unit_cost": {"amount": -5, "currency": "IDR"}}]}

    r = await c.put(f"/products/{pid}/research-file", json=negative,
                    headers=bearer(role["research"]))
    dup = await c.post("/products", json={"sku": "SKU-1", "name": "x", "weight_grams": 1},
                       headers=bearer(role["research"]))
    unknown = await c.post("/products/prd-nope/reject", json={"reason": "x"},
                           headers=bearer(role["research"]))

    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "suppliers.0.unit_cost"]
    assert dup.status_code == 409 and dup.json()["detail"][0]["loc"] == ["body", "sku"]
    assert unknown.status_code == 404
    view = await c.get(f"/products/{pid}", headers=bearer(role["research"]))
    assert view.json()["stage"] == "candidate" and view.json()["version"] == 1


async def test_checklist_comes_from_settings_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens, role = make_tokens()
    monkeypatch.setenv("RESEARCH_APPROVAL_CRITERIA",
                       '[{"name": "light", "kind": "weight_max", "limit": 250}]')
    settings = Settings(api_tokens=tokens, database_url=f"sqlite+aiosqlite:///{tmp_path}/c.db")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as c:
            pid = await propose(c, role["research"])  # 300 g
            await c.put(f"/products/{pid}/research-file", json=FILE,
                        headers=bearer(role["research"]))

            checklist = await c.get(f"/products/{pid}/checklist", headers=bearer(role["crm"]))
            refused = await c.post(f"/products/{pid}/approve", json={},
                                   headers=bearer(role["research"]))

    assert checklist.json()["approvable"] is False
    assert [v["criterion"] for v in checklist.json()["verdicts"]] == ["light"]
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"loc": ["body", "criteria", "light"],
                                         "msg": "300 g above shipping limit 250 g",
                                         "type": "CriterionFailed"}]
