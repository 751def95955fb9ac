"""The accountant's reports, read from the journal lines.

Every amount is an integer in minor units of the report's currency; a report holds one
section per currency, as entries never mix currencies.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ledger.adapters.persistence.tables import entries, lines
from services.ledger.domain.accounts import ACCOUNTS


class JournalLineView(BaseModel):
    line_no: int
    account: str
    account_name: str
    debit: int
    credit: int
    product_id: str | None
    campaign_id: str | None
    order_id: str | None


class JournalEntryView(BaseModel):
    entry_id: str
    entry_date: date
    original_date: date | None
    period: str
    currency: str
    source_event_id: str
    source_event_type: str
    memo: str
    reverses_entry_id: str | None
    reason: str | None
    lines: list[JournalLineView]


class BalanceRow(BaseModel):
    account: str
    name: str
    type: str
    debit: int
    credit: int


class TrialBalance(BaseModel):
    at: date
    currency: str
    rows: list[BalanceRow]
    total_debit: int
    total_credit: int


class PnlRow(BaseModel):
    group: str | None
    account: str
    name: str
    type: str
    amount: int  # revenue as credit - debit, expense as debit - credit


class ProfitAndLoss(BaseModel):
    date_from: date
    date_to: date
    currency: str
    by: str | None
    rows: list[PnlRow]
    revenue: int
    expenses: int
    net_profit: int
    net_by_group: dict[str, int]


class BalanceSheet(BaseModel):
    at: date
    currency: str
    assets: list[BalanceRow]
    liabilities: list[BalanceRow]
    equity: list[BalanceRow]
    total_assets: int
    total_liabilities: int
    total_equity: int
    current_earnings: int
    balanced: bool


async def journal(
    conn: AsyncConnection, *, date_from: date | None = None, date_to: date | None = None,
    account: str | None = None, source_event_id: str | None = None,
) -> list[JournalEntryView]:
    query = select(entries).order_by(entries.c.entry_date, entries.c.entry_id)
    if date_from:
        query = query.where(entries.c.entry_date >= date_from)
    if date_to:
        query = query.where(entries.c.entry_date <= date_to)
    if source_event_id:
        query = query.where(entries.c.source_event_id == source_event_id)
    if account:
        query = query.where(entries.c.entry_id.in_(
            select(lines.c.entry_id).where(lines.c.account == account)))
    heads = (await conn.execute(query)).mappings().all()
    by_entry: dict[str, list[JournalLineView]] = {h["entry_id"]: [] for h in heads}
    ids = list(by_entry)
    for start in range(0, len(ids), 500):
        rows = await conn.execute(select(lines).where(
            lines.c.entry_id.in_(ids[start:start + 500])).order_by(lines.c.line_no))
        for row in rows.mappings():
            by_entry[row["entry_id"]].append(JournalLineView(
                line_no=row["line_no"], account=row["account"],
                account_name=ACCOUNTS[row["account"]].name, debit=row["debit"],
                credit=row["credit"], product_id=row["product_id"],
                campaign_id=row["campaign_id"], order_id=row["order_id"]))
    return [JournalEntryView(lines=by_entry[h["entry_id"]],
                             **{k: h[k] for k in JournalEntryView.model_fields
                                if k != "lines"})
            for h in heads]


async def _sums(conn: AsyncConnection, *, date_from: date | None, date_to: date,
                group: str | None = None) -> list[tuple[str, str | None, str, int, int]]:
    dim = lines.c[group] if group else None
    cols = [lines.c.currency, lines.c.account]
    query = select(*cols, *([dim] if dim is not None else []),
                   func.sum(lines.c.debit), func.sum(lines.c.credit)).where(
        lines.c.entry_date <= date_to)
    if date_from:
        query = query.where(lines.c.entry_date >= date_from)
    query = query.group_by(*cols, *([dim] if dim is not None else []))
    out = []
    for row in await conn.execute(query):
        if dim is not None:
            currency, account, key, debit, credit = row
        else:
            (currency, account, debit, credit), key = row, None
        out.append((currency, key, account, int(debit or 0), int(credit or 0)))
    return sorted(out, key=lambda r: (r[0], r[1] or "", r[2]))


def _balance_row(account: str, debit: int, credit: int) -> BalanceRow:
    acc = ACCOUNTS[account]
    net = debit - credit
    return BalanceRow(account=account, name=acc.name, type=acc.type,
                      debit=max(net, 0), credit=max(-net, 0))


async def trial_balance(conn: AsyncConnection, *, at: date) -> list[TrialBalance]:
    per: dict[str, list[BalanceRow]] = {}
    for currency, _, account, debit, credit in await _sums(conn, date_from=None, date_to=at):
        per.setdefault(currency, []).append(_balance_row(account, debit, credit))
    return [TrialBalance(at=at, currency=c, rows=rows,
                         total_debit=sum(r.debit for r in rows),
                         total_credit=sum(r.credit for r in rows))
            for c, rows in sorted(per.items())]


async def profit_and_loss(
    conn: AsyncConnection, *, date_from: date, date_to: date,
    by: Literal["product", "campaign"] | None = None,
) -> list[ProfitAndLoss]:
    group = {"product": "product_id", "campaign": "campaign_id", None: None}[by]
    per: dict[str, list[PnlRow]] = {}
    for currency, key, account, debit, credit in await _sums(
            conn, date_from=date_from, date_to=date_to, group=group):
        acc = ACCOUNTS[account]
        if acc.type == "revenue":
            amount = credit - debit
        elif acc.type == "expense":
            amount = debit - credit
        else:
            continue
        per.setdefault(currency, []).append(PnlRow(group=key, account=account,
                                                   name=acc.name, type=acc.type,
                                                   amount=amount))
    reports = []
    for currency, rows in sorted(per.items()):
        revenue = sum(r.amount for r in rows if r.type == "revenue")
        expenses = sum(r.amount for r in rows if r.type == "expense")
        net_by_group: dict[str, int] = {}
        if by:
            for r in rows:
                sign = 1 if r.type == "revenue" else -1
                name = r.group or "(none)"
                net_by_group[name] = net_by_group.get(name, 0) + sign * r.amount
        reports.append(ProfitAndLoss(date_from=date_from, date_to=date_to,
                                     currency=currency, by=by, rows=rows, revenue=revenue,
                                     expenses=expenses, net_profit=revenue - expenses,
                                     net_by_group=net_by_group))
    return reports


async def balance_sheet(conn: AsyncConnection, *, at: date) -> list[BalanceSheet]:
    per: dict[str, dict[str, list[BalanceRow]]] = {}
    earnings: dict[str, int] = {}
    for currency, _, account, debit, credit in await _sums(conn, date_from=None, date_to=at):
        acc = ACCOUNTS[account]
        sections = per.setdefault(currency, {"asset": [], "liability": [], "equity": []})
        earnings.setdefault(currency, 0)
        if acc.type in sections:
            sections[acc.type].append(_balance_row(account, debit, credit))
        else:  # revenue and expenses not yet closed into equity: current earnings
            earnings[currency] += credit - debit
    sheets = []
    for currency, s in sorted(per.items()):
        assets = sum(r.debit - r.credit for r in s["asset"])
        liabilities = sum(r.credit - r.debit for r in s["liability"])
        equity = sum(r.credit - r.debit for r in s["equity"])
        sheets.append(BalanceSheet(
            at=at, currency=currency, assets=s["asset"], liabilities=s["liability"],
            equity=s["equity"], total_assets=assets, total_liabilities=liabilities,
            total_equity=equity, current_earnings=earnings[currency],
            balanced=assets == liabilities + equity + earnings[currency]))
    return sheets
