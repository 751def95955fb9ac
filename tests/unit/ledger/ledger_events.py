"""Payload builders for the ledger's tests: synthetic shop data, amounts in rupiah."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.fulfillment import (
    CodRemitted, ComplaintResolved, Delivered, RemittanceLine, ReturnedToSender, Shipped,
)
from contracts.marketing import AdSpendRecorded
from contracts.money import Money
from contracts.research import ProductApproved, StockReceived
from contracts.sales import Attribution, Destination, OrderCancelled, OrderLine, OrderPlaced

IDR = Money.idr


def approved(product_id: str = "p1", hpp: int = 40_000) -> ProductApproved:
    return ProductApproved(product_id=product_id, sku=f"SKU-{product_id}", name="Serum",
                           hpp=IDR(hpp), weight_grams=200, stock_on_hand=0,
                           supplier_name="CV Contoh")


def stock(product_id: str = "p1", qty: int = 10, cost: int = 40_000,
          paid_with: str = "payable", delivery: str = "d1") -> StockReceived:
    return StockReceived(product_id=product_id, delivery_id=delivery, quantity=qty,
                         unit_cost=IDR(cost), supplier_name="CV Contoh",
                         paid_with=paid_with)  # type: ignore[arg-type]


def ad_spend(spend: int = 250_000, campaign: str = "c1", product_id: str = "p1",
             day: date = date(2026, 11, 2), ad: str = "ad1") -> AdSpendRecorded:
    return AdSpendRecorded(campaign_id=campaign, ad_set_id="as1", ad_id=ad,
                           product_id=product_id, day=day, spend=IDR(spend),
                           impressions=1000, reach=800, clicks=50, leads=5, purchases=1,
                           source="api", row_key=f"{ad}-{day}")


def order(order_id: str = "o1", method: str = "cod", items: tuple = (("p1", 2, 99_000),),
          ongkir: int = 15_000, campaign: str | None = "c1") -> OrderPlaced:
    lines = [OrderLine(product_id=p, quantity=q, unit_price=IDR(u), line_total=IDR(q * u))
             for p, q, u in items]
    subtotal = sum(q * u for _, q, u in items)
    return OrderPlaced(
        order_id=order_id, customer_id="cust1", attribution=Attribution(campaign_id=campaign),
        items=lines, subtotal=IDR(subtotal), shipping_fee=IDR(ongkir),
        total=IDR(subtotal + ongkir), payment_method=method,  # type: ignore[arg-type]
        destination=Destination(province_code="32", province="Jawa Barat", city="Bandung",
                                district="Coblong", postal_code="40132"),
        recipient_sealed="sealed",
    )


def shipped(order_id: str = "o1", cost: int = 12_000, cod: int | None = None,
            day: date = date(2026, 11, 3)) -> Shipped:
    return Shipped(order_id=order_id, courier="jne", service="REG", resi=f"R-{order_id}",
                   shipping_cost=IDR(cost), pickup_date=day,
                   cod_amount=IDR(cod) if cod is not None else None)


def delivered(order_id: str = "o1") -> Delivered:
    return Delivered(order_id=order_id, resi=f"R-{order_id}",
                     delivered_at=datetime(2026, 11, 5, 3, tzinfo=UTC))


def remitted(lines: tuple = (("o1", 213_000),), fee: int = 6_390,
             day: date = date(2026, 11, 10), rid: str = "r1") -> CodRemitted:
    gross = sum(a for _, a in lines)
    return CodRemitted(remittance_id=rid, courier="jne", gross=IDR(gross), fee=IDR(fee),
                       net=IDR(gross - fee),
                       lines=[RemittanceLine(order_id=o, amount=IDR(a)) for o, a in lines],
                       remitted_on=day)


def returned(order_id: str = "o1", cost: int = 12_000) -> ReturnedToSender:
    return ReturnedToSender(order_id=order_id, resi=f"R-{order_id}",
                            return_shipping_cost=IDR(cost), reason="refused",
                            returned_at=datetime(2026, 11, 8, 2, tzinfo=UTC))


def complaint(order_id: str = "o1", refund: int | None = 50_000,
              outcome: str = "refund") -> ComplaintResolved:
    return ComplaintResolved(complaint_id=f"k-{order_id}", order_id=order_id,
                             outcome=outcome,  # type: ignore[arg-type]
                             refund=IDR(refund) if refund is not None else None,
                             resolved_by="admin1")


def cancelled(order_id: str = "o1") -> OrderCancelled:
    return OrderCancelled(order_id=order_id, reason="changed mind", cancelled_by="agent1")
