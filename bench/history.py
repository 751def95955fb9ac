"""A synthetic shop history: a realistic mix of envelopes on the producers' topics.

Products are approved and stocked, ads spend every day, leads come in, most become
orders (mostly COD), orders ship, most are delivered, some come back, and the courier
remits the COD cash in batches. Everything is built with the contracts' models, so the
ledger's and the CRM's projections accept every event. People are fake.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from contracts.fulfillment import CodRemitted, Delivered, RemittanceLine, ReturnedToSender, Shipped
from contracts.marketing import AdSpendRecorded
from contracts.money import Money
from contracts.personal import new_customer_key, seal
from contracts.research import ProductApproved, StockReceived
from contracts.sales import Attribution, Destination, LeadCaptured, OrderLine, OrderPlaced

T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
SYSTEM = Actor(user_id="bench", division="system")
DESTINATION = Destination(province_code="32", province="Jawa Barat", city="Bandung",
                          district="Coblong", postal_code="40132")
PRODUCERS = ("research", "marketing", "sales", "fulfillment")


@dataclass(frozen=True)
class Item:
    """One event of the history: the producer's (un-namespaced) topic and the envelope."""

    producer: str
    envelope: Envelope


def idr(amount: int) -> Money:
    return Money.idr(amount)


class _Versions:
    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def next(self, aggregate_id: str) -> int:
        self.seen[aggregate_id] = self.seen.get(aggregate_id, 0) + 1
        return self.seen[aggregate_id]


def history(events: int, *, seed: int = 7, products: int = 20) -> Iterator[Item]:
    """Yield exactly ``events`` items in the order the shop would have produced them."""
    rng = random.Random(seed)
    versions = _Versions()
    key = new_customer_key()
    produced = 0
    clock = T0

    def emit(producer: str, payload: EventPayload, aggregate_id: str) -> Item:
        nonlocal produced
        produced += 1
        envelope = new_envelope(
            payload, aggregate_id=aggregate_id, aggregate_version=versions.next(aggregate_id),
            actor=SYSTEM, occurred_at=clock,
            event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            correlation_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        )
        return Item(producer, envelope)

    prices = {f"p{i:03d}": 59_000 + 10_000 * (i % 7) for i in range(products)}
    for product_id, price in prices.items():
        if produced >= events:
            return
        yield emit("research", ProductApproved(
            product_id=product_id, sku=f"SKU-{product_id}", name="Serum wajah",
            hpp=idr(price // 3), weight_grams=200, stock_on_hand=0, supplier_name="CV Contoh",
        ), product_id)

    to_remit: list[tuple[str, int]] = []
    order_no = 0
    day = -1
    while produced < events:
        clock += timedelta(seconds=rng.randint(20, 120))
        today = (clock - T0).days
        if today != day:  # a new day: ad spend per product, a few deliveries of stock
            day = today
            for product_id in prices:
                if produced >= events:
                    return
                yield emit("marketing", AdSpendRecorded(
                    campaign_id=f"c-{product_id}", ad_set_id=f"as-{product_id}",
                    ad_id=f"ad-{product_id}", product_id=product_id,
                    day=clock.date(), spend=idr(rng.randint(50, 400) * 1_000),
                    impressions=5_000, reach=4_000, clicks=120, leads=10, purchases=3,
                    source="api", row_key=f"ad-{product_id}-{clock.date()}",
                ), f"c-{product_id}")
            for product_id in rng.sample(sorted(prices), 3):
                if produced >= events:
                    return
                yield emit("research", StockReceived(
                    product_id=product_id, delivery_id=f"d-{product_id}-{day}",
                    quantity=rng.randint(50, 200), unit_cost=idr(prices[product_id] // 3),
                    supplier_name="CV Contoh", paid_with="payable",  # type: ignore[arg-type]
                ), product_id)

        order_no += 1
        customer = f"cust-{rng.randint(1, max(10, events // 10)):06d}"
        lead_id, order_id = f"lead-{order_no:07d}", f"ord-{order_no:07d}"
        product_id = rng.choice(sorted(prices))
        campaign = Attribution(campaign_id=f"c-{product_id}", ad_id=f"ad-{product_id}")
        yield emit("sales", LeadCaptured(
            lead_id=lead_id, customer_id=customer, channel="chat", attribution=campaign,
            product_id=product_id,
            contact_sealed=seal(key, {"name": "Pembeli Uji", "phone": "+6281200000000"}),
        ), lead_id)
        if produced >= events or rng.random() < 0.15:
            continue  # a lead that never orders

        quantity = rng.randint(1, 3)
        subtotal = quantity * prices[product_id]
        ongkir = rng.choice((9_000, 12_000, 15_000))
        method = "cod" if rng.random() < 0.8 else "transfer"
        yield emit("sales", OrderPlaced(
            order_id=order_id, lead_id=lead_id, customer_id=customer, attribution=campaign,
            items=[OrderLine(product_id=product_id, quantity=quantity,
                             unit_price=idr(prices[product_id]), line_total=idr(subtotal))],
            subtotal=idr(subtotal), shipping_fee=idr(ongkir), total=idr(subtotal + ongkir),
            payment_method=method, destination=DESTINATION,  # type: ignore[arg-type]
            recipient_sealed=seal(key, {"name": "Pembeli Uji", "phone": "+6281200000000",
                                        "street": "Jl. Fiktif 1", "notes": ""}),
        ), order_id)
        if produced >= events:
            return
        total = subtotal + ongkir
        yield emit("fulfillment", Shipped(
            order_id=order_id, courier="jne", service="REG", resi=f"R-{order_id}",
            shipping_cost=idr(ongkir - 2_000), pickup_date=clock.date(),
            cod_amount=idr(total) if method == "cod" else None,
        ), order_id)
        if produced >= events:
            return
        if rng.random() < 0.06:
            yield emit("fulfillment", ReturnedToSender(
                order_id=order_id, resi=f"R-{order_id}", return_shipping_cost=idr(9_000),
                reason="refused", returned_at=clock + timedelta(days=3),
            ), order_id)
            continue
        yield emit("fulfillment", Delivered(
            order_id=order_id, resi=f"R-{order_id}", delivered_at=clock + timedelta(days=2),
        ), order_id)
        if method == "cod":
            to_remit.append((order_id, total))
        if len(to_remit) >= 20 and produced < events:
            gross = sum(amount for _, amount in to_remit)
            fee = gross * 3 // 100
            remittance_id = f"rem-{order_no:07d}"
            yield emit("fulfillment", CodRemitted(
                remittance_id=remittance_id, courier="jne", gross=idr(gross), fee=idr(fee),
                net=idr(gross - fee),
                lines=[RemittanceLine(order_id=o, amount=idr(a)) for o, a in to_remit],
                remitted_on=(clock + timedelta(days=4)).date(),
            ), remittance_id)
            to_remit = []
