"""Pricing's own memory of research decisions it cannot price (rejected products)."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

metadata = MetaData()

rejected_products = Table(
    "pricing_rejected_products",
    metadata,
    Column("product_id", String(64), primary_key=True),
)


async def remember_rejected(conn: AsyncConnection, product_id: str) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(
        insert(rejected_products).values(product_id=product_id).on_conflict_do_nothing()
    )


async def was_rejected(conn: AsyncConnection, product_id: str) -> bool:
    found = await conn.scalar(
        select(rejected_products.c.product_id).where(rejected_products.c.product_id == product_id)
    )
    return found is not None
