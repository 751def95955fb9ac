"""deploy/docker-compose.yml describes the whole system consistently.

No Docker engine runs where the tests run: this reads the file instead of starting it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SERVICES = ["research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_an_api_and_a_worker(
    compose: dict[str, Any], service: str
) -> None:
    api = compose["services"][f"{service}-api"]
    worker = compose["services"][f"{service}-worker"]

    assert api["command"][:2] == ["uvicorn", f"services.{service}.entrypoints.http:app"]
    assert worker["command"] == [
        "python",
        "-m",
        f"services.{service}.entrypoints.worker",
    ]
    assert api["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "healthcheck" in api


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_points_at_its_own_database(
    compose: dict[str, Any], service: str
) -> None:
    for role in ("api", "worker"):
        env = compose["services"][f"{service}-{role}"]["environment"]

        database_urls = {k: v for k, v in env.items() if k.endswith("_DATABASE_URL")}

        own_url = f"postgresql+asyncpg://lapak:lapak@postgres:5432/{service}"
        assert database_urls == {f"{service.upper()}_DATABASE_URL": own_url}
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_apps_wait_for_healthy_kafka_and_postgres(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        if name in ("kafka", "postgres"):
            assert "healthcheck" in spec
            continue
        assert spec["depends_on"] == {
            "kafka": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
        }


def test_broker_is_apache_kafka_4_in_kraft_mode(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]

    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", kafka["image"])
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_env_files_exist_and_hold_only_placeholders(compose: dict[str, Any]) -> None:
    env_files = {
        env_file
        for spec in compose["services"].values()
        for env_file in spec.get("env_file", [])
    }

    assert env_files == {"lapak.env.example"}
    text = (DEPLOY / "lapak.env.example").read_text()
    assert re.search(r"^LAPAK_API_TOKENS=change-me", text, re.MULTILINE)


def test_postgres_init_script_creates_every_service_database(
    compose: dict[str, Any],
) -> None:
    volumes = compose["services"]["postgres"]["volumes"]
    init = [v for v in volumes if "docker-entrypoint-initdb.d" in v]
    assert init, "postgres mounts no init script"
    script = DEPLOY / init[0].split(":")[0]

    created = re.findall(r"CREATE DATABASE (\w+)", script.read_text(), re.IGNORECASE)

    assert sorted(created) == sorted(SERVICES)
