"""HTTP routes of the ledger: reports (JSON or CSV), reversals and period closing."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from contracts.envelope import Actor
from eventkit.auth import Caller, division, reader
from services.ledger.application import commands, reports
from services.ledger.domain.accounts import CHART
from services.ledger.domain.errors import LedgerError
from services.ledger.domain.periods import parse_period
from services.ledger.wiring import Deps

Format = Literal["json", "csv"]


class AccountView(BaseModel):
    code: str
    name: str
    type: str
    normal: str


class ReverseRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


class EntryRef(BaseModel):
    entry_id: str


class PeriodView(BaseModel):
    period: str
    closed: bool


def _csv(rows: list[dict[str, Any]], filename: str) -> Response:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.ledger
    return deps


def router() -> APIRouter:
    api = APIRouter(prefix="/ledger", tags=["ledger"])

    @api.get("/accounts", response_model=list[AccountView])
    async def chart(_: Caller = Depends(reader)) -> list[AccountView]:
        """The chart of accounts: code, name, type and the side that increases it."""
        return [AccountView(code=a.code, name=a.name, type=a.type, normal=a.normal)
                for a in CHART]

    @api.get("/journal", response_model=list[reports.JournalEntryView])
    async def general_journal(
        request: Request, date_from: date | None = None, date_to: date | None = None,
        account: str | None = None, source_event_id: str | None = None,
        format: Format = "json", _: Caller = Depends(reader),
    ) -> Any:
        """The general journal in date order; filter by dates, account or source event.
        ``format=csv`` gives one row per line."""
        if date_from is not None and date_to is not None and date_from > date_to:
            raise LedgerError("date_from is after date_to", field="date_from")
        async with _deps(request).db.read() as conn:
            found = await reports.journal(conn, date_from=date_from, date_to=date_to,
                                          account=account, source_event_id=source_event_id)
        if format == "csv":
            return _csv([{**e.model_dump(exclude={"lines"}), **line.model_dump()}
                         for e in found for line in e.lines], "journal.csv")
        return found

    @api.get("/trial-balance", response_model=list[reports.TrialBalance])
    async def trial_balance(request: Request, at: date, format: Format = "json",
                            _: Caller = Depends(reader)) -> Any:
        """Balance of every account at the end of ``at``, one section per currency."""
        async with _deps(request).db.read() as conn:
            found = await reports.trial_balance(conn, at=at)
        if format == "csv":
            return _csv([{"currency": t.currency, **r.model_dump()} for t in found
                         for r in t.rows], "trial-balance.csv")
        return found

    @api.get("/profit-and-loss", response_model=list[reports.ProfitAndLoss])
    async def profit_and_loss(
        request: Request, period: str | None = None, date_from: date | None = None,
        date_to: date | None = None, by: Literal["product", "campaign"] | None = None,
        format: Format = "json", _: Caller = Depends(reader),
    ) -> Any:
        """Profit and loss for a period (``YYYY-MM``) or a date range, optionally split
        by product or by campaign."""
        if period:
            date_from, date_to = reports_bounds(period)
        if date_from is None or date_to is None:
            raise LedgerError("give period, or date_from and date_to", field="period")
        if date_from > date_to:
            raise LedgerError("date_from is after date_to", field="date_from")
        async with _deps(request).db.read() as conn:
            found = await reports.profit_and_loss(conn, date_from=date_from,
                                                  date_to=date_to, by=by)
        if format == "csv":
            return _csv([{"currency": p.currency, **r.model_dump()} for p in found
                         for r in p.rows], "profit-and-loss.csv")
        return found

    @api.get("/balance-sheet", response_model=list[reports.BalanceSheet])
    async def balance_sheet(request: Request, at: date, format: Format = "json",
                            _: Caller = Depends(reader)) -> Any:
        """Assets, liabilities, equity and current earnings at the end of ``at``."""
        async with _deps(request).db.read() as conn:
            found = await reports.balance_sheet(conn, at=at)
        if format == "csv":
            return _csv([{"currency": s.currency, "section": section, **r.model_dump()}
                         for s in found
                         for section, rows in (("asset", s.assets),
                                               ("liability", s.liabilities),
                                               ("equity", s.equity)) for r in rows]
                        + [{"currency": s.currency, "section": "current_earnings",
                            "account": "", "name": "Current earnings", "type": "equity",
                            "debit": max(-s.current_earnings, 0),
                            "credit": max(s.current_earnings, 0)} for s in found],
                        "balance-sheet.csv")
        return found

    @api.post("/entries/{entry_id}/reverse", response_model=EntryRef, status_code=201,
              dependencies=[Depends(division("ledger"))])
    async def reverse(entry_id: str, body: ReverseRequest, request: Request,
                      caller: Caller = Depends(reader)) -> EntryRef:
        """Correct an entry the only way the books allow: post its mirror image, dated
        today (or the first open day), with your reason."""
        deps = _deps(request)
        now = deps.clock()
        async with deps.db.begin() as conn:
            new_id = await commands.reverse_entry(
                conn, deps.store, entry_id=entry_id, reason=body.reason,
                today=now.date(), now=now,
                actor=Actor(user_id=caller.user_id, division="ledger"))
        return EntryRef(entry_id=new_id)

    @api.post("/periods/{period}/close", response_model=PeriodView,
              dependencies=[Depends(division("ledger"))])
    async def close(period: str, request: Request,
                    caller: Caller = Depends(reader)) -> PeriodView:
        """Close a month; events dated in it later post into the next open month."""
        parse_period(period)
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await commands.close_period(conn, deps.store, period=period, now=deps.clock(),
                                        actor=Actor(user_id=caller.user_id,
                                                    division="ledger"))
        return PeriodView(period=period, closed=True)

    return api


def reports_bounds(period: str) -> tuple[date, date]:
    from services.ledger.domain.periods import bounds

    return bounds(parse_period(period))
