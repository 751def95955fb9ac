"""The ad-report reader: both bundled shapes, and bad files refused whole with lines."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from services.marketing.adapters.reports.fb_csv import ReportRejectedError, read_report

DATA = Path(__file__).resolve().parents[3] / "data"
KAG = DATA / "fb-ads-kaggle" / "KAG_conversion_data.csv"
DATED = DATA / "fb-ads-kaggle" / "fb_ad_campaign_dated.csv"
API = DATA / "fb-ads-api-export" / "facebook_ads_data.csv"
API_CLEAN = DATA / "fb-ads-api-export" / "facebook_ads_data_clean.csv"


def test_kaggle_rows_become_one_usd_day_per_ad_whichever_file_is_read() -> None:
    from_kag = read_report(KAG.read_bytes(), source="kag", companion=DATED.read_bytes())
    from_dated = read_report(DATED.read_bytes(), source="dated", companion=KAG.read_bytes())

    with KAG.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    cents = sum(
        (Decimal(r["Spent"]).quantize(Decimal("0.01"), ROUND_HALF_UP) for r in rows),
        Decimal(0),
    )
    assert len(from_kag) == len(rows) == 907
    assert sum(r.spend.amount for r in from_kag) == int(cents * 100) == 4_824_367
    assert {r.spend.currency for r in from_kag} == {"USD"}
    assert {r.row_key for r in from_kag} == {r.row_key for r in from_dated}


def test_shifted_dated_rows_without_the_kag_file_are_refused_with_lines() -> None:
    with pytest.raises(ReportRejectedError) as caught:
        read_report(DATED.read_bytes(), source="dated")

    first = caught.value.problems[0]
    assert first.field == "campaign_id" and first.line > 1


def test_api_export_breakdowns_sum_to_one_row_per_ad_and_day_in_mxn() -> None:
    raw = read_report(API.read_bytes(), source="api")
    clean = read_report(API_CLEAN.read_bytes(), source="clean")

    assert len(raw) == 9  # 9 ads, one day (provenance)
    assert sum(r.spend.amount for r in raw) == 105_325  # 1,053.21 MXN summed per row, rounded
    assert sum(r.clicks for r in raw) == 972
    assert sum(r.purchases for r in raw) == 11
    assert {r.spend.currency for r in raw} == {"MXN"}
    assert {r.row_key for r in raw} == {r.row_key for r in clean}


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("ad_id,reporting_start,campaign_id\n1,17/08/2017,916\n", 1, "fb_campaign_id"),
        (
            "ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,impressions,"
            "clicks,spent,total_conversion,approved_conversion\n"
            "1,17/08/2017,17/08/2017,916,5,10,1,0.5,1,0\n"
            "2,17/08/2017,17/08/2017,916,5,10,1,-0.5,1,0\n",
            3, "spent",
        ),
        (
            "ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,impressions,"
            "clicks,spent,total_conversion,approved_conversion\n"
            "1,2017-08-17,,916,5,10,1,0.5,1,0\n",
            2, "reporting_start",
        ),
        (
            "ad_id,reporting_start,reporting_end,campaign_id,fb_campaign_id,impressions,"
            "clicks,spent,total_conversion,approved_conversion,currency\n"
            "1,17/08/2017,17/08/2017,916,5,10,1,0.5,1,0,XYZ\n",
            2, "currency",
        ),
    ],
    ids=["missing-column", "negative-spend", "bad-date", "unknown-currency"],
)
def test_bad_report_is_refused_naming_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(ReportRejectedError) as caught:
        read_report(text.encode(), source="bad.csv")

    assert (caught.value.problems[0].line, caught.value.problems[0].field) == (line, field)
