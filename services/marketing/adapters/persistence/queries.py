"""Totals per ad, ad set, campaign or product, summed from the read models."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.money import Money
from services.marketing.adapters.persistence.tables import (
    ad_days,
    attributed_leads,
    attributed_orders,
)
from services.marketing.domain.metrics import Totals

Level = Literal["ad", "ad_set", "campaign", "product"]
COLUMN = {"ad": "ad_id", "ad_set": "ad_set_id", "campaign": "campaign_id",
          "product": "product_id"}


async def totals_by(
    conn: AsyncConnection, level: Level, *, campaign_id: str | None = None,
    product_id: str | None = None,
) -> list[tuple[str, Totals]]:
    key = ad_days.c[COLUMN[level]]
    query = (
        select(
            key, ad_days.c.currency, func.sum(ad_days.c.spend), func.sum(ad_days.c.impressions),
            func.sum(ad_days.c.reach), func.sum(ad_days.c.clicks), func.sum(ad_days.c.leads),
            func.sum(ad_days.c.purchases),
            func.coalesce(func.sum(ad_days.c.purchase_value), 0),
            func.count(func.distinct(ad_days.c.day)),
        )
        .where(key.is_not(None))
        .group_by(key, ad_days.c.currency)
        .order_by(key)
    )
    if campaign_id is not None:
        query = query.where(ad_days.c.campaign_id == campaign_id)
    if product_id is not None:
        query = query.where(ad_days.c.product_id == product_id)
    rows = (await conn.execute(query)).all()

    lead_key = attributed_leads.c[COLUMN[level]]
    leads = dict((await conn.execute(
        select(lead_key, func.count()).where(lead_key.is_not(None)).group_by(lead_key)
    )).all())
    order_key = attributed_orders.c[COLUMN[level]]
    orders = {
        (k, cur): (int(n), int(total)) for k, cur, n, total in (await conn.execute(
            select(order_key, attributed_orders.c.currency, func.count(),
                   func.sum(attributed_orders.c.total))
            .where(order_key.is_not(None)).group_by(order_key, attributed_orders.c.currency)
        )).all()
    }
    out = []
    for k, cur, spend, imp, reach, clicks, lds, purch, value, days in rows:
        n_orders, revenue = orders.get((k, cur), (0, 0))
        out.append((str(k), Totals(
            spend=Money(amount=int(spend), currency=cur), impressions=int(imp),
            reach=int(reach), clicks=int(clicks), leads=int(lds), purchases=int(purch),
            purchase_value=Money(amount=int(value), currency=cur), days=int(days),
            captured_leads=int(leads.get(k, 0)), orders=n_orders,
            order_revenue=Money(amount=revenue, currency=cur) if n_orders else None,
        )))
    return out
