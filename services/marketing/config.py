"""Settings of the marketing service (``MARKETING_...`` variables)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from eventkit.settings import settings_for


class Settings(settings_for("marketing")):
    reports_dir: str = Field(default="data", description="bundled ad reports importable "
                             "by path")
    # Test-to-scale defaults until the advertiser sets rules through the API.
    scale_min_days: int | None = 3
    scale_min_spend_x_max_cpl: Decimal | None = Decimal(2)
    scale_step: Decimal = Decimal("0.2")
    consumer_group: str = "marketing.inputs"
