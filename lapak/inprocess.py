"""The seven services in this process: each API app (with its lifespan) and worker.

Tests use it to run the whole shop against a real Kafka and real databases without
spawning processes; every service gets its own database and all share one topic
namespace, so a run never sees another run's events.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventkit.testing import running

from lapak.client import ShopClient
from lapak.processes import SERVICES
from lapak.stack import REPO_ROOT


@dataclass
class ShopSystem:
    apps: dict[str, Any]
    settings: dict[str, Any]
    tokens: dict[str, str]  # role -> token
    bootstrap: str = ""
    namespace: str = ""

    def client(self, role: str = "owner") -> ShopClient:
        return ShopClient.in_process(self.apps, self.tokens[role])


def settings_for_service(name: str, **values: Any) -> Any:
    config = importlib.import_module(f"services.{name}.config")
    extra: dict[str, Any] = {}
    if name == "marketing":
        extra["reports_dir"] = str(REPO_ROOT / "data")
    return config.Settings(**values, **extra)


@asynccontextmanager
async def shop_in_process(
    *, bootstrap: str, database_url: Callable[[str], str], namespace: str,
    tokens_json: str, tokens: dict[str, str], data_dir: Path,
) -> AsyncIterator[ShopSystem]:
    """Start every worker, then every API lifespan; stop them in reverse order."""
    system = ShopSystem(apps={}, settings={}, tokens=tokens, bootstrap=bootstrap,
                        namespace=namespace)
    async with AsyncExitStack() as stack:
        for name in SERVICES:
            settings = settings_for_service(
                name, api_tokens=tokens_json, kafka_bootstrap_servers=bootstrap,
                database_url=database_url(name), topic_namespace=namespace,
                data_dir=str(data_dir))
            system.settings[name] = settings
            http = importlib.import_module(f"services.{name}.entrypoints.http")
            worker = importlib.import_module(f"services.{name}.entrypoints.worker")
            app = http.create_app(settings)
            await stack.enter_async_context(running(worker.create_worker(settings)))
            await stack.enter_async_context(app.router.lifespan_context(app))
            system.apps[name] = app
        yield system


async def caught_up(shop: ShopClient) -> bool:
    """True when no service has consumer lag or an unsent outbox row."""
    rows = await shop.ops_status()
    return all(r.get("consumer_lag") == 0 and r.get("outbox_backlog") == 0
               for r in rows.values())



@asynccontextmanager
async def shop_on_postgres(
    *, bootstrap: str, new_database: Callable[[str], Any], namespace: str, data_dir: Path,
) -> AsyncIterator[ShopSystem]:
    """The whole shop with one fresh PostgreSQL database per service and fresh tokens.

    ``new_database(name)`` is awaited once per service (the tests' ``new_pg_database``).
    """
    from eventkit.testing import make_tokens

    urls = {name: await new_database(name) for name in SERVICES}
    tokens_json, tokens = make_tokens()
    async with shop_in_process(
        bootstrap=bootstrap, database_url=urls.__getitem__, namespace=namespace,
        tokens_json=tokens_json, tokens=tokens, data_dir=data_dir,
    ) as system:
        yield system


async def until(shop: ShopClient, service: str, path: str, ok: Any = None) -> Any:
    """GET until it answers 200 (and ``ok(body)`` holds), then return the body."""
    from eventkit.testing import wait_for

    async def check() -> Any:
        r = await shop.clients[service].get(path)
        if r.status_code != 200:
            return None
        body = r.json()
        return body if ok is None or ok(body) else None

    return await wait_for(check, timeout=60, interval=0.3)
