"""Rebuild the books from Kafka into a fresh database.

    python -m services.ledger.rebuild --database-url postgresql+asyncpg://.../ledger_new

Reads every producer's topic from the beginning up to the end offsets seen at start
(``eventkit.replay``) and feeds the records through the same EventConsumer and
projection as the worker. The JournalEntryPosted
rows it queues were published when the entries were first made, so they are marked
sent rather than published again (their event ids are the same).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import typer
from sqlalchemy import func, select, update

from eventkit.clock import utcnow
from eventkit.consumer import EventConsumer
from eventkit.replay import replay_from_start
from eventkit.tables import outbox, parked
from services.ledger import wiring
from services.ledger.config import Settings

logger = logging.getLogger(__name__)


@dataclass
class RebuildResult:
    records: int
    seconds: float
    still_parked: int


async def rebuild(settings: Settings, *, database_url: str, batch: int = 500) -> RebuildResult:
    """Replay the source topics into ``database_url`` (created if empty)."""
    # LIMIT: reversals and closed periods are people's acts recorded only on
    # ledger.events; this rebuild does not read them back yet, so a rebuilt book lacks
    # them (and late events land in their own month).
    deps = wiring.build(settings, database_url=database_url)
    await deps.db.create_all()
    consumer = EventConsumer(wiring.projections(deps)[0], deps.db)
    topics = wiring.source_topics(settings)
    started = time.perf_counter()
    count = await replay_from_start(settings.kafka_bootstrap_servers, [consumer], topics,
                                    batch=batch)
    async with deps.db.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.published_at.is_(None))
                           .values(published_at=utcnow()))
        still = int(await conn.scalar(select(func.count()).select_from(parked)) or 0)
    await deps.db.dispose()
    result = RebuildResult(records=count, seconds=time.perf_counter() - started,
                           still_parked=still)
    logger.info("ledger rebuilt", extra={"records": count, "still_parked": still})
    return result


def main(
    database_url: str = typer.Option(..., help="fresh database for the rebuilt books"),
    bootstrap: str | None = typer.Option(None, help="Kafka bootstrap servers"),
    namespace: str | None = typer.Option(None, help="topic namespace prefix"),
) -> None:
    overrides: dict[str, str] = {"api_tokens": "{}"}  # the rebuild serves no requests
    if bootstrap:
        overrides["kafka_bootstrap_servers"] = bootstrap
    if namespace is not None:
        overrides["topic_namespace"] = namespace
    settings = Settings(**overrides)  # type: ignore[call-arg]
    result = asyncio.run(rebuild(settings, database_url=database_url))
    typer.echo(f"replayed {result.records} records in {result.seconds:.1f} s; "
               f"{result.still_parked} events still parked")


if __name__ == "__main__":
    typer.run(main)
