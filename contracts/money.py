"""Money as an integer count of the currency's minor unit, never a float.

The exponent of each currency is written out here on purpose: the shop keeps rupiah in
whole rupiah (ISO 4217 lists two decimals for IDR, but no price, ad spend or COD
remittance in Indonesia is quoted in sen), while Brazilian reais from the Olist data keep
their centavos. In JSON a Money is ``{"amount": 149000, "currency": "IDR"}``: the amount
is a JSON integer, and a float or a numeric string is refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

# Digits after the decimal point of the unit each currency is counted in.
CURRENCY_EXPONENTS: dict[str, int] = {
    "IDR": 0,  # whole rupiah: the shop's books and Facebook's IDR ad accounts count so
    "BRL": 2,  # centavos (Olist orders)
    "USD": 2,  # cents (the Kaggle ad report is usually read as USD)
    "MXN": 2,  # centavos (the API ad export; currency not stated, MXN suggested)
    "EUR": 2,
    "SGD": 2,
    "MYR": 2,
    "JPY": 0,
}


# Largest amount one Money may hold, in minor units: 100 trillion rupiah, a trillion
# reais. Far above any order or remittance, and small enough that a ledger can add up
# tens of thousands of them in a 64-bit integer column.
MAX_MINOR_UNITS = 10**14


class UnknownCurrencyError(ValueError):
    """The currency code is not one the shop keeps books in."""


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


def exponent_of(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrencyError(f"unknown currency {currency!r}") from None


class Money(BaseModel):
    """An amount of one currency, counted in that currency's minor unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: StrictInt = Field(
        ge=-MAX_MINOR_UNITS,
        le=MAX_MINOR_UNITS,
        description="count of the currency's minor unit",
    )
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217")]

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        exponent_of(value)
        return value

    # -- construction -------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    @classmethod
    def idr(cls, rupiah: int) -> Money:
        return cls(amount=rupiah, currency="IDR")

    @classmethod
    def from_decimal(cls, value: Decimal | str, currency: str) -> Money:
        """Parse a decimal amount in major units, rounding half up to the minor unit.

        ``Money.from_decimal("12.345", "BRL")`` is 1235 centavos; for IDR a decimal
        rupiah amount rounds to the whole rupiah.
        """
        try:
            major = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
        if not major.is_finite():
            raise ValueError(f"not a finite amount: {value!r}")
        minor = (major * (Decimal(10) ** exponent_of(currency))).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        return cls(amount=int(minor), currency=currency)

    # -- reading ------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return exponent_of(self.currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exact."""
        return Decimal(self.amount).scaleb(-self.exponent)

    def __str__(self) -> str:
        return f"{self.to_decimal():,.{self.exponent}f} {self.currency}"

    # -- arithmetic (same currency only) --------------------------------------------
    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount=self.amount * quantity, currency=self.currency)

    def share(self, rate: Decimal) -> Money:
        """This amount times a rate, rounded half up to the minor unit."""
        minor = (Decimal(self.amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(amount=int(minor), currency=self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def is_negative(self) -> bool:
        return self.amount < 0


def non_negative(money: Money) -> Money:
    """Validator for payload fields that may not go below zero."""
    if money.amount < 0:
        raise ValueError("amount must not be negative")
    return money
