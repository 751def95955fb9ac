"""`lapak report`: the books and the KPI funnel, pulled from the services' APIs.

Every figure comes from a service's public read route; nothing is recomputed from the
bundled files here. Amounts are integers in the minor unit of their currency (whole
rupiah for IDR, cents for USD, centavos for BRL/MXN) and are never mixed across
currencies: a ratio between two currencies is shown as n/a.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from contracts.money import Money
from lapak.client import ShopClient

EPOCH = date(2000, 1, 1)
WIB = timezone(timedelta(hours=7))
# The P&L accounts an order moves, by the ledger's chart of accounts (number -> label).
ORDER_ACCOUNTS = {"4000": "sales revenue", "4100": "ongkir (freight) charged",
                  "5000": "cost of goods sold", "6200": "shipping expense"}
ORDER_STATUSES = ("awaiting_check", "check_failed", "confirmed", "shipped", "delivered",
                  "returned", "cancelled")


def fmt(amount: int, currency: str) -> str:
    """12345 USD -> 'USD 123.45'; IDR stays whole rupiah."""
    return f"{currency} {Money(amount=amount, currency=currency).to_decimal():,}"


def ratio(numerator: int, denominator: int, places: int = 4) -> Decimal | None:
    if denominator == 0:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(numerator) / Decimal(denominator)).quantize(q, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Everything the report prints."""

    pnl: list[dict[str, Any]] = field(default_factory=list)
    trial_balance: list[dict[str, Any]] = field(default_factory=list)
    spend: dict[str, int] = field(default_factory=dict)  # currency -> minor units
    leads: int = 0
    ad_leads: int = 0  # leads attributed to a campaign
    orders_by_status: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    returned: int = 0
    paid: int = 0
    revenue: dict[str, int] = field(default_factory=dict)
    order_books: dict[str, dict[str, int]] = field(default_factory=dict)  # cur -> label
    freight: dict[str, int] = field(default_factory=dict)
    reviews: int = 0
    average_rating: float | None = None
    sentiment: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    late_tasks: int = 0
    board: dict[str, dict[str, int]] = field(default_factory=dict)  # division -> counts

    @property
    def orders(self) -> int:
        return sum(n for s, n in self.orders_by_status.items() if s != "cancelled")

    def funnel_rows(self) -> list[tuple[str, str]]:
        spend = "; ".join(fmt(a, c) for c, a in sorted(self.spend.items())) or "0"
        rows = [("spend", spend), ("leads", str(self.leads)), ("orders", str(self.orders)),
                ("delivered", str(self.delivered)), ("paid", str(self.paid))]
        for currency, amount in sorted(self.spend.items()):
            # Spend is divided only by leads the ads brought (attributed to a campaign):
            # marketplace or walk-in leads cost no ad money.
            if not self.ad_leads:
                rows.append((f"CPL ({currency})", "n/a (no lead attributed to an ad)"))
                rows.append((f"CPA ({currency})", "n/a (no lead attributed to an ad)"))
            else:
                cpl = amount // self.ad_leads
                rows.append((f"CPL ({currency})", fmt(cpl, currency)))
                cpa = amount // self.orders if self.orders else None
                rows.append((f"CPA ({currency})", fmt(cpa, currency) if cpa is not None
                             else "n/a"))
            roas = ratio(self.revenue[currency], amount, 2) \
                if self.revenue.get(currency) else None
            rows.append((f"ROAS ({currency})", str(roas) if roas is not None
                         else "n/a (no revenue in this currency)"))
        closing = ratio(self.orders, self.leads)
        rts = ratio(self.returned, self.delivered + self.returned)
        rows.append(("closing rate", f"{closing:.2%}" if closing is not None else "n/a"))
        rows.append(("RTS rate", f"{rts:.2%}" if rts is not None else "n/a"))
        return rows


async def collect(shop: ShopClient, *, today: date | None = None) -> Figures:
    """Pull every figure from the ledger, marketing, sales, fulfillment and crm APIs."""
    # the ledger dates entries in Jakarta time (WIB): "today" is WIB's today
    today = today or datetime.now(WIB).date()
    f = Figures()
    f.pnl = await shop.get("ledger", "/ledger/profit-and-loss",
                           params={"date_from": EPOCH.isoformat(), "date_to": today.isoformat()})
    f.trial_balance = await shop.get("ledger", "/ledger/trial-balance",
                                     params={"at": today.isoformat()})
    for p in f.pnl:
        f.revenue[p["currency"]] = p["revenue"]
        amounts = {r["account"]: r["amount"] for r in p["rows"]}
        if any(amounts.get(a) for a in ("4000", "4100", "5000")):
            f.order_books[p["currency"]] = {label: amounts.get(account, 0)
                                            for account, label in ORDER_ACCOUNTS.items()}

    for m in await shop.get("marketing", "/metrics/campaign"):
        currency = m["spend"]["currency"]
        f.spend[currency] = f.spend.get(currency, 0) + m["spend"]["amount"]

    f.leads = sum(r["total"] for r in await shop.get("sales", "/reports/pipeline"))
    by_campaign = await shop.get("sales", "/reports/pipeline", params={"by": "campaign"})
    f.ad_leads = sum(r["total"] for r in by_campaign if r["key"])

    # LIMIT: fulfillment lists at most 500 orders per status; beyond that the counts
    # here are floors (a counting route in fulfillment would lift it).
    orders = [o for status in ORDER_STATUSES
              for o in await shop.get("fulfillment", "/orders", params={"status": status})]
    f.orders_by_status = dict(Counter(o["status"] for o in orders))
    for r in await shop.get("fulfillment", "/reports/rts-rate", params={"by": "courier"}):
        f.delivered += r["delivered"]
        f.returned += r["returned"]
    # paid: a delivered transfer order (paid before shipping) or a COD order whose
    # cash the courier remitted (a CodRemitted entry in the ledger names the order)
    journal = await shop.get("ledger", "/ledger/journal")
    remitted = {line["order_id"] for e in journal if e["source_event_type"] == "CodRemitted"
                for line in e["lines"] if line["order_id"]}
    f.paid = len(remitted) + sum(1 for o in orders if o["status"] == "delivered"
                                 and o.get("payment_method") == "transfer")

    summary = await shop.get("crm", "/feedback/summary")
    f.reviews, f.average_rating = summary["count"], summary["average_rating"]
    f.sentiment = dict(summary.get("sentiment") or {})
    f.segments = {k: len(v) for k, v in (await shop.get("crm", "/segments")).items()}
    now = datetime.now(UTC)
    tasks = await shop.get("crm", "/tasks")
    f.tasks = dict(Counter(t["status"] for t in tasks))
    for t in tasks:
        late = t["completed_at"] is None and datetime.fromisoformat(t["due_at"]) < now
        counts = f.board.setdefault(t["division"], {"open": 0, "late": 0, "done": 0})
        counts["done" if t["completed_at"] else "open"] += 1
        counts["late"] += late
        f.late_tasks += late
    return f


def print_report(f: Figures, console: Console) -> None:
    for p in f.pnl:
        table = Table(title=f"Profit and loss {p['date_from']} .. {p['date_to']} "
                            f"({p['currency']})")
        table.add_column("account")
        table.add_column("name")
        table.add_column("amount", justify="right")
        for row in p["rows"]:
            table.add_row(row["account"], row["name"], fmt(row["amount"], p["currency"]))
        table.add_row("", "[bold]revenue[/]", fmt(p["revenue"], p["currency"]))
        table.add_row("", "[bold]expenses[/]", fmt(p["expenses"], p["currency"]))
        table.add_row("", "[bold]net profit[/]", fmt(p["net_profit"], p["currency"]))
        console.print(table)
    if not f.pnl:
        console.print("profit and loss: no journal entries yet")
    for t in f.trial_balance:
        table = Table(title=f"Trial balance at {t['at']} ({t['currency']})")
        for column in ("account", "name", "debit", "credit"):
            table.add_column(column, justify="right" if column in ("debit", "credit") else "left")
        for row in t["rows"]:
            table.add_row(row["account"], row["name"], fmt(row["debit"], t["currency"]),
                          fmt(row["credit"], t["currency"]))
        table.add_row("", "[bold]total[/]", fmt(t["total_debit"], t["currency"]),
                      fmt(t["total_credit"], t["currency"]))
        console.print(table)

    for currency, books in sorted(f.order_books.items()):
        table = Table(title=f"Orders in the books ({currency})")
        table.add_column("figure")
        table.add_column("amount", justify="right")
        for label, amount in books.items():
            table.add_row(label, fmt(amount, currency))
        console.print(table)

    funnel = Table(title="KPI funnel")
    funnel.add_column("figure")
    funnel.add_column("value", justify="right")
    for name, value in f.funnel_rows():
        funnel.add_row(name, value)
    console.print(funnel)

    other = Table(title="Orders, feedback, customers, tasks")
    other.add_column("figure")
    other.add_column("value", justify="right")
    for status in ORDER_STATUSES:
        other.add_row(f"orders {status}", str(f.orders_by_status.get(status, 0)))
    other.add_row("reviews", str(f.reviews))
    other.add_row("average review score",
                  f"{f.average_rating:.2f}" if f.average_rating is not None else "n/a")
    for label, n in sorted(f.sentiment.items()):
        other.add_row(f"feedback {label}", str(n))
    for name, n in sorted(f.segments.items()):
        other.add_row(f"segment {name}", str(n))
    for status, n in sorted(f.tasks.items()):
        other.add_row(f"tasks {status}", str(n))
    other.add_row("tasks late", str(f.late_tasks))
    console.print(other)
    if f.board:
        board = Table(title="Task board")
        for column in ("division", "open", "of which late", "done"):
            board.add_column(column, justify="left" if column == "division" else "right")
        for division, c in sorted(f.board.items()):
            board.add_row(division, str(c["open"]), str(c["late"]), str(c["done"]))
        console.print(board)
    for currency, amount in sorted(f.spend.items()):
        console.print(f"total ad spend {fmt(amount, currency)}")


def write_csv(f: Figures, folder: Path) -> list[Path]:
    """One CSV per table: pnl.csv, trial-balance.csv, funnel.csv, summary.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, header: list[str], rows: list[list[Any]]) -> None:
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)

    write("pnl.csv", ["currency", "account", "name", "amount"],
          [[p["currency"], r["account"], r["name"], r["amount"]] for p in f.pnl
           for r in p["rows"]])
    write("trial-balance.csv", ["currency", "account", "name", "debit", "credit"],
          [[t["currency"], r["account"], r["name"], r["debit"], r["credit"]]
           for t in f.trial_balance for r in t["rows"]])
    write("funnel.csv", ["figure", "value"], [list(r) for r in f.funnel_rows()])
    summary: dict[str, Any] = defaultdict(str)
    summary.update({f"orders_{s}": n for s, n in f.orders_by_status.items()})
    summary.update({"reviews": f.reviews, "average_rating": f.average_rating,
                    "late_tasks": f.late_tasks})
    summary.update({f"spend_{c}": a for c, a in f.spend.items()})
    write("summary.csv", ["figure", "value"], [[k, v] for k, v in summary.items()])
    return written
