"""FulfillmentOrder: check, booking, tracking rules (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.fulfillment import OrderReceived
from contracts.money import Money
from eventkit.errors import NotFoundError, RuleBrokenError

from services.fulfillment.domain import OrderStateError
from services.fulfillment.domain.order import FulfillmentOrder

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def received(order_id: str = "o-1", method: str = "cod") -> FulfillmentOrder:
    order = FulfillmentOrder(order_id)
    order.receive(OrderReceived(
        order_id=order_id, customer_id="c-1", total=Money.idr(164_000),
        payment_method=method,  # type: ignore[arg-type]
        province_code="32", province="Jawa Barat", product_ids=["p-1"]))
    return order


def shipped(method: str = "cod") -> FulfillmentOrder:
    order = received(method=method)
    order.confirm("admin-1")
    order.book(courier="JNE", service="REG", shipping_cost=Money.idr(18_000),
               pickup_date=date(2026, 12, 1), resi="JNE001")
    return order


def track(order: FulfillmentOrder, update_id: str, status: str, hour: int = 10,
          cost: Money | None = None) -> bool:
    return order.track(update_id=update_id, status=status,  # type: ignore[arg-type]
                       courier_status=status, occurred_at=T0.replace(hour=hour),
                       return_shipping_cost=cost, reason=None)


def types(order: FulfillmentOrder) -> list[str]:
    return [e.event_type for e in order.pending]


def test_cod_order_booked_collects_the_order_total() -> None:
    order = shipped("cod")

    shipped_event = order.pending[-1]

    assert shipped_event.event_type == "Shipped"
    assert shipped_event.cod_amount == Money.idr(164_000)  # type: ignore[attr-defined]


def test_transfer_order_booked_collects_nothing() -> None:
    order = shipped("transfer")

    assert order.pending[-1].cod_amount is None  # type: ignore[attr-defined]


def test_unknown_order_cannot_be_confirmed() -> None:
    with pytest.raises(NotFoundError):
        FulfillmentOrder("o-x").confirm("admin-1")


def test_unconfirmed_order_cannot_be_booked() -> None:
    order = received()

    with pytest.raises(OrderStateError):
        order.book(courier="JNE", service="REG", shipping_cost=Money.idr(18_000),
                   pickup_date=date(2026, 12, 1), resi="JNE001")


def test_negative_shipping_cost_is_refused_naming_the_field() -> None:
    order = received()
    order.confirm("admin-1")

    with pytest.raises(RuleBrokenError) as err:
        order.book(courier="JNE", service="REG", shipping_cost=Money.idr(-1),
                   pickup_date=date(2026, 12, 1), resi="JNE001")

    assert err.value.field == "shipping_cost"
    assert types(order) == ["OrderReceived", "OrderConfirmed"]


def test_cancelled_before_placed_is_never_booked() -> None:
    order = FulfillmentOrder("o-1")
    order.withdraw("customer changed mind")
    order.receive(OrderReceived(
        order_id="o-1", customer_id="c-1", total=Money.idr(164_000), payment_method="cod",
        province_code="32", province="Jawa Barat", product_ids=["p-1"]))

    with pytest.raises(OrderStateError):
        order.confirm("admin-1")
    assert order.status == "cancelled"


def test_cancelled_after_placed_is_never_booked() -> None:
    order = received()
    order.confirm("admin-1")
    order.withdraw("duplicate order")

    with pytest.raises(OrderStateError):
        order.book(courier="JNE", service="REG", shipping_cost=Money.idr(18_000),
                   pickup_date=date(2026, 12, 1), resi="JNE001")


def test_redelivered_order_placed_records_nothing_new() -> None:
    order = received()
    before = types(order)

    order.receive(OrderReceived(
        order_id="o-1", customer_id="c-1", total=Money.idr(1), payment_method="cod",
        province_code="32", province="Jawa Barat", product_ids=["p-1"]))

    assert types(order) == before


def test_check_failure_then_confirm_after_sales_fixed_it() -> None:
    order = received()

    order.fail_check("admin-1", "postal code does not match district")
    order.confirm("admin-1")

    assert types(order)[-2:] == ["OrderCheckFailed", "OrderConfirmed"]


def test_tracking_forward_ends_delivered() -> None:
    order = shipped()

    for i, status in enumerate(("picked_up", "in_transit", "delivered")):
        assert track(order, f"u{i}", status, hour=10 + i)

    assert order.status == "delivered"
    assert types(order)[-1] == "Delivered"


def test_resent_update_changes_nothing() -> None:
    order = shipped()
    track(order, "u1", "picked_up")
    count = len(order.pending)

    assert track(order, "u1", "picked_up") is False

    assert len(order.pending) == count


def test_late_in_transit_after_delivered_is_kept_but_not_applied() -> None:
    order = shipped()
    track(order, "u1", "delivered", hour=15)

    track(order, "u0", "in_transit", hour=9)

    late = order.pending[-1]
    assert late.event_type == "TrackingUpdated" and late.applied is False  # type: ignore[attr-defined]
    assert order.status == "delivered" and order.tracking == "delivered"


def test_failed_delivery_then_returned_costs_the_outbound_fare_by_default() -> None:
    order = shipped()
    track(order, "u1", "failed_delivery")

    track(order, "u2", "returned_to_sender")

    rts = order.pending[-1]
    assert rts.event_type == "ReturnedToSender"
    assert rts.return_shipping_cost == Money.idr(18_000)  # type: ignore[attr-defined]
    assert order.status == "returned"


def test_return_cost_from_the_update_wins() -> None:
    order = shipped()

    track(order, "u1", "returned_to_sender", cost=Money.idr(12_000))

    assert order.pending[-1].return_shipping_cost == Money.idr(12_000)  # type: ignore[attr-defined]


def test_delivered_after_returned_does_not_move_it() -> None:
    order = shipped()
    track(order, "u1", "returned_to_sender", hour=12)

    track(order, "u2", "delivered", hour=13)

    assert order.status == "returned"
    assert types(order)[-1] == "TrackingUpdated"


def test_replay_gives_the_same_state() -> None:
    order = shipped()
    track(order, "u1", "in_transit")
    track(order, "u2", "delivered")
    replayed = FulfillmentOrder("o-1")

    for event in order.pending:
        replayed.replay(event)

    assert (replayed.status, replayed.tracking, replayed.update_ids) == (
        "delivered", "delivered", {"u1", "u2"})


STATES = ["picked_up", "in_transit", "failed_delivery", "delivered", "returned_to_sender"]


@given(st.lists(st.tuples(st.sampled_from(STATES), st.integers(0, 5)), min_size=1,
                max_size=12))
def test_any_arrival_order_never_moves_backwards(updates: list[tuple[str, int]]) -> None:
    # update ids repeat (0..5): a repeated id is a resend and must change nothing
    from services.fulfillment.domain.order import RANK

    order = shipped()
    ranks = [0]
    first_seen: dict[str, str] = {}
    for status, uid in updates:
        first_seen.setdefault(str(uid), status)
        track(order, str(uid), status)
        ranks.append(RANK[order.tracking])

    assert ranks == sorted(ranks)
    assert RANK[order.tracking] == max(RANK[s] for s in first_seen.values())
    assert sum(e.event_type == "TrackingUpdated" for e in order.pending) == len(first_seen)
    assert sum(e.event_type in ("Delivered", "ReturnedToSender")
               for e in order.pending) <= 1
