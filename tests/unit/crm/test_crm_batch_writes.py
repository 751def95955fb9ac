"""The board appends the task events of a batch at its end and learns up front which
tasks are new: profiles, tasks and the event store come out the same as when every
event is its own batch."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.history import history
from contracts.catalogue import TOPICS
from eventkit.consumer import EventConsumer
from eventkit.tables import events, outbox
from eventkit.testing import make_tokens
from services.crm.adapters.persistence.tables import metadata as crm_metadata
from services.crm.config import Settings
from services.crm.wiring import build

NS = "batch."
RECORDS_ORDERED_BY = {"events": "position", "outbox": "id"}


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def shop_history(events_count: int) -> list[FakeRecord]:
    offsets: dict[tuple[str, int], int] = {}
    out = []
    for item in history(events_count, seed=13):
        env = item.envelope
        topic, partition = NS + TOPICS[item.producer], zlib.crc32(env.key or b"") % 3
        offset = offsets[(topic, partition)] = offsets.get((topic, partition), -1) + 1
        out.append(FakeRecord(topic, partition, offset, env.key, env.to_bytes()))
    return out


async def replay(tmp_path: Path, name: str, records: list[FakeRecord],
                 batch: int) -> dict[str, list[Any]]:
    deps = build(Settings(api_tokens=make_tokens()[0], topic_namespace=NS,
                          database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.db"))
    await deps.db.create_all()
    consumers = [EventConsumer(p, deps.db) for p in deps.projections()]
    for start in range(0, len(records), batch):
        chunk = records[start:start + batch]
        for consumer in consumers:
            mine = [r for r in chunk if r.topic in consumer.projection.topics]
            if mine:
                await consumer.process_batch(mine)
    found: dict[str, list[Any]] = {}
    async with deps.db.read() as conn:
        for table in [events, outbox, *crm_metadata.sorted_tables]:
            columns = [c for c in table.columns
                       if c.name not in ("id", "position", "created_at")]  # wall clock
            order = table.c[RECORDS_ORDERED_BY[table.name]] if table.name in \
                RECORDS_ORDERED_BY else None
            rows = [tuple(_same_run(v) for v in r) for r in await conn.execute(
                select(*columns).order_by(order) if order is not None else select(*columns))]
            found[table.name] = rows if order is not None else sorted(rows, key=repr)
    await deps.db.dispose()
    return found


def _same_run(value: Any) -> Any:
    """An envelope without its correlation id: a new uuid4 when there is no cause."""
    if isinstance(value, (bytes, str)) and b'"correlation_id"' in (
            value if isinstance(value, bytes) else value.encode()):
        body = json.loads(value)
        body.pop("correlation_id")
        return body
    return value


async def test_board_and_profiles_from_500_event_batches_equal_event_by_event(
    tmp_path: Path,
) -> None:
    records = shop_history(600)

    one_by_one = await replay(tmp_path, "single", records, batch=1)
    batched = await replay(tmp_path, "batched", records, batch=500)

    assert len(one_by_one["crm_tasks"]) > 100
    assert len(one_by_one["events"]) > 100
    assert batched == one_by_one
