"""The ledger's worker: the books projection and the outbox relay of JournalEntryPosted."""

from __future__ import annotations

from faststream import FastStream

from eventkit.worker import build_worker
from services.ledger import wiring
from services.ledger.config import Settings


def create_worker(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = wiring.build(settings)
    app, _ = build_worker(
        service="ledger", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=wiring.projections(deps), namespace=settings.topic_namespace,
    )
    return app


if __name__ == "__main__":
    import asyncio

    from eventkit.logs import configure_logging

    worker_settings = Settings()  # type: ignore[call-arg]
    configure_logging("ledger", worker_settings.log_level)
    asyncio.run(create_worker(worker_settings).run())
