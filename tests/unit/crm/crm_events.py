"""Synthetic events of other services for the CRM tests (people are fake)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from contracts.fulfillment import ComplaintOpened, Delivered, ReturnedToSender, Shipped
from contracts.marketing import ApprovedAsset, CampaignLaunched, ContentApproved
from contracts.money import Money
from contracts.personal import seal
from contracts.pricing import PriceSet
from contracts.research import ProductApproved
from contracts.sales import Destination, LeadAssigned, LeadCaptured, OrderLine, OrderPlaced

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def envelope(payload: EventPayload, aggregate_id: str, at: datetime, version: int = 1,
             user: str = "tester", division: str = "system") -> Envelope:
    return new_envelope(payload, aggregate_id=aggregate_id, aggregate_version=version,
                        actor=Actor(user_id=user, division=division),  # type: ignore[arg-type]
                        occurred_at=at, event_id=uuid.uuid4())


def idr(amount: int) -> Money:
    return Money.idr(amount)


def product_approved(pid: str, at: datetime) -> Envelope:
    return envelope(ProductApproved(product_id=pid, sku=pid, name="Botol", hpp=idr(20_000),
                                    weight_grams=300, stock_on_hand=10, supplier_name="CV A"),
                    pid, at)


def price_set(pid: str, at: datetime) -> Envelope:
    return envelope(PriceSet(product_id=pid, price=idr(99_000), strategy="x", hpp=idr(20_000),
                             contribution_margin=idr(50_000), break_even_cpa=idr(50_000),
                             break_even_roas="2"), f"ws-{pid}", at)  # type: ignore[arg-type]


def content_approved(pid: str, at: datetime) -> Envelope:
    return envelope(ContentApproved(brief_id=f"b-{pid}", product_id=pid, assets=[
        ApprovedAsset(asset_id="a1", version=1, kind="ad_copy")]), f"b-{pid}", at)


def campaign_launched(pid: str, at: datetime) -> Envelope:
    return envelope(CampaignLaunched(campaign_id=f"c-{pid}", product_id=pid, name="t",
                                     daily_budget=idr(100_000), ad_sets=[]), f"c-{pid}", at)


def lead(cid: str, lead_id: str, key: bytes, phone: str, name: str, at: datetime) -> Envelope:
    return envelope(LeadCaptured(lead_id=lead_id, customer_id=cid, channel="chat",
                                 contact_sealed=seal(key, {"name": name, "phone": phone})),
                    lead_id, at)


def lead_assigned(lead_id: str, at: datetime) -> Envelope:
    return envelope(LeadAssigned(lead_id=lead_id, agent_id="ani", reason="round robin"),
                    lead_id, at, version=2)


def order(cid: str, order_id: str, key: bytes, products: dict[str, int], at: datetime,
          phone: str = "0812 3456 7890") -> Envelope:
    lines = [OrderLine(product_id=p, quantity=1, unit_price=idr(v), line_total=idr(v))
             for p, v in products.items()]
    subtotal = sum(products.values())
    return envelope(OrderPlaced(
        order_id=order_id, customer_id=cid, items=lines, subtotal=idr(subtotal),
        shipping_fee=idr(10_000), total=idr(subtotal + 10_000), payment_method="cod",
        destination=Destination(province_code="31", province="DKI", city="Jakarta",
                                district="Tebet", postal_code="12810"),
        recipient_sealed=seal(key, {"name": "Budi", "phone": phone, "street": "Jl. Fiktif 1",
                                    "notes": ""})), order_id, at)


def shipped(order_id: str, at: datetime) -> Envelope:
    return envelope(Shipped(order_id=order_id, courier="jne", service="reg", resi="R1",
                            shipping_cost=idr(9_000), pickup_date=date(2026, 11, 2)),
                    order_id, at, version=2)


def delivered(order_id: str, at: datetime) -> Envelope:
    return envelope(Delivered(order_id=order_id, resi="R1", delivered_at=at), order_id, at,
                    version=3)


def returned(order_id: str, at: datetime) -> Envelope:
    return envelope(ReturnedToSender(order_id=order_id, resi="R1",
                                     return_shipping_cost=idr(9_000), reason="refused",
                                     returned_at=at), order_id, at, version=3)


def complaint(order_id: str, at: datetime) -> Envelope:
    return envelope(ComplaintOpened(complaint_id=f"k-{order_id}", order_id=order_id,
                                    category="damaged", opened_by="admin"), f"k-{order_id}", at)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def as_records(items: list[tuple[str, Envelope]]) -> list[FakeRecord]:
    return [FakeRecord(topic, 0, i, e.key, e.to_bytes()) for i, (topic, e) in enumerate(items)]


def rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]
