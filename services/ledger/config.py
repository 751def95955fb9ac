"""The ledger's settings (LEDGER_DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, ...)."""

from __future__ import annotations

from eventkit.settings import settings_for

# The producers whose events the books are projected from.
SOURCE_PRODUCERS = ("research", "marketing", "sales", "fulfillment")


class Settings(settings_for("ledger")):  # type: ignore[misc]
    """Ledger settings (``LEDGER_PROJECTION_NAME``: the consumer group and inbox name)."""

    # Empty: ``[namespace]ledger.books``, so systems sharing a broker keep their own group.
    projection_name: str = ""

    @property
    def group_name(self) -> str:
        return self.projection_name or f"{self.topic_namespace}ledger.books"
