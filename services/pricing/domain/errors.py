"""Errors of the pricing (finance) division."""

from __future__ import annotations

from eventkit.errors import NotFoundError, RuleBrokenError


class WorksheetNotFoundError(NotFoundError):
    """No worksheet: research has not approved this product (or never heard of it)."""

    def __init__(self, product_id: str) -> None:
        super().__init__(f"no pricing worksheet for product {product_id}: not approved by"
                         " research", field="product_id")


class ProductRejectedError(RuleBrokenError):
    """Research rejected the product; it is never priced."""

    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} was rejected by research", field="product_id")
