"""Read model of the research service: one row per product, rebuilt from its events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

metadata = MetaData()

products = Table(
    "research_products",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100)),
    Column("stage", String(20), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


async def sku_taken(conn: AsyncConnection, sku: str) -> bool:
    return (await conn.scalar(select(products.c.product_id).where(products.c.sku == sku))) is not None


async def upsert(
    conn: AsyncConnection, *, product_id: str, sku: str, name: str, category: str | None,
    stage: str, version: int, at: datetime,
) -> None:
    """Write the product's row in the command's transaction."""
    values = {"sku": sku, "name": name, "category": category, "stage": stage,
              "version": version, "updated_at": at}
    result = await conn.execute(
        update(products).where(products.c.product_id == product_id).values(**values)
    )
    if result.rowcount == 0:
        await conn.execute(insert(products).values(product_id=product_id, **values))


async def by_stage(conn: AsyncConnection, stage: str | None) -> list[dict[str, object]]:
    query = select(products).order_by(products.c.updated_at.desc()).limit(500)
    if stage is not None:
        query = query.where(products.c.stage == stage)
    return [dict(r) for r in (await conn.execute(query)).mappings()]
