"""The broker the fixtures hand out takes idempotent writes and keeps them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lapak import stack


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"order-1")
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )
    await consumer.start()
    received: list[bytes] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for messages in batches.values():
                    received.extend(message.value for message in messages)
        await consumer.commit()
    finally:
        await consumer.stop()
    return received


async def test_idempotent_produce_is_read_back_by_a_group(
    kafka_bootstrap: str, unique_name: Callable[..., str]
) -> None:
    topic, group = unique_name("topic"), unique_name("group")
    sent = [f"event-{n}".encode() for n in range(5)]

    await _produce(kafka_bootstrap, topic, sent)
    received = await _consume(kafka_bootstrap, topic, group, len(sent))

    assert received == sent  # one key, one partition: order holds


@pytest.mark.fault
async def test_broker_keeps_messages_across_stop_and_start(
    local_kafka: stack.KafkaConfig, unique_name: Callable[..., str]
) -> None:
    bootstrap = local_kafka.bootstrap_servers
    topic = unique_name("topic")
    await _produce(bootstrap, topic, [b"before-stop"])

    assert await asyncio.to_thread(stack.stop_kafka, local_kafka) is True
    assert not stack.is_kafka_running(local_kafka)
    assert await asyncio.to_thread(stack.start_kafka, local_kafka) is True

    received = await _consume(bootstrap, topic, unique_name("group"), 1)
    assert received == [b"before-stop"]


async def test_starting_a_running_broker_reuses_it(
    local_kafka: stack.KafkaConfig,
) -> None:
    pid_before = local_kafka.pid_file.read_text()

    started = await asyncio.to_thread(stack.start_kafka, local_kafka)

    assert started is False
    assert local_kafka.pid_file.read_text() == pid_before
