"""Marketing's consumer: prices open briefs, KPI targets feed the scale rules, sales'
leads and orders give CPL/CPA/ROAS by ad."""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.pricing import KpiTargetsSet, PriceSet
from contracts.sales import LeadCaptured, OrderPlaced
from eventkit.consumer import HandlerContext, Projection
from services.marketing.application import inputs
from services.marketing.application.content import open_brief_when_price_set
from services.marketing.application.deps import Deps
from services.marketing.config import Settings

# LIMIT: Delivered / ReturnedToSender are not consumed yet, so ROAS counts placed
# orders, not paid ones, and there is no RTS rate per ad (#4).


def inputs_projection(settings: Settings, deps: Deps) -> Projection:
    projection = Projection(
        name=settings.topic_namespace + settings.consumer_group,
        topics=[settings.topic("pricing"), settings.topic("sales")],
        handlers={},
    )

    @projection.on("PriceSet")
    async def price_set(ctx: HandlerContext, envelope: Envelope, payload: PriceSet) -> None:
        await open_brief_when_price_set(
            ctx.conn, deps, product_id=payload.product_id, price=payload.price,
            event_id=envelope.event_id, correlation_id=envelope.correlation_id,
        )

    @projection.on("KpiTargetsSet")
    async def kpi_set(ctx: HandlerContext, envelope: Envelope, payload: KpiTargetsSet) -> None:
        await inputs.keep_kpi_targets(ctx.conn, payload, envelope.event_id)

    @projection.on("LeadCaptured")
    async def lead(ctx: HandlerContext, envelope: Envelope, payload: LeadCaptured) -> None:
        await inputs.attribute_lead(ctx.conn, payload)

    @projection.on("OrderPlaced")
    async def order(ctx: HandlerContext, envelope: Envelope, payload: OrderPlaced) -> None:
        await inputs.attribute_order(ctx.conn, payload)

    return projection
