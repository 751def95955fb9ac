"""Shared machinery of the benchmarks and the fault tests.

A private Kafka broker (so killing and stopping never disturbs anyone else's tests),
fresh databases, producing a history, a raw aiokafka reader as the baseline, service
workers as real subprocesses, and waiting for a consumer group to reach the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from sqlalchemy.engine import make_url

from bench.history import PRODUCERS, Item
from contracts.catalogue import TOPICS, dlq_topic
from eventkit.topics import ensure_topics
from lapak import stack

REPO = Path(__file__).resolve().parent.parent
VAR = REPO / "var" / "bench"


def private_kafka(port: int) -> stack.KafkaConfig:
    """Start (or reuse) a broker of our own on ``port`` / ``port + 1``."""
    config = stack.KafkaConfig.for_ports(port=port, controller_port=port + 1)
    stack.start_kafka(config)
    return config


def new_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def create_pg_database(admin_url: str, name: str) -> str:
    """CREATE DATABASE ``name`` on the server of ``admin_url``; return its URL."""
    url = make_url(admin_url)
    conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username,
                                 password=url.password, database=url.database)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(admin_url: str, name: str) -> None:
    url = make_url(admin_url)
    conn = await asyncpg.connect(host=url.host, port=url.port, user=url.username,
                                 password=url.password, database=url.database)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@dataclass
class Databases:
    """Makes one fresh database per call, on PostgreSQL or as SQLite files."""

    pg_admin_url: str | None
    made: list[str] = field(default_factory=list)

    async def new(self, prefix: str) -> str:
        name = new_name(prefix)
        if self.pg_admin_url is None:
            VAR.mkdir(parents=True, exist_ok=True)
            return f"sqlite+aiosqlite:///{VAR / (name + '.db')}"
        self.made.append(name)
        return await create_pg_database(self.pg_admin_url, name)

    async def drop_all(self) -> None:
        if self.pg_admin_url is None:
            return
        for name in self.made:
            await drop_pg_database(self.pg_admin_url, name)
        self.made.clear()


def topic_names(namespace: str, producers: Iterable[str] = PRODUCERS) -> list[str]:
    return [namespace + TOPICS[p] for p in producers]


async def produce(bootstrap: str, namespace: str, items: Iterable[Item]) -> dict[str, int]:
    """Send every item to its namespaced topic, batched; return counts per topic."""
    topics = topic_names(namespace, TOPICS)
    await ensure_topics(bootstrap, topics + [dlq_topic(t) for t in topics])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=10, acks="all",
                                enable_idempotence=True, max_batch_size=256 * 1024)
    await producer.start()
    counts: dict[str, int] = {}
    try:
        pending = []
        for item in items:
            topic = namespace + TOPICS[item.producer]
            pending.append(await producer.send(topic, item.envelope.to_bytes(),
                                               key=item.envelope.key))
            counts[topic] = counts.get(topic, 0) + 1
            if len(pending) >= 5_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return counts


async def end_offsets(bootstrap: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic):
                partitions.append(TopicPartition(topic, p))
        return await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # noqa: SLF001 - topic just created
    return consumer.partitions_for_topic(topic) or set()


async def raw_consume(bootstrap: str, topics: Sequence[str], expect: int) -> tuple[int, float]:
    """The baseline: a bare aiokafka reader, ``getmany`` + ``json.loads``, no group."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_poll_records=500)
    await consumer.start()
    count = 0
    try:
        await consumer.getmany(timeout_ms=1)  # assignment and first fetch are set-up
        started = time.perf_counter()
        deadline = time.monotonic() + 600
        while count < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batch.values():
                for record in records:
                    json.loads(record.value)
                    count += 1
        return count, time.perf_counter() - started
    finally:
        await consumer.stop()


async def committed(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    except KafkaError:  # coordinator not there yet (a fresh broker): nothing committed
        return {}
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


@dataclass
class Progress:
    """How a group advanced: first commit seen (time, events) and when it was done."""

    first_seen_at: float
    first_count: int
    done_at: float
    total: int

    @property
    def rate(self) -> float:
        return (self.total - self.first_count) / max(self.done_at - self.first_seen_at, 1e-9)


async def wait_caught_up(
    bootstrap: str, groups: dict[str, dict[TopicPartition, int]], *, started_at: float,
    timeout: float = 900.0, alive: Any = None,
) -> Progress:
    """Poll each group's committed offsets until it has reached its end offsets.

    The rate is counted from the first commit seen (start-up and the group join are
    not projection work), over the events the slowest group had left then.
    """
    total = max(sum(ends.values()) for ends in groups.values())
    first: tuple[float, int] | None = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = []
        for group, ends in groups.items():
            offsets = await committed(bootstrap, group)
            left.append(sum(end - min(offsets.get(tp, 0), end) for tp, end in ends.items()))
        now = time.perf_counter()
        done = total - max(left)
        if first is None and done > 0:
            first = (now, done)
        if max(left) == 0:
            if first is None or first[1] >= total:
                first = (started_at, 0)
            return Progress(first[0], first[1], now, total)
        if alive is not None and not alive():
            raise RuntimeError(f"worker died before {list(groups)} caught up ({done}/{total})")
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{groups} did not catch up within {timeout} s")


class Worker:
    """``python -m services.<name>.entrypoints.worker`` as a real subprocess."""

    def __init__(self, service: str, env: dict[str, str], log_name: str) -> None:
        self.service = service
        self.env = env
        VAR.mkdir(parents=True, exist_ok=True)
        self.log_path = VAR / f"{log_name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss = 0
        self._sampling = False
        self._sampler: threading.Thread | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.service}.entrypoints.worker"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        assert self.proc is not None
        try:
            process = psutil.Process(self.proc.pid)
            while self._sampling and self.proc.poll() is None:
                self.peak_rss = max(self.peak_rss, process.memory_info().rss)
                time.sleep(0.1)
        except psutil.Error:
            pass

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._sampling = False

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._sampling = False


def service_env(
    service: str, *, bootstrap: str, namespace: str, database_url: str, tokens: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.endswith("DATABASE_URL") and not k.startswith("LAPAK_")}
    env.update({
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "LAPAK_TOPIC_NAMESPACE": namespace,
        "LAPAK_API_TOKENS": tokens,
        "LAPAK_LOG_LEVEL": "WARNING",
        f"{service.upper()}_DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO),
    })
    env.update(extra or {})
    return env
