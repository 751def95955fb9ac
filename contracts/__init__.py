"""Lapak's event catalogue: the only code services share about each other."""

from contracts.envelope import Actor, Envelope, EventPayload, new_envelope
from contracts.money import Money

__all__ = ["Actor", "Envelope", "EventPayload", "Money", "new_envelope"]
