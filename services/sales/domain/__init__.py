"""Sales domain: chat leads from the ads, the CS agents who answer them, and orders.

Glossary:
    CS          customer service agent ("deal maker") who chats with a lead and closes it
    rotator     the rule that hands each new lead to the next CS agent
    ongkir      shipping fee charged to the buyer ("ongkos kirim")
    COD         cash on delivery; the courier collects payment at the door
    transfer    payment by bank transfer before shipping
    provinsi    province; kabupaten/kota: regency or city; kecamatan: district
    kode pos    postal code
    WIB         Western Indonesia Time (UTC+7), the clock agents' shifts are written in
"""

from __future__ import annotations

from eventkit.errors import ConflictError, LapakError, NotFoundError, RuleBrokenError


class SalesError(LapakError):
    """Base of every sales rule error (422 unless a subclass says otherwise)."""


class InvalidPhoneError(SalesError):
    """The phone number is not a valid Indonesian number. Carries no digits of it."""

    def __init__(self, reason: str = "not a valid Indonesian phone number") -> None:
        super().__init__(reason, field="phone")


class LeadNotFoundError(NotFoundError):
    def __init__(self, lead_id: str) -> None:
        super().__init__(f"no lead {lead_id}", field="lead_id")


class OrderNotFoundError(NotFoundError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id}", field="order_id")


class LeadClosedError(ConflictError):
    """The lead is already lost or converted; it takes no more follow-ups."""

    def __init__(self, lead_id: str, status: str) -> None:
        super().__init__(f"lead {lead_id} is {status}", field="lead_id")


class UnknownAddressError(SalesError):
    """An address part is not in the Indonesian region table."""


class UnpricedProductError(SalesError):
    """No PriceSet has been received for the product yet."""


class OrderAlreadyShippedError(ConflictError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} has shipped; it can no longer be cancelled",
                         field="order_id")


class OrderAlreadyCancelledError(ConflictError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} is already cancelled", field="order_id")


class IdempotencyKeyReusedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used for a different order body",
                         field="Idempotency-Key")


__all__ = [
    "ConflictError", "IdempotencyKeyReusedError", "InvalidPhoneError", "LeadClosedError",
    "LeadNotFoundError", "NotFoundError", "OrderAlreadyCancelledError",
    "OrderAlreadyShippedError", "OrderNotFoundError", "RuleBrokenError", "SalesError",
    "UnknownAddressError", "UnpricedProductError",
]
