"""Fulfillment's HTTP app: ``uvicorn --factory services.fulfillment.entrypoints.http:create_app``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from eventkit.clock import Clock, utcnow
from eventkit.http import create_app as create_service_app

from services.fulfillment.adapters.api import money_routes, orders, packing
from services.fulfillment.config import Settings
from services.fulfillment.wiring import SERVICE, build_deps, seed_couriers


def create_app(settings: Settings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = build_deps(settings, clock=clock)

    async def seed(app: FastAPI) -> None:
        await seed_couriers(deps.db)

    app = create_service_app(
        service=SERVICE, owning_division="fulfillment", settings=settings, db=deps.db,
        routers=[orders.router, packing.router, money_routes.router],
        title="Lapak fulfillment",
        description="Order checks, courier booking, tracking, COD remittances, complaints.",
        on_startup=[seed],
    )
    app.state.deps = deps
    return app


def __getattr__(name: str) -> Any:
    # deploy/docker-compose.yml runs ``uvicorn ...http:app`` without --factory; build the
    # app only when asked, so importing this module does no I/O and needs no settings.
    if name == "app":
        return create_app()
    raise AttributeError(name)
