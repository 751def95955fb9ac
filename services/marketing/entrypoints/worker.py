"""The marketing worker: consumes pricing and sales events, relays the outbox."""

from __future__ import annotations

import asyncio

from faststream import FastStream

from services.marketing.adapters.messaging.projections import inputs_projection
from services.marketing.config import Settings
from services.marketing.wiring import build_deps
from eventkit.worker import build_worker


def create_worker(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    deps = build_deps(settings)
    app, _ = build_worker(
        service="marketing", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=[inputs_projection(settings, deps)], namespace=settings.topic_namespace,
    )
    return app


if __name__ == "__main__":
    asyncio.run(create_worker().run())
