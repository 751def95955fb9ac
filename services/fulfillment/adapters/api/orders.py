"""Routes for the order check, courier booking, tracking webhook and courier list."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy import insert, select, update

from eventkit.auth import Caller, division, reader
from eventkit.errors import NotFoundError, RuleBrokenError

from services.fulfillment.adapters.api.models import (
    Accepted,
    Booking,
    CheckFailure,
    CourierIn,
    CourierView,
    OrderDetail,
    OrderView,
    ShipmentCount,
    TrackingEntry,
    WebhookResult,
)
from services.fulfillment.adapters.api.views import order_view
from services.fulfillment.adapters.couriers.webhook import JsonWebhookAdapter
from services.fulfillment.adapters.persistence import queries
from services.fulfillment.adapters.persistence.tables import couriers
from services.fulfillment.application import orders as handlers
from services.fulfillment.application.deps import Deps

router = APIRouter(tags=["orders and shipments"])
command = [Depends(division("fulfillment"))]


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


@router.get("/orders", response_model=list[OrderView])
async def list_orders(request: Request, status: str | None = None,
                      _: Caller = Depends(reader)) -> list[OrderView]:
    """Orders in fulfillment, newest change first (at most 500); filter by status
    (awaiting_check, check_failed, confirmed, shipped, delivered, returned, cancelled)."""
    async with _deps(request).db.read() as conn:
        return [order_view(r) for r in await queries.order_rows(conn, status=status)]


@router.get("/orders/{order_id}", response_model=OrderDetail)
async def get_order(order_id: str, request: Request,
                    _: Caller = Depends(reader)) -> OrderDetail:
    """One order with its whole tracking history, late updates included."""
    async with _deps(request).db.read() as conn:
        row = await queries.order_row(conn, order_id)
        if row is None:
            raise NotFoundError(f"no order {order_id}", field="order_id")
        history = [TrackingEntry.model_validate(h) for h in await queries.history(conn, order_id)]
    return OrderDetail(**order_view(row).model_dump(), history=history)


@router.post("/orders/{order_id}/confirm", response_model=Accepted, dependencies=command)
async def confirm(order_id: str, request: Request,
                  caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """The admin checked the order's data: OrderConfirmed, ready to book a courier."""
    await handlers.confirm_order(_deps(request), order_id, caller)
    return Accepted(id=order_id, status="confirmed")


@router.post("/orders/{order_id}/check-failed", response_model=Accepted,
             dependencies=command)
async def send_back(order_id: str, body: CheckFailure, request: Request,
                    caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """Send the order back to sales with the problem named: OrderCheckFailed."""
    await handlers.fail_order_check(_deps(request), order_id, body.problem, caller)
    return Accepted(id=order_id, status="check_failed")


@router.post("/orders/{order_id}/booking", response_model=Accepted, dependencies=command)
async def book(order_id: str, body: Booking, request: Request,
               caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """Book the courier pickup of a confirmed order: Shipped. A COD order's total is the
    cash the courier collects. A resi already used by another order is refused (409)."""
    await handlers.book_courier(
        _deps(request), order_id, courier=body.courier, service=body.service,
        shipping_cost=body.shipping_cost, pickup_date=body.pickup_date, resi=body.resi,
        caller=caller)
    return Accepted(id=order_id, status="shipped")


@router.post("/couriers/webhook", response_model=WebhookResult, dependencies=command)
async def courier_webhook(
    request: Request, payload: dict[str, Any] | list[dict[str, Any]] = Body(...),
    caller: Caller = Depends(division("fulfillment")),
) -> WebhookResult:
    """Courier status updates (one object or a list; see the adapter's JSON shape).

    Authenticated with a bearer token of role fulfillment issued to the courier
    integration (its user id, e.g. ``courier-jne``, is recorded as the actor). Resending
    an update (same update_id) changes nothing; a late update is kept in the history
    without moving the shipment backwards. All updates of one call apply, or none.
    """
    updates = JsonWebhookAdapter().parse(payload)
    results = await handlers.apply_courier_updates(_deps(request), updates, caller)
    applied = sum(results)
    return WebhookResult(applied=applied, duplicates=len(results) - applied)


@router.get("/shipments", response_model=list[OrderView])
async def list_shipments(request: Request, tracking: str | None = None,
                         courier: str | None = None,
                         _: Caller = Depends(reader)) -> list[OrderView]:
    """Booked shipments (at most 1000, oldest booking first), filtered by tracking
    state (booked, picked_up, in_transit, failed_delivery, delivered,
    returned_to_sender) and/or courier code."""
    async with _deps(request).db.read() as conn:
        rows = await queries.shipments(conn, tracking=tracking, courier=courier)
    return [order_view(r) for r in rows]


@router.get("/shipments/counts", response_model=list[ShipmentCount])
async def count_shipments(request: Request, _: Caller = Depends(reader)) -> list[ShipmentCount]:
    """How many shipments each courier has in each tracking state."""
    async with _deps(request).db.read() as conn:
        return [ShipmentCount.model_validate(r) for r in await queries.shipment_counts(conn)]


@router.get("/shipments/waiting-for-pickup", response_model=list[OrderView])
async def waiting_for_pickup(request: Request,
                             _: Caller = Depends(reader)) -> list[OrderView]:
    """Booked parcels the courier has not picked up although the pickup date's cut-off
    hour (FULFILLMENT_PICKUP_CUTOFF_HOUR, WIB) has passed: chase the courier."""
    settings = request.app.state.settings
    async with _deps(request).db.read() as conn:
        rows = await queries.waiting_for_pickup(
            conn, now=_deps(request).clock(), cutoff_hour=settings.pickup_cutoff_hour)
    return [order_view(r) for r in rows]


@router.get("/couriers", response_model=list[CourierView])
async def list_couriers(request: Request, _: Caller = Depends(reader)) -> list[CourierView]:
    """Couriers and their services that orders can be booked with."""
    async with _deps(request).db.read() as conn:
        rows = (await conn.execute(select(couriers).order_by(couriers.c.code))).all()
    return [CourierView(code=r.code, name=r.name, services=json.loads(r.services))
            for r in rows]


@router.put("/couriers/{code}", response_model=CourierView, dependencies=command)
async def put_courier(code: str, body: CourierIn, request: Request) -> CourierView:
    """Add a courier or replace its name and services (code in the path and body agree)."""
    if body.code != code:
        raise RuleBrokenError("code in the body differs from the path", field="code")
    values = {"name": body.name, "services": json.dumps(body.services)}
    async with _deps(request).db.begin() as conn:
        exists = await conn.scalar(select(couriers.c.code).where(couriers.c.code == code))
        if exists:
            await conn.execute(update(couriers).where(couriers.c.code == code).values(**values))
        else:
            await conn.execute(insert(couriers).values(code=code, **values))
    return CourierView(code=code, name=body.name, services=body.services)

