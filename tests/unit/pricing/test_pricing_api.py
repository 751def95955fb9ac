"""Pricing API and its research projection over embedded SQLite (no Kafka)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from contracts.envelope import Actor, EventPayload, new_envelope
from contracts.money import Money
from contracts.research import ProductApproved, ProductRejected
from eventkit.consumer import EventConsumer
from eventkit.testing import bearer, make_tokens
from services.pricing import wiring
from services.pricing.config import Settings
from services.pricing.entrypoints.http import create_app

RESEARCH = Actor(user_id="r", division="research")

REQUEST = {
    "costs": {"packaging_idr": 2000, "shipping_subsidy_idr": 5000, "cod_fee_percent": "3",
              "payment_fee_percent": "1.5", "cod_share_percent": "80",
              "cs_commission_idr": 5000, "rts_rate_percent": "10", "rts_cost_idr": 20000,
              "target_ad_cost_idr": 30000, "target_margin_percent": "15"},
    "strategy": {"kind": "target_margin"},
    "kpi": {"closing_rate_percent": "30", "orders_per_day": 20},
}


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


Service = tuple[httpx.AsyncClient, dict[str, str], EventConsumer]


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    tokens, by_role = make_tokens()
    settings = Settings(api_tokens=tokens, database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db")
    app: FastAPI = create_app(settings)
    deps = app.state.deps
    consumer = EventConsumer(wiring.build_projections(settings, deps)[0], deps.db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield c, by_role, consumer


def record(payload: EventPayload, product_id: str, offset: int) -> FakeRecord:
    env = new_envelope(payload, aggregate_id=product_id, aggregate_version=offset + 1,
                       actor=RESEARCH, occurred_at=datetime.now(UTC))
    return FakeRecord("research.events", 0, offset, product_id.encode(), env.to_bytes())


def approved(product_id: str) -> ProductApproved:
    return ProductApproved(product_id=product_id, sku="BLD-01", name="Blender",
                           hpp=Money.idr(45_000), weight_grams=900, stock_on_hand=500,
                           supplier_name="CV Maju")


async def test_approved_product_is_priced_with_kpis_and_history(service: Service) -> None:
    c, role, consumer = service
    pid = f"prd-{uuid.uuid4().hex[:6]}"
    opened = record(approved(pid), pid, 0)
    await consumer.process_batch([opened, opened])  # redelivered: opened once

    first = await c.post(f"/worksheets/{pid}/price", json=REQUEST,
                         headers=bearer(role["pricing"]))
    cheaper = {**REQUEST, "strategy": {"kind": "competitor_anchored",
                                       "competitor_price_idr": 125000, "undercut_idr": 1000}}
    second = await c.post(f"/worksheets/{pid}/price", json=cheaper,
                          headers=bearer(role["pricing"]))

    # The worked example of test_pricing_calculator: 109,000 with these inputs.
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["quote"]["price"] == {"amount": 109000, "currency": "IDR"}
    assert body["quote"]["max_cpl"] == {"amount": 9332, "currency": "IDR"}
    assert body["worksheet"]["kpi_targets"]["min_roas"] == "3.51"
    assert body["worksheet"]["kpi_targets"]["target_closing_rate"] == "0.3"
    # 125,000 - 1,000 = 124,000 -> 119,000 (price ending in 9,000 at or below)
    assert second.json()["quote"]["price"]["amount"] == 119000
    history = (await c.get(f"/worksheets/{pid}/prices", headers=bearer(role["sales"]))).json()
    assert [(h["price"]["price"]["amount"], (h["price"]["previous_price"] or {}).get("amount"))
            for h in history] == [(109000, None), (119000, 109000)]
    sheet = (await c.get(f"/worksheets/{pid}", headers=bearer(role["sales"]))).json()
    assert sheet["version"] == 7  # opened + 2 x (inputs, price, kpis)


async def test_unknown_and_rejected_products_cannot_be_priced(service: Service) -> None:
    c, role, consumer = service
    await consumer.process_batch([record(ProductRejected(product_id="prd-no", reason="x"),
                                         "prd-no", 0)])

    unknown = await c.post("/worksheets/prd-never/price", json=REQUEST,
                           headers=bearer(role["pricing"]))
    rejected = await c.post("/worksheets/prd-no/price", json=REQUEST,
                            headers=bearer(role["pricing"]))

    assert unknown.status_code == 404
    assert unknown.json()["detail"][0]["loc"] == ["body", "product_id"]
    assert rejected.status_code == 422
    assert "rejected" in rejected.json()["detail"][0]["msg"]


async def test_bad_inputs_name_the_field_and_record_nothing(service: Service) -> None:
    c, role, consumer = service
    pid = "prd-bad"
    await consumer.process_batch([record(approved(pid), pid, 0)])
    over = {**REQUEST, "costs": {**REQUEST["costs"], "cod_fee_percent": "120"}}
    negative = {**REQUEST, "costs": {**REQUEST["costs"], "packaging_idr": -1}}
    whole = {**REQUEST, "costs": {**REQUEST["costs"], "cod_fee_percent": "50",
                                  "payment_fee_percent": "50", "target_margin_percent": "60"}}
    thin = {**REQUEST, "strategy": {"kind": "cost_plus", "markup_percent": "10"}}

    answers = [await c.post(f"/worksheets/{pid}/price", json=b, headers=bearer(role["pricing"]))
               for b in (over, negative, whole, thin)]

    assert [a.status_code for a in answers] == [422, 422, 422, 422]
    assert answers[0].json()["detail"][0]["loc"][-1] == "cod_fee_percent"
    assert answers[1].json()["detail"][0]["loc"][-1] == "packaging_idr"
    assert "whole price" in answers[2].json()["detail"][0]["msg"]
    assert answers[3].json()["detail"][0]["loc"] == ["body", "strategy.markup_percent"]
    sheet = (await c.get(f"/worksheets/{pid}", headers=bearer(role["pricing"]))).json()
    assert sheet["version"] == 1 and sheet["price"] is None


async def test_only_finance_sets_prices(service: Service) -> None:
    c, role, consumer = service
    await consumer.process_batch([record(approved("prd-x"), "prd-x", 0)])

    r = await c.post("/worksheets/prd-x/price", json=REQUEST, headers=bearer(role["marketing"]))

    assert r.status_code == 403
