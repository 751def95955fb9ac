"""Erasure of a customer's personal data (crypto-shredding)."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select, update

from services.sales.adapters.persistence.tables import customers, idempotency, leads, orders
from services.sales.domain import NotFoundError
from services.sales.wiring import Deps

logger = logging.getLogger(__name__)


async def erase_customer(customer_id: str, deps: Deps) -> None:
    """Wipe the customer's name, phone and address here and destroy their key.

    The key's tombstone reaches crm and fulfillment through the outbox in this same
    transaction; from then on the sealed fields of every old event read as erased.
    """
    now = deps.clock()
    async with deps.db.begin() as conn:
        known = await conn.scalar(
            select(customers.c.customer_id).where(customers.c.customer_id == customer_id))
        if known is None:
            raise NotFoundError(f"no customer {customer_id}", field="customer_id")
        await conn.execute(update(customers).where(customers.c.customer_id == customer_id)
                           .values(phone_e164=None, name=None, erased_at=now))
        await conn.execute(update(leads).where(leads.c.customer_id == customer_id)
                           .values(contact_name=None, contact_phone=None))
        await conn.execute(update(orders).where(orders.c.customer_id == customer_id)
                           .values(recipient_name=None, recipient_phone=None, street=None,
                                   notes=None))
        # The fingerprint of a submitted body is a hash over personal data: drop it too.
        await conn.execute(delete(idempotency).where(idempotency.c.customer_id == customer_id))
        await deps.keyring.erase(conn, customer_id)
    logger.info("customer erased", extra={"customer_id": customer_id})
