"""RFM segments, suggestions with their reasons, phone normalisation, task rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.crm.domain.phone import mask_phone, normalise_phone
from services.crm.domain.rfm import RfmBands, score
from services.crm.domain.suggestions import PastOrder, suggest
from services.crm.domain.tasks import CLOSERS, OPENERS, task_id_for

BANDS = RfmBands()
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_one_phone_written_three_ways_is_one_number() -> None:
    forms = {normalise_phone(p) for p in ("0812-3456-7890", "+62 812 3456 7890",
                                          "62812 34567890")}

    assert forms == {"+6281234567890"}
    assert normalise_phone("not a phone") is None
    assert mask_phone("+6281234567890") == "+62********890"


def test_segments_follow_the_configured_bands() -> None:
    def seg(days: int | None, orders: int, spend: int, returns: int = 0) -> str:
        return score(days_since_last_order=days, orders=orders, spend_minor=spend,
                     returns=returns, bands=BANDS).segment

    assert seg(None, 0, 0) == "no_orders"
    assert seg(5, 1, 100_000) == "new"
    assert seg(20, 2, 150_000) == "repeat"
    assert seg(10, 5, 1_200_000) == "loyal"
    assert seg(120, 3, 300_000) == "at_risk"  # recency score 2 (91..180 days)
    assert seg(400, 4, 900_000) == "lost"
    assert seg(10, 3, 300_000, returns=1) == "high_return_rate"  # 1/3 >= 30%


def test_bands_are_data() -> None:
    strict = RfmBands(recency_days=(7, 14, 21, 28))

    result = score(days_since_last_order=29, orders=3, spend_minor=0, returns=0, bands=strict)

    assert result.segment == "lost" and "29 days" in result.why


def test_reorder_reminder_after_the_typical_interval_says_why() -> None:
    day = timedelta(days=1)
    history = [
        PastOrder("o1", "a", NOW - 100 * day, ("kopi",)),
        PastOrder("o2", "a", NOW - 70 * day, ("kopi",)),  # a reorders every 30 days
        PastOrder("o3", "b", NOW - 90 * day, ("kopi",)),
        PastOrder("o4", "b", NOW - 60 * day, ("kopi",)),  # b too
        PastOrder("o5", "c", NOW - 45 * day, ("kopi",)),
    ]

    found = suggest("c", history, now=NOW, default_reorder_days={})

    assert [(s.kind, s.product_id) for s in found] == [("reorder", "kopi")]
    assert "45 days ago" in found[0].why and "every 30 days" in found[0].why
    assert suggest("c", history, now=NOW, default_reorder_days={}) == found  # same id


def test_cross_sell_from_products_bought_together() -> None:
    history = [
        PastOrder("o1", "a", NOW, ("kopi", "gula")),
        PastOrder("o2", "b", NOW, ("kopi", "gula")),
        PastOrder("o3", "c", NOW, ("kopi",)),
    ]

    found = suggest("c", history, now=NOW, default_reorder_days={})

    assert [(s.kind, s.product_id) for s in found] == [("cross_sell", "gula")]
    assert found[0].why == "bought together with kopi in 2 orders"


def test_every_opening_event_has_a_closing_event_and_stable_ids() -> None:
    closed = {rule.kind for rules in CLOSERS.values() for rule in rules}

    assert closed == {rule.kind for rule in OPENERS.values()}
    assert task_id_for("e1", "set_price") == task_id_for("e1", "set_price")
    assert task_id_for("e1", "set_price") != task_id_for("e2", "set_price")
