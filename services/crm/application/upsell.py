"""Upsell and cross-sell suggestions become tasks for CS (kind ``upsell``)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from services.crm.adapters.persistence.queries import past_orders
from services.crm.adapters.persistence.tables import profiles
from services.crm.adapters.persistence import events as own_events
from services.crm.domain.suggestions import suggest
from services.crm.domain.tasks import derived_event_id

if TYPE_CHECKING:
    from services.crm.wiring import Deps

logger = logging.getLogger(__name__)


async def open_suggestion_tasks(deps: Deps, now: datetime) -> int:
    """One CS task per new suggestion; its title says why. Returns tasks opened."""
    s = deps.settings
    opened = 0
    async with deps.db.begin() as conn:
        history = await past_orders(conn)
        survivors = (await conn.execute(select(profiles.c.customer_id)
                     .where(profiles.c.merged_into.is_(None)))).scalars().all()
        for customer_id in survivors:
            for found in suggest(customer_id, history, now=now,
                                 default_reorder_days=s.default_reorder_days,
                                 min_together=s.cross_sell_min_together):
                if await own_events.exists(conn, derived_event_id(found.suggestion_id, "opened")):
                    continue
                await deps.board.plan(
                    conn, title=f"Offer {found.product_id} ({found.kind}): {found.why}",
                    division="sales", assignee=None, due_at=None, product_id=found.product_id,
                    actor=own_events.SYSTEM, now=now, kind="upsell",
                    task_id=found.suggestion_id, subject_id=customer_id,
                    event_id=derived_event_id(found.suggestion_id, "opened"))
                opened += 1
    if opened:
        logger.info("upsell tasks opened", extra={"count": opened})
    return opened
