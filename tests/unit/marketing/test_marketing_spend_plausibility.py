"""Ad days the platform cannot have reported are refused, each with its field."""

from __future__ import annotations

from datetime import date

from contracts import Money
from contracts.marketing import AdSpendRecorded
from services.marketing.adapters.api.campaigns import _implausible_rows


def _row(**changes: object) -> AdSpendRecorded:
    fields: dict[str, object] = dict(
        campaign_id="c1", ad_set_id="s1", ad_id="a1", day=date(2026, 11, 30),
        spend=Money.idr(150_000), impressions=1_000, reach=800, clicks=40, leads=3,
        purchases=1, source="api", row_key="c1:s1:a1:2026-11-30",
    )
    fields.update(changes)
    return AdSpendRecorded(**fields)  # type: ignore[arg-type]


def test_a_plausible_day_passes() -> None:
    assert _implausible_rows([_row()]) == []


def test_far_dates_more_clicks_than_impressions_and_negative_spend_are_named() -> None:
    rows = [_row(day=date(2999, 1, 1)), _row(day=date(1900, 1, 1)),
            _row(clicks=10, impressions=1, reach=1), _row(spend=Money.idr(-1))]

    problems = _implausible_rows(rows)

    assert [p["loc"] for p in problems] == [
        ["body", 0, "day"], ["body", 1, "day"], ["body", 2, "clicks"], ["body", 3, "spend"],
    ]
