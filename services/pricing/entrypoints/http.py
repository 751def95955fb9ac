"""The pricing API (``uvicorn --factory services.pricing.entrypoints.http:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit import http
from services.pricing import wiring
from services.pricing.adapters.api.routes import router
from services.pricing.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    deps = wiring.build_deps(settings)
    app = http.create_app(
        service="pricing", owning_division="pricing", settings=settings, db=deps.db,
        routers=[router], title="Lapak pricing",
        description="Finance's pricing worksheets: full-cost prices and KPI targets.",
    )
    app.state.deps = deps
    return app
