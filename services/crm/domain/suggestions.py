"""Upsell and cross-sell: reorder reminders and products bought together.

Pure functions over order history; every suggestion carries the reason in words and a
deterministic id (same history, same suggestion, same task).
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from services.crm.domain.tasks import TASK_NAMESPACE


@dataclass(frozen=True)
class PastOrder:
    order_id: str
    customer_id: str
    placed_at: datetime
    product_ids: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    suggestion_id: str
    customer_id: str
    product_id: str
    kind: str  # reorder or cross_sell
    why: str


def reorder_intervals(orders: list[PastOrder], min_samples: int = 2) -> dict[str, float]:
    """A product's typical reorder interval: median days between one buyer's orders of it."""
    by_pair: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for order in orders:
        for product in set(order.product_ids):
            by_pair[(order.customer_id, product)].append(order.placed_at)
    gaps: dict[str, list[float]] = defaultdict(list)
    for (_, product), times in by_pair.items():
        times.sort()
        gaps[product].extend(
            (b - a).total_seconds() / 86400 for a, b in zip(times, times[1:], strict=False)
        )
    return {p: statistics.median(g) for p, g in gaps.items() if len(g) >= min_samples}


def suggest(
    customer_id: str,
    orders: list[PastOrder],
    *,
    now: datetime,
    default_reorder_days: dict[str, int],
    min_together: int = 2,
) -> list[Suggestion]:
    """Reorder reminders and cross-sells for one customer, each with its reason."""
    mine = sorted((o for o in orders if o.customer_id == customer_id), key=lambda o: o.placed_at)
    if not mine:
        return []
    intervals = reorder_intervals(orders)
    found: list[Suggestion] = []

    last_bought: dict[str, PastOrder] = {}
    for order in mine:
        for product in order.product_ids:
            last_bought[product] = order
    for product, order in sorted(last_bought.items()):
        typical = intervals.get(product) or default_reorder_days.get(product)
        if not typical:
            continue
        waited = (now - order.placed_at).total_seconds() / 86400
        if waited > typical:
            found.append(Suggestion(
                _sid(customer_id, product, "reorder", order.order_id), customer_id, product,
                "reorder",
                f"last bought in order {order.order_id} {waited:.0f} days ago; "
                f"buyers reorder it every {typical:.0f} days",
            ))

    together: Counter[tuple[str, str]] = Counter()
    for order in orders:
        products = sorted(set(order.product_ids))
        for a in products:
            for b in products:
                if a != b:
                    together[(a, b)] += 1
    bought = set(last_bought)
    best: dict[str, tuple[int, str]] = {}
    for (a, b), count in together.items():
        if a in bought and b not in bought and count >= min_together:
            if count > best.get(b, (0, ""))[0]:
                best[b] = (count, a)
    for product, (count, because) in sorted(best.items()):
        found.append(Suggestion(
            _sid(customer_id, product, "cross_sell", because), customer_id, product,
            "cross_sell", f"bought together with {because} in {count} orders",
        ))
    return found


def _sid(*parts: str) -> str:
    return str(uuid.uuid5(TASK_NAMESPACE, "suggestion:" + ":".join(parts)))
