"""Sales service built through wiring on an embedded SQLite file, with a fixed clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.envelope import Actor, EventPayload, new_envelope
from eventkit.clock import FixedClock
from eventkit.consumer import EventConsumer
from eventkit.testing import bearer, make_tokens
from services.sales.adapters.messaging.projections import projections
from services.sales.config import Settings
from services.sales.entrypoints.http import create_app
from services.sales.wiring import Deps, build

# Thursday 3 Dec 2026, 10:00 WIB: inside the default 08:00-17:00 shift.
START = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class Sales:
    client: httpx.AsyncClient
    deps: Deps
    clock: FixedClock
    tokens: dict[str, str]
    settings: Settings
    _offset: int = 0

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.tokens["sales"])

    async def feed(self, event: EventPayload, aggregate_id: str) -> None:
        """Run an upstream event through the service's own projections."""
        envelope = new_envelope(event, aggregate_id=aggregate_id, aggregate_version=1,
                                actor=Actor(user_id="x", division="system"),
                                occurred_at=self.clock())
        for projection in projections(self.settings):
            if event.event_type in projection.handlers:
                self._offset += 1
                dead = await EventConsumer(projection, self.deps.db).process_batch(
                    [Record(projection.topics[0], 0, self._offset, aggregate_id.encode(),
                            envelope.to_bytes())])
                assert not dead, dead

    async def agent(self, agent_id: str, **body: Any) -> None:
        r = await self.client.put(f"/agents/{agent_id}", json={"name": agent_id, **body},
                                  headers=self.auth)
        assert r.status_code == 200, r.text

    async def lead(self, phone: str = "0812-3456-7890", **body: Any) -> dict[str, Any]:
        r = await self.client.post("/leads", json={"name": "Siti Contoh", "phone": phone,
                                                   **body}, headers=self.auth)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture
async def sales_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened: list[Any] = []

    async def make(**overrides: Any) -> Sales:
        token_json, tokens = make_tokens()
        settings = Settings(
            api_tokens=token_json,
            database_url=f"sqlite+aiosqlite:///{tmp_path}/sales-{uuid.uuid4().hex[:6]}.db",
            **overrides,
        )
        clock = FixedClock(START)
        deps = build(settings, clock=clock)
        app = create_app(settings, deps=deps)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        opened.append((lifespan, client))
        return Sales(client, deps, clock, tokens, settings)

    yield make
    for lifespan, client in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def sales(sales_factory) -> AsyncIterator[Sales]:  # type: ignore[no-untyped-def]
    yield await sales_factory()


def as_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
