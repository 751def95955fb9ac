"""Marketing on real Kafka and PostgreSQL: price -> brief -> approved content ->
checklist -> launch -> bundled ad reports imported -> metrics -> scale/pause on real rows.

The tests share one worker and app (module scope) and run in file order.
"""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from contracts.envelope import Actor, new_envelope
from contracts.money import Money
from contracts.pricing import KpiTargetsSet, PriceSet
from contracts.sales import Attribution, Destination, LeadCaptured, OrderLine, OrderPlaced
from eventkit.testing import (
    bearer,
    make_tokens,
    read_topic,
    running,
    send_envelopes,
    unique,
    wait_for,
)
from services.marketing.config import Settings
from services.marketing.entrypoints.http import create_app
from services.marketing.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[3] / "data"
KAG = DATA / "fb-ads-kaggle" / "KAG_conversion_data.csv"
API_EXPORT = DATA / "fb-ads-api-export" / "facebook_ads_data.csv"
PRODUCT = "P-916"
MAX_CPL_CENTS = 150  # USD 1.50: max CPL finance allows for the test product
BUDGET_CENTS = 1000  # USD 10.00 per ad set in the test phase


def cents(value: str) -> int:
    return int(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


def kaggle_rows() -> list[dict[str, str]]:
    with KAG.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def expected_by_campaign() -> dict[str, dict[str, int]]:
    """Spend (cents, each row rounded half up), clicks and leads per campaign, straight
    from the CSV."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"spend": 0, "clicks": 0,
                                                          "leads": 0})
    for r in kaggle_rows():
        t = out[r["xyz_campaign_id"]]
        t["spend"] += cents(r["Spent"])
        t["clicks"] += int(r["Clicks"])
        t["leads"] += int(r["Total_Conversion"])
    return dict(out)


def money_of(total: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(total) / Decimal(count)).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.fixture(scope="module")
async def env(kafka_bootstrap: str, pg_admin_url: str) -> AsyncIterator[dict[str, Any]]:
    name = unique("mk").replace("-", "_")
    admin = make_url(pg_admin_url)
    conn = await asyncpg.connect(host=admin.host, port=admin.port, user=admin.username,
                                 password=admin.password, database=admin.database)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    tokens_json, tokens = make_tokens()
    settings = Settings(
        api_tokens=tokens_json, kafka_bootstrap_servers=kafka_bootstrap,
        database_url=admin.set(database=name).render_as_string(hide_password=False),
        topic_namespace=unique("t") + ".", reports_dir=str(DATA),
    )
    app = create_app(settings)
    worker = create_worker(settings)
    async with running(worker), app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t",
                                     headers=bearer(tokens["marketing"])) as client:
            yield {"settings": settings, "client": client, "tokens": tokens,
                   "bootstrap": kafka_bootstrap}
    conn = await asyncpg.connect(host=admin.host, port=admin.port, user=admin.username,
                                 password=admin.password, database=admin.database)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def publish_pricing(env: dict[str, Any]) -> None:
    actor = Actor(user_id="finance-tester", division="pricing")
    now = datetime.now(UTC)
    usd = lambda c: Money(amount=c, currency="USD")  # noqa: E731
    kpi = KpiTargetsSet(product_id=PRODUCT, max_cpl=usd(MAX_CPL_CENTS), max_cpa=usd(2000),
                        min_roas=Decimal("2.5"), target_closing_rate=Decimal("0.3"),
                        target_orders_per_day=10)
    price = PriceSet(product_id=PRODUCT, price=usd(4900), strategy="test", hpp=usd(1500),
                     contribution_margin=usd(2500), break_even_cpa=usd(2500),
                     break_even_roas=Decimal("1.96"))
    # Same worksheet id: one partition, so the KPI targets arrive before the price.
    envelopes = [new_envelope(p, aggregate_id="ws-916", aggregate_version=i + 1,
                              actor=actor, occurred_at=now) for i, p in enumerate([kpi, price])]
    await send_envelopes(env["bootstrap"], envelopes,
                         namespace=env["settings"].topic_namespace)


async def test_price_opens_brief_and_approved_content_completes_checklist(env) -> None:
    client: httpx.AsyncClient = env["client"]
    await publish_pricing(env)

    async def brief() -> Any:
        r = await client.get("/briefs/brief-P-916")
        return r.json() if r.status_code == 200 else None

    opened = await wait_for(brief)
    assert opened["price"] == {"amount": 4900, "currency": "USD"}

    r = await client.post("/briefs/brief-P-916/assets", json={
        "asset_id": "ad-1", "kind": "ad_copy", "channel": "facebook_feed", "language": "id",
        "hook": "Kulit kusam?", "body": "Serum 7 hari.", "call_to_action": "Chat WA"})
    assert r.status_code == 201 and r.json()["version"] == 1
    r = await client.post("/briefs/brief-P-916/approve",
                          json={"assets": [{"asset_id": "ad-1", "version": 1}]})
    assert r.status_code == 422  # not reviewed yet
    r = await client.post("/briefs/brief-P-916/assets/ad-1/versions/1/review",
                          json={"passed": True})
    assert r.status_code == 200
    r = await client.post("/briefs/brief-P-916/approve",
                          json={"assets": [{"asset_id": "ad-1", "version": 1}]})
    assert r.status_code == 200 and r.json()["approvals"] == 1

    checklist = (await client.get(f"/products/{PRODUCT}/launch-checklist")).json()
    assert checklist["missing"] == ["page_ready", "pixel_verified", "landing_page_live"]


def launch_body() -> dict[str, Any]:
    ad_sets: dict[str, list[str]] = defaultdict(list)
    for r in kaggle_rows():
        if r["xyz_campaign_id"] == "916":
            ad_sets[r["fb_campaign_id"]].append(r["ad_id"])
    return {
        "campaign_id": "916", "product_id": PRODUCT, "name": "XYZ 916 test",
        "daily_budget": {"amount": BUDGET_CENTS * len(ad_sets), "currency": "USD"},
        "ad_sets": [
            {"ad_set_id": s, "name": f"set {s}",
             "daily_budget": {"amount": BUDGET_CENTS, "currency": "USD"},
             "ads": [{"ad_id": a, "name": f"ad {a}", "creative_id": "ad-1@1"} for a in ads]}
            for s, ads in ad_sets.items()
        ],
    }


async def test_campaign_launches_only_when_checklist_is_complete(env) -> None:
    client: httpx.AsyncClient = env["client"]

    r = await client.post("/campaigns", json=launch_body())
    assert r.status_code == 422 and "page_ready" in r.json()["detail"][0]["msg"]
    r = await client.post("/campaigns", json=launch_body(),
                          headers=bearer(env["tokens"]["sales"]))
    assert r.status_code == 403

    for item in [{"item": "page_ready", "page_id": "page-1"},
                 {"item": "pixel_verified", "pixel_id": "px-1"},
                 {"item": "landing_page_live", "landing_page_url": "https://lapak.test/p"}]:
        r = await client.post(f"/products/{PRODUCT}/launch-checklist", json=item)
        assert r.status_code == 200, r.text
    r = await client.post("/campaigns", json=launch_body())

    assert r.status_code == 201, r.text
    assert r.json()["daily_budget"]["currency"] == "USD"


async def test_bundled_kaggle_report_imports_once(env) -> None:
    client: httpx.AsyncClient = env["client"]

    first = await client.post("/ad-reports/imports",
                              json={"path": "fb-ads-kaggle/KAG_conversion_data.csv"})
    again = await client.post("/ad-reports/imports",
                              json={"path": "fb-ads-kaggle/KAG_conversion_data.csv"})
    dated = await client.post("/ad-reports/imports",
                              json={"path": "fb-ads-kaggle/fb_ad_campaign_dated.csv"})

    assert first.status_code == 200, first.text
    assert first.json()["recorded"] == 907
    assert again.json()["recorded"] == 0
    assert dated.status_code == 200 and dated.json()["recorded"] == 0
    assert dated.json()["already_recorded"] == 907


async def test_campaign_metrics_match_the_csv(env) -> None:
    expected = expected_by_campaign()

    r = await env["client"].get("/metrics/campaign")

    got = {m["key"]: m for m in r.json()}
    assert set(got) == {"916", "936", "1178"}
    for campaign, t in expected.items():
        m = got[campaign]
        assert m["spend"] == {"amount": t["spend"], "currency": "USD"}
        assert m["clicks"] == t["clicks"] and m["leads"] == t["leads"]
        assert (m["cpc"] or {}).get("amount") == money_of(t["spend"], t["clicks"])
        assert (m["cpl"] or {}).get("amount") == money_of(t["spend"], t["leads"])
    assert sum(t["spend"] for t in expected.values()) == 4_824_367  # USD 48,243.67


async def test_scale_and_pause_rules_fire_on_real_rows(env) -> None:
    client: httpx.AsyncClient = env["client"]
    r = await client.put("/scale-rules", json={"min_days": None, "min_spend_x_max_cpl": "1",
                                               "scale_step": "0.2"})
    assert r.status_code == 200
    per_set: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in kaggle_rows():
        if row["xyz_campaign_id"] == "916":
            per_set[row["fb_campaign_id"]][0] += cents(row["Spent"])
            per_set[row["fb_campaign_id"]][1] += int(row["Total_Conversion"])
    judged = {s: v for s, v in per_set.items() if v[0] >= MAX_CPL_CENTS}
    winners = {s for s, (spend, leads) in judged.items() if spend < MAX_CPL_CENTS * leads}

    r = await client.post("/campaigns/916/evaluate")

    assert r.status_code == 200, r.text
    decisions = {d["ad_set_id"]: d for d in r.json()}
    assert set(decisions) == set(judged)
    assert {s for s, d in decisions.items() if d["verdict"] == "scaled"} == winners
    assert winners and set(judged) - winners  # both rules fire on the real rows
    campaign = (await client.get("/campaigns/916")).json()
    budgets = {s["ad_set_id"]: s for s in campaign["ad_sets"]}
    for s in winners:  # USD 10.00 x 1.2 = USD 12.00
        assert budgets[s]["daily_budget"] == {"amount": 1200, "currency": "USD"}
    for s in set(judged) - winners:
        assert budgets[s]["status"] == "paused"

    topic = env["settings"].topic("marketing")
    # brief opened, asset drafted, reviewed, content approved, 4 checklist items,
    # launched, 907 ad days, scale rules set, one decision per judged ad set
    expect = 4 + 4 + 1 + 907 + 1 + len(judged)
    events = await read_topic(env["bootstrap"], topic, expect=expect)
    types = [e.event_type for e in events]
    assert len(events) == expect
    paused = [e for e in events if e.event_type == "CampaignPaused"]
    assert types.count("CampaignScaled") == len(winners)
    assert paused and paused[0].payload["max_cpl"] == {"amount": MAX_CPL_CENTS,
                                                        "currency": "USD"}
    assert "ContentApproved" in types and "CampaignLaunched" in types


async def test_bad_report_is_refused_whole_with_lines(env) -> None:
    client: httpx.AsyncClient = env["client"]
    before = (await client.get("/metrics/campaign")).json()
    text = ("ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,impressions,"
            "clicks,spent,total_conversion,approved_conversion\n"
            "9000001,17/08/2017,17/08/2017,777,1,10,1,0.50,1,0\n"
            "9000002,32/08/2017,32/08/2017,777,1,10,1,0.50,1,0\n"
            "9000003,17/08/2017,17/08/2017,777,1,10,1,-0.50,1,0\n")

    r = await client.post("/ad-reports/uploads", params={"filename": "bad.csv"},
                          content=text.encode(), headers={"Content-Type": "text/csv"})

    assert r.status_code == 422
    assert [(d["line"], d["loc"][-1]) for d in r.json()["detail"]] == [
        (3, "reporting_start"), (4, "spent")]
    assert (await client.get("/metrics/campaign")).json() == before


async def test_api_export_imports_as_mxn_per_ad_per_day(env) -> None:
    client: httpx.AsyncClient = env["client"]
    with API_EXPORT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    spend: dict[str, int] = defaultdict(int)
    for row in rows:
        spend[row["campaign_name"]] += cents(row["spend"])

    r = await client.post("/ad-reports/imports",
                          json={"path": "fb-ads-api-export/facebook_ads_data.csv"})
    clean = await client.post("/ad-reports/imports",
                              json={"path": "fb-ads-api-export/facebook_ads_data_clean.csv"})

    assert r.status_code == 200 and r.json()["recorded"] == 9  # 9 ads x 1 day
    assert clean.json()["recorded"] == 0
    metrics = (await client.get("/metrics/campaign")).json()
    mxn = sorted(m["spend"]["amount"] for m in metrics if m["spend"]["currency"] == "MXN")
    assert mxn == sorted(spend.values())
    assert sum(mxn) == 105_325  # MXN 1,053.25 after rounding each breakdown row
    ads = (await client.get("/metrics/ad")).json()
    assert len([m for m in ads if m["spend"]["currency"] == "MXN"]) == 9


async def test_sales_leads_and_orders_give_captured_cpl_and_roas(env) -> None:
    client: httpx.AsyncClient = env["client"]
    actor = Actor(user_id="cs-tester", division="sales")
    now = datetime.now(UTC)
    attribution = Attribution(campaign_id="916", ad_set_id="103917", ad_id="708749")
    lead = LeadCaptured(lead_id="L-1", customer_id="cust-1", channel="chat",
                        attribution=attribution, product_id=PRODUCT, contact_sealed="x")
    usd = lambda c: Money(amount=c, currency="USD")  # noqa: E731
    order = OrderPlaced(
        order_id="O-1", lead_id="L-1", customer_id="cust-1", attribution=attribution,
        items=[OrderLine(product_id=PRODUCT, quantity=2, unit_price=usd(4900),
                         line_total=usd(9800))],
        subtotal=usd(9800), shipping_fee=usd(500), total=usd(10300), payment_method="cod",
        destination=Destination(province_code="31", province="DKI Jakarta",
                                city="Jakarta Selatan", district="Tebet",
                                postal_code="12810"),
        recipient_sealed="x",
    )
    envelopes = [new_envelope(p, aggregate_id=i, aggregate_version=1, actor=actor,
                              occurred_at=now) for p, i in ((lead, "L-1"), (order, "O-1"))]
    await send_envelopes(env["bootstrap"], envelopes,
                         namespace=env["settings"].topic_namespace)

    async def ad_metrics() -> Any:
        rows = (await client.get("/metrics/ad", params={"campaign_id": "916"})).json()
        found = [m for m in rows if m["key"] == "708749"]
        return found[0] if found and found[0]["orders"] == 1 else None

    m = await wait_for(ad_metrics)
    spend = cents(next(r["Spent"] for r in kaggle_rows() if r["ad_id"] == "708749"))
    assert m["captured_leads"] == 1
    assert m["cpl_captured"] == {"amount": spend, "currency": "USD"}
    # ROAS = goods revenue (USD 98.00, ongkir excluded) / spend (USD 1.82)
    assert Decimal(m["roas"]) == (Decimal(9800) / Decimal(spend)).quantize(Decimal("0.0001"))
