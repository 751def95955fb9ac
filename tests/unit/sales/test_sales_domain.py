"""Sales domain rules without I/O: phones, rotator, cadence, regions, aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from contracts.money import Money
from contracts.sales import Attribution, Destination, LeadAssigned, LeadLost
from services.sales.domain import (
    InvalidPhoneError,
    LeadClosedError,
    OrderAlreadyShippedError,
    UnknownAddressError,
)
from services.sales.domain.cadence import next_follow_up, parse_duration
from services.sales.domain.lead import Lead
from services.sales.domain.order import Order, PricedItem
from services.sales.domain.phone import mask_phone, normalise_phone
from services.sales.domain.regions import RegionTable, default_regions_dir
from services.sales.domain.rotator import AgentSlot, choose_agent

NOON_WIB = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 12:00 WIB


@pytest.mark.parametrize("raw", [
    "081234567890", "0812-3456-7890", "0812.3456.7890", "0812 3456 7890",
    "+6281234567890", "+62 812-3456-7890", "6281234567890", "62 812 3456 7890",
    "006281234567890",
])
def test_every_spelling_of_one_number_normalises_to_the_same_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+6281234567890"


def test_a_number_starting_with_62_does_not_get_a_second_country_code() -> None:
    assert not normalise_phone("6281234567890").startswith("+6262")


@pytest.mark.parametrize("raw", ["", "0812", "08123abc890", "+12025550143", "9999999999999"])
def test_invalid_numbers_are_refused_on_the_phone_field_without_echoing_it(raw: str) -> None:
    with pytest.raises(InvalidPhoneError) as caught:
        normalise_phone(raw)

    assert caught.value.field == "phone"
    assert raw == "" or raw not in caught.value.message


def test_masked_phone_keeps_only_country_code_and_last_three_digits() -> None:
    assert mask_phone("+6281234567890") == "+62********890"


def _agent(agent_id: str, **kw: object) -> AgentSlot:
    base: dict[str, object] = dict(agent_id=agent_id, weight=1, max_open_leads=10,
                                   shift_start=time(8), shift_end=time(17), active=True,
                                   open_leads=0, assigned_total=0)
    base.update(kw)
    return AgentSlot(**base)  # type: ignore[arg-type]


def test_round_robin_takes_the_agent_after_the_last_one_and_wraps() -> None:
    agents = [_agent("a"), _agent("b"), _agent("c")]

    assert choose_agent("round_robin", agents, at=NOON_WIB, last_agent_id=None)[0] == "a"  # type: ignore[index]
    assert choose_agent("round_robin", agents, at=NOON_WIB, last_agent_id="a")[0] == "b"  # type: ignore[index]
    assert choose_agent("round_robin", agents, at=NOON_WIB, last_agent_id="c")[0] == "a"  # type: ignore[index]


def test_rotator_skips_agents_off_shift_inactive_or_at_their_cap() -> None:
    agents = [
        _agent("a", shift_start=time(18), shift_end=time(2)),  # night shift, off at noon
        _agent("b", open_leads=10),                             # at cap
        _agent("c", active=False),
        _agent("d"),
    ]

    assert choose_agent("round_robin", agents, at=NOON_WIB, last_agent_id=None) == (
        "d", "round robin")


def test_overnight_shift_covers_the_small_hours() -> None:
    night = _agent("a", shift_start=time(22), shift_end=time(6))

    assert night.on_shift(datetime(2026, 12, 3, 18, 30, tzinfo=UTC))  # 01:30 WIB
    assert not night.on_shift(NOON_WIB)


def test_nobody_available_gives_none() -> None:
    assert choose_agent("weighted", [_agent("a", active=False)], at=NOON_WIB,
                        last_agent_id=None) is None


def test_weighted_gives_a_weight_two_agent_two_leads_for_each_of_a_weight_one() -> None:
    totals = {"a": 0, "b": 0}

    for _ in range(9):
        agents = [_agent("a", weight=2, assigned_total=totals["a"]),
                  _agent("b", weight=1, assigned_total=totals["b"])]
        chosen, reason = choose_agent("weighted", agents, at=NOON_WIB,
                                      last_agent_id=None)  # type: ignore[misc]
        totals[chosen] += 1

    assert totals == {"a": 6, "b": 3}
    assert reason == "weighted"


def test_sticky_returns_a_customer_to_their_agent_else_round_robin() -> None:
    agents = [_agent("a"), _agent("b")]

    assert choose_agent("sticky", agents, at=NOON_WIB, last_agent_id="b",
                        previous_agent_id="b") == ("b", "sticky: returning customer")
    gone = [_agent("a"), _agent("b", active=False)]
    assert choose_agent("sticky", gone, at=NOON_WIB, last_agent_id=None,
                        previous_agent_id="b") == ("a", "sticky: previous agent unavailable")


def test_cadence_walks_1h_1d_3d_then_ends_for_no_answer() -> None:
    cadence = [parse_duration(x) for x in ("1h", "1d", "3d")]

    assert next_follow_up(cadence, attempt=1, outcome="no_answer", at=NOON_WIB) == (
        NOON_WIB + timedelta(hours=1))
    assert next_follow_up(cadence, attempt=3, outcome="no_answer", at=NOON_WIB) == (
        NOON_WIB + timedelta(days=3))
    assert next_follow_up(cadence, attempt=4, outcome="no_answer", at=NOON_WIB) is None
    assert next_follow_up(cadence, attempt=4, outcome="answered", at=NOON_WIB) == (
        NOON_WIB + timedelta(days=3))


@pytest.fixture(scope="module")
def regions() -> RegionTable:
    return RegionTable(default_regions_dir())


def test_loose_regency_names_resolve_to_official_names(regions: RegionTable) -> None:
    dest = regions.check(province="DI Yogyakarta", city="Kab. Sleman", district="gamping",
                         postal_code="55295")

    assert (dest.province_code, dest.city, dest.district) == (
        "34", "Kabupaten Sleman", "Gamping")


def test_ambiguous_bare_city_is_settled_by_the_kecamatan(regions: RegionTable) -> None:
    # Bandung is both a Kabupaten and a Kota; Coblong lies only in Kota Bandung.
    dest = regions.check(province="Jawa Barat", city="Bandung", district="Coblong",
                         postal_code="40132")

    assert dest.city == "Kota Bandung"


@pytest.mark.parametrize(("address", "field"), [
    (dict(province="Atlantis", city="Sleman", district="Gamping", postal_code="55295"),
     "address.province"),
    (dict(province="Jawa Barat", city="Sleman", district="Gamping", postal_code="55295"),
     "address.city"),
    (dict(province="DIY", city="Sleman", district="Coblong", postal_code="55295"),
     "address.district"),
    (dict(province="DIY", city="Sleman", district="Gamping", postal_code="40132"),
     "address.postal_code"),
])
def test_address_errors_name_the_wrong_part(
    regions: RegionTable, address: dict[str, str], field: str
) -> None:
    with pytest.raises(UnknownAddressError) as caught:
        regions.check(**address)

    assert caught.value.field == field


def _captured() -> Lead:
    lead = Lead.capture("L1", customer_id="C1", channel="chat", attribution=Attribution(),
                        product_id=None, linked_to_lead_id=None, contact_sealed="x")
    lead.assign("a", reason="round robin")
    return lead


def test_a_losing_outcome_records_the_follow_up_and_loses_the_lead() -> None:
    lead = _captured()

    lead.follow_up("wrong_number", next_at=NOON_WIB)

    assert [type(e).__name__ for e in lead.pending] == [
        "LeadCaptured", "LeadAssigned", "LeadFollowedUp", "LeadLost"]
    assert isinstance(lead.pending[-1], LeadLost) and lead.pending[-1].reason == "wrong_number"
    with pytest.raises(LeadClosedError):
        lead.follow_up("answered", next_at=None)


def test_reassignment_names_the_previous_agent() -> None:
    lead = _captured()

    lead.assign("b", reason="unanswered")

    event = lead.pending[-1]
    assert isinstance(event, LeadAssigned) and event.previous_agent_id == "a"


def _order() -> Order:
    return Order.place(
        "O1", customer_id="C1", lead_id=None, agent_id="a", attribution=Attribution(),
        items=[PricedItem("P1", 2, Money.idr(149_000)), PricedItem("P2", 1, Money.idr(55_500))],
        shipping_fee=Money.idr(18_000), payment_method="cod",
        destination=Destination(province_code="34", province="DIY", city="Sleman",
                                district="Gamping", postal_code="55295"),
        recipient_sealed="x",
    )


def test_order_totals_are_lines_plus_ongkir() -> None:
    placed = _order().pending[0]

    # 2 x 149,000 = 298,000; + 55,500 = 353,500 subtotal; + 18,000 ongkir = 371,500
    assert placed.subtotal == Money.idr(353_500)  # type: ignore[attr-defined]
    assert placed.total == Money.idr(371_500)  # type: ignore[attr-defined]


def test_a_shipped_order_cannot_be_cancelled() -> None:
    with pytest.raises(OrderAlreadyShippedError):
        _order().cancel(reason="changed mind", cancelled_by="ani", shipped=True)
