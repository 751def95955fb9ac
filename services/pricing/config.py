"""Settings of the pricing service (env prefix ``PRICING_``)."""

from __future__ import annotations

from pydantic import Field

from eventkit.settings import settings_for
from services.pricing.domain.calculator import Rounding


class Settings(settings_for("pricing")):  # type: ignore[misc]
    default_rounding: Rounding = Field(
        default_factory=Rounding,
        description="price-point rule for IDR worksheets when a request names none "
                    "(PRICING_DEFAULT_ROUNDING)",
    )
    rounding_by_currency: dict[str, Rounding] = Field(
        default_factory=dict,
        description="price-point rule per other currency (PRICING_ROUNDING_BY_CURRENCY); "
                    "a currency not named here prices to the whole minor unit",
    )
