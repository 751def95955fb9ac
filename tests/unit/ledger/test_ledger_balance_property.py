"""Property: whatever the events and their order, every entry balances and so does
the trial balance (debits == credits per currency)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from eventkit.errors import MissingDependency
from services.ledger.domain.errors import LedgerError
from services.ledger.domain.facts import MemoryFacts
from services.ledger.domain.posting import Source, post

from ledger_events import (
    ad_spend, approved, cancelled, complaint, delivered, order, remitted, returned,
    shipped, stock,
)

money = st.integers(min_value=0, max_value=5_000_000)
positive = st.integers(min_value=1, max_value=5_000_000)
oid = st.sampled_from(["o1", "o2", "o3"])
pid = st.sampled_from(["p1", "p2"])

events = st.one_of(
    st.builds(approved, pid, positive),
    st.builds(stock, pid, st.integers(1, 50), positive, st.sampled_from(["cash", "payable"])),
    st.builds(ad_spend, money),
    st.builds(order, oid, st.sampled_from(["cod", "transfer"]),
              st.lists(st.tuples(pid, st.integers(1, 5), positive), min_size=1,
                       max_size=3).map(tuple), money),
    st.builds(shipped, oid, money),
    st.builds(delivered, oid),
    st.builds(remitted, st.lists(st.tuples(oid, positive), min_size=1, max_size=3)
              .map(tuple), st.integers(0, 1000)),
    st.builds(returned, oid, money),
    st.builds(complaint, oid, money),
    st.builds(cancelled, oid),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(events, max_size=40))
def test_every_entry_and_the_trial_balance_balance(sequence: list) -> None:  # type: ignore[type-arg]
    facts = MemoryFacts()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    for payload in sequence:
        try:
            outcome = post(payload.event_type, payload, facts,
                           Source(event_id=str(uuid.uuid4()), event_type=payload.event_type,
                                  occurred_at=datetime(2026, 11, 1, tzinfo=UTC)))
        except (MissingDependency, LedgerError):
            continue  # parked or dead-lettered: nothing posted
        for o in outcome.orders:
            facts.orders[o.order_id] = o
        facts.costs.update(outcome.costs)
        if outcome.entry is None:
            continue
        debits = sum(line.debit for line in outcome.entry.lines)
        credits = sum(line.credit for line in outcome.entry.lines)
        assert debits == credits > 0
        totals[outcome.entry.currency][0] += debits
        totals[outcome.entry.currency][1] += credits

    for debit, credit in totals.values():
        assert debit == credit
