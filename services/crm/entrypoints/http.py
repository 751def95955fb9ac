"""The CRM's HTTP app (``uvicorn --factory services.crm.entrypoints.http:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.http import create_app as create_service_app
from services.crm.adapters.api.routes import build_router
from services.crm.config import Settings
from services.crm.wiring import build


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = build(settings)
    app = create_service_app(
        service="crm", owning_division="crm", settings=settings, db=deps.db,
        routers=[build_router()], title="Lapak CRM",
        description="Customer profiles, segments, feedback, suggestions and the task board.",
    )
    app.state.deps = deps
    return app
