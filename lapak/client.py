"""One HTTP client per service, authenticated, for the CLI, the importer and tests.

``ShopClient.over_http()`` talks to running APIs; ``ShopClient.in_process(apps)`` talks
to FastAPI apps in this process (tests), through the same public routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from lapak.processes import SERVICES, base_url


class ServiceCallError(RuntimeError):
    """A service answered a call with an error status."""

    def __init__(self, service: str, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{service} {method} {path} -> {status}: {body[:500]}")
        self.service, self.status, self.body = service, status, body


class ShopClient:
    """Authenticated clients for the seven APIs."""

    def __init__(self, clients: Mapping[str, httpx.AsyncClient]) -> None:
        self.clients = dict(clients)

    @classmethod
    def over_http(cls, token: str, timeout_s: float = 30.0) -> ShopClient:
        headers = {"Authorization": f"Bearer {token}"}
        return cls({name: httpx.AsyncClient(base_url=base_url(name), headers=headers,
                                            timeout=timeout_s) for name in SERVICES})

    @classmethod
    def in_process(cls, apps: Mapping[str, Any], token: str) -> ShopClient:
        headers = {"Authorization": f"Bearer {token}"}
        return cls({name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                            base_url=f"http://{name}", headers=headers,
                                            timeout=60.0) for name, app in apps.items()})

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def __aenter__(self) -> ShopClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def call(self, service: str, method: str, path: str, *,
                   ok: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        """One call; an unexpected status raises ServiceCallError with the body."""
        response = await self.clients[service].request(method, path, **kwargs)
        if response.status_code not in ok:
            raise ServiceCallError(service, method, path, response.status_code,
                                   response.text)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.call(service, "GET", path, **kwargs)

    async def post(self, service: str, path: str, **kwargs: Any) -> Any:
        return await self.call(service, "POST", path, **kwargs)

    async def ops_status(self) -> dict[str, dict[str, Any]]:
        """/ops/status of every service; an unreachable one reports its error."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.clients:
            try:
                status = await self.get(name, "/ops/status")
                ready = await self.clients[name].get("/health/ready")
                out[name] = {**status, "ready": ready.status_code == 200}
            except (httpx.HTTPError, ServiceCallError) as exc:
                out[name] = {"service": name, "ready": False, "error": type(exc).__name__}
        return out
