"""Settings of the pricing service (env prefix ``PRICING_``)."""

from __future__ import annotations

from pydantic import Field

from eventkit.settings import settings_for
from services.pricing.domain.calculator import Rounding


class Settings(settings_for("pricing")):  # type: ignore[misc]
    default_rounding: Rounding = Field(
        default_factory=Rounding,
        description="price-point rule when a request names none (PRICING_DEFAULT_ROUNDING)",
    )
