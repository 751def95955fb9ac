"""Done-when of issue 3 on real Kafka and PostgreSQL: a product goes candidate ->
approved -> priced through the research and pricing APIs; ProductApproved, PriceSet and
KpiTargetsSet reach Kafka through the outboxes and workers.

Research API + research worker (relay) + pricing worker (projection + relay) + pricing
API run once for the module; tests run in file order and share them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from eventkit.testing import bearer, make_tokens, read_topic, running, unique, wait_for
from services.pricing.config import Settings as PricingSettings
from services.pricing.entrypoints.http import create_app as pricing_app
from services.pricing.entrypoints.worker import create_worker as pricing_worker
from services.research.config import Settings as ResearchSettings
from services.research.entrypoints.http import create_app as research_app
from services.research.entrypoints.worker import create_worker as research_worker

pytestmark = pytest.mark.integration

RESEARCH_FILE = {
    "target_audience": "ibu rumah tangga 25-40",
    "demand_signals": "3 competitors running ads for 60+ days",
    "competitors": [{"name": "Toko A", "price": {"amount": 129000, "currency": "IDR"},
                     "link": "https://example.com/a", "ad_notes": "video testimoni"}],
    "suppliers": [{"name": "CV Maju", "unit_cost": {"amount": 45000, "currency": "IDR"},
                   "minimum_order": 100, "lead_time_days": 7, "deal_status": "signed"}],
    "confirmed_stock": [{"quantity": 500, "location": "Bandung"}],
    "evidence_links": ["https://example.com/ads/1", "https://example.com/ads/2"],
    "ad_policy_allowed": True,
}

PRICE_REQUEST = {
    "costs": {"packaging_idr": 2000, "shipping_subsidy_idr": 5000, "cod_fee_percent": "3",
              "payment_fee_percent": "1.5", "cod_share_percent": "80",
              "cs_commission_idr": 5000, "rts_rate_percent": "10", "rts_cost_idr": 20000,
              "target_ad_cost_idr": 30000, "target_margin_percent": "15"},
    "strategy": {"kind": "target_margin"},
    "kpi": {"closing_rate_percent": "30", "orders_per_day": 20},
}


async def _admin(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(host=u.host, port=u.port, user=u.username,
                                 password=u.password, database=u.database)


@pytest.fixture(scope="module")
async def env(kafka_bootstrap: str, pg_admin_url: str) -> AsyncIterator[dict[str, Any]]:
    names = [unique("research").replace("-", "_"), unique("pricing").replace("-", "_")]
    conn = await _admin(pg_admin_url)
    for name in names:
        await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    admin = make_url(pg_admin_url)
    urls = [admin.set(database=n).render_as_string(hide_password=False) for n in names]
    tokens_json, tokens = make_tokens()
    common = {"api_tokens": tokens_json, "kafka_bootstrap_servers": kafka_bootstrap,
              "topic_namespace": unique("t") + "."}
    research = ResearchSettings(database_url=urls[0], **common)
    pricing = PricingSettings(database_url=urls[1], **common)
    r_app, p_app = research_app(research), pricing_app(pricing)
    async with (running(research_worker(research)), running(pricing_worker(pricing)),
                r_app.router.lifespan_context(r_app), p_app.router.lifespan_context(p_app)):
        async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=r_app),
                                      base_url="http://research") as rc,
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=p_app),
                                      base_url="http://pricing") as pc):
            yield {"research": rc, "pricing": pc, "tokens": tokens, "settings": research,
                   "bootstrap": kafka_bootstrap}
    conn = await _admin(pg_admin_url)
    for name in names:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def test_candidate_is_approved_then_priced_with_events_on_kafka(env) -> None:  # type: ignore[no-untyped-def]
    rc: httpx.AsyncClient = env["research"]
    pc: httpx.AsyncClient = env["pricing"]
    research, finance = bearer(env["tokens"]["research"]), bearer(env["tokens"]["pricing"])
    r = await rc.post("/products", json={"sku": "BLD-01", "name": "Blender mini",
                                         "weight_grams": 900, "category": "dapur"},
                      headers=research)
    pid = r.json()["product_id"]
    assert (await rc.put(f"/products/{pid}/research-file", json=RESEARCH_FILE,
                         headers=research)).status_code == 200
    approved = await rc.post(f"/products/{pid}/approve", json={"summary": "laris"},
                             headers=research)
    assert approved.status_code == 200, approved.text

    async def worksheet_open() -> bool:
        return (await pc.get(f"/worksheets/{pid}", headers=finance)).status_code == 200

    await wait_for(worksheet_open, timeout=60)
    priced = await pc.post(f"/worksheets/{pid}/price", json=PRICE_REQUEST, headers=finance)

    assert priced.status_code == 200, priced.text
    # Worked by hand in tests/unit/pricing/test_pricing_calculator.py: 109,000.
    assert priced.json()["quote"]["price"] == {"amount": 109000, "currency": "IDR"}
    settings = env["settings"]
    on_research = await read_topic(env["bootstrap"], settings.topic("research"), expect=3,
                                   timeout=60)
    product_approved = [e for e in on_research if e.event_type == "ProductApproved"]
    assert len(product_approved) == 1
    assert product_approved[0].payload["hpp"] == {"amount": 45000, "currency": "IDR"}
    assert product_approved[0].payload["stock_on_hand"] == 500
    assert product_approved[0].schema_version == 2
    on_pricing = await read_topic(env["bootstrap"], settings.topic("pricing"), expect=4,
                                  timeout=60)
    by_type = {e.event_type: e for e in on_pricing}
    assert set(by_type) == {"WorksheetOpened", "PricingInputsSet", "PriceSet", "KpiTargetsSet"}
    assert by_type["PriceSet"].payload["price"] == {"amount": 109000, "currency": "IDR"}
    assert by_type["PriceSet"].payload["previous_price"] is None
    assert by_type["PriceSet"].aggregate_id == pid
    kpis = by_type["KpiTargetsSet"].payload
    # max CPA 31,107; max CPL = 31,107 x 30% = 9,332.1 -> 9,332; min ROAS 3.51
    assert (kpis["max_cpa"]["amount"], kpis["max_cpl"]["amount"], kpis["min_roas"]) == (
        31107, 9332, "3.51")
    # The worksheet was opened by the research event: causation links them.
    assert by_type["WorksheetOpened"].causation_id == product_approved[0].event_id


async def test_rejected_product_cannot_be_priced(env) -> None:  # type: ignore[no-untyped-def]
    rc: httpx.AsyncClient = env["research"]
    pc: httpx.AsyncClient = env["pricing"]
    research, finance = bearer(env["tokens"]["research"]), bearer(env["tokens"]["pricing"])
    pid = (await rc.post("/products", json={"sku": "LMP-02", "name": "Lampu",
                                            "weight_grams": 300}, headers=research)).json()[
        "product_id"]
    assert (await rc.post(f"/products/{pid}/reject", json={"reason": "ad policy"},
                          headers=research)).status_code == 200

    async def refused_as_rejected() -> Any:
        r = await pc.post(f"/worksheets/{pid}/price", json=PRICE_REQUEST, headers=finance)
        return r if r.status_code == 422 else None

    refused = await wait_for(refused_as_rejected, timeout=60)
    assert refused.json()["detail"][0]["loc"] == ["body", "product_id"]
    assert "rejected" in refused.json()["detail"][0]["msg"]
