"""What the ledger remembers of earlier events to post later ones.

A posting rule never asks another service: order lines come from OrderPlaced, unit
costs from ProductApproved (hpp) and StockReceived, all kept here.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from contracts.money import Money


class OrderItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    quantity: int
    line_total: int


class OrderFacts(BaseModel):
    """One order as the books see it: amounts and how far it went."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    currency: str
    payment_method: Literal["cod", "transfer"]
    items: tuple[OrderItem, ...]
    shipping_fee: int
    total: int
    campaign_id: str | None = None
    deposit_held: bool = False
    shipped: bool = False
    delivered: bool = False
    returned: bool = False
    cancelled: bool = False
    # COGS posted at shipment, per product: the return puts exactly this back.
    cogs: dict[str, int] = {}

    @property
    def single_product(self) -> str | None:
        products = {item.product_id for item in self.items}
        return products.pop() if len(products) == 1 else None


class Facts(Protocol):
    """Read access to earlier facts (a batch cache, or a dict in tests)."""

    def order(self, order_id: str) -> OrderFacts | None: ...

    def unit_cost(self, product_id: str) -> Money | None: ...


class MemoryFacts:
    """Facts held in dicts; the property test and the batch cache use it."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderFacts] = {}
        self.costs: dict[str, Money] = {}

    def order(self, order_id: str) -> OrderFacts | None:
        return self.orders.get(order_id)

    def unit_cost(self, product_id: str) -> Money | None:
        return self.costs.get(product_id)
