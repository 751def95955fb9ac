"""The whole shop in this process on the real Kafka broker, one fresh namespace per
module; SQLite files by default (the embedded default), PostgreSQL where a test asks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eventkit.testing import make_tokens, unique
from lapak.inprocess import ShopSystem, shop_in_process


@pytest.fixture(scope="module")
async def shop_sqlite(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
                      ) -> AsyncIterator[ShopSystem]:
    folder: Path = tmp_path_factory.mktemp("shop")
    tokens_json, tokens = make_tokens()
    async with shop_in_process(
        bootstrap=kafka_bootstrap,
        database_url=lambda name: f"sqlite+aiosqlite:///{folder}/{name}.db",
        namespace=unique("e2e") + ".", tokens_json=tokens_json, tokens=tokens,
        data_dir=folder,
    ) as system:
        yield system
