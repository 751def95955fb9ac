"""Routes for COD remittances, complaints and the reports."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request

from contracts.money import Money
from eventkit.auth import Caller, division, reader

from services.fulfillment.adapters.api.models import (
    Accepted,
    Assignment,
    CodOutstanding,
    ComplaintIn,
    ComplaintView,
    RemittanceIn,
    RemittanceIssue,
    RemittanceResult,
    Resolution,
    RtsRate,
)
from services.fulfillment.adapters.api.views import money, order_view
from services.fulfillment.adapters.persistence import queries
from services.fulfillment.application import complaints as complaint_handlers
from services.fulfillment.application.deps import Deps
from services.fulfillment.application.remittances import record_remittance

router = APIRouter()
command = [Depends(division("fulfillment"))]


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


@router.post("/remittances", response_model=RemittanceResult, dependencies=command,
             tags=["COD"])
async def remit(body: RemittanceIn, request: Request,
                caller: Caller = Depends(division("fulfillment"))) -> RemittanceResult:
    """Record a courier's COD payout. Lines for delivered COD orders with the expected
    amount are posted as CodRemitted (with the batch's gross, fee and net); the others
    are flagged for the admin (GET /remittances/issues). Refused whole (422): negative
    amounts, net != gross - fee, lines not adding up to gross, an order twice, or an
    order cancelled before shipping. A remittance id already recorded is 409."""
    events = await record_remittance(
        _deps(request), body.remittance_id, courier=body.courier, gross=body.gross,
        fee=body.fee, net=body.net, remitted_on=body.remitted_on, lines=body.lines,
        caller=caller)
    return RemittanceResult(remittance_id=body.remittance_id, events=events)


@router.get("/remittances/issues", response_model=list[RemittanceIssue], tags=["COD"])
async def remittance_issues(request: Request,
                            _: Caller = Depends(reader)) -> list[RemittanceIssue]:
    """Remittance lines that matched no delivered COD order or differ in amount."""
    async with _deps(request).db.read() as conn:
        rows = await queries.issues(conn)
    return [RemittanceIssue(
        remittance_id=r["remittance_id"], courier=r["courier"], order_id=r["order_id"],
        amount=Money(amount=r["amount"], currency=r["currency"]),
        expected=money(r["expected"], r["currency"]), reason=r["reason"]) for r in rows]


@router.get("/cod/outstanding", response_model=CodOutstanding, tags=["COD"])
async def cod_outstanding(request: Request, _: Caller = Depends(reader)) -> CodOutstanding:
    """Delivered COD orders whose cash the courier has not remitted yet, and their sum."""
    async with _deps(request).db.read() as conn:
        rows = await queries.cod_outstanding(conn)
    views = [order_view(r) for r in rows]
    total = Money.zero("IDR")
    for view in views:
        if view.cod_amount is not None:
            total = total + view.cod_amount
    return CodOutstanding(total=total, orders=views)


@router.get("/reports/rts-rate", response_model=list[RtsRate], tags=["reports"])
async def rts_rate(request: Request, by: Literal["courier", "province", "product"],
                   _: Caller = Depends(reader)) -> list[RtsRate]:
    """Returned-to-sender rate among finished shipments, by courier, province or product."""
    async with _deps(request).db.read() as conn:
        return [RtsRate.model_validate(r) for r in await queries.rts_rates(conn, by=by)]


@router.post("/complaints", response_model=Accepted, dependencies=command,
             tags=["complaints"])
async def open_complaint(body: ComplaintIn, request: Request,
                         caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """Open a complaint about an order (damaged, wrong_item, late, missing)."""
    await complaint_handlers.open_complaint(
        _deps(request), body.complaint_id, order_id=body.order_id, category=body.category,
        caller=caller)
    return Accepted(id=body.complaint_id, status="open")


@router.post("/complaints/{complaint_id}/assign", response_model=Accepted,
             dependencies=command, tags=["complaints"])
async def assign(complaint_id: str, body: Assignment, request: Request,
                 caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """Give the complaint to an admin to handle."""
    await complaint_handlers.assign_complaint(
        _deps(request), complaint_id, assignee_id=body.assignee_id, caller=caller)
    return Accepted(id=complaint_id, status="assigned")


@router.post("/complaints/{complaint_id}/resolve", response_model=Accepted,
             dependencies=command, tags=["complaints"])
async def resolve(complaint_id: str, body: Resolution, request: Request,
                  caller: Caller = Depends(division("fulfillment"))) -> Accepted:
    """Close the complaint: refund (amount > 0, at most the order total), reship or
    reject: ComplaintResolved."""
    await complaint_handlers.resolve_complaint(
        _deps(request), complaint_id, outcome=body.outcome, refund=body.refund,
        caller=caller)
    return Accepted(id=complaint_id, status="resolved")


@router.get("/complaints", response_model=list[ComplaintView], tags=["complaints"])
async def list_complaints(request: Request, status: str | None = None,
                          _: Caller = Depends(reader)) -> list[ComplaintView]:
    """Complaints, oldest first; filter by status (open, assigned, resolved)."""
    async with _deps(request).db.read() as conn:
        rows = await queries.complaint_rows(conn, status=status)
    return [ComplaintView(
        complaint_id=r["complaint_id"], order_id=r["order_id"], category=r["category"],
        status=r["status"], assignee_id=r["assignee_id"], outcome=r["outcome"],
        refund=money(r["refund"], r["currency"])) for r in rows]
