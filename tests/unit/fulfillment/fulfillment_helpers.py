"""Builders shared by fulfillment's tests: sales envelopes with a sealed fake recipient."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.envelope import Actor, Envelope, new_envelope
from contracts.money import Money
from contracts.personal import seal
from contracts.sales import Destination, OrderCancelled, OrderLine, OrderPlaced

RECIPIENT = {"name": "Siti Contoh", "phone": "+6281200000001",
             "street": "Jl. Fiktif No. 1", "notes": "pagar hijau"}
SALES = Actor(user_id="cs-1", division="sales")


def order_placed(order_id: str, *, key: bytes, customer_id: str = "c-1",
                 method: str = "cod", province: str = "Jawa Barat",
                 product_id: str = "p-1") -> Envelope:
    # 2 x 73,000 = 146,000 subtotal + 18,000 ongkir = 164,000 total
    payload = OrderPlaced(
        order_id=order_id, customer_id=customer_id,
        items=[OrderLine(product_id=product_id, quantity=2, unit_price=Money.idr(73_000),
                         line_total=Money.idr(146_000))],
        subtotal=Money.idr(146_000), shipping_fee=Money.idr(18_000),
        total=Money.idr(164_000), payment_method=method,  # type: ignore[arg-type]
        destination=Destination(province_code="32" if province == "Jawa Barat" else "35",
                                province=province, city="Bandung", district="Coblong",
                                postal_code="40132"),
        recipient_sealed=seal(key, RECIPIENT),
    )
    return new_envelope(payload, aggregate_id=order_id, aggregate_version=1, actor=SALES,
                        occurred_at=datetime.now(UTC))


def order_cancelled(order_id: str, version: int = 2) -> Envelope:
    return new_envelope(
        OrderCancelled(order_id=order_id, reason="buyer changed mind", cancelled_by="cs-1"),
        aggregate_id=order_id, aggregate_version=version, actor=SALES,
        occurred_at=datetime.now(UTC))


@dataclass
class FakeRecord:
    """What EventConsumer needs of a Kafka record."""

    topic: str
    value: bytes
    partition: int = 0
    offset: int = 0
    key: bytes | None = None


def records(topic: str, *envelopes: Envelope) -> list[FakeRecord]:
    return [FakeRecord(topic=topic, value=e.to_bytes(), offset=i, key=e.key)
            for i, e in enumerate(envelopes)]


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
