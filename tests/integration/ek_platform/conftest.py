from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eventkit.settings import settings_for
from eventkit.testing import make_tokens, unique

Settings = settings_for("research")


@pytest.fixture
def tokens() -> tuple[str, dict[str, str]]:
    return make_tokens()


@pytest.fixture
async def settings(kafka_bootstrap: str, new_pg_database: Any, tokens: Any) -> Any:
    url = await new_pg_database()
    return Settings(
        api_tokens=tokens[0], kafka_bootstrap_servers=kafka_bootstrap, database_url=url,
        topic_namespace=unique("ek") + ".",
    )


async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            yield client
