"""COD remittance matching (no I/O). Amounts in whole rupiah."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.fulfillment import RemittanceLine
from contracts.money import Money
from eventkit.errors import ConflictError, RuleBrokenError

from services.fulfillment.domain.remittance import OrderForRemittance, Remittance

ORDERS = {
    "o-1": OrderForRemittance("o-1", "delivered", "cod", Money.idr(164_000), False),
    "o-2": OrderForRemittance("o-2", "delivered", "cod", Money.idr(99_000), False),
    "o-3": OrderForRemittance("o-3", "shipped", "cod", Money.idr(50_000), False),
    "o-4": OrderForRemittance("o-4", "cancelled", "cod", None, False),
    "o-5": OrderForRemittance("o-5", "delivered", "cod", Money.idr(70_000), True),
}


def line(order_id: str, amount: int) -> RemittanceLine:
    return RemittanceLine(order_id=order_id, amount=Money.idr(amount))


def remit(lines: list[RemittanceLine], *, gross: int, fee: int, net: int) -> Remittance:
    remittance = Remittance("r-1")
    remittance.receive(courier="JNE", gross=Money.idr(gross), fee=Money.idr(fee),
                       net=Money.idr(net), remitted_on=date(2026, 12, 5), lines=lines,
                       orders=ORDERS)
    return remittance


def test_all_lines_matched_posts_one_cod_remitted() -> None:
    # gross 164,000 + 99,000 = 263,000; fee 3% of 263,000 = 7,890; net 255,110
    r = remit([line("o-1", 164_000), line("o-2", 99_000)], gross=263_000, fee=7_890,
              net=255_110)

    [event] = r.pending
    assert event.event_type == "CodRemitted"
    assert event.net == Money.idr(255_110)  # type: ignore[attr-defined]
    assert event.unmatched is None  # type: ignore[attr-defined]


def test_mismatched_unknown_and_undelivered_lines_are_flagged() -> None:
    # lines 164,000 + 90,000 + 50,000 + 10,000 + 70,000 = 384,000 = gross; fee 4,000
    # net 380,000. Only o-1 matches; unmatched 90,000 + 50,000 + 10,000 + 70,000 = 220,000
    r = remit([line("o-1", 164_000), line("o-2", 90_000), line("o-3", 50_000),
               line("o-9", 10_000), line("o-5", 70_000)], gross=384_000, fee=4_000,
              net=380_000)

    posted, flagged = r.pending
    assert [ln.order_id for ln in posted.lines] == ["o-1"]  # type: ignore[attr-defined]
    assert posted.unmatched == Money.idr(220_000)  # type: ignore[attr-defined]
    assert {(f.order_id, f.reason) for f in flagged.lines} == {  # type: ignore[attr-defined]
        ("o-2", "amount_differs"), ("o-3", "not_delivered"), ("o-9", "unknown_order"),
        ("o-5", "already_remitted")}


def test_only_flagged_lines_post_no_cod_remitted() -> None:
    r = remit([line("o-9", 10_000)], gross=10_000, fee=0, net=10_000)

    assert [e.event_type for e in r.pending] == ["RemittanceLinesFlagged"]


def test_line_for_an_order_cancelled_before_shipping_refuses_the_batch() -> None:
    with pytest.raises(RuleBrokenError) as err:
        remit([line("o-1", 164_000), line("o-4", 10_000)], gross=174_000, fee=0,
              net=174_000)

    assert err.value.field == "lines[1].order_id"


@pytest.mark.parametrize(("gross", "fee", "net", "field"), [
    (164_000, -1, 164_001, "fee"),
    (164_000, 1_000, 164_000, "net"),      # 164,000 - 1,000 = 163,000, not 164,000
    (170_000, 0, 170_000, "lines"),        # lines add up to 164,000
])
def test_bad_amounts_name_the_field(gross: int, fee: int, net: int, field: str) -> None:
    with pytest.raises(RuleBrokenError) as err:
        remit([line("o-1", 164_000)], gross=gross, fee=fee, net=net)

    assert err.value.field == field


def test_negative_line_amount_is_refused() -> None:
    with pytest.raises(RuleBrokenError) as err:
        remit([line("o-1", 164_000), line("o-2", -1)], gross=163_999, fee=0, net=163_999)

    assert err.value.field == "lines[1].amount"


def test_remittance_id_recorded_twice_is_a_conflict() -> None:
    r = remit([line("o-1", 164_000)], gross=164_000, fee=0, net=164_000)

    with pytest.raises(ConflictError):
        r.receive(courier="JNE", gross=Money.idr(164_000), fee=Money.idr(0),
                  net=Money.idr(164_000), remitted_on=date(2026, 12, 5),
                  lines=[line("o-1", 164_000)], orders=ORDERS)
