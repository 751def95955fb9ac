"""The pricing worker: opens worksheets from research.events and relays the outbox."""

from __future__ import annotations

import asyncio

from faststream import FastStream

from eventkit.logs import configure_logging
from eventkit.worker import build_worker
from services.pricing import wiring
from services.pricing.config import Settings


def create_worker(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    deps = wiring.build_deps(settings)
    app, _ = build_worker(
        service="pricing", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=wiring.build_projections(settings, deps),
        namespace=settings.topic_namespace,
    )
    return app


if __name__ == "__main__":
    _settings = Settings()
    configure_logging("pricing", _settings.log_level)
    asyncio.run(create_worker(_settings).run())
