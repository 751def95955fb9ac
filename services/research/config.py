"""Settings of the research service (env prefix ``RESEARCH_``)."""

from __future__ import annotations

from pydantic import Field

from eventkit.settings import settings_for
from services.research.domain.criteria import DEFAULT_CRITERIA, Criterion


class Settings(settings_for("research")):  # type: ignore[misc]
    approval_criteria: list[Criterion] = Field(
        default_factory=lambda: list(DEFAULT_CRITERIA),
        description="the approval checklist as JSON (RESEARCH_APPROVAL_CRITERIA)",
    )
