"""The product under research: candidate, researching, then approved or rejected.

State changes only by applying events (ProductProposed, ResearchFileUpdated,
ProductApproved, ProductRejected, StockReceived), so replaying a stream rebuilds it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from contracts.envelope import EventPayload
from contracts.money import Money
from contracts.research import (
    ProductApproved,
    ProductProposed,
    ProductRejected,
    ResearchFileUpdated,
    StockReceived,
)
from eventkit.aggregate import Aggregate
from eventkit.errors import RuleBrokenError
from services.research.domain.criteria import Verdict
from services.research.domain.errors import (
    ApprovalRefusedError,
    DeliveryAlreadyReceivedError,
    ProductAlreadyDecidedError,
)

Stage = Literal["candidate", "researching", "approved", "rejected"]
STAGES: tuple[Stage, ...] = ("candidate", "researching", "approved", "rejected")


class Product(Aggregate):
    """A product candidate and its research file."""

    aggregate_type: ClassVar[str] = "product"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.stage: Stage = "candidate"
        self.sku = ""
        self.name = ""
        self.category: str | None = None
        self.weight_grams = 0
        self.file = ResearchFileUpdated(product_id=aggregate_id)
        self.received_units = 0  # sum of supplier deliveries after approval
        self.deliveries: set[str] = set()
        self.rejection_reason: str | None = None
        self.summary = ""

    # -- commands ---------------------------------------------------------------------
    @classmethod
    def propose(
        cls, product_id: str, *, sku: str, name: str, weight_grams: int, category: str | None
    ) -> Product:
        """Put a new candidate forward for research."""
        product = cls(product_id)
        product.record(ProductProposed(product_id=product_id, sku=sku, name=name,
                                       weight_grams=weight_grams, category=category))
        return product

    def write_file(self, research_file: ResearchFileUpdated) -> None:
        """Replace the research file; only while the product is still in research."""
        self._still_open()
        amounts: list[tuple[str, Money | None]] = [
            ("estimated_price", research_file.estimated_price)]
        amounts += [(f"suppliers.{i}.unit_cost", s.unit_cost)
                    for i, s in enumerate(research_file.suppliers)]
        amounts += [(f"competitors.{i}.price", c.price)
                    for i, c in enumerate(research_file.competitors)]
        # A product's research is kept in one currency: rupiah for the shop's own
        # products, the marketplace's (BRL for Olist) for a marketplace product.
        currency: str | None = None
        for field, money in amounts:
            if money is None:
                continue
            if money.amount < 0:
                raise RuleBrokenError("amounts must not be negative", field=field)
            currency = currency or money.currency
            if money.currency != currency:
                raise RuleBrokenError(
                    f"amount is in {money.currency}, the research file's first amount in "
                    f"{currency}: one product's amounts are in one currency", field=field)
        self.record(research_file.model_copy(update={"product_id": self.id}))

    def approve(self, verdicts: list[Verdict], *, summary: str) -> None:
        """Approve when every mandatory criterion passed; else refuse naming each failure."""
        self._still_open()
        failures = [(v.criterion, v.reason) for v in verdicts if v.mandatory and not v.passed]
        hpp = self.hpp
        if hpp is None:
            failures.append(("suppliers", "the research file names no supplier unit cost"))
        if failures or hpp is None:
            raise ApprovalRefusedError(self.id, failures)
        self.record(ProductApproved(
            product_id=self.id, sku=self.sku, name=self.name, hpp=hpp,
            weight_grams=self.weight_grams, stock_on_hand=self.confirmed_stock,
            supplier_name=self.supplier_name, research_summary=summary or self._summary(),
            category=self.category,
        ))

    def reject(self, reason: str) -> None:
        """Close the research: this product will not be sold."""
        self._still_open()
        self.record(ProductRejected(product_id=self.id, reason=reason))

    def receive_stock(
        self, *, delivery_id: str, quantity: int, unit_cost: Money, supplier_name: str,
        paid_with: Literal["cash", "payable"],
    ) -> None:
        """Book a supplier delivery into the gudang; only for approved products."""
        if self.stage != "approved":
            raise RuleBrokenError(
                f"product {self.id} is {self.stage}; only approved products receive stock",
                field="product_id",
            )
        hpp = self.hpp
        if hpp is not None and unit_cost.currency != hpp.currency:
            raise RuleBrokenError(
                f"product {self.id} is researched in {hpp.currency}; unit cost must be too",
                field="unit_cost")
        if delivery_id in self.deliveries:
            raise DeliveryAlreadyReceivedError(delivery_id)
        self.record(StockReceived(product_id=self.id, delivery_id=delivery_id,
                                  quantity=quantity, unit_cost=unit_cost,
                                  supplier_name=supplier_name, paid_with=paid_with))

    # -- derived facts ----------------------------------------------------------------
    @property
    def hpp(self) -> Money | None:
        """Unit cost of the cheapest signed supplier (else the cheapest still open)."""
        signed = [s for s in self.file.suppliers if s.deal_status == "signed"]
        pool = signed or [s for s in self.file.suppliers if s.deal_status != "declined"]
        return min((s.unit_cost for s in pool), key=lambda m: m.amount, default=None)

    @property
    def currency(self) -> str | None:
        """The currency the research file is kept in (None while it names no amount)."""
        amounts = [self.file.estimated_price, *[s.unit_cost for s in self.file.suppliers],
                   *[c.price for c in self.file.competitors]]
        return next((m.currency for m in amounts if m is not None), None)

    @property
    def supplier_name(self) -> str:
        hpp = self.hpp
        signed = [s for s in self.file.suppliers if s.deal_status == "signed"]
        pool = signed or self.file.suppliers
        return next((s.name for s in pool if s.unit_cost == hpp), "")

    @property
    def confirmed_stock(self) -> int:
        return sum(s.quantity for s in self.file.confirmed_stock)

    @property
    def estimated_price(self) -> Money | None:
        if self.file.estimated_price is not None:
            return self.file.estimated_price
        return min((c.price for c in self.file.competitors), key=lambda m: m.amount,
                   default=None)

    def _summary(self) -> str:
        parts = [self.file.target_audience, self.file.demand_signals]
        return " / ".join(p for p in parts if p)[:1000]

    def _still_open(self) -> None:
        if self.stage in ("approved", "rejected"):
            raise ProductAlreadyDecidedError(self.id, self.stage)

    # -- state ------------------------------------------------------------------------
    def apply(self, event: EventPayload) -> None:
        match event:
            case ProductProposed():
                self.sku, self.name = event.sku, event.name
                self.weight_grams, self.category = event.weight_grams, event.category
            case ResearchFileUpdated():
                self.file = event
                self.stage = "researching"
            case ProductApproved():
                self.stage = "approved"
                self.summary = event.research_summary
            case ProductRejected():
                self.stage = "rejected"
                self.rejection_reason = event.reason
            case StockReceived():
                self.received_units += event.quantity
                self.deliveries.add(event.delivery_id)
            case _:
                raise NotImplementedError(f"product cannot apply {event.event_type}")
