"""The ops dashboard: one page on :8100 with charts, fed by a server-side aggregation.

``GET /api/overview`` asks the seven services' read routes (owner token from
var/tokens.json, or LAPAK_TOKEN) and returns one JSON document; ``GET /`` serves a page
whose script draws inline SVG charts from it. Nothing is fetched from a CDN.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from lapak.client import ServiceCallError, ShopClient
from lapak.lag import kafka_lag
from lapak.processes import token_for
from lapak.report import collect

logger = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("static") / "dashboard.html"


async def products_by_stage(shop: ShopClient) -> list[dict[str, Any]]:
    """Every product with its research stage, and the crm board stage when it has one."""
    board = {p["product_id"]: p["stage"] for p in await shop.get("crm", "/board/products")}
    out = []
    for stage in ("candidate", "researching", "approved", "rejected"):
        for p in await shop.get("research", "/products", params={"stage": stage}):
            out.append({"product_id": p["product_id"], "name": p["name"],
                        "stage": board.get(p["product_id"], p["stage"])})
    return out


async def pnl_over_time(shop: ShopClient) -> dict[str, list[dict[str, Any]]]:
    """Revenue and expenses per month and currency, from the general journal."""
    kinds = {a["code"]: a["type"] for a in await shop.get("ledger", "/ledger/accounts")}
    per: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"revenue": 0, "expenses": 0})
    for entry in await shop.get("ledger", "/ledger/journal"):
        month = per[(entry["currency"], entry["period"])]
        for line in entry["lines"]:
            kind = kinds.get(line["account"])
            if kind == "revenue":
                month["revenue"] += line["credit"] - line["debit"]
            elif kind == "expense":
                month["expenses"] += line["debit"] - line["credit"]
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (currency, period), v in sorted(per.items()):
        out[currency].append({"period": period, **v, "net": v["revenue"] - v["expenses"]})
    return dict(out)


async def overview(shop: ShopClient, *, bootstrap: str, namespace: str) -> dict[str, Any]:
    figures = await collect(shop)
    now = datetime.now(UTC)
    tasks = await shop.get("crm", "/tasks")
    late = [{"task_id": t["task_id"], "title": t["title"], "division": t["division"],
             "due_at": t["due_at"]} for t in tasks
            if t["completed_at"] is None and datetime.fromisoformat(t["due_at"]) < now]
    products = await products_by_stage(shop)
    return {
        "generated_at": now.isoformat(),
        "products": products,
        "stages": dict(Counter(p["stage"] for p in products)),
        "funnel": {"spend": figures.spend, "leads": figures.leads, "orders": figures.orders,
                   "delivered": figures.delivered, "paid": figures.paid,
                   "rows": figures.funnel_rows()},
        "pnl": await pnl_over_time(shop),
        "services": await shop.ops_status(),
        # measured on the broker: the services' own lag figure can be stale when idle
        "kafka_lag": {group.removeprefix(namespace): lag
                      for group, lag in (await kafka_lag(bootstrap, namespace)).items()},
        "late_tasks": late,
        "reviews": {"count": figures.reviews, "average": figures.average_rating},
    }


def create_app(settings: object = None, *, shop: ShopClient | None = None,
               bootstrap: str | None = None, namespace: str | None = None) -> FastAPI:
    """The dashboard app (uvicorn --factory lapak.dashboard:create_app); tests hand in
    a ShopClient bound to in-process services. Kafka and the topic namespace default
    to the variables `lapak up` gives every process."""
    state: dict[str, ShopClient] = {}
    bootstrap = bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    namespace = namespace if namespace is not None else os.environ.get(
        "LAPAK_TOPIC_NAMESPACE", "")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["shop"] = shop or ShopClient.over_http(token_for("owner"), timeout_s=30.0)
        yield
        if shop is None:
            await state["shop"].aclose()

    app = FastAPI(title="Lapak ops dashboard", lifespan=lifespan)

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        """The dashboard page (inline SVG charts, no external scripts)."""
        return PAGE.read_text(encoding="utf-8")

    @app.get("/api/overview")
    async def api_overview() -> dict[str, Any]:
        """Products by stage, funnel, P&L per month, lag and dead letters, late tasks."""
        try:
            return await overview(state["shop"], bootstrap=bootstrap, namespace=namespace)
        except ServiceCallError as exc:
            logger.warning("a service refused the dashboard", extra={"service": exc.service,
                                                                    "status": exc.status})
            raise

    return app
