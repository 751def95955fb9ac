"""Posting rules: one per event type, each turning an event into a balanced entry.

Read the table at the bottom (``RULES``) first. A rule is pure: it gets the payload,
the facts learnt from earlier events and the event's metadata, and returns the entry
(or none), the facts to remember and the keys it provides to parked events. A rule
that needs a fact not seen yet raises ``MissingDependency`` before deciding anything.

Timing decisions (the accountant's, written down once):
- Revenue is recognised when the parcel is handed to the courier (Shipped): the shop's
  performance is done then, and a later RTS is booked as a sales return.
- Delivered posts no entry: no money moves and nothing is owed differently (the COD
  receivable already stands since Shipped); the rule only remembers the delivery.
- Business dates are Jakarta dates (WIB, UTC+7): a 23:30 WIB sale is that day's sale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from contracts.fulfillment import (
    CodRemitted,
    ComplaintResolved,
    Delivered,
    ReturnedToSender,
    Shipped,
)
from contracts.marketing import AdSpendRecorded
from contracts.money import Money
from contracts.research import ProductApproved, StockReceived
from contracts.sales import OrderCancelled, OrderPlaced
from eventkit.errors import MissingDependency
from services.ledger.domain import accounts as a
from services.ledger.domain.entry import Entry, Line, cr, dr
from services.ledger.domain.errors import (
    CancelAfterShipmentError,
    CurrencyMixError,
    UnbalancedEntryError,
)
from services.ledger.domain.facts import Facts, OrderFacts, OrderItem

WIB = timezone(timedelta(hours=7))


def business_date(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


@dataclass(frozen=True)
class Source:
    """The consumed event's metadata a rule may use."""

    event_id: str
    event_type: str
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Outcome:
    entry: Entry | None = None
    orders: list[OrderFacts] = field(default_factory=list)
    costs: dict[str, Money] = field(default_factory=dict)
    provides: list[str] = field(default_factory=list)


def order_key(order_id: str) -> str:
    return f"order:{order_id}"


def shipped_key(order_id: str) -> str:
    return f"shipped:{order_id}"


def cost_key(product_id: str) -> str:
    return f"cost:{product_id}"


def _same_currency(*moneys: Money | None) -> str:
    currencies = {m.currency for m in moneys if m is not None}
    if len(currencies) != 1:
        raise CurrencyMixError(f"one entry cannot mix {sorted(currencies)}", field="currency")
    return currencies.pop()


def _need_order(facts: Facts, order_id: str) -> OrderFacts:
    order = facts.order(order_id)
    if order is None:
        raise MissingDependency(order_key(order_id))
    return order


# -- research ------------------------------------------------------------------------
def remember_hpp(p: ProductApproved, facts: Facts, src: Source) -> Outcome:
    """No entry: the approved hpp is the unit cost until stock arrives at a known cost."""
    known = facts.unit_cost(p.product_id)
    costs = {} if known is not None else {p.product_id: p.hpp}
    return Outcome(costs=costs, provides=[cost_key(p.product_id)])


def post_stock_received(p: StockReceived, facts: Facts, src: Source) -> Outcome:
    """Dr inventory / Cr payable to suppliers (or cash when paid on delivery)."""
    # LIMIT: the newest delivery's unit cost becomes the product's cost (no weighted
    # average yet); COGS drifts when a supplier changes prices between deliveries.
    value = p.unit_cost.amount * p.quantity
    credit = a.CASH if p.paid_with == "cash" else a.PAYABLE_SUPPLIERS
    entry = Entry.build(
        entry_date=business_date(src.occurred_at), currency=p.unit_cost.currency,
        memo=f"stock received {p.delivery_id}",
        lines=[dr(a.INVENTORY, value, product_id=p.product_id),
               cr(credit, value, product_id=p.product_id)],
    )
    return Outcome(entry=entry, costs={p.product_id: p.unit_cost},
                   provides=[cost_key(p.product_id)])


# -- marketing -----------------------------------------------------------------------
def post_ad_spend(p: AdSpendRecorded, facts: Facts, src: Source) -> Outcome:
    """Dr advertising expense / Cr payable to the ad platform, for the report day."""
    dims = {"product_id": p.product_id, "campaign_id": p.campaign_id}
    if p.spend.amount == 0:
        return Outcome()
    entry = Entry.build(
        entry_date=p.day, currency=p.spend.currency, memo=f"ad spend {p.ad_id} {p.day}",
        lines=[dr(a.ADVERTISING, p.spend.amount, **dims),
               cr(a.PAYABLE_AD_PLATFORM, p.spend.amount, **dims)],
    )
    return Outcome(entry=entry)


# -- sales ---------------------------------------------------------------------------
def post_order_placed(p: OrderPlaced, facts: Facts, src: Source) -> Outcome:
    """COD: nothing yet. Transfer: Dr cash / Cr customer deposits for the total."""
    currency = _same_currency(p.total, p.shipping_fee, *[i.line_total for i in p.items])
    order = OrderFacts(
        order_id=p.order_id, currency=currency, payment_method=p.payment_method,
        items=tuple(OrderItem(product_id=i.product_id, quantity=i.quantity,
                              line_total=i.line_total.amount) for i in p.items),
        shipping_fee=p.shipping_fee.amount, total=p.total.amount,
        campaign_id=p.attribution.campaign_id,
        deposit_held=p.payment_method == "transfer",
    )
    entry = None
    if p.payment_method == "transfer":
        dims = {"order_id": p.order_id, "campaign_id": order.campaign_id}
        # A historical (marketplace) order is dated by when it was placed, not by
        # when it was imported.
        placed_at = p.placed_at or src.occurred_at
        entry = Entry.build(
            entry_date=business_date(placed_at), currency=currency,
            memo=f"transfer received for order {p.order_id}",
            lines=[dr(a.CASH, p.total.amount, **dims),
                   cr(a.CUSTOMER_DEPOSITS, p.total.amount, **dims)],
        )
    return Outcome(entry=entry, orders=[order], provides=[order_key(p.order_id)])


def post_order_cancelled(p: OrderCancelled, facts: Facts, src: Source) -> Outcome:
    """Before shipment: COD posts nothing; a transfer is refunded (Dr deposits / Cr cash)."""
    order = _need_order(facts, p.order_id)
    if order.shipped:
        raise CancelAfterShipmentError(f"order {p.order_id} already shipped",
                                       field="order_id")
    if order.cancelled:
        return Outcome()
    entry = None
    if order.deposit_held:
        dims = {"order_id": order.order_id, "campaign_id": order.campaign_id}
        entry = Entry.build(
            entry_date=business_date(src.occurred_at), currency=order.currency,
            memo=f"transfer refunded, order {p.order_id} cancelled",
            lines=[dr(a.CUSTOMER_DEPOSITS, order.total, **dims),
                   cr(a.CASH, order.total, **dims)],
        )
    changed = order.model_copy(update={"cancelled": True, "deposit_held": False})
    return Outcome(entry=entry, orders=[changed])


# -- fulfillment ---------------------------------------------------------------------
def post_shipped(p: Shipped, facts: Facts, src: Source) -> Outcome:
    """Revenue, cost of goods and the courier's fee, in one entry.

    COD: Dr courier COD receivable / Cr sales revenue per line + ongkir income.
    Transfer: Dr customer deposits instead of the receivable.
    Both: Dr COGS / Cr inventory at unit cost x quantity per product;
          Dr shipping expense / Cr payable to couriers for what the shop pays.
    """
    order = _need_order(facts, p.order_id)
    for item in order.items:
        if facts.unit_cost(item.product_id) is None:
            raise MissingDependency(cost_key(item.product_id))
    currency = _same_currency(
        Money(amount=0, currency=order.currency), p.shipping_cost, p.cod_amount,
        *[facts.unit_cost(i.product_id) for i in order.items],
    )
    if order.shipped:
        return Outcome()  # a second Shipped for the same order re-ships nothing

    dims = {"order_id": order.order_id, "campaign_id": order.campaign_id}
    debit_account = a.CUSTOMER_DEPOSITS if order.deposit_held else a.COD_RECEIVABLE
    receivable = p.cod_amount.amount if (p.cod_amount and not order.deposit_held) \
        else order.total
    lines: list[Line] = [dr(debit_account, receivable, **dims)]
    lines += [cr(a.SALES_REVENUE, i.line_total, product_id=i.product_id, **dims)
              for i in order.items]
    lines.append(cr(a.ONGKIR_INCOME, order.shipping_fee, **dims))
    cogs: dict[str, int] = {}
    for item in order.items:
        cost = facts.unit_cost(item.product_id)
        assert cost is not None
        cogs[item.product_id] = cogs.get(item.product_id, 0) + cost.amount * item.quantity
    for product_id, amount in sorted(cogs.items()):
        lines += [dr(a.COGS, amount, product_id=product_id, **dims),
                  cr(a.INVENTORY, amount, product_id=product_id, **dims)]
    lines += [dr(a.SHIPPING_EXPENSE, p.shipping_cost.amount, **dims),
              cr(a.PAYABLE_COURIERS, p.shipping_cost.amount, **dims)]
    # A COD amount that differs from the order total unbalances the entry: refused.
    entry = Entry.build(entry_date=p.pickup_date, currency=currency,
                        memo=f"order {order.order_id} shipped, resi {p.resi}", lines=lines)
    changed = order.model_copy(update={"shipped": True, "deposit_held": False, "cogs": cogs})
    return Outcome(entry=entry, orders=[changed], provides=[shipped_key(order.order_id)])


def remember_delivery(p: Delivered, facts: Facts, src: Source) -> Outcome:
    """No entry (see the module docstring); the order is marked delivered."""
    order = facts.order(p.order_id)
    if order is None or not order.shipped:
        raise MissingDependency(shipped_key(p.order_id))
    return Outcome(orders=[order.model_copy(update={"delivered": True})])


def post_cod_remitted(p: CodRemitted, facts: Facts, src: Source) -> Outcome:
    """Dr cash (net) + Dr COD fees (fee) / Cr courier COD receivable per order (gross)."""
    currency = _same_currency(p.gross, p.fee, p.net, *[line.amount for line in p.lines])
    lines = [dr(a.CASH, p.net.amount), dr(a.COD_FEES, p.fee.amount)]
    lines += [cr(a.COD_RECEIVABLE, line.amount.amount, order_id=line.order_id)
              for line in p.lines]
    # Optional in newer CodRemitted: gross cash on lines fulfillment could not match.
    unmatched: Money | None = getattr(p, "unmatched", None)
    if unmatched is not None:
        lines.append(cr(a.COD_SUSPENSE, unmatched.amount))
    if p.net.amount + p.fee.amount != p.gross.amount:
        # Checked apart so the reason names the remittance's own arithmetic.
        raise UnbalancedEntryError(
            f"net {p.net.amount} + fee {p.fee.amount} != gross {p.gross.amount}",
            field="gross",
        )
    entry = Entry.build(entry_date=p.remitted_on, currency=currency,
                        memo=f"COD remittance {p.remittance_id} from {p.courier}",
                        lines=lines)
    return Outcome(entry=entry)


def post_returned(p: ReturnedToSender, facts: Facts, src: Source) -> Outcome:
    """The sale undone: Dr sales returns / Cr receivable (COD) or deposits (transfer);
    Dr inventory / Cr COGS at the cost booked at shipment; Dr return shipping / Cr
    payable to couriers."""
    order = facts.order(p.order_id)
    if order is None or not order.shipped:
        raise MissingDependency(shipped_key(p.order_id))
    currency = _same_currency(Money(amount=0, currency=order.currency),
                              p.return_shipping_cost)
    if order.returned:
        return Outcome()
    dims = {"order_id": order.order_id, "campaign_id": order.campaign_id}
    # LIMIT: a returned transfer order leaves the money as a customer deposit until a
    # refund event says it went back; no such event exists yet.
    credit = a.COD_RECEIVABLE if order.payment_method == "cod" else a.CUSTOMER_DEPOSITS
    lines: list[Line] = [dr(a.SALES_RETURNS, i.line_total, product_id=i.product_id, **dims)
                         for i in order.items]
    lines += [dr(a.SALES_RETURNS, order.shipping_fee, **dims),
              cr(credit, order.total, **dims)]
    for product_id, amount in sorted(order.cogs.items()):
        lines += [dr(a.INVENTORY, amount, product_id=product_id, **dims),
                  cr(a.COGS, amount, product_id=product_id, **dims)]
    lines += [dr(a.RETURN_SHIPPING, p.return_shipping_cost.amount, **dims),
              cr(a.PAYABLE_COURIERS, p.return_shipping_cost.amount, **dims)]
    entry = Entry.build(entry_date=business_date(p.returned_at), currency=currency,
                        memo=f"order {order.order_id} returned to sender", lines=lines)
    return Outcome(entry=entry, orders=[order.model_copy(update={"returned": True})])


def post_complaint_resolved(p: ComplaintResolved, facts: Facts, src: Source) -> Outcome:
    """A refund: Dr customer refunds / Cr cash. Reship or reject: no entry.

    Waits for the order, so the refund carries the order's product and campaign
    whichever topic was read first (a rebuild then gives the same per-product P&L)."""
    # LIMIT: a reship's second parcel costs goods and postage; no event carries it yet.
    if p.outcome != "refund" or p.refund is None or p.refund.amount == 0:
        return Outcome()
    order = _need_order(facts, p.order_id)
    dims: dict[str, Any] = {"order_id": p.order_id, "product_id": order.single_product,
                            "campaign_id": order.campaign_id}
    entry = Entry.build(
        entry_date=business_date(src.occurred_at), currency=p.refund.currency,
        memo=f"refund for complaint {p.complaint_id}",
        lines=[dr(a.REFUNDS, p.refund.amount, **dims), cr(a.CASH, p.refund.amount, **dims)],
    )
    return Outcome(entry=entry)


Rule = Callable[[Any, Facts, Source], Outcome]

# The posting table: event type -> rule. An event type not listed is not the ledger's.
RULES: dict[str, Rule] = {
    "ProductApproved": remember_hpp,          # no entry; unit cost
    "StockReceived": post_stock_received,     # Dr 1300 inventory / Cr 2100 or 1000
    "AdSpendRecorded": post_ad_spend,         # Dr 6100 advertising / Cr 2200
    "OrderPlaced": post_order_placed,         # transfer: Dr 1000 / Cr 2300; COD: none
    "OrderCancelled": post_order_cancelled,   # transfer: Dr 2300 / Cr 1000; COD: none
    "Shipped": post_shipped,                  # Dr 1200|2300 / Cr 4000+4100; COGS; ongkir paid
    "Delivered": remember_delivery,           # no entry
    "CodRemitted": post_cod_remitted,         # Dr 1000 net + 6300 fee / Cr 1200 (+2500)
    "ReturnedToSender": post_returned,        # Dr 4200 / Cr 1200|2300; stock back; 6210
    "ComplaintResolved": post_complaint_resolved,  # refund: Dr 6400 / Cr 1000
}


def post(event_type: str, payload: Any, facts: Facts, source: Source) -> Outcome:
    return RULES[event_type](payload, facts, source)
