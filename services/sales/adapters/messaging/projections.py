"""What sales keeps of other services' events: prices, launched ads, shipments."""

from __future__ import annotations

import logging

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Envelope
from contracts.fulfillment import Shipped
from contracts.marketing import CampaignLaunched
from contracts.pricing import KpiTargetsSet, PriceSet
from eventkit.consumer import HandlerContext, Projection
from eventkit.errors import PermanentEventError
from services.sales.adapters.persistence.tables import (
    ads,
    campaigns,
    kpi_targets,
    prices,
    shipments,
)
from services.sales.config import Settings

logger = logging.getLogger(__name__)


async def _upsert(conn: AsyncConnection, table, key: str, key_value: str,  # type: ignore[no-untyped-def]
                  values: dict[str, object]) -> None:
    column = table.c[key]
    updated = await conn.execute(update(table).where(column == key_value).values(**values))
    if updated.rowcount == 0:
        await conn.execute(insert(table).values({key: key_value, **values}))


def projections(settings: Settings) -> list[Projection]:
    """One consumer group per upstream topic, named in this run's namespace."""
    ns = settings.topic_namespace
    pricing = Projection(f"{ns}sales.prices", [settings.topic("pricing")], {})
    marketing = Projection(f"{ns}sales.campaigns", [settings.topic("marketing")], {})
    fulfillment = Projection(f"{ns}sales.shipments", [settings.topic("fulfillment")], {})

    @pricing.on("PriceSet")
    async def keep_current_price(ctx: HandlerContext, env: Envelope, event: PriceSet) -> None:
        # LIMIT: effective_from is not honoured; a price counts from when it is received.
        if event.price.currency != "IDR":
            raise PermanentEventError(f"sales sells in IDR, got {event.price.currency}")
        known = await ctx.conn.scalar(
            select(prices.c.set_at).where(prices.c.product_id == event.product_id))
        if known is not None and _aware(known) > env.occurred_at:
            logger.warning("older price ignored", extra={"product_id": event.product_id,
                                                         "event_id": str(env.event_id)})
            return
        await _upsert(ctx.conn, prices, "product_id", event.product_id, {
            "amount": event.price.amount, "currency": event.price.currency,
            "set_at": env.occurred_at})
        logger.info("price received", extra={"product_id": event.product_id,
                                              "price_idr": event.price.amount})

    @pricing.on("KpiTargetsSet")
    async def keep_closing_rate_target(
        ctx: HandlerContext, env: Envelope, event: KpiTargetsSet
    ) -> None:
        await _upsert(ctx.conn, kpi_targets, "product_id", event.product_id, {
            "target_closing_rate": str(event.target_closing_rate), "set_at": env.occurred_at})

    @marketing.on("CampaignLaunched")
    async def remember_campaign_ads(
        ctx: HandlerContext, env: Envelope, event: CampaignLaunched
    ) -> None:
        await _upsert(ctx.conn, campaigns, "campaign_id", event.campaign_id,
                      {"name": event.name, "product_id": event.product_id})
        for ad_set in event.ad_sets:
            for ad in ad_set.ads:
                await _upsert(ctx.conn, ads, "ad_id", ad.ad_id, {
                    "ad_set_id": ad_set.ad_set_id, "campaign_id": event.campaign_id,
                    "product_id": event.product_id})
        logger.info("campaign received", extra={"campaign_id": event.campaign_id})

    @fulfillment.on("Shipped")
    async def refuse_cancellation_when_shipped(
        ctx: HandlerContext, env: Envelope, event: Shipped
    ) -> None:
        known = await ctx.conn.scalar(
            select(shipments.c.order_id).where(shipments.c.order_id == event.order_id))
        if known is None:
            await ctx.conn.execute(insert(shipments).values(
                order_id=event.order_id, shipped_at=env.occurred_at))
        logger.info("order shipped", extra={"order_id": event.order_id})

    return [pricing, marketing, fulfillment]


def _aware(value):  # type: ignore[no-untyped-def]
    """SQLite hands back naive datetimes for timezone columns; they were stored as UTC."""
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
