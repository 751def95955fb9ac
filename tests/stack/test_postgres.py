"""The PostgreSQL server the fixtures hand out works through SQLAlchemy + asyncpg."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from lapak import stack
from tests.conftest import NewPgDatabase

orders = sa.Table(
    "orders",
    sa.MetaData(),
    sa.Column("order_id", sa.String(36), primary_key=True),
    sa.Column("total_idr", sa.BigInteger, nullable=False),
)


async def test_rows_written_through_sqlalchemy_are_read_back(
    new_pg_database: NewPgDatabase,
) -> None:
    url = await new_pg_database("orders")
    engine = create_async_engine(url)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(orders.metadata.create_all)
            await conn.execute(
                orders.insert(),
                [
                    {"order_id": "o-1", "total_idr": 150_000},
                    {"order_id": "o-2", "total_idr": 75_500},
                ],
            )
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(orders).order_by("order_id"))).all()
    finally:
        await engine.dispose()

    assert [tuple(row) for row in rows] == [("o-1", 150_000), ("o-2", 75_500)]


async def test_each_call_gives_a_fresh_database(new_pg_database: NewPgDatabase) -> None:
    first, second = await new_pg_database(), await new_pg_database()

    assert first != second
    assert first.startswith("postgresql+asyncpg://")


@pytest.mark.fault
async def test_server_keeps_rows_across_stop_and_start(
    local_postgres: stack.PostgresConfig, new_pg_database: NewPgDatabase
) -> None:
    url = await new_pg_database("restart")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE t (n int)"))
        await conn.execute(sa.text("INSERT INTO t VALUES (42)"))
    await engine.dispose()

    assert await asyncio.to_thread(stack.stop_postgres, local_postgres) is True
    assert not stack.is_postgres_running(local_postgres)
    assert await asyncio.to_thread(stack.start_postgres, local_postgres) is True

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT n FROM t"))).scalar_one() == 42
    finally:
        await engine.dispose()
