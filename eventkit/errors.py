"""Errors every service shares; the HTTP edge maps them to status codes."""

from __future__ import annotations


class LapakError(Exception):
    """Base of all domain errors. ``field`` names the input at fault, if one is."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RuleBrokenError(LapakError):
    """A business rule refuses the command (422)."""


class NotFoundError(LapakError):
    status_code = 404


class ConflictError(LapakError):
    """The command clashes with the current state, e.g. approving twice (409)."""

    status_code = 409


class ConcurrencyError(ConflictError):
    """Another writer appended at the same aggregate version first (409)."""

    def __init__(self, aggregate_id: str, version: int) -> None:
        super().__init__(
            f"aggregate {aggregate_id} already has version {version}; reload and retry"
        )
        self.aggregate_id = aggregate_id
        self.version = version


class MissingDependency(Exception):
    """A consumed event needs an earlier fact that has not arrived yet.

    Raised by a handler before it changes anything; the consumer parks the event and
    runs it again once another handler calls ``ctx.provide(key)`` with the same key.
    """

    def __init__(self, key: str) -> None:
        super().__init__(f"waiting for {key}")
        self.key = key


class PermanentEventError(Exception):
    """The event can never be applied (broken rule, bad data): dead-letter it."""
