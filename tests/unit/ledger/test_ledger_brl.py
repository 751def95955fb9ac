"""A BRL marketplace order posts BRL entries dated by its business dates (centavos)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from contracts.fulfillment import Shipped
from contracts.money import Money
from contracts.research import ProductApproved
from contracts.sales import Attribution, Destination, OrderLine, OrderPlaced
from services.ledger.domain import accounts as a
from services.ledger.domain.facts import MemoryFacts
from services.ledger.domain.posting import Outcome, Source, post

# Imported today; the business happened in 2017.
IMPORTED_AT = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


def brl(centavos: int) -> Money:
    return Money(amount=centavos, currency="BRL")


def apply(facts: MemoryFacts, payload) -> Outcome:  # type: ignore[no-untyped-def]
    outcome = post(payload.event_type, payload, facts,
                   Source(event_id=str(uuid.uuid4()), event_type=payload.event_type,
                          occurred_at=IMPORTED_AT))
    for o in outcome.orders:
        facts.orders[o.order_id] = o
    facts.costs.update(outcome.costs)
    return outcome


def olist_order() -> OrderPlaced:
    return OrderPlaced(
        order_id="o-br", customer_id="cus1", attribution=Attribution(),
        items=[OrderLine(product_id="p-br", quantity=2, unit_price=brl(2_999),
                         line_total=brl(5_998))],
        subtotal=brl(5_998), shipping_fee=brl(872), total=brl(6_870),
        payment_method="transfer",
        destination=Destination(country="BR", province_code="SP", province="SP",
                                city="sao paulo", district="", postal_code="03149"),
        recipient_sealed="sealed", marketplace="olist", external_order_id="e481",
        # 2017-10-02 10:56 in São Paulo (UTC-3) is 13:56 UTC, 20:56 WIB: still the 2nd.
        placed_at=datetime(2017, 10, 2, 13, 56, tzinfo=UTC),
    )


def test_a_brl_transfer_order_posts_brl_cash_dated_by_placed_at() -> None:
    facts = MemoryFacts()

    out = apply(facts, olist_order())

    assert out.entry is not None
    # 2 x 29.99 + 8.72 = 68.70 BRL = 6,870 centavos
    assert (out.entry.currency, out.entry.entry_date) == ("BRL", date(2017, 10, 2))
    assert [(ln.account, ln.debit, ln.credit) for ln in out.entry.lines] == [
        (a.CASH, 6_870, 0), (a.CUSTOMER_DEPOSITS, 0, 6_870)]


def test_its_shipment_books_brl_revenue_ongkir_and_cogs_on_the_pickup_date() -> None:
    facts = MemoryFacts()
    apply(facts, ProductApproved(product_id="p-br", sku="SKU-BR", name="Luminária",
                                 hpp=brl(1_500), weight_grams=300, stock_on_hand=0,
                                 supplier_name="Fornecedor Exemplo"))
    apply(facts, olist_order())

    out = apply(facts, Shipped(order_id="o-br", courier="olist", service="standard",
                               resi="R-BR", shipping_cost=brl(872),
                               pickup_date=date(2017, 10, 4)))

    assert out.entry is not None
    assert (out.entry.currency, out.entry.entry_date) == ("BRL", date(2017, 10, 4))
    # deposits 6,870 = revenue 5,998 + ongkir 872; COGS 2 x 1,500 = 3,000; freight 872
    assert [(ln.account, ln.debit, ln.credit) for ln in out.entry.lines] == [
        (a.CUSTOMER_DEPOSITS, 6_870, 0), (a.SALES_REVENUE, 0, 5_998),
        (a.ONGKIR_INCOME, 0, 872), (a.COGS, 3_000, 0), (a.INVENTORY, 0, 3_000),
        (a.SHIPPING_EXPENSE, 872, 0), (a.PAYABLE_COURIERS, 0, 872),
    ]
