"""schemathesis against every service's OpenAPI: no 5xx, and every response matches the
schema its route declares.

Each service's app runs in process (its lifespan started by Starlette's TestClient) on a
fresh PostgreSQL database, called with a valid owner token, so requests get past
authentication into the routes. CI tries a few examples per operation;
``LAPAK_FUZZ_EXAMPLES=200 pytest tests/fuzz`` searches harder. NUL characters are sent
too: PostgreSQL cannot store them, and the HTTP edge (eventkit.http) refuses them with
a 422.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from starlette.testclient import TestClient

from eventkit.testing import bearer, make_tokens, unique

pytestmark = pytest.mark.integration

SERVICES = ("research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm")
EXAMPLES = int(os.environ.get("LAPAK_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]


def build_app(service: str, database_url: str, bootstrap: str) -> tuple[Any, dict[str, str]]:
    """The service's real app factory with test settings; the owner's headers."""
    import importlib

    config = importlib.import_module(f"services.{service}.config")
    http = importlib.import_module(f"services.{service}.entrypoints.http")
    raw_tokens, by_role = make_tokens()
    app_settings = config.Settings(api_tokens=raw_tokens, database_url=database_url,
                                   kafka_bootstrap_servers=bootstrap,
                                   topic_namespace=unique("fuzz") + ".")
    return http.create_app(app_settings), bearer(by_role["owner"])


def fuzz_operation(client: TestClient, operation: Any, headers: dict[str, str]) -> str | None:
    """Up to EXAMPLES generated requests; the minimal failing one, described, if any."""
    last: dict[str, Any] = {}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
        kwargs.pop("timeout", None)
        if not kwargs.get("cookies"):
            kwargs.pop("cookies", None)
        response = client.request(**{k: v for k, v in kwargs.items()
                                     if k in {"method", "url", "params", "headers",
                                              "cookies", "json", "content", "data",
                                              "files"}})
        last.update(case=case, response=response)
        case.validate_response(response, checks=CHECKS)

    try:
        run()  # hypothesis shrinks a failure and replays the minimal example last
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported by the test
        inner = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
        what = "; ".join(type(e).__name__ + (f" {e}" if str(e) else "") for e in inner)
        case, response = last.get("case"), last.get("response")
        return "\n    ".join([
            f"{operation.label}: {what[:300]}",
            f"request {case.as_curl_command(headers={'Authorization': 'Bearer <owner>'})}"
            if case is not None else "request ?",
            f"response {response.status_code} {response.text[:300]}"
            if response is not None else "response ?",
        ])
    return None


def fuzz_service(service: str, kafka_bootstrap: str, pg_admin_url: str, *,
                 allow_x00: bool) -> list[str]:
    from bench.kit import create_pg_database, drop_pg_database

    name = f"fuzz_{service}_{unique('db').split('-')[1]}"
    url = asyncio.run(create_pg_database(pg_admin_url, name))
    try:
        app, headers = build_app(service, url, kafka_bootstrap)
        schema = schemathesis.openapi.from_dict(app.openapi())
        schema.config.generation.update(allow_x00=allow_x00)
        found: list[str] = []
        with TestClient(app, base_url="http://testserver",
                        raise_server_exceptions=False) as client:
            for result in schema.get_all_operations():
                operation = result.ok()
                failure = fuzz_operation(client, operation, headers)
                if failure:
                    found.append(failure)
    finally:
        asyncio.run(drop_pg_database(pg_admin_url, name))

    return found


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_has_no_server_errors_and_responses_match(
    service: str, kafka_bootstrap: str, pg_admin_url: str
) -> None:
    found = fuzz_service(service, kafka_bootstrap, pg_admin_url, allow_x00=True)

    assert not found, f"{len(found)} failure(s) in {service}:\n" + "\n".join(found)
