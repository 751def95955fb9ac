"""Recording a courier's COD remittance and matching its lines to orders."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from contracts.envelope import Actor
from contracts.fulfillment import RemittanceLine
from contracts.money import Money
from eventkit.auth import Caller

from services.fulfillment.adapters.persistence.read_model import apply_events
from services.fulfillment.adapters.persistence.tables import orders
from services.fulfillment.application.deps import Deps
from services.fulfillment.domain.remittance import OrderForRemittance, Remittance

logger = logging.getLogger(__name__)


async def record_remittance(
    deps: Deps, remittance_id: str, *, courier: str, gross: Money, fee: Money, net: Money,
    remitted_on: date, lines: list[RemittanceLine], caller: Caller,
) -> list[str]:
    """Post the matched lines as CodRemitted, flag the rest; return the event types."""
    async with deps.db.begin() as conn:
        remittance = await deps.remittances.get(conn, remittance_id) or Remittance(
            remittance_id)
        ids = [line.order_id for line in lines]
        rows = (await conn.execute(select(
            orders.c.order_id, orders.c.status, orders.c.payment_method, orders.c.currency,
            orders.c.cod_amount, orders.c.remittance_id,
        ).where(orders.c.order_id.in_(ids)))).all()
        known = {
            r.order_id: OrderForRemittance(
                order_id=r.order_id, status=r.status, payment_method=r.payment_method or "",
                cod_amount=(Money(amount=r.cod_amount, currency=r.currency)
                            if r.cod_amount is not None else None),
                remitted=r.remittance_id is not None,
            )
            for r in rows
            if r.payment_method is not None or r.status == "cancelled"
        }
        remittance.receive(courier=courier, gross=gross, fee=fee, net=net,
                           remitted_on=remitted_on, lines=lines, orders=known)
        stored = await deps.remittances.save(
            conn, remittance, actor=Actor(user_id=caller.user_id, division="fulfillment"))
        await apply_events(conn, stored)
    logger.info("cod remittance recorded", extra={"remittance_id": remittance_id,
                                                  "events": [e.event_type for e in stored]})
    return [e.event_type for e in stored]
