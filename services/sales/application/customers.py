"""Erasure of a customer's personal data (crypto-shredding)."""

from __future__ import annotations

import logging

from services.sales.application.ports import Deps
from services.sales.domain import NotFoundError

logger = logging.getLogger(__name__)


async def erase_customer(customer_id: str, deps: Deps) -> None:
    """Wipe the customer's name, phone and address here and destroy their key.

    The key's tombstone reaches crm and fulfillment through the outbox in this same
    transaction; from then on the sealed fields of every old event read as erased.
    """
    async with deps.db.begin() as conn:
        if not await deps.read_model.customer_exists(conn, customer_id):
            raise NotFoundError(f"no customer {customer_id}", field="customer_id")
        await deps.read_model.erase_personal_data(conn, customer_id, deps.clock())
        await deps.keyring.erase(conn, customer_id)
    logger.info("customer erased", extra={"customer_id": customer_id})
