"""Accounting periods are calendar months, named ``YYYY-MM``."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.ledger.domain.errors import LedgerError

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str, *, field: str = "period") -> str:
    if not PERIOD.match(text):
        raise LedgerError(f"period must be YYYY-MM, got {text!r}", field=field)
    return text


def bounds(period: str) -> tuple[date, date]:
    """First and last day of the period."""
    year, month = int(period[:4]), int(period[5:])
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def first_open_on_or_after(day: date, closed: set[str]) -> date:
    """``day`` itself if its period is open, else the first day of the next open one."""
    while period_of(day) in closed:
        day = bounds(period_of(day))[1] + timedelta(days=1)
    return day
