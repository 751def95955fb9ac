"""A journal entry: lines of one currency whose debits equal their credits.

``Entry.build`` is the only way to make one, and it refuses an unbalanced entry, so an
unbalanced entry can never reach the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from services.ledger.domain.accounts import ACCOUNTS
from services.ledger.domain.errors import UnbalancedEntryError


@dataclass(frozen=True)
class Line:
    """One debit or one credit, in minor units, with the dimensions reports group by."""

    account: str
    debit: int = 0
    credit: int = 0
    product_id: str | None = None
    campaign_id: str | None = None
    order_id: str | None = None


def dr(account: str, amount: int, **dims: str | None) -> Line:
    return Line(account=account, debit=amount, **dims)


def cr(account: str, amount: int, **dims: str | None) -> Line:
    return Line(account=account, credit=amount, **dims)


@dataclass(frozen=True)
class Entry:
    entry_date: date
    currency: str
    memo: str
    lines: tuple[Line, ...]
    original_date: date | None = field(default=None)

    @classmethod
    def build(
        cls, *, entry_date: date, currency: str, memo: str, lines: list[Line]
    ) -> Entry:
        """A balanced entry of the non-zero lines, or ``UnbalancedEntryError``."""
        kept = tuple(line for line in lines if line.debit or line.credit)
        for line in kept:
            if line.account not in ACCOUNTS:
                raise UnbalancedEntryError(f"unknown account {line.account}", field="account")
            if line.debit < 0 or line.credit < 0 or (line.debit and line.credit):
                raise UnbalancedEntryError(
                    f"line on {line.account} must be one positive debit or credit",
                    field="lines",
                )
        if len(kept) < 2:
            raise UnbalancedEntryError("an entry needs at least two lines", field="lines")
        debits = sum(line.debit for line in kept)
        credits = sum(line.credit for line in kept)
        if debits != credits:
            raise UnbalancedEntryError(
                f"debits {debits} != credits {credits} ({memo})", field="lines"
            )
        return cls(entry_date=entry_date, currency=currency, memo=memo, lines=kept)

    @property
    def total(self) -> int:
        return sum(line.debit for line in self.lines)

    def moved_to(self, entry_date: date) -> Entry:
        """The same entry posted on a later date, remembering its own."""
        return replace(self, entry_date=entry_date, original_date=self.entry_date)

    def reversed(self, *, entry_date: date, memo: str) -> Entry:
        """The mirror entry: every debit becomes a credit of the same amount."""
        lines = [
            replace(line, debit=line.credit, credit=line.debit) for line in self.lines
        ]
        return Entry.build(entry_date=entry_date, currency=self.currency, memo=memo,
                           lines=lines)
