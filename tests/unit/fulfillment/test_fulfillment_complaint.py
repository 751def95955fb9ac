"""Complaint lifecycle rules (no I/O)."""

from __future__ import annotations

import pytest

from contracts.money import Money
from eventkit.errors import ConflictError, RuleBrokenError

from services.fulfillment.domain.complaint import Complaint

TOTAL = Money.idr(164_000)


def opened() -> Complaint:
    c = Complaint("k-1")
    c.open(order_id="o-1", customer_id="c-1", category="damaged", opened_by="admin-1")
    return c


def test_refund_resolution_carries_the_amount() -> None:
    c = opened()
    c.assign(assignee_id="admin-2", assigned_by="admin-1")

    c.resolve(outcome="refund", refund=Money.idr(50_000), order_total=TOTAL,
              resolved_by="admin-2")

    assert [e.event_type for e in c.pending] == [
        "ComplaintOpened", "ComplaintAssigned", "ComplaintResolved"]
    assert c.pending[-1].refund == Money.idr(50_000)  # type: ignore[attr-defined]


@pytest.mark.parametrize("refund", [None, Money.idr(0), Money.idr(-5),
                                    Money.idr(164_001)])  # 1 rupiah above the total
def test_bad_refund_amount_is_refused(refund: Money | None) -> None:
    c = opened()

    with pytest.raises(RuleBrokenError) as err:
        c.resolve(outcome="refund", refund=refund, order_total=TOTAL, resolved_by="a")

    assert err.value.field == "refund"


def test_reship_takes_no_refund() -> None:
    with pytest.raises(RuleBrokenError):
        opened().resolve(outcome="reship", refund=Money.idr(1), order_total=TOTAL,
                         resolved_by="a")


def test_resolved_twice_is_a_conflict() -> None:
    c = opened()
    c.resolve(outcome="reject", refund=None, order_total=TOTAL, resolved_by="a")

    with pytest.raises(ConflictError):
        c.resolve(outcome="reject", refund=None, order_total=TOTAL, resolved_by="a")
