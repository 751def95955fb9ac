"""Fulfillment's worker: consumes sales' orders and customer keys, relays the outbox.

Run with ``python -m services.fulfillment.entrypoints.worker``.
"""

from __future__ import annotations

import asyncio

from faststream import FastStream

from contracts.sales import CUSTOMER_KEYS_TOPIC
from eventkit.clock import Clock, utcnow
from eventkit.keyring import follow_keys
from eventkit.worker import build_worker

from services.fulfillment.adapters.messaging.sales import forget_recipient_when_erased
from services.fulfillment.config import Settings
from services.fulfillment.wiring import (
    SERVICE,
    build_deps,
    build_projections,
    group_name,
    seed_couriers,
)


def create_worker(settings: Settings | None = None, *, clock: Clock = utcnow) -> FastStream:
    settings = settings or Settings()  # type: ignore[call-arg]
    deps = build_deps(settings, clock=clock)
    app, broker = build_worker(
        service=SERVICE, bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=build_projections(settings, deps), namespace=settings.topic_namespace,
    )
    follow_keys(broker, deps.db, topic=settings.topic_namespace + CUSTOMER_KEYS_TOPIC,
                group_id=group_name(settings, "customer-keys"),
                on_erased=forget_recipient_when_erased)

    async def seed() -> None:
        await seed_couriers(deps.db)

    app.after_startup(seed)
    return app


if __name__ == "__main__":
    from eventkit.logs import configure_logging

    _settings = Settings()  # type: ignore[call-arg]
    configure_logging(SERVICE, _settings.log_level)
    asyncio.run(create_worker(_settings).run())
