"""Fulfillment domain: getting checked orders out of the gudang and to the buyer.

Glossary:
    gudang     warehouse we pick and pack from
    resi       courier waybill number; the buyer tracks the parcel with it
    ongkir     shipping fee ("ongkos kirim")
    COD        cash on delivery; the courier collects payment at the door and later
               remits it to the shop in batches, net of its COD fee
    RTS        returned to sender ("retur"): the courier brings the parcel back
"""

from __future__ import annotations

from eventkit.errors import ConflictError, LapakError, NotFoundError, RuleBrokenError


class FulfillmentError(LapakError):
    """Base of fulfillment's domain errors (422)."""


class OrderNotFoundError(NotFoundError, FulfillmentError):
    def __init__(self, order_id: str, *, field: str = "order_id") -> None:
        super().__init__(f"no order {order_id} has reached fulfillment", field=field)
        self.order_id = order_id


class OrderStateError(RuleBrokenError, FulfillmentError):
    """The order is in a state where this command makes no sense."""


class ResiTakenError(ConflictError, FulfillmentError):
    def __init__(self, resi: str, other_order_id: str) -> None:
        super().__init__(
            f"resi {resi} is already used by order {other_order_id}", field="resi"
        )


class UnknownCourierError(RuleBrokenError, FulfillmentError):
    pass
