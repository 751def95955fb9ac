"""Helpers for tests that run services against the real broker and database."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream import FastStream

from contracts.catalogue import topic_of
from contracts.envelope import Envelope

ROLES = ("research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm", "owner")


def make_tokens() -> tuple[str, dict[str, str]]:
    """LAPAK_API_TOKENS JSON with one fresh token per role, and role -> token."""
    by_role = {role: secrets.token_urlsafe(16) for role in ROLES}
    config = {token: {"user": f"{role}-tester", "role": role} for role, token in by_role.items()}
    return json.dumps(config), by_role


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def running(app: FastStream) -> AsyncIterator[FastStream]:
    """Start a worker app in this event loop and stop it afterwards."""
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def wait_for(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.1
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


async def send_records(
    bootstrap: str, topic: str, records: Iterable[tuple[bytes | None, bytes | None]]
) -> None:
    """Produce (key, value) records to ``topic`` in the given order, and wait for them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True,
                                acks="all")
    await producer.start()
    try:
        for key, value in records:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def send_envelopes(
    bootstrap: str, envelopes: Iterable[Envelope], *, namespace: str = ""
) -> None:
    """Produce envelopes to their producers' topics (with ``namespace``), keyed by
    aggregate id, in the given order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True,
                                acks="all")
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send(namespace + topic_of(envelope.event_type),
                                envelope.to_bytes(), key=envelope.key)
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0
) -> list[Envelope]:
    """Read ``expect`` envelopes from the start of ``topic`` (no consumer group)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
    )
    await consumer.start()
    found: list[Envelope] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    found.append(Envelope.model_validate_json(record.value))
    finally:
        await consumer.stop()
    return found


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
