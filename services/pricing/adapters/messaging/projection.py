"""Pricing's consumer of ``research.events``: approvals open worksheets."""

from __future__ import annotations

import logging

from contracts.envelope import Envelope
from contracts.research import ProductApproved, ProductRejected
from eventkit.consumer import HandlerContext, Projection
from services.pricing.adapters.persistence import tables
from services.pricing.application.handlers import Deps, open_worksheet_when_product_approved

logger = logging.getLogger(__name__)


def research_projection(deps: Deps, *, research_topic: str, group: str) -> Projection:
    """Consumer group ``group`` reading the research topic into pricing's worksheets."""
    projection = Projection(name=group, topics=[research_topic], handlers={})

    @projection.on("ProductApproved")
    async def product_approved(ctx: HandlerContext, envelope: Envelope,
                               payload: ProductApproved) -> None:
        await open_worksheet_when_product_approved(
            deps, ctx.conn, payload, cause=envelope.event_id,
            correlation=envelope.correlation_id,
        )

    @projection.on("ProductRejected")
    async def product_rejected(ctx: HandlerContext, envelope: Envelope,
                               payload: ProductRejected) -> None:
        await tables.remember_rejected(ctx.conn, payload.product_id)
        logger.info("rejected product noted", extra={"product_id": payload.product_id})

    return projection
