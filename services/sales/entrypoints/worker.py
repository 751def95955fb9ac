"""The sales worker: upstream projections, the outbox relay and the reassignment job."""

from __future__ import annotations

import asyncio
import logging

from faststream import FastStream

from eventkit.logs import configure_logging
from eventkit.worker import build_worker
from services.sales.adapters.messaging.projections import projections
from services.sales.application.leads import reassign_unanswered
from services.sales.config import Settings
from services.sales.application.ports import Deps
from services.sales.wiring import build

logger = logging.getLogger(__name__)


def reassignment_job(deps: Deps):  # type: ignore[no-untyped-def]
    """Every few seconds, move unanswered leads on and assign leads that waited."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await reassign_unanswered(deps)
            except Exception:
                logger.exception("reassignment round failed; next round retries")
            try:
                await asyncio.wait_for(stop.wait(), deps.settings.reassign_check_seconds)
            except TimeoutError:
                pass

    return job


def create_worker(settings: Settings | None = None, *, deps: Deps | None = None) -> FastStream:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = deps or build(settings)
    app, _ = build_worker(
        service="sales", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=projections(settings), background=[reassignment_job(deps)],
        namespace=settings.topic_namespace,
    )
    return app


if __name__ == "__main__":
    _settings = Settings()  # type: ignore[call-arg]
    configure_logging("sales", _settings.log_level)
    asyncio.run(create_worker(_settings).run())
