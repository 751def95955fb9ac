"""Research commands: load the product, apply the rule, save events and read model."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.money import Money
from contracts.research import ResearchFileUpdated
from eventkit.aggregate import Repository
from eventkit.auth import Caller
from eventkit.clock import Clock, utcnow
from eventkit.db import Database
from services.research.adapters.persistence import tables
from services.research.domain.criteria import Criterion, Verdict, evaluate
from services.research.domain.errors import ProductNotFoundError, SkuTakenError
from services.research.domain.product import Product

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    db: Database
    products: Repository[Product]
    criteria: list[Criterion]
    clock: Clock = utcnow


def _actor(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, division="research")


async def _save(deps: Deps, conn: AsyncConnection, product: Product, caller: Caller) -> None:
    await deps.products.save(conn, product, actor=_actor(caller))
    await tables.upsert(
        conn, product_id=product.id, sku=product.sku, name=product.name,
        category=product.category, stage=product.stage, version=product.version,
        at=deps.clock(),
    )


async def _load(deps: Deps, conn: AsyncConnection, product_id: str) -> Product:
    product = await deps.products.get(conn, product_id)
    if product is None:
        raise ProductNotFoundError(product_id)
    return product


async def propose_product(
    deps: Deps, caller: Caller, *, sku: str, name: str, weight_grams: int, category: str | None
) -> Product:
    """Register a candidate product; its sku must be new."""
    try:
        async with deps.db.begin() as conn:
            if await tables.sku_taken(conn, sku):
                raise SkuTakenError(sku)
            product = Product.propose(f"prd-{uuid.uuid4().hex[:12]}", sku=sku, name=name,
                                      weight_grams=weight_grams, category=category)
            await _save(deps, conn, product, caller)
    except IntegrityError:
        # Two proposals of one sku at once: the read model's unique sku stops the second.
        raise SkuTakenError(sku) from None
    logger.info("product proposed", extra={"product_id": product.id})
    return product


async def write_research_file(
    deps: Deps, caller: Caller, product_id: str, research_file: ResearchFileUpdated
) -> Product:
    """Replace the product's research file; it moves to the researching stage."""
    async with deps.db.begin() as conn:
        product = await _load(deps, conn, product_id)
        product.write_file(research_file)
        await _save(deps, conn, product, caller)
    logger.info("research file written", extra={"product_id": product_id})
    return product


async def check_product(deps: Deps, product_id: str) -> tuple[Product, list[Verdict]]:
    """The checklist as it would judge the product now (nothing is recorded)."""
    async with deps.db.read() as conn:
        product = await _load(deps, conn, product_id)
    return product, evaluate(product, deps.criteria)


async def approve_product(deps: Deps, caller: Caller, product_id: str, *, summary: str) -> Product:
    """Approve for sale when every mandatory criterion passes (ProductApproved)."""
    async with deps.db.begin() as conn:
        product = await _load(deps, conn, product_id)
        product.approve(evaluate(product, deps.criteria), summary=summary)
        await _save(deps, conn, product, caller)
    logger.info("product approved", extra={"product_id": product_id})
    return product


async def reject_product(deps: Deps, caller: Caller, product_id: str, *, reason: str) -> Product:
    """Reject the product (ProductRejected) with the reason."""
    async with deps.db.begin() as conn:
        product = await _load(deps, conn, product_id)
        product.reject(reason)
        await _save(deps, conn, product, caller)
    logger.info("product rejected", extra={"product_id": product_id})
    return product


async def receive_stock(
    deps: Deps, caller: Caller, product_id: str, *, delivery_id: str, quantity: int,
    unit_cost: Money, supplier_name: str, paid_with: Literal["cash", "payable"],
) -> Product:
    """Book a supplier delivery (StockReceived) for the ledger and fulfillment."""
    async with deps.db.begin() as conn:
        product = await _load(deps, conn, product_id)
        product.receive_stock(delivery_id=delivery_id, quantity=quantity, unit_cost=unit_cost,
                              supplier_name=supplier_name, paid_with=paid_with)
        await _save(deps, conn, product, caller)
    logger.info("stock received", extra={"product_id": product_id, "delivery_id": delivery_id})
    return product
