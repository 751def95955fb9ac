"""Reactions to other services' events: KPI targets and sales attribution."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pricing import KpiTargetsSet
from contracts.sales import LeadCaptured, OrderPlaced
from eventkit.errors import PermanentEventError
from services.marketing.adapters.persistence.tables import (
    attributed_leads,
    attributed_orders,
    kpi_targets,
)

logger = logging.getLogger(__name__)


async def keep_kpi_targets(conn: AsyncConnection, event: KpiTargetsSet,
                           event_id: uuid.UUID) -> None:
    """The newest targets of a product are the ones the scale rules compare with."""
    if event.max_cpl.currency != event.max_cpa.currency:
        raise PermanentEventError("max CPL and max CPA in different currencies")
    await conn.execute(kpi_targets.delete().where(kpi_targets.c.product_id == event.product_id))
    await conn.execute(insert(kpi_targets).values(
        product_id=event.product_id, max_cpl=event.max_cpl.amount,
        max_cpa=event.max_cpa.amount, currency=event.max_cpl.currency,
        min_roas=str(event.min_roas), event_id=str(event_id),
    ))
    logger.info("kpi targets kept", extra={"product_id": event.product_id})


async def attribute_lead(conn: AsyncConnection, event: LeadCaptured) -> None:
    a = event.attribution
    if a.campaign_id is None and a.ad_id is None:
        return
    if await conn.scalar(select(attributed_leads.c.lead_id)
                         .where(attributed_leads.c.lead_id == event.lead_id)):
        return
    await conn.execute(insert(attributed_leads).values(
        lead_id=event.lead_id, campaign_id=a.campaign_id, ad_set_id=a.ad_set_id,
        ad_id=a.ad_id, product_id=event.product_id,
    ))


async def attribute_order(conn: AsyncConnection, event: OrderPlaced) -> None:
    a = event.attribution
    if a.campaign_id is None and a.ad_id is None:
        return
    if await conn.scalar(select(attributed_orders.c.order_id)
                         .where(attributed_orders.c.order_id == event.order_id)):
        return
    product = event.items[0].product_id if len(event.items) == 1 else None
    # Revenue for ROAS is the goods, not the ongkir the buyer pays for shipping.
    await conn.execute(insert(attributed_orders).values(
        order_id=event.order_id, campaign_id=a.campaign_id, ad_set_id=a.ad_set_id,
        ad_id=a.ad_id, product_id=product, total=event.subtotal.amount,
        currency=event.subtotal.currency,
    ))
