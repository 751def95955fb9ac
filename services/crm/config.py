"""The CRM's settings: RFM bands, SLAs, assignment rules and delays are data."""

from __future__ import annotations

from pydantic import Field

from eventkit.settings import settings_for


class Settings(settings_for("crm")):  # type: ignore[misc]
    rfm_recency_days: list[int] = Field(default=[30, 60, 90, 180])
    rfm_frequency: list[int] = Field(default=[2, 3, 5, 8])
    rfm_monetary: list[int] = Field(
        default=[200_000, 500_000, 1_000_000, 2_500_000],
        description="spend limits in minor units of rfm_currency",
    )
    rfm_currency: str = "IDR"
    high_return_rate: float = 0.3
    # Minutes from opening to due, per task kind.
    sla_minutes: dict[str, int] = Field(default={
        "set_price": 24 * 60, "write_copy": 48 * 60, "launch_test": 24 * 60,
        "reply_lead": 15, "confirm_and_book": 4 * 60, "resolve_complaint": 48 * 60,
        "ask_feedback": 24 * 60, "upsell": 48 * 60, "manual": 24 * 60,
    })
    feedback_delay_days: int = 3
    # kind or division -> member who gets the task
    assignees: dict[str, str] = Field(default={
        "pricing": "finance-lead", "marketing": "content-lead", "sales": "cs-lead",
        "fulfillment": "admin-lead", "crm": "cs-lead", "upsell": "cs-lead",
    })
    # division -> who a late task goes to
    escalate_to: dict[str, str] = Field(default={}, description="default: owner")
    escalation_every_seconds: float = 30.0
    suggestions_every_seconds: float = 600.0
    contacts_every_seconds: float = 2.0
    default_reorder_days: dict[str, int] = Field(default={})
    cross_sell_min_together: int = 2
    group_suffix: str = Field(
        default="", description="appended to the consumer group names (a rebuild uses a new one)"
    )
