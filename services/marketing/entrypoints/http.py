"""The marketing HTTP app (``uvicorn --factory services.marketing.entrypoints.http:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.http import create_app as create_service_app
from services.marketing.adapters.api import campaigns, content
from services.marketing.config import Settings
from services.marketing.wiring import build_deps


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    deps = build_deps(settings)
    app = create_service_app(
        service="marketing", owning_division="marketing", settings=settings, db=deps.db,
        routers=[content.router, campaigns.router], title="Lapak marketing",
        description="Content briefs, launch checklist, campaigns from test to scale, "
        "ad report import and ad metrics.",
    )
    app.state.deps = deps
    return app
