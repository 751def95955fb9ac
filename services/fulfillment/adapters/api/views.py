"""Rows of the read model turned into response bodies."""

from __future__ import annotations

from typing import Any

from contracts.money import Money

from services.fulfillment.adapters.api.models import OrderView


def money(amount: int | None, currency: str | None) -> Money | None:
    if amount is None or currency is None:
        return None
    return Money(amount=amount, currency=currency)


def order_view(row: dict[str, Any]) -> OrderView:
    cur = row["currency"]
    return OrderView(
        order_id=row["order_id"], customer_id=row["customer_id"], status=row["status"],
        cancelled=bool(row["cancelled"]), payment_method=row["payment_method"],
        total=money(row["total"], cur), province=row["province"], city=row["city"],
        district=row["district"], postal_code=row["postal_code"],
        product_ids=[p for p in (row["product_ids"] or "").split(",") if p],
        problem=row["problem"], courier=row["courier"], service=row["service"],
        resi=row["resi"], shipping_cost=money(row["shipping_cost"], cur),
        pickup_date=row["pickup_date"], cod_amount=money(row["cod_amount"], cur),
        tracking=row["tracking"], delivered_at=row["delivered_at"],
        returned_at=row["returned_at"],
        return_shipping_cost=money(row["return_shipping_cost"], cur),
        remittance_id=row["remittance_id"],
    )
