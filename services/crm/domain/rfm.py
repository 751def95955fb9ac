"""RFM scores and named segments; the bands are data (``Settings``), not code.

A score is 1..5. Recency bands are upper limits in days (fewer days = higher score);
frequency and monetary bands are lower limits (more = higher score). With four limits
there are five scores.
"""

from __future__ import annotations

from dataclasses import dataclass

SEGMENTS = ("new", "repeat", "loyal", "at_risk", "lost", "high_return_rate", "no_orders")


@dataclass(frozen=True)
class RfmBands:
    recency_days: tuple[int, ...] = (30, 60, 90, 180)  # <=30 days: 5 ... >180: 1
    frequency: tuple[int, ...] = (2, 3, 5, 8)  # orders: 1 -> 1, 2 -> 2, ..., >=8 -> 5
    monetary: tuple[int, ...] = (200_000, 500_000, 1_000_000, 2_500_000)  # minor units
    high_return_rate: float = 0.3  # returned / shipped orders at or above this
    min_orders_for_return_rate: int = 2


@dataclass(frozen=True)
class RfmScore:
    recency: int
    frequency: int
    monetary: int
    segment: str
    why: str


def _upper_score(value: int, limits: tuple[int, ...]) -> int:
    for i, limit in enumerate(limits):
        if value <= limit:
            return 5 - i
    return 1


def _lower_score(value: int, limits: tuple[int, ...]) -> int:
    return 1 + sum(1 for limit in limits if value >= limit)


def score(
    *,
    days_since_last_order: int | None,
    orders: int,
    spend_minor: int,
    returns: int,
    bands: RfmBands,
) -> RfmScore:
    """Scores and the first segment whose rule fits, with the rule in words."""
    if orders == 0 or days_since_last_order is None:
        return RfmScore(0, 0, 0, "no_orders", "no orders yet")
    r = _upper_score(days_since_last_order, bands.recency_days)
    f = _lower_score(orders, bands.frequency)
    m = _lower_score(spend_minor, bands.monetary)
    rate = returns / orders
    if orders >= bands.min_orders_for_return_rate and rate >= bands.high_return_rate:
        return RfmScore(r, f, m, "high_return_rate",
                        f"{returns} of {orders} orders returned (>= {bands.high_return_rate:.0%})")
    if r == 1:
        return RfmScore(r, f, m, "lost",
                        f"last order {days_since_last_order} days ago (> {bands.recency_days[-1]})")
    if orders == 1:
        if r <= 2:
            return RfmScore(r, f, m, "at_risk",
                            f"one order, {days_since_last_order} days ago")
        return RfmScore(r, f, m, "new", f"first order {days_since_last_order} days ago")
    if r <= 2:
        return RfmScore(r, f, m, "at_risk",
                        f"{orders} orders but none for {days_since_last_order} days")
    if f >= 3 and m >= 3:
        return RfmScore(r, f, m, "loyal",
                        f"{orders} orders, recent, spend score {m}")
    return RfmScore(r, f, m, "repeat", f"{orders} orders, last {days_since_last_order} days ago")
