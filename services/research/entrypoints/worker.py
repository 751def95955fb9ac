"""The research worker: relays the outbox to ``research.events``; it consumes nothing."""

from __future__ import annotations

import asyncio

from faststream import FastStream

from eventkit.logs import configure_logging
from eventkit.worker import build_worker
from services.research import wiring
from services.research.config import Settings


def create_worker(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    app, _ = build_worker(
        service="research", bootstrap=settings.kafka_bootstrap_servers,
        db=wiring.build_database(settings), projections=[],
        namespace=settings.topic_namespace,
    )
    return app


if __name__ == "__main__":
    _settings = Settings()
    configure_logging("research", _settings.log_level)
    asyncio.run(create_worker(_settings).run())
