"""Helpers for tests that run services against the real broker and database."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer
from faststream import FastStream

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
