"""Access control, walked over every route of every service.

For each route: no token and an unknown token get 401. A route guarded by
``division(...)`` answers 403 to every other division and lets its own roles and
``owner`` through; a read route lets every valid token through. Every route that
changes state (POST, PUT, PATCH, DELETE) must be a division-guarded command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from eventkit.http import PUBLIC_PATHS
from eventkit.testing import ROLES, bearer, make_tokens

SERVICES = ["research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm"]
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# POST routes that store nothing, so any valid token may call them; each with its reason.
READ_ONLY_POSTS = {
    ("pricing", "/worksheets/{product_id}/preview"): "computes a price without storing it",
}


def _allowed_roles(dependant: Any) -> frozenset[str] | None:
    for sub in dependant.dependencies:
        roles = getattr(sub.call, "allowed_roles", None)
        if roles is not None:
            return frozenset(roles)
        found = _allowed_roles(sub)
        if found is not None:
            return found
    return None


def _walk(routes: list[Any], prefix: str = "", extra: tuple[Any, ...] = ()
          ) -> Iterator[tuple[str, APIRoute, tuple[Any, ...]]]:
    """Every APIRoute with its full path and the dependencies added where it was included."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, extra
        elif hasattr(route, "original_router"):  # FastAPI's included-router node
            context = route.include_context
            calls = tuple(d.dependency for d in context.dependencies)
            yield from _walk(route.original_router.routes, prefix + context.prefix,
                             extra + calls)


def _roles_of(route: APIRoute, extra: tuple[Any, ...]) -> frozenset[str] | None:
    for call in extra:
        roles = getattr(call, "allowed_roles", None)
        if roles is not None:
            return frozenset(roles)
    return _allowed_roles(route.dependant)


def _concrete_path(route: APIRoute, path: str) -> str:
    for param in route.dependant.path_params:
        annotation = getattr(param.field_info, "annotation", None)
        value = "1" if annotation is int else "no-such-id"
        path = path.replace("{" + param.name + "}", value)
        path = path.replace("{" + param.name + ":path}", value)
    return path


@pytest.fixture(scope="module")
def tokens() -> tuple[str, dict[str, str]]:
    return make_tokens()


def _apps(tokens: tuple[str, dict[str, str]], tmp: Path) -> Iterator[tuple[str, Any]]:
    for name in SERVICES:
        config = importlib.import_module(f"services.{name}.config")
        http = importlib.import_module(f"services.{name}.entrypoints.http")
        settings = config.Settings(
            api_tokens=tokens[0], kafka_bootstrap_servers="127.0.0.1:9",
            database_url=f"sqlite+aiosqlite:///{tmp}/{name}.db",
        )
        yield name, http.create_app(settings)


async def test_every_route_of_every_service_enforces_its_roles(
    tokens: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    by_role = tokens[1]
    problems: list[str] = []
    checked = 0

    for service, app in _apps(tokens, tmp_path):
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                for full_path, route, extra in _walk(app.routes):
                    if full_path in PUBLIC_PATHS:
                        continue
                    allowed = _roles_of(route, extra)
                    path = _concrete_path(route, full_path)
                    for method in sorted(route.methods):
                        checked += 1
                        label = f"{service} {method} {full_path}"
                        if (method in MUTATING and allowed is None
                                and (service, full_path) not in READ_ONLY_POSTS):
                            problems.append(f"{label}: changes state without a division role")

                        async def call(headers: dict[str, str]) -> int:
                            response = await client.request(method, path, headers=headers,
                                                            json={})
                            return response.status_code

                        if await call({}) != 401:
                            problems.append(f"{label}: no token was not 401")
                        if await call(bearer("not-a-token")) != 401:
                            problems.append(f"{label}: unknown token was not 401")
                        for role in ROLES:
                            status = await call(bearer(by_role[role]))
                            permitted = allowed is None or role in allowed
                            if permitted and status in (401, 403):
                                problems.append(f"{label}: {role} refused with {status}")
                            if not permitted and status != 403:
                                problems.append(f"{label}: {role} got {status}, not 403")

    assert checked > 50, f"only {checked} route methods found"
    assert problems == []
