"""Fulfillment's settings (env prefix ``FULFILLMENT_``)."""

from __future__ import annotations

from pydantic import Field

from eventkit.settings import settings_for


class Settings(settings_for("fulfillment")):  # type: ignore[misc]
    pickup_cutoff_hour: int = Field(
        default=17, ge=0, le=23,
        description="hour (WIB, UTC+7) of the pickup date by which the courier should"
                    " have picked the parcel up; later it shows as waiting past cut-off",
    )
