"""The CRM worker: profile and board projections, the customer keys, periodic jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from faststream import FastStream

import contracts.sales
from eventkit.clock import utcnow
from eventkit.keyring import follow_keys
from eventkit.worker import build_worker
from services.crm.config import Settings
from services.crm.wiring import Deps, build

logger = logging.getLogger(__name__)


Job = Callable[[asyncio.Event], Awaitable[None]]


def periodic(every: float, step: Callable[[], Awaitable[None]], name: str) -> Job:
    """A background job running ``step()`` every ``every`` seconds until stopped."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await step()
            except Exception:
                logger.exception("periodic job failed; will retry", extra={"job": name})
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                pass

    job.__name__ = name
    return job


def jobs(deps: Deps) -> list[Job]:
    s = deps.settings

    async def escalate() -> None:
        async with deps.db.begin() as conn:
            await deps.board.escalate_late(conn, utcnow())

    async def unseal() -> None:
        async with deps.db.begin() as conn:
            await deps.profiles.resolve_pending(conn)

    async def upsell() -> None:
        from services.crm.application.upsell import open_suggestion_tasks

        await open_suggestion_tasks(deps, utcnow())

    return [periodic(s.escalation_every_seconds, escalate, "escalate_late_tasks"),
            periodic(s.contacts_every_seconds, unseal, "unseal_waiting_contacts"),
            periodic(s.suggestions_every_seconds, upsell, "open_upsell_tasks")]


def create_worker(settings: Settings | None = None, *, group_suffix: str = "") -> FastStream:
    settings = settings or Settings()  # type: ignore[call-arg]
    group_suffix = group_suffix or settings.group_suffix  # CRM_GROUP_SUFFIX
    deps = build(settings)
    app, broker = build_worker(
        service="crm", bootstrap=settings.kafka_bootstrap_servers, db=deps.db,
        projections=deps.projections(group_suffix), background=jobs(deps),
        namespace=settings.topic_namespace,
    )
    keys_topic = settings.topic_namespace + contracts.sales.CUSTOMER_KEYS_TOPIC
    follow_keys(broker, deps.db, topic=keys_topic, group_id=deps.group("keys", group_suffix),
                on_erased=deps.profiles.erase)

    return app


if __name__ == "__main__":
    from eventkit.logs import configure_logging

    _settings = Settings()  # type: ignore[call-arg]
    configure_logging("crm", _settings.log_level)
    asyncio.run(create_worker(_settings).run())
