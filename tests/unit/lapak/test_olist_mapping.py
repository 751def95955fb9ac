"""The pure mapping of Olist rows onto the shop (lapak.olist): synthetic rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lapak.importer import _failed_criteria
from lapak.olist import order_plan, research_file, sales_body, stage_of, unit_cost_centavos


def order(status: str = "delivered", carrier: str = "2017-01-03 10:00:00",
          customer: str = "2017-01-09 18:30:00") -> dict[str, str]:
    return {"order_id": "o1", "customer_id": "c1", "order_status": status,
            "order_purchase_timestamp": "2017-01-01 23:30:00",
            "order_delivered_carrier_date": carrier,
            "order_delivered_customer_date": customer}


def item(n: int, product: str, price: str, freight: str = "10.00",
         seller: str = "s1") -> dict[str, str]:
    return {"order_id": "o1", "order_item_id": str(n), "product_id": product,
            "seller_id": seller, "price": price, "freight_value": freight}


CUSTOMER = {"customer_id": "c1", "customer_unique_id": "u1", "customer_state": "SP",
            "customer_city": "campinas", "customer_zip_code_prefix": "13068"}


def test_one_row_per_unit_becomes_one_line_per_product_with_its_quantity() -> None:
    items = [item(1, "pa", "27.99"), item(2, "pa", "27.99"), item(3, "pb", "5.00")]

    plan = order_plan(order(), items, CUSTOMER)

    assert [(li.product_id, li.quantity, li.unit_price_centavos) for li in plan.lines] == [
        ("pa", 2, 2799), ("pb", 1, 500)]
    assert plan.revenue_centavos == 2 * 2799 + 500
    assert plan.freight_centavos == 3000


def test_sao_paulo_wall_clock_becomes_an_aware_time() -> None:
    plan = order_plan(order(), [item(1, "pa", "1.00")], CUSTOMER)

    # January 2017: Brazilian summer time, UTC-2
    assert plan.placed_at.astimezone(UTC) == datetime(2017, 1, 2, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(("status", "stage"), [
    ("delivered", "delivered"), ("shipped", "shipped"), ("canceled", "cancelled"),
    ("unavailable", "cancelled"), ("invoiced", "confirmed"), ("processing", "confirmed"),
    ("approved", "placed"), ("created", "placed")])
def test_each_olist_status_maps_to_a_stage(status: str, stage: str) -> None:
    assert stage_of(order(status)) == stage


def test_delivered_without_carrier_date_stops_at_confirmed() -> None:
    assert stage_of(order("delivered", carrier="")) == "confirmed"


def test_delivered_without_customer_date_stops_at_shipped() -> None:
    assert stage_of(order("delivered", customer="")) == "shipped"


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Olist order status"):
        stage_of(order("lost"))


def test_unit_cost_is_sixty_percent_of_the_median_rounded_down() -> None:
    assert unit_cost_centavos([1000, 2799, 5000]) == 1679  # 0.6 * 27.99 = 16.794
    assert unit_cost_centavos([1000, 1001]) == 600  # median 1000.5 -> 600.3


def test_research_file_is_in_brl_with_a_signed_seller_and_the_units_sold() -> None:
    items = [item(1, "pa", "10.00", seller="s2"), item(2, "pa", "10.00", seller="s2"),
             item(3, "pa", "20.00", seller="s1"), item(4, "pb", "99.00")]

    file = research_file("pa", items)

    supplier = file["suppliers"][0]
    assert supplier["name"] == "olist-seller-s2"
    assert supplier["deal_status"] == "signed"
    assert supplier["unit_cost"] == {"amount": 600, "currency": "BRL"}
    assert file["confirmed_stock"][0]["quantity"] == 3
    assert file["estimated_price"] == {"amount": 1000, "currency": "BRL"}


def test_sales_body_uses_research_ids_centavos_and_the_unique_customer() -> None:
    plan = order_plan(order(), [item(1, "pa", "27.99", freight="11.85")], CUSTOMER)

    body = sales_body(plan, {"pa": "research-pa"})

    assert body["external_customer_id"] == "u1"
    assert body["items"] == [{"product_id": "research-pa", "quantity": 1,
                              "unit_price": {"amount": 2799, "currency": "BRL"}}]
    assert body["shipping_fee"] == {"amount": 1185, "currency": "BRL"}
    assert body["payment_method"] == "transfer"
    assert body["destination"] == {"country": "BR", "region": "SP", "city": "campinas",
                                   "postal_code": "13068"}
    assert body["placed_at"] == "2017-01-01T23:30:00-02:00"


def test_shipped_order_has_a_deterministic_resi_and_pickup_time() -> None:
    plan = order_plan(order("shipped", customer=""), [item(1, "pa", "1.00")], CUSTOMER)

    assert plan.resi == "OLIST-o1"
    assert plan.picked_up_at is not None and plan.delivered_at is None


def test_refused_approval_is_summarised_by_criterion_name() -> None:
    body = ('{"detail": [{"loc": ["body", "criteria", "shipping_weight_limit"], "msg": '
            '"2100 g above shipping limit 2000 g", "type": "CriterionFailed"}]}')

    assert _failed_criteria(body) == "shipping_weight_limit"
