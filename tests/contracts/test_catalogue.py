"""The event catalogue: committed schemas, evolution rules, Money's units."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts.__main__ import SCHEMA_DIR, render_all
from contracts.catalogue import ALL_VERSIONS, LATEST, VERSIONS, read_payload, topic_of
from contracts.envelope import Actor, Envelope, new_envelope
from contracts.money import CURRENCY_EXPONENTS, Money, UnknownCurrencyError
from contracts.research import ProductApproved, ProductApprovedV1

REQUIRED_EVENTS = """ProductApproved ProductRejected StockReceived PriceSet KpiTargetsSet
ContentApproved CampaignLaunched AdSpendRecorded CampaignScaled CampaignPaused LeadCaptured
LeadAssigned LeadFollowedUp LeadLost OrderPlaced OrderConfirmed OrderCancelled Shipped
Delivered CodRemitted ReturnedToSender ComplaintOpened ComplaintResolved FeedbackReceived
JournalEntryPosted TaskOpened TaskCompleted""".split()

ACTOR = Actor(user_id="rina", division="research")


def test_every_required_event_is_in_the_catalogue() -> None:
    missing = [name for name in REQUIRED_EVENTS if name not in LATEST]

    assert missing == []


def test_committed_schemas_match_the_models() -> None:
    expected = render_all()
    committed = {p for p in SCHEMA_DIR.rglob("*.json")}

    stale = [str(p) for p, text in expected.items() if not p.exists() or p.read_text() != text]
    orphans = [str(p) for p in committed - set(expected)]

    assert stale == [], "run `python -m contracts` and commit contracts/schemas"
    assert orphans == [], "schemas without a model; delete them"


@pytest.mark.parametrize(
    "event_type", sorted({e.event_type for e in ALL_VERSIONS if e.schema_version > 1})
)
def test_a_new_version_only_adds_optional_fields(event_type: str) -> None:
    versions = sorted(v for (t, v) in VERSIONS if t == event_type)
    for old, new in zip(versions, versions[1:], strict=False):
        old_schema = VERSIONS[(event_type, old)].model_json_schema()
        new_schema = VERSIONS[(event_type, new)].model_json_schema()
        old_fields = set(old_schema["properties"])
        added = set(new_schema["properties"]) - old_fields

        assert old_fields <= set(new_schema["properties"]), "a field was removed or renamed"
        assert set(new_schema.get("required", [])) <= set(old_schema.get("required", [])), (
            f"{event_type} v{new} requires a field v{old} did not have: {added}"
        )
        for name in old_fields:
            assert old_schema["properties"][name] == new_schema["properties"][name], name


def _approved_v2() -> Envelope:
    payload = ProductApproved(
        product_id="p-1", sku="SKU-1", name="Serum", hpp=Money.idr(42_000),
        weight_grams=250, stock_on_hand=40, supplier_name="CV Maju", category="beauty",
    )
    return new_envelope(payload, aggregate_id="p-1", aggregate_version=3, actor=ACTOR,
                        occurred_at=datetime.now(UTC))


def test_a_v1_consumer_reads_a_v2_event_ignoring_the_new_field() -> None:
    raw = _approved_v2().to_bytes()

    envelope = Envelope.from_bytes(raw)
    as_v1 = ProductApprovedV1.model_validate(envelope.payload)

    assert envelope.schema_version == 2
    assert as_v1.hpp == Money.idr(42_000)
    assert not hasattr(as_v1, "category")


def test_a_v2_consumer_reads_a_v1_event_through_the_upcaster() -> None:
    v1 = ProductApprovedV1(
        product_id="p-2", sku="SKU-2", name="Toner", hpp=Money.idr(18_500),
        weight_grams=150, stock_on_hand=12, supplier_name="UD Sejahtera",
    )
    envelope = new_envelope(v1, aggregate_id="p-2", aggregate_version=1, actor=ACTOR,
                            occurred_at=datetime.now(UTC))

    payload = read_payload(Envelope.from_bytes(envelope.to_bytes()))

    assert envelope.schema_version == 1
    assert isinstance(payload, ProductApproved)
    assert payload.category is None
    assert payload.hpp == Money.idr(18_500)


def test_topics_are_one_per_producer() -> None:
    assert topic_of("OrderPlaced") == "sales.events"
    assert topic_of("Shipped") == "fulfillment.events"
    assert topic_of("ProductApproved") == "research.events"


def test_envelope_times_are_utc_and_must_carry_a_zone() -> None:
    base = json.loads(_approved_v2().to_bytes())
    jakarta = timezone(timedelta(hours=7))
    base["occurred_at"] = datetime(2026, 12, 3, 9, 30, tzinfo=jakarta).isoformat()

    parsed = Envelope.model_validate(base)
    base["occurred_at"] = "2026-12-03T09:30:00"

    assert parsed.occurred_at == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert parsed.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError):
        Envelope.model_validate(base)


def test_envelope_rejects_a_non_uuid_event_id() -> None:
    base = json.loads(_approved_v2().to_bytes())
    base["event_id"] = "not-a-uuid"

    with pytest.raises(ValidationError):
        Envelope.model_validate(base)


# -- Money -------------------------------------------------------------------------
def test_rupiah_is_kept_in_whole_rupiah() -> None:
    price = Money.from_decimal("149000", "IDR")

    assert CURRENCY_EXPONENTS["IDR"] == 0
    assert price.amount == 149_000
    assert str(price) == "149,000 IDR"


def test_reais_are_kept_in_centavos() -> None:
    # 58.90 BRL = 5890 centavos; 12.345 rounds half up to 12.35 = 1235 centavos
    assert CURRENCY_EXPONENTS["BRL"] == 2
    assert Money.from_decimal("58.90", "BRL").amount == 5890
    assert Money.from_decimal("12.345", "BRL").amount == 1235
    assert str(Money(amount=5890, currency="BRL")) == "58.90 BRL"


def test_money_refuses_floats_and_numeric_strings_in_json() -> None:
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount": 1500.5, "currency": "IDR"}')
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount": "1500", "currency": "IDR"}')
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": 1500.0, "currency": "IDR"})


def test_money_serialises_amount_as_a_json_integer() -> None:
    text = Money.idr(99_000).model_dump_json()

    assert text == '{"amount":99000,"currency":"IDR"}'


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError):
        Money(amount=100, currency="XXX")
    with pytest.raises(UnknownCurrencyError):
        Money.from_decimal("1", "ABC")


def test_adding_different_currencies_fails() -> None:
    with pytest.raises(ValueError):
        _ = Money.idr(100) + Money(amount=100, currency="BRL")


def test_share_rounds_half_up_to_the_minor_unit() -> None:
    # 3% of 149,000 IDR = 4,470 exactly; 2.5% of 99,999 = 2,499.975 -> 2,500
    from decimal import Decimal

    assert Money.idr(149_000).share(Decimal("0.03")) == Money.idr(4_470)
    assert Money.idr(99_999).share(Decimal("0.025")) == Money.idr(2_500)


def test_a_fresh_uuid_is_in_every_envelope() -> None:
    first, second = _approved_v2(), _approved_v2()

    assert isinstance(first.event_id, uuid.UUID)
    assert first.event_id != second.event_id


def test_money_refuses_amounts_no_ledger_column_could_add_up() -> None:
    # 10**14 minor units is the ceiling: 100 trillion rupiah
    assert Money.idr(10**14).amount == 10**14
    with pytest.raises(ValidationError):
        Money.idr(10**14 + 1)
    with pytest.raises(ValidationError):
        Money.model_validate_json('{"amount": 4611686018427387904, "currency": "IDR"}')
