"""Errors of the research division; each names the field at fault."""

from __future__ import annotations

from eventkit.errors import ConflictError, NotFoundError, RuleBrokenError


class ProductNotFoundError(NotFoundError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"no product {product_id}", field="product_id")
        self.product_id = product_id


class ProductAlreadyDecidedError(ConflictError):
    """The product was approved or rejected already; its research is closed."""

    def __init__(self, product_id: str, stage: str) -> None:
        super().__init__(f"product {product_id} is already {stage}", field="product_id")
        self.product_id = product_id
        self.stage = stage


class SkuTakenError(ConflictError):
    def __init__(self, sku: str) -> None:
        super().__init__(f"sku {sku} belongs to another product", field="sku")


class DeliveryAlreadyReceivedError(ConflictError):
    def __init__(self, delivery_id: str) -> None:
        super().__init__(f"delivery {delivery_id} was received already", field="delivery_id")


class ApprovalRefusedError(RuleBrokenError):
    """Mandatory criteria failed; ``failures`` is (criterion name, reason) per failure."""

    def __init__(self, product_id: str, failures: list[tuple[str, str]]) -> None:
        names = ", ".join(name for name, _ in failures)
        super().__init__(f"product {product_id} fails mandatory criteria: {names}",
                         field="criteria")
        self.product_id = product_id
        self.failures = failures
