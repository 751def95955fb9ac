"""Follow-up cadence: when the next contact with a lead falls due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def next_follow_up(
    cadence: Sequence[timedelta], *, attempt: int, outcome: str, at: datetime
) -> datetime | None:
    """The time of the follow-up after ``attempt`` (1-based), None when the cadence ends.

    An unanswered lead walks down the cadence (1 h, 1 d, 3 d, ...) and has no next
    follow-up once it is exhausted; an answered lead keeps the last step as its rhythm.
    """
    if not cadence:
        return None
    if attempt <= len(cadence):
        return at + cadence[attempt - 1]
    if outcome == "answered":
        return at + cadence[-1]
    return None


def parse_duration(text: str) -> timedelta:
    """``30m``, ``1h``, ``1d`` -> timedelta (the settings' cadence format)."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    value, unit = text.strip()[:-1], text.strip()[-1:]
    if unit not in units or not value.isdigit() or int(value) <= 0:
        raise ValueError(f"not a duration like 1h or 3d: {text!r}")
    return timedelta(**{units[unit]: int(value)})
