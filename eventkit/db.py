"""One database per service: engine set-up for PostgreSQL (asyncpg) and SQLite.

SQLite is the embedded default. Its Python driver opens transactions lazily and breaks
SAVEPOINT, so the connection is put in autocommit and every transaction starts with an
explicit ``BEGIN IMMEDIATE``: the write lock is taken at the start, which turns the
"database is locked" upgrade failure between the API and worker processes into a plain
wait (``busy_timeout``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    # hide_parameters: a database error's message would otherwise carry the statement's
    # values (names, phones, addresses) into tracebacks and logs.
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30}, hide_parameters=True
        )
        _prepare_sqlite(engine)
        return engine
    return create_async_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10,
        hide_parameters=True,
    )


class Database:
    """A service's database: the engine plus the table sets created at start-up."""

    def __init__(self, url: str, *metadatas: MetaData, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.metadatas = metadatas

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def create_all(self) -> None:
        async with self.engine.begin() as conn:
            for metadata in self.metadatas:
                await conn.run_sync(metadata.create_all)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction, committed on a clean exit."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
