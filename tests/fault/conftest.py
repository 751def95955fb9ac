"""Fault tests: processes killed, Kafka and PostgreSQL stopped, bad bytes, races.

Everything that stops or kills a server does it to a PRIVATE broker or cluster, never
to the shared ones other checkouts test against. The short form runs in CI; the full
form (20 kills, a 30 s Kafka outage) is

    python -m bench.faults --full        (= pytest tests/fault -m fault --full)
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eventkit.testing import make_tokens
from lapak import stack

REPO = Path(__file__).resolve().parents[2]
FAULT_KAFKA_PORT = 19392  # kills and bad bytes: this broker keeps running
OUTAGE_KAFKA_PORT = 19394  # stopped and started by the outage test
FAULT_POSTGRES_PORT = 55632  # stopped and started under a consumer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", default=False,
                     help="fault tests in their full form (20 kills, 30 s Kafka outage)")


@pytest.fixture(scope="session")
def full(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--full", default=False)
                or os.environ.get("LAPAK_FAULT_FULL") == "1")


@pytest.fixture(scope="session")
def fault_kafka() -> Iterator[str]:
    """A broker of our own: workers on it may be killed without disturbing anyone."""
    config = stack.KafkaConfig.for_ports(port=FAULT_KAFKA_PORT,
                                         controller_port=FAULT_KAFKA_PORT + 1)
    started = stack.start_kafka(config)
    yield config.bootstrap_servers
    if started:
        stack.stop_kafka(config)


@pytest.fixture
def tokens() -> tuple[str, dict[str, str]]:
    return make_tokens()


def load_stockapp() -> ModuleType:
    """The lead's tiny stock service (tests/integration/ek_platform/stockapp.py)."""
    path = REPO / "tests" / "integration" / "ek_platform" / "stockapp.py"
    spec = importlib.util.spec_from_file_location("lapak_fault_stockapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def stockapp() -> Any:
    return load_stockapp()
