"""Is the shop caught up? Consumer lag measured on Kafka itself, outbox on the services.

The services' /ops/lag figure is written by each consumer after a batch (at most every
two seconds), so after a burst it can stay at the last mid-burst value while the
consumer sits idle. "Caught up" therefore asks the broker: for every consumer group,
committed offset versus end offset on this run's topics (namespace prefix), plus an
empty outbox in every service.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.catalogue import TOPICS
from lapak.client import ShopClient
from lapak.processes import SERVICES


def _ours(topic: str, namespace: str) -> bool:
    if not topic.startswith(namespace):
        return False
    rest = topic[len(namespace):]
    return rest in TOPICS.values()


def _service_group(group: str, namespace: str) -> bool:
    """Groups of the seven services are named ``[namespace]<service>.<projection>``;
    other groups on the same broker (tools, another checkout's prototypes) don't count."""
    name = group.removeprefix(namespace)
    return any(name.startswith(f"{service}.") for service in SERVICES)


async def kafka_lag(bootstrap: str, namespace: str) -> dict[str, int]:
    """Per consumer group of the services: messages on this namespace's event topics
    not yet committed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group, *_ in await admin.list_consumer_groups():
            if not _service_group(group, namespace):
                continue
            offsets = await admin.list_consumer_group_offsets(group)
            mine = {tp: meta.offset for tp, meta in offsets.items()
                    if _ours(tp.topic, namespace) and meta.offset >= 0}
            if mine:
                committed[group] = mine
        partitions = {tp for offsets in committed.values() for tp in offsets}
        ends = await consumer.end_offsets(list(partitions)) if partitions else {}
        return {group: sum(max(0, ends[tp] - offset) for tp, offset in offsets.items())
                for group, offsets in committed.items()}
    finally:
        await consumer.stop()
        await admin.close()


async def wait_caught_up(shop: ShopClient, *, bootstrap: str, namespace: str,
                         timeout_s: float, quiet_rounds: int = 3) -> None:
    """Until every outbox is empty and no group lags, ``quiet_rounds`` times in a row
    (a relay may publish between two looks); on time-out, say who is behind."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    behind: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = await shop.ops_status()
        behind = {n: r.get("outbox_backlog", r.get("error")) for n, r in status.items()
                  if r.get("outbox_backlog") != 0}
        behind.update({g: lag for g, lag in (await kafka_lag(bootstrap, namespace)).items()
                       if lag})
        quiet = 0 if behind else quiet + 1
        if quiet >= quiet_rounds:
            return
        await asyncio.sleep(1.0)
    raise TimeoutError(f"not caught up after {timeout_s:.0f} s; behind: {behind}")
