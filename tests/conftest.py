"""Fixtures every test area shares: a Kafka broker, a PostgreSQL server, unique names.

Where the servers come from, first match wins:
    1. env KAFKA_BOOTSTRAP_SERVERS / LAPAK_TEST_POSTGRES_URL: a server someone runs;
    2. a Docker engine that answers: testcontainers starts one for the session;
    3. the local stack (lapak.stack): reused if running, else started and, at the end
       of the session, stopped again.

Only the local stack can be stopped and started by fault tests: ask for
``local_kafka`` / ``local_postgres`` (they skip the test elsewhere) and pass the config
they return to ``lapak.stack.stop_kafka`` and friends, via ``asyncio.to_thread``.

Nothing here imports eventkit, contracts or services: per-area conftests do that.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from lapak import stack

logger = logging.getLogger(__name__)

_LOCAL_KAFKA = pytest.StashKey["stack.KafkaConfig | None"]()
_LOCAL_POSTGRES = pytest.StashKey["stack.PostgresConfig | None"]()

NewPgDatabase = Callable[..., Awaitable[str]]


def _docker_answers() -> bool:
    """True when a Docker engine answers a ping (about 40 ms; False on any error)."""
    try:
        import docker

        return bool(docker.from_env(timeout=2).ping())
    except Exception:  # noqa: BLE001 - no client, no socket, no engine: all mean no
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(request: pytest.FixtureRequest) -> Iterator[str]:
    """``host:port`` of a Kafka broker for this test session."""
    request.config.stash[_LOCAL_KAFKA] = None
    from_env = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if from_env:
        yield from_env
        return

    if _docker_answers():
        from testcontainers.community.kafka import KafkaContainer

        # LIMIT: testcontainers' KafkaContainer drives Confluent images (Kafka 3.x);
        # production runs apache/kafka 4.1.1 (deploy/docker-compose.yml).
        image = os.environ.get("LAPAK_TEST_KAFKA_IMAGE", "confluentinc/cp-kafka:7.6.0")
        with KafkaContainer(image).with_kraft() as container:
            yield container.get_bootstrap_server()
        return

    config = stack.KafkaConfig.from_env()
    started_here = stack.start_kafka(config)
    if stack.is_kafka_running(config):  # ours, not a foreign broker on our port
        request.config.stash[_LOCAL_KAFKA] = config
    try:
        yield config.bootstrap_servers
    finally:
        if started_here:
            stack.stop_kafka(config)


@pytest.fixture(scope="session")
def pg_admin_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """``postgresql+asyncpg://`` URL of a database whose user may create databases."""
    request.config.stash[_LOCAL_POSTGRES] = None
    from_env = os.environ.get("LAPAK_TEST_POSTGRES_URL")
    if from_env:
        yield from_env
        return

    if _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer(
            "postgres:15",
            username="lapak",
            password="lapak",
            dbname="lapak",
            driver="asyncpg",
        ) as container:
            yield container.get_connection_url()
        return

    config = stack.PostgresConfig.from_env()
    started_here = stack.start_postgres(config)
    if stack.is_postgres_running(config):  # ours, not a foreign server on our port
        request.config.stash[_LOCAL_POSTGRES] = config
    try:
        yield config.url()
    finally:
        if started_here:
            stack.stop_postgres(config)


@pytest.fixture(scope="session")
def local_kafka(
    request: pytest.FixtureRequest, kafka_bootstrap: str
) -> stack.KafkaConfig:
    """The local stack's broker config, for tests that stop and start it; else skip."""
    config = request.config.stash.get(_LOCAL_KAFKA, None)
    if config is None:
        pytest.skip(
            "Kafka is not this checkout's local stack; cannot stop and start it"
        )
    return config


@pytest.fixture(scope="session")
def local_postgres(
    request: pytest.FixtureRequest, pg_admin_url: str
) -> stack.PostgresConfig:
    """The local stack's PostgreSQL config, for tests that stop/start it; else skip."""
    config = request.config.stash.get(_LOCAL_POSTGRES, None)
    if config is None:
        pytest.skip("PostgreSQL is not this checkout's stack; cannot stop and start it")
    return config


async def _admin_connect(admin_url: str) -> asyncpg.Connection:
    url = make_url(admin_url)
    return await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )


@pytest.fixture
async def new_pg_database(
    pg_admin_url: str, unique_name: Callable[..., str]
) -> AsyncIterator[NewPgDatabase]:
    """Factory: ``await new_pg_database()`` creates an empty database, returns its URL.

    Every database it made is dropped (WITH (FORCE): open pools are cut) at teardown.
    """
    created: list[str] = []

    async def create(prefix: str = "db") -> str:
        name = unique_name(prefix)
        conn = await _admin_connect(pg_admin_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        created.append(name)
        return (
            make_url(pg_admin_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    yield create

    if created:
        conn = await _admin_connect(pg_admin_url)
        try:
            for name in created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Factory: ``unique_name("orders")`` -> ``orders_<test>_<8 hex>``.

    Lower-case letters, digits and ``_`` only, at most 63 characters: valid as a
    Kafka topic, a consumer group and a PostgreSQL database name alike.
    """
    test = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")

    def make(prefix: str = "t") -> str:
        clean = re.sub(r"[^a-z0-9]+", "_", prefix.lower()).strip("_") or "t"
        return f"{clean[:20]}_{test[:32]}_{uuid.uuid4().hex[:8]}"

    return make
