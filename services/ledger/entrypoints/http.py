"""The ledger's HTTP app: ``uvicorn --factory services.ledger.entrypoints.http:create_app``."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit import http
from services.ledger import wiring
from services.ledger.adapters.api.routes import router
from services.ledger.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = wiring.build(settings)
    app = http.create_app(
        service="ledger", owning_division="ledger", settings=settings, db=deps.db,
        routers=[router()], title="Lapak ledger",
        description="The accountant's double-entry books, projected from every division's events.",
    )
    app.state.ledger = deps
    return app
