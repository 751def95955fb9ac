"""A worksheet opened by a BRL ProductApproved prices in BRL centavos (no rupiah points)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from contracts.envelope import Actor, new_envelope
from contracts.money import Money
from contracts.research import ProductApproved
from eventkit.consumer import EventConsumer
from eventkit.testing import bearer, make_tokens
from services.pricing import wiring
from services.pricing.config import Settings
from services.pricing.entrypoints.http import create_app

from test_pricing_api import FakeRecord

REQUEST = {
    "costs": {"packaging_idr": 200, "target_ad_cost_idr": 1_000,
              "target_margin_percent": "20"},
    "strategy": {"kind": "target_margin"},
    "kpi": {"closing_rate_percent": "30"},
}


def brl(centavos: int) -> Money:
    return Money(amount=centavos, currency="BRL")


async def _priced(tmp_path: Path, **settings: Any) -> dict[str, Any]:
    tokens, by_role = make_tokens()
    s = Settings(api_tokens=tokens, database_url=f"sqlite+aiosqlite:///{tmp_path}/p.db",
                 **settings)
    app = create_app(s)
    deps = app.state.deps
    consumer = EventConsumer(wiring.build_projections(s, deps)[0], deps.db)
    approved = ProductApproved(product_id="prd-br", sku="BR-01", name="Luminária",
                               hpp=brl(3_500), weight_grams=800, stock_on_hand=40,
                               supplier_name="Fornecedor SP")
    env = new_envelope(approved, aggregate_id="prd-br", aggregate_version=1,
                       actor=Actor(user_id="r", division="research"),
                       occurred_at=datetime.now(UTC))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as c:
            assert not await consumer.process_batch(
                [FakeRecord("research.events", 0, 0, b"prd-br", env.to_bytes())])
            preview = await c.post("/worksheets/prd-br/preview", json=REQUEST,
                                   headers=bearer(by_role["pricing"]))
            r = await c.post("/worksheets/prd-br/price", json=REQUEST,
                             headers=bearer(by_role["pricing"]))
            assert r.status_code == 200, r.text
            assert preview.json() == r.json()["quote"]
            return dict(r.json())


async def test_a_brl_product_is_priced_in_centavos_to_the_centavo(tmp_path: Path) -> None:
    out = await _priced(tmp_path)

    # fixed costs 3,500 + 200 + 1,000 = 4,700; no fees; price = 4,700 / (1 - 0.20) = 5,875
    # (R$58.75, no rupiah price point). Contribution 5,875 - 3,700 = 2,175; margin floor
    # 20% = 1,175; max CPA 2,175 - 1,175 = 1,000; max CPL 1,000 x 0.30 = 300.
    quote = out["quote"]
    assert quote["price"] == {"amount": 5_875, "currency": "BRL"}
    assert quote["max_cpa"] == {"amount": 1_000, "currency": "BRL"}
    assert quote["max_cpl"] == {"amount": 300, "currency": "BRL"}
    assert out["worksheet"]["hpp"] == {"amount": 3_500, "currency": "BRL"}
    assert out["worksheet"]["price"]["hpp"]["currency"] == "BRL"
    assert out["worksheet"]["inputs"]["packaging"] == {"amount": 200, "currency": "BRL"}
    assert out["worksheet"]["kpi_targets"]["max_cpa"]["currency"] == "BRL"


async def test_price_points_per_currency_apply_when_configured(tmp_path: Path) -> None:
    out = await _priced(tmp_path, rounding_by_currency={
        "BRL": {"kind": "ending", "ending": 90, "step": 100}})

    # 5,875 rounds up to the next price ending in ,90: 5,890 (R$58.90)
    assert out["quote"]["price"] == {"amount": 5_890, "currency": "BRL"}
