"""The outbox keeps accepting commands while Kafka is down and delivers all in order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from eventkit.testing import bearer, read_topic, running, unique
from eventkit.worker import build_worker
from lapak import stack

from .conftest import Settings, client_for
from .stockapp import build

pytestmark = [pytest.mark.integration, pytest.mark.fault]

PRODUCTS = [f"p-{i}" for i in range(10)]


@pytest.fixture(scope="module")
def private_kafka() -> Iterator[stack.KafkaConfig]:
    """A broker of this module's own, so stopping it disturbs no other test."""
    config = stack.KafkaConfig.for_ports(port=19192, controller_port=19193)
    stack.start_kafka(config)
    yield config
    stack.stop_kafka(config)


async def test_500_commands_during_a_kafka_outage_all_arrive_in_order(
    private_kafka: stack.KafkaConfig, new_pg_database: Any, tokens: Any
) -> None:
    namespace = unique("outage") + "."
    settings = Settings(
        api_tokens=tokens[0], kafka_bootstrap_servers=private_kafka.bootstrap_servers,
        database_url=await new_pg_database(), topic_namespace=namespace,
    )
    app, db = build(settings)
    worker, _ = build_worker(service="research", bootstrap=private_kafka.bootstrap_servers,
                             db=db, projections=[], namespace=namespace)
    research = bearer(tokens[1]["research"])

    async for client in client_for(app):
        async with running(worker):
            for product in PRODUCTS:  # 10 events while Kafka is up
                response = await client.post(f"/products/{product}/deliveries", headers=research,
                                             json={"delivery_id": "before", "quantity": 1})
                assert response.status_code == 201

            await asyncio.to_thread(stack.stop_kafka, private_kafka)
            statuses = []
            for round_ in range(50):  # 500 commands while Kafka is down
                for product in PRODUCTS:
                    response = await client.post(
                        f"/products/{product}/deliveries", headers=research,
                        json={"delivery_id": f"down-{round_}", "quantity": 1},
                    )
                    statuses.append(response.status_code)
            await asyncio.to_thread(stack.start_kafka, private_kafka)

            events = await read_topic(private_kafka.bootstrap_servers, namespace + "research.events",
                                      expect=510, timeout=120)

    assert statuses == [201] * 500
    first_seen: dict[str, Any] = {}
    for envelope in events:  # a resend after the outage may duplicate, never reorder
        first_seen.setdefault(str(envelope.event_id), envelope)
    versions: dict[str, list[int]] = defaultdict(list)
    for envelope in first_seen.values():
        versions[envelope.aggregate_id].append(envelope.aggregate_version)
    assert len(first_seen) == 510
    assert {p: versions[p] for p in PRODUCTS} == {p: list(range(1, 52)) for p in PRODUCTS}
