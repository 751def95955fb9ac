"""Read-side queries for the admins' views and the reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.fulfillment.adapters.persistence.tables import (
    complaints,
    orders,
    remittance_issues,
    tracking_history,
)

WIB = timezone(timedelta(hours=7))


async def order_rows(conn: AsyncConnection, *, status: str | None) -> list[dict[str, Any]]:
    query = select(orders).order_by(orders.c.updated_at.desc()).limit(500)
    if status:
        query = query.where(orders.c.status == status)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def order_row(conn: AsyncConnection, order_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(orders).where(orders.c.order_id == order_id))).mappings()
    found = row.first()
    return dict(found) if found else None


async def history(conn: AsyncConnection, order_id: str) -> list[dict[str, Any]]:
    rows = await conn.execute(select(tracking_history)
                              .where(tracking_history.c.order_id == order_id)
                              .order_by(tracking_history.c.id))
    return [dict(r) for r in rows.mappings()]


async def waiting_for_pickup(
    conn: AsyncConnection, *, now: datetime, cutoff_hour: int
) -> list[dict[str, Any]]:
    """Booked parcels not yet picked up although their pickup date's cut-off passed."""
    rows = await conn.execute(select(orders).where(orders.c.status == "shipped")
                              .where(orders.c.tracking == "booked")
                              .order_by(orders.c.pickup_date))
    late = []
    for row in rows.mappings():
        deadline = datetime.combine(row["pickup_date"], time(cutoff_hour), WIB)
        if now.astimezone(UTC) > deadline.astimezone(UTC):
            late.append(dict(row))
    return late


async def shipments(
    conn: AsyncConnection, *, tracking: str | None, courier: str | None
) -> list[dict[str, Any]]:
    query = select(orders).where(orders.c.resi.is_not(None)).order_by(orders.c.booked_at)
    if tracking:
        query = query.where(orders.c.tracking == tracking)
    if courier:
        query = query.where(orders.c.courier == courier)
    return [dict(r) for r in (await conn.execute(query.limit(1000))).mappings()]


async def shipment_counts(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(orders.c.courier, orders.c.tracking, func.count().label("count"))
        .where(orders.c.resi.is_not(None))
        .group_by(orders.c.courier, orders.c.tracking)
        .order_by(orders.c.courier, orders.c.tracking))
    return [dict(r) for r in rows.mappings()]


async def rts_rates(conn: AsyncConnection, *, by: str) -> list[dict[str, Any]]:
    """Returned / (delivered + returned) per courier, province or product.

    Only finished shipments count; a parcel still on the road is neither. An order with
    two products counts once for each product.
    """
    rows = await conn.execute(
        select(orders.c.courier, orders.c.province_code, orders.c.province,
               orders.c.product_ids, orders.c.status)
        .where(orders.c.status.in_(("delivered", "returned"))))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if by == "courier":
            keys = [r.courier]
        elif by == "province":
            keys = [r.province or r.province_code]
        else:
            keys = [p for p in (r.product_ids or "").split(",") if p]
        for key in keys:
            tally[key][1 if r.status == "returned" else 0] += 1
    return [
        {"key": key, "delivered": d, "returned": ret, "finished": d + ret,
         "rts_rate_pct": round(100 * ret / (d + ret), 1)}
        for key, (d, ret) in sorted(tally.items())
    ]


async def cod_outstanding(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(orders).where(orders.c.status == "delivered")
        .where(orders.c.payment_method == "cod")
        .where(orders.c.remittance_id.is_(None))
        .order_by(orders.c.delivered_at))
    return [dict(r) for r in rows.mappings()]


async def issues(conn: AsyncConnection) -> list[dict[str, Any]]:
    rows = await conn.execute(select(remittance_issues).order_by(remittance_issues.c.id))
    return [dict(r) for r in rows.mappings()]


async def complaint_rows(conn: AsyncConnection, *, status: str | None) -> list[dict[str, Any]]:
    query = select(complaints).order_by(complaints.c.opened_at)
    if status:
        query = query.where(complaints.c.status == status)
    return [dict(r) for r in (await conn.execute(query)).mappings()]
