"""Settings of the sales service (env prefix ``SALES_``)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from eventkit.settings import settings_for
from services.sales.domain.cadence import parse_duration
from services.sales.domain.rotator import Policy


class Settings(settings_for("sales")):  # type: ignore[misc]
    rotator_policy: Policy = Field(
        default="round_robin", description="round_robin, weighted or sticky")
    duplicate_window_hours: float = Field(
        default=72, gt=0, description="a lead from a phone seen this recently is linked")
    follow_up_cadence: str = Field(
        default="1h,1d,3d", description="gaps between follow-ups of an unanswered lead")
    reassign_after_minutes: float = Field(
        default=15, gt=0, description="an assigned lead unanswered this long moves on")
    reassign_check_seconds: float = Field(default=30, gt=0)
    regions_dir: str | None = Field(
        default=None, description="wilayah-indonesia CSVs; default data/ at the repo root")

    @field_validator("follow_up_cadence")
    @classmethod
    def _cadence_parses(cls, value: str) -> str:
        for part in value.split(","):
            parse_duration(part)
        return value

    def cadence(self) -> list[timedelta]:
        return [parse_duration(part) for part in self.follow_up_cadence.split(",")]
