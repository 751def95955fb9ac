"""Pricing commands and reactions: open worksheets, price products."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.pricing import WorksheetOpened
from contracts.research import ProductApproved
from eventkit.aggregate import Repository
from eventkit.auth import Caller
from eventkit.db import Database
from services.pricing.adapters.persistence import tables
from services.pricing.domain.calculator import (
    HUNDRED,
    Quote,
    Rounding,
    Strategy,
    choose_price,
    quote,
)
from services.pricing.domain.errors import ProductRejectedError, WorksheetNotFoundError
from services.pricing.domain.worksheet import Targets, Worksheet

logger = logging.getLogger(__name__)

SYSTEM = Actor(user_id="pricing-worker", division="system")


@dataclass
class Deps:
    db: Database
    worksheets: Repository[Worksheet]
    default_rounding: Rounding
    rounding_by_currency: dict[str, Rounding] = field(default_factory=dict)

    def rounding_for(self, currency: str) -> Rounding:
        """The price-point rule of a currency: the default's rupiah points (9,000 every
        10,000) mean nothing in centavos, so other currencies get whole minor units
        unless configured."""
        if currency in self.rounding_by_currency:
            return self.rounding_by_currency[currency]
        return self.default_rounding if currency == "IDR" else Rounding(kind="none")


async def open_worksheet_when_product_approved(
    deps: Deps, conn: AsyncConnection, approved: ProductApproved, *, cause: uuid.UUID,
    correlation: uuid.UUID,
) -> None:
    """Open the product's worksheet once; a repeated approval changes nothing."""
    if await deps.worksheets.get(conn, approved.product_id) is not None:
        logger.warning("worksheet already open", extra={"product_id": approved.product_id})
        return
    worksheet = Worksheet.open(WorksheetOpened(
        product_id=approved.product_id, sku=approved.sku, name=approved.name,
        hpp=approved.hpp, weight_grams=approved.weight_grams, category=approved.category,
    ))
    await deps.worksheets.save(conn, worksheet, actor=SYSTEM, causation_id=cause,
                               correlation_id=correlation)
    logger.info("worksheet opened", extra={"product_id": approved.product_id})


async def load_worksheet(deps: Deps, conn: AsyncConnection, product_id: str) -> Worksheet:
    worksheet = await deps.worksheets.get(conn, product_id)
    if worksheet is None:
        if await tables.was_rejected(conn, product_id):
            raise ProductRejectedError(product_id)
        raise WorksheetNotFoundError(product_id)
    return worksheet


async def price_product(
    deps: Deps, caller: Caller, product_id: str, *, costs: dict[str, object],
    strategy: Strategy, rounding: Rounding | None, targets: Targets,
    effective_from: date | None,
) -> tuple[Worksheet, Quote]:
    """Set the product's price and KPI targets (PriceSet, KpiTargetsSet)."""
    async with deps.db.begin() as conn:
        worksheet = await load_worksheet(deps, conn, product_id)
        inputs = worksheet.cost_inputs(**costs)
        result = worksheet.set_price(inputs, strategy,
                                     rounding or deps.rounding_for(worksheet.hpp.currency),
                                     targets, effective_from=effective_from)
        await deps.worksheets.save(conn, worksheet,
                                   actor=Actor(user_id=caller.user_id, division="pricing"))
    logger.info("price set", extra={"product_id": product_id, "price_minor": result.price_idr,
                                    "currency": worksheet.hpp.currency})
    return worksheet, result


async def preview_price(
    deps: Deps, product_id: str, *, costs: dict[str, object], strategy: Strategy,
    rounding: Rounding | None, targets: Targets,
) -> tuple[Quote, str]:
    """What the price would be, and its currency; records nothing."""
    async with deps.db.read() as conn:
        worksheet = await load_worksheet(deps, conn, product_id)
    inputs = worksheet.cost_inputs(**costs)
    price = choose_price(inputs, strategy, rounding or deps.rounding_for(worksheet.hpp.currency))
    return (quote(inputs, price, closing_rate=targets.closing_rate_percent / HUNDRED),
            worksheet.hpp.currency)
