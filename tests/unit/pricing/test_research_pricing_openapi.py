"""Each service's OpenAPI describes every endpoint for its callers, and every command
route demands its division's role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from eventkit.testing import make_tokens
from services.pricing.adapters.api.routes import router as pricing_router
from services.pricing.config import Settings as PricingSettings
from services.pricing.entrypoints.http import create_app as pricing_app
from services.research.adapters.api.routes import router as research_router
from services.research.config import Settings as ResearchSettings
from services.research.entrypoints.http import create_app as research_app


def apps() -> list[tuple[str, FastAPI, APIRouter]]:
    tokens = make_tokens()[0]
    url = "sqlite+aiosqlite:///:memory:"
    return [("research", research_app(ResearchSettings(api_tokens=tokens, database_url=url)),
             research_router),
            ("pricing", pricing_app(PricingSettings(api_tokens=tokens, database_url=url)),
             pricing_router)]


@pytest.mark.parametrize(("division", "app", "router"), apps())
def test_every_route_is_described_and_guarded(
    division: str, app: FastAPI, router: APIRouter
) -> None:
    paths: dict[str, Any] = app.openapi()["paths"]

    routes = [r for r in router.routes if isinstance(r, APIRoute)]

    assert routes
    for route in routes:
        for method in route.methods:
            operation = paths[route.path][method.lower()]
            assert operation.get("description"), (method, route.path)
            assert route.response_model is not None, (method, route.path)
        allowed = [getattr(d.dependency, "allowed_roles", None) for d in route.dependencies]
        if route.methods & {"PUT", "DELETE"} or (
            "POST" in route.methods and not route.path.endswith("/preview")
        ):
            assert frozenset({division, "owner"}) in allowed, route.path
        else:
            assert any(d.dependency.__name__ == "reader" for d in route.dependencies), route.path
