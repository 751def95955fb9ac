"""Each posting rule against the entry worked out by hand (amounts in rupiah)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from eventkit.errors import MissingDependency
from services.ledger.domain import accounts as a
from services.ledger.domain.entry import Entry, cr, dr
from services.ledger.domain.errors import (
    CancelAfterShipmentError, UnbalancedEntryError,
)
from services.ledger.domain.facts import MemoryFacts
from services.ledger.domain.posting import Outcome, Source, post

from ledger_events import (
    ad_spend, approved, cancelled, complaint, delivered, order, remitted, returned,
    shipped, stock,
)

# 2026-11-01 20:00 UTC is 2026-11-02 03:00 in Jakarta (WIB, UTC+7).
AT = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)


def apply(facts: MemoryFacts, payload) -> Outcome:  # type: ignore[no-untyped-def]
    outcome = post(payload.event_type, payload, facts,
                   Source(event_id=str(uuid.uuid4()), event_type=payload.event_type,
                          occurred_at=AT))
    for o in outcome.orders:
        facts.orders[o.order_id] = o
    facts.costs.update(outcome.costs)
    return outcome


def summary(outcome: Outcome) -> list[tuple[str, int, int]]:
    assert outcome.entry is not None
    return [(line.account, line.debit, line.credit) for line in outcome.entry.lines]


@pytest.fixture
def facts() -> MemoryFacts:
    f = MemoryFacts()
    apply(f, approved("p1", hpp=40_000))
    return f


def test_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntryError):
        Entry.build(entry_date=date(2026, 11, 1), currency="IDR", memo="x",
                    lines=[dr(a.CASH, 100), cr(a.SALES_REVENUE, 99)])


def test_stock_received_on_credit_is_inventory_against_payable(facts: MemoryFacts) -> None:
    out = apply(facts, stock(qty=10, cost=40_000))

    # 10 x 40,000 = 400,000; dated in Jakarta: 2026-11-02
    assert summary(out) == [(a.INVENTORY, 400_000, 0), (a.PAYABLE_SUPPLIERS, 0, 400_000)]
    assert out.entry and out.entry.entry_date == date(2026, 11, 2)


def test_stock_paid_in_cash_credits_cash(facts: MemoryFacts) -> None:
    out = apply(facts, stock(qty=3, cost=41_000, paid_with="cash"))

    # 3 x 41,000 = 123,000; the new cost replaces the hpp
    assert summary(out) == [(a.INVENTORY, 123_000, 0), (a.CASH, 0, 123_000)]
    assert facts.costs["p1"].amount == 41_000


def test_ad_spend_is_advertising_against_ad_platform_payable(facts: MemoryFacts) -> None:
    out = apply(facts, ad_spend(spend=250_000, campaign="c1"))

    assert summary(out) == [(a.ADVERTISING, 250_000, 0), (a.PAYABLE_AD_PLATFORM, 0, 250_000)]
    assert out.entry and out.entry.lines[0].campaign_id == "c1"
    assert out.entry.entry_date == date(2026, 11, 2)


def test_cod_order_posts_nothing_but_provides_the_order(facts: MemoryFacts) -> None:
    out = apply(facts, order("o1", "cod"))

    assert out.entry is None
    assert out.provides == ["order:o1"]


def test_transfer_order_is_cash_against_deposits(facts: MemoryFacts) -> None:
    out = apply(facts, order("o1", "transfer", items=(("p1", 2, 99_000),), ongkir=15_000))

    # 2 x 99,000 + 15,000 = 213,000
    assert summary(out) == [(a.CASH, 213_000, 0), (a.CUSTOMER_DEPOSITS, 0, 213_000)]


def test_cod_shipment_books_revenue_cogs_and_courier_fee(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "cod", items=(("p1", 2, 99_000),), ongkir=15_000))

    out = apply(facts, shipped("o1", cost=12_000, cod=213_000))

    # receivable 213,000 = revenue 198,000 + ongkir 15,000;
    # COGS 2 x 40,000 = 80,000; courier fee 12,000
    assert summary(out) == [
        (a.COD_RECEIVABLE, 213_000, 0), (a.SALES_REVENUE, 0, 198_000),
        (a.ONGKIR_INCOME, 0, 15_000), (a.COGS, 80_000, 0), (a.INVENTORY, 0, 80_000),
        (a.SHIPPING_EXPENSE, 12_000, 0), (a.PAYABLE_COURIERS, 0, 12_000),
    ]
    assert out.entry and out.entry.entry_date == date(2026, 11, 3)
    assert facts.orders["o1"].cogs == {"p1": 80_000}


def test_transfer_shipment_releases_the_deposit_as_revenue(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "transfer", items=(("p1", 1, 99_000),), ongkir=10_000))

    out = apply(facts, shipped("o1", cost=9_000))

    # 99,000 + 10,000 = 109,000 out of deposits; COGS 40,000; fee 9,000
    assert summary(out) == [
        (a.CUSTOMER_DEPOSITS, 109_000, 0), (a.SALES_REVENUE, 0, 99_000),
        (a.ONGKIR_INCOME, 0, 10_000), (a.COGS, 40_000, 0), (a.INVENTORY, 0, 40_000),
        (a.SHIPPING_EXPENSE, 9_000, 0), (a.PAYABLE_COURIERS, 0, 9_000),
    ]


def test_shipment_before_its_order_waits_for_it(facts: MemoryFacts) -> None:
    with pytest.raises(MissingDependency) as waiting:
        apply(facts, shipped("o9"))

    assert waiting.value.key == "order:o9"


def test_shipment_without_a_unit_cost_waits_for_the_product(facts: MemoryFacts) -> None:
    apply(facts, order("o1", items=(("p2", 1, 50_000),)))

    with pytest.raises(MissingDependency) as waiting:
        apply(facts, shipped("o1"))

    assert waiting.value.key == "cost:p2"


def test_cod_amount_other_than_the_total_is_refused(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "cod", items=(("p1", 2, 99_000),), ongkir=15_000))

    with pytest.raises(UnbalancedEntryError):
        apply(facts, shipped("o1", cod=200_000))


def test_delivery_posts_nothing(facts: MemoryFacts) -> None:
    apply(facts, order("o1"))
    apply(facts, shipped("o1"))

    out = apply(facts, delivered("o1"))

    assert out.entry is None
    assert facts.orders["o1"].delivered


def test_cod_remittance_is_cash_and_fee_against_receivable(facts: MemoryFacts) -> None:
    out = apply(facts, remitted(lines=(("o1", 213_000), ("o2", 114_000)), fee=9_810))

    # gross 213,000 + 114,000 = 327,000; fee 3% = 9,810; net 317,190
    assert summary(out) == [
        (a.CASH, 317_190, 0), (a.COD_FEES, 9_810, 0),
        (a.COD_RECEIVABLE, 0, 213_000), (a.COD_RECEIVABLE, 0, 114_000),
    ]


def test_return_to_sender_undoes_the_sale(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "cod", items=(("p1", 2, 99_000),), ongkir=15_000))
    apply(facts, shipped("o1", cost=12_000))

    out = apply(facts, returned("o1", cost=11_000))

    # returns 198,000 + ongkir 15,000 = 213,000 off the receivable; stock back 80,000
    assert summary(out) == [
        (a.SALES_RETURNS, 198_000, 0), (a.SALES_RETURNS, 15_000, 0),
        (a.COD_RECEIVABLE, 0, 213_000), (a.INVENTORY, 80_000, 0), (a.COGS, 0, 80_000),
        (a.RETURN_SHIPPING, 11_000, 0), (a.PAYABLE_COURIERS, 0, 11_000),
    ]


def test_return_before_shipment_waits(facts: MemoryFacts) -> None:
    apply(facts, order("o1"))

    with pytest.raises(MissingDependency) as waiting:
        apply(facts, returned("o1"))

    assert waiting.value.key == "shipped:o1"


def test_refund_is_refunds_against_cash(facts: MemoryFacts) -> None:
    apply(facts, order("o1"))

    out = apply(facts, complaint("o1", refund=50_000))

    assert summary(out) == [(a.REFUNDS, 50_000, 0), (a.CASH, 0, 50_000)]
    assert out.entry and out.entry.lines[0].product_id == "p1"


def test_reship_posts_nothing(facts: MemoryFacts) -> None:
    out = apply(facts, complaint("o1", refund=None, outcome="reship"))

    assert out.entry is None


def test_cancelled_transfer_is_refunded(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "transfer", items=(("p1", 1, 99_000),), ongkir=10_000))

    out = apply(facts, cancelled("o1"))

    # the 109,000 deposit goes back
    assert summary(out) == [(a.CUSTOMER_DEPOSITS, 109_000, 0), (a.CASH, 0, 109_000)]


def test_cancelled_cod_posts_nothing(facts: MemoryFacts) -> None:
    apply(facts, order("o1", "cod"))

    out = apply(facts, cancelled("o1"))

    assert out.entry is None and facts.orders["o1"].cancelled


def test_cancel_after_shipment_is_refused(facts: MemoryFacts) -> None:
    apply(facts, order("o1"))
    apply(facts, shipped("o1"))

    with pytest.raises(CancelAfterShipmentError):
        apply(facts, cancelled("o1"))
