"""Replaying topics from their start into projections: rebuilds and benchmarks.

A plain aiokafka consumer (no group, nothing committed) reads every partition of the
topics from the beginning up to the end offsets seen when it started, and hands each
batch to the ``EventConsumer``s that subscribe to those topics: the same code path as a
worker, so a rebuilt read model equals the live one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer

from eventkit.consumer import EventConsumer


async def replay_from_start(
    bootstrap: str,
    consumers: Sequence[EventConsumer],
    topics: Sequence[str],
    *,
    batch: int = 500,
) -> int:
    """Feed ``topics`` from offset 0 to their current end; return the records read."""
    # Without a group, a subscription is assigned every partition of its topics.
    reader = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                              enable_auto_commit=False, auto_offset_reset="earliest",
                              max_poll_records=batch)
    await reader.start()
    count = 0
    try:
        deadline = time.monotonic() + 30
        while {tp.topic for tp in reader.assignment()} != set(topics):
            if time.monotonic() > deadline:
                raise RuntimeError("source topics not all assigned within 30 s")
            await asyncio.sleep(0.05)
        partitions = sorted(reader.assignment())
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        pending = {tp for tp, end in ends.items() if end > 0}
        while pending:
            got = await reader.getmany(*pending, timeout_ms=1000, max_records=batch)
            records = [r for tp, recs in got.items() for r in recs if r.offset < ends[tp]]
            for consumer in consumers:
                mine = [r for r in records if r.topic in consumer.projection.topics]
                if mine:
                    await consumer.process_batch(mine)
            count += len(records)
            for tp in list(pending):
                if await reader.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        await reader.stop()
    return count
