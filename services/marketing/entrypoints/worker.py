"""The marketing worker: consumes pricing and sales events, relays the outbox."""

from __future__ import annotations

import asyncio

from faststream import FastStream

from eventkit.logs import configure_logging
from eventkit.worker import build_worker
from services.marketing.adapters.messaging.projections import inputs_projection
from services.marketing.config import Settings
from services.marketing.wiring import build_deps


def create_worker(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    deps = build_deps(settings)
    app, _ = build_worker(
        service="marketing", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=[inputs_projection(settings, deps)], namespace=settings.topic_namespace,
    )
    return app


def main() -> None:
    settings = Settings()
    configure_logging("marketing", settings.log_level)
    asyncio.run(create_worker(settings).run())


if __name__ == "__main__":
    main()
