"""COD remittances: the courier pays out, in one batch, the cash it collected.

What gets posted (decided here, explained for finance):
- The batch's gross, fee and net are what the courier actually paid, so they are posted
  whole in ``CodRemitted``: the cash is real whether or not every line matches.
- ``CodRemitted.lines`` holds only the matched lines (a delivered COD order, not yet
  remitted, whose amount equals its COD amount); the ledger clears those receivables.
- Every other line goes to ``RemittanceLinesFlagged`` with its reason and is listed for
  the admin; ``CodRemitted.unmatched`` is their sum, the part of gross the ledger must
  hold aside until the admin sorts it out.
- A batch whose lines all need the admin posts no CodRemitted (the contract needs a
  line); LIMIT: its cash then waits in RemittanceLinesFlagged until a flag resolution
  command exists, which is not built yet.
- Refused outright (422, nothing recorded): negative amounts, gross - fee != net, lines
  that do not add up to gross, an order twice in one batch, and a line for an order
  sales cancelled before it shipped (no courier can have collected cash for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.envelope import EventPayload
from contracts.fulfillment import (
    CodRemitted,
    FlaggedLine,
    RemittanceLine,
    RemittanceLinesFlagged,
)
from contracts.money import Money
from eventkit.aggregate import Aggregate
from eventkit.errors import ConflictError, RuleBrokenError


@dataclass(frozen=True)
class OrderForRemittance:
    """What matching needs to know of an order (from the read model)."""

    order_id: str
    status: str
    payment_method: str
    cod_amount: Money | None
    remitted: bool


class Remittance(Aggregate):
    """One courier payout, recorded once."""

    aggregate_type = "remittance"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.recorded = False

    def receive(
        self, *, courier: str, gross: Money, fee: Money, net: Money, remitted_on: date,
        lines: list[RemittanceLine], orders: dict[str, OrderForRemittance],
    ) -> None:
        if self.recorded:
            raise ConflictError(f"remittance {self.id} is already recorded",
                                field="remittance_id")
        _check_amounts(gross=gross, fee=fee, net=net, lines=lines)

        matched: list[RemittanceLine] = []
        flagged: list[FlaggedLine] = []
        for i, line in enumerate(lines):
            order = orders.get(line.order_id)
            if order is not None and order.status == "cancelled":
                raise RuleBrokenError(
                    f"order {line.order_id} was cancelled before shipping; no COD can be"
                    " remitted for it", field=f"lines[{i}].order_id")
            reason = _flag_reason(order, line.amount)
            if reason is None:
                matched.append(line)
            else:
                flagged.append(FlaggedLine(
                    order_id=line.order_id, amount=line.amount, reason=reason,
                    expected=order.cod_amount if order is not None else None,
                ))

        unmatched = sum((f.amount for f in flagged), Money.zero(gross.currency))
        if matched:
            self.record(CodRemitted(
                remittance_id=self.id, courier=courier, gross=gross, fee=fee, net=net,
                lines=matched, remitted_on=remitted_on,
                unmatched=unmatched if flagged else None,
            ))
        if flagged:
            self.record(RemittanceLinesFlagged(
                remittance_id=self.id, courier=courier, lines=flagged))

    def apply(self, event: EventPayload) -> None:
        if isinstance(event, (CodRemitted, RemittanceLinesFlagged)):
            self.recorded = True
            return
        raise NotImplementedError(f"Remittance cannot apply {event.event_type}")


def _check_amounts(
    *, gross: Money, fee: Money, net: Money, lines: list[RemittanceLine]
) -> None:
    for name, money in (("gross", gross), ("fee", fee), ("net", net)):
        if money.is_negative():
            raise RuleBrokenError(f"{name} must not be negative", field=name)
        if money.currency != gross.currency:
            raise RuleBrokenError(f"{name} must be in {gross.currency}", field=name)
    if gross - fee != net:
        raise RuleBrokenError(
            f"net must be gross - fee = {(gross - fee).amount}, not {net.amount}",
            field="net")
    if not lines:
        raise RuleBrokenError("a remittance needs at least one line", field="lines")
    seen: set[str] = set()
    total = Money.zero(gross.currency)
    for i, line in enumerate(lines):
        if line.amount.is_negative():
            raise RuleBrokenError("line amount must not be negative",
                                  field=f"lines[{i}].amount")
        if line.amount.currency != gross.currency:
            raise RuleBrokenError(f"line amount must be in {gross.currency}",
                                  field=f"lines[{i}].amount")
        if line.order_id in seen:
            raise RuleBrokenError(f"order {line.order_id} appears twice in this batch",
                                  field=f"lines[{i}].order_id")
        seen.add(line.order_id)
        total = total + line.amount
    if total != gross:
        raise RuleBrokenError(
            f"lines add up to {total.amount}, gross is {gross.amount}", field="lines")


def _flag_reason(order: OrderForRemittance | None, amount: Money) -> Any:
    if order is None:
        return "unknown_order"
    if order.payment_method != "cod":
        return "not_cod"
    if order.remitted:
        return "already_remitted"
    if order.status != "delivered":
        return "not_delivered"
    if order.cod_amount != amount:
        return "amount_differs"
    return None
