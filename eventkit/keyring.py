"""Per-customer data keys: issued by sales, followed by crm and fulfillment.

Personal fields in events are sealed under the customer's own key
(``contracts.personal``). Sales issues the key and sends it through its outbox to the
compacted topic ``sales.customer-keys`` (key = customer id). Erasure deletes the key and
sends a tombstone; followers delete their copy in the same transaction as they wipe
their read models. Once Kafka has compacted the topic the key exists nowhere, so no
replay can unseal that customer's fields again.

LIMIT: until the log cleaner compacts the key topic (segment.ms = 1 hour here) the old
key record is still on the broker's disk; a replay started within that hour sees the key
and then its tombstone, and ends erased all the same.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.personal import new_customer_key
from contracts.sales import CUSTOMER_KEYS_TOPIC
from eventkit.clock import Clock, utcnow
from eventkit.db import Database
from eventkit.tables import customer_keys, outbox

logger = logging.getLogger(__name__)

KEY_TOPIC_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": "3600000",
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": "3600000",
}

OnErased = Callable[[AsyncConnection, str], Awaitable[None]]


class Keyring:
    """The customer keys kept in this service's database."""

    def __init__(self, namespace: str = "", *, clock: Clock = utcnow) -> None:
        self.topic = namespace + CUSTOMER_KEYS_TOPIC
        self.clock = clock

    async def get(self, conn: AsyncConnection, customer_id: str) -> bytes | None:
        key = await conn.scalar(
            select(customer_keys.c.data_key).where(customer_keys.c.customer_id == customer_id)
        )
        return key.encode() if key else None

    async def is_erased(self, conn: AsyncConnection, customer_id: str) -> bool:
        erased = await conn.scalar(
            select(customer_keys.c.erased_at).where(customer_keys.c.customer_id == customer_id)
        )
        return erased is not None

    async def issue(self, conn: AsyncConnection, customer_id: str) -> bytes:
        """The customer's key, created and sent to the followers if new (owner: sales)."""
        row = (
            await conn.execute(
                select(customer_keys.c.data_key, customer_keys.c.erased_at).where(
                    customer_keys.c.customer_id == customer_id
                )
            )
        ).first()
        if row is not None and row.data_key:
            return str(row.data_key).encode()
        key = new_customer_key()
        now = self.clock()
        if row is None:
            await conn.execute(
                insert(customer_keys).values(
                    customer_id=customer_id, data_key=key.decode(), updated_at=now
                )
            )
        else:  # an erased customer who comes back gets a new key
            await conn.execute(
                update(customer_keys)
                .where(customer_keys.c.customer_id == customer_id)
                .values(data_key=key.decode(), erased_at=None, updated_at=now)
            )
        value = json.dumps({"customer_id": customer_id, "data_key": key.decode()}).encode()
        await self._queue(conn, customer_id, value)
        return key

    async def erase(self, conn: AsyncConnection, customer_id: str) -> None:
        """Destroy the key here and queue the tombstone for the followers (owner: sales)."""
        await self.forget(conn, customer_id)
        await self._queue(conn, customer_id, b"")

    async def store(self, conn: AsyncConnection, customer_id: str, key: str) -> None:
        """Keep a copy of a key received from sales (followers)."""
        now = self.clock()
        updated = await conn.execute(
            update(customer_keys)
            .where(customer_keys.c.customer_id == customer_id)
            .values(data_key=key, erased_at=None, updated_at=now)
        )
        if updated.rowcount == 0:
            await conn.execute(
                insert(customer_keys).values(customer_id=customer_id, data_key=key, updated_at=now)
            )

    async def forget(self, conn: AsyncConnection, customer_id: str) -> None:
        now = self.clock()
        updated = await conn.execute(
            update(customer_keys)
            .where(customer_keys.c.customer_id == customer_id)
            .values(data_key=None, erased_at=now, updated_at=now)
        )
        if updated.rowcount == 0:
            await conn.execute(
                insert(customer_keys).values(
                    customer_id=customer_id, data_key=None, erased_at=now, updated_at=now
                )
            )

    async def _queue(self, conn: AsyncConnection, customer_id: str, value: bytes) -> None:
        # An empty value is sent as a Kafka tombstone (null value) by the relay.
        await conn.execute(
            insert(outbox).values(
                event_id=f"key:{customer_id}",
                topic=self.topic,
                key=customer_id,
                value=value,
                created_at=self.clock(),
            )
        )


def follow_keys(
    broker: KafkaBroker,
    db: Database,
    *,
    topic: str,
    group_id: str,
    on_erased: OnErased | None = None,
) -> None:
    """Subscribe a follower (crm, fulfillment) to the customer keys topic."""
    keyring = Keyring()

    async def apply_keys(body: Any, msg: KafkaMessage = Context("message")) -> None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        try:
            async with db.begin() as conn:
                for record in records:
                    customer_id = (record.key or b"").decode()
                    if not customer_id:
                        continue
                    if not record.value:
                        await keyring.forget(conn, customer_id)
                        if on_erased is not None:
                            await on_erased(conn, customer_id)
                        logger.info("customer erased", extra={"customer_id": customer_id})
                        continue
                    try:
                        key = json.loads(record.value)["data_key"]
                    except (ValueError, KeyError, TypeError):
                        logger.error("unreadable customer key record; skipped",
                                     extra={"customer_id": customer_id})
                        continue
                    await keyring.store(conn, customer_id, str(key))
            await msg.ack()
        except Exception:
            logger.exception("customer keys not applied; rewinding")
            await msg.nack()

    apply_keys.__name__ = f"follow_keys_{group_id.replace('.', '_').replace('-', '_')}"
    broker.subscriber(
        topic,
        group_id=group_id,
        batch=True,
        max_records=500,
        batch_timeout_ms=100,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        decoder=_none,
    )(apply_keys)


async def _none(msg: Any) -> Any:
    return None
