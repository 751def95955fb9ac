"""The sales HTTP app (``uvicorn --factory services.sales.entrypoints.http:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit import http
from services.sales.adapters.api.routes import router
from services.sales.config import Settings
from services.sales.application.ports import Deps
from services.sales.wiring import build


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = deps or build(settings)
    app = http.create_app(
        service="sales", owning_division="sales", settings=settings, db=deps.db,
        routers=[router], title="Lapak sales",
        description="Leads from the ads, the CS rotator, follow-ups and orders.",
    )
    app.state.deps = deps
    return app


def __getattr__(name: str) -> FastAPI:
    # ``uvicorn services.sales.entrypoints.http:app`` (deploy/docker-compose.yml) asks for
    # a module attribute; build it on that first access, never at import time.
    if name == "app":
        app = create_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)
