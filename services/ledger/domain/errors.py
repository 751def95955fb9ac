"""Errors of the ledger; each names the broken rule and carries ids only."""

from __future__ import annotations

from eventkit.errors import ConflictError, LapakError, NotFoundError, RuleBrokenError


class LedgerError(LapakError):
    """Base of the ledger's errors."""


class UnbalancedEntryError(LedgerError):
    """Debits and credits of an entry differ, or a line is malformed; never stored."""


class CurrencyMixError(LedgerError):
    """An entry would mix currencies; entries stay in the currency of their event."""


class CancelAfterShipmentError(LedgerError):
    """An order was cancelled after it had shipped; only a return can undo a shipment."""


class EntryNotFoundError(NotFoundError):
    """No journal entry with that id."""


class AlreadyReversedError(ConflictError):
    """The entry was reversed before (or is itself a reversal)."""


class PeriodClosedError(RuleBrokenError):
    """The period is closed; nothing posts into it any more."""


__all__ = [
    "AlreadyReversedError", "CancelAfterShipmentError", "CurrencyMixError",
    "EntryNotFoundError", "LedgerError", "PeriodClosedError", "UnbalancedEntryError",
]
