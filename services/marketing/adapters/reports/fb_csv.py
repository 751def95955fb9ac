"""Reads Facebook ad reports (CSV) into AdSpendRecorded rows: one per ad per day.

Shapes read, told apart by their header:

* Kaggle "Sales Conversion Optimization" (``KAG_conversion_data.csv``: UTF-8 with BOM,
  CRLF): ``xyz_campaign_id`` is the campaign, ``fb_campaign_id`` the ad set, ``ad_id``
  the ad; ``Total_Conversion`` counts as leads, ``Approved_Conversion`` as purchases.
  It has no date: the day comes from the dated release beside it.
* The dated release (``fb_ad_campaign_dated.csv``, ``reporting_start`` dd/mm/yyyy). 313
  of its rows are column-shifted (campaign and ad set missing); given the KAG file as a
  companion, every row takes its ids and figures from KAG by ``ad_id`` and only the day
  from the dated file (as the provenance advises). Without it a shifted row is refused.
  Both Kaggle files give the same ``row_key`` (``kaggle:<ad_id>:<day>``), so importing
  one after the other records nothing new.
* A Marketing API insights export (``facebook_ads_data.csv``; nested ``actions`` lists
  as Python repr) and its cleaned variant (``facebook_ads_data_clean.csv``). Rows are
  per age x gender breakdown; they are summed per ad per day, because the contract
  speaks of one ad's day and the ledger books spend per ad. Reach is summed too: the
  age x gender buckets of one ad's day are disjoint groups of people, so their sum is
  that ad's reach for the day (the "unknown" gender bucket aside). Reach is never summed
  across days or ads as if it were distinct people (see ``metrics``). Leads are the
  lead-type actions (none in the bundled export: it is a purchase campaign); the clean
  variant has no actions, so its leads are 0. Ids are derived from the names
  (``fbc-``/``fbs-``/``fba-`` + hash), the names travel beside them.

Currency is not stated by either source. Defaults, overridable per import: Kaggle is
read as USD (cents), the API export as MXN (centavos); a ``currency`` column, when a
report has one, wins. Amounts stay in the source's currency, never converted; the shop's
own IDR accounts count whole rupiah. Spend is parsed with Decimal and rounded half up
to the minor unit per row (Kaggle carries float artefacts like ``1.429999948``).

A file with any bad row is refused whole: ``ReportRejectedError`` lists every problem
with its line number (line 1 is the header).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from contracts.marketing import AdSpendRecorded
from contracts.money import CURRENCY_EXPONENTS, Money

KAGGLE_CURRENCY = "USD"
API_EXPORT_CURRENCY = "MXN"
MAX_PROBLEMS = 200

KAG_COLUMNS = ("ad_id", "xyz_campaign_id", "fb_campaign_id", "Impressions", "Clicks",
               "Spent", "Total_Conversion", "Approved_Conversion")
DATED_COLUMNS = ("ad_id", "reporting_start", "campaign_id", "fb_campaign_id",
                 "impressions", "clicks", "spent", "total_conversion",
                 "approved_conversion")
API_COLUMNS = ("campaign_name", "adset_name", "ad_name", "impressions", "reach", "clicks",
               "spend", "date_start", "purchase", "conversion_value")
LEAD_ACTIONS = frozenset({
    "lead", "onsite_conversion.lead_grouped", "offsite_conversion.fb_pixel_lead",
    "onsite_conversion.messaging_conversation_started_7d",
})


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str


class ReportRejectedError(ValueError):
    """The report cannot be imported; nothing of it is recorded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the report")
        self.problems = problems


class _RowError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def read_report(
    raw: bytes, *, source: str, currency: str | None = None, companion: bytes | None = None
) -> list[AdSpendRecorded]:
    """Parse a report; ``companion`` is the other Kaggle file, when importing Kaggle."""
    if currency is not None and currency not in CURRENCY_EXPONENTS:
        raise ReportRejectedError([Problem(0, "currency", f"unknown currency {currency!r}")])
    header, rows = _rows(raw)
    if "xyz_campaign_id" in header or "reporting_start" in header:
        return _kaggle(header, rows, source, currency or KAGGLE_CURRENCY, companion)
    if "adset_name" in header:
        return _api_export(header, rows, source, currency or API_EXPORT_CURRENCY)
    raise ReportRejectedError([Problem(
        1, "header", "not a Facebook ad report: expected the Kaggle or API export columns"
    )])


def _rows(raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, str], list[str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportRejectedError([Problem(0, "file", f"not UTF-8 ({exc.reason})")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ReportRejectedError([Problem(1, "header", "empty file")]) from None
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append((reader.line_num, dict(zip(header, values, strict=False)), values))
    if not rows:
        raise ReportRejectedError([Problem(2, "file", "no data rows")])
    return header, rows


def _require(header: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReportRejectedError([Problem(1, c, "column missing") for c in missing])


# -- field parsers -----------------------------------------------------------------------
def _count(row: dict[str, str], column: str) -> int:
    value = (row.get(column) or "").strip()
    if value == "":
        return 0
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _RowError(column, f"not a number: {value[:20]!r}") from None
    if number < 0 or number != number.to_integral_value():
        raise _RowError(column, f"not a whole count >= 0: {value[:20]!r}")
    return int(number)


def _money(row: dict[str, str], column: str, currency: str) -> Money:
    value = (row.get(column) or "").strip()
    if value == "":
        return Money.zero(currency)
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _RowError(column, f"not an amount: {value[:20]!r}") from None
    if not amount.is_finite():
        raise _RowError(column, f"not an amount: {value[:20]!r}")
    if amount < 0:
        raise _RowError(column, f"negative amount {value[:20]}")
    return Money.from_decimal(amount, currency)


def _day(row: dict[str, str], column: str, fmt: str) -> date:
    value = (row.get(column) or "").strip()
    try:
        return datetime.strptime(value, fmt).date()
    except ValueError:
        raise _RowError(column, f"not a date ({fmt}): {value[:20]!r}") from None


def _currency(row: dict[str, str], default: str) -> str:
    code = (row.get("currency") or row.get("account_currency") or "").strip().upper()
    if not code:
        return default
    if code not in CURRENCY_EXPONENTS:
        raise _RowError("currency", f"unknown currency {code[:10]!r}")
    return code


def _id(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value or not value.isdigit():
        raise _RowError(column, f"missing or not an id: {value[:20]!r}")
    return value


def _digest(*parts: str, size: int = 12) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:size]


# -- Kaggle ------------------------------------------------------------------------------
def _kaggle(
    header: list[str], rows: list[tuple[int, dict[str, str], list[str]]], source: str,
    currency: str, companion: bytes | None,
) -> list[AdSpendRecorded]:
    dated_file = "reporting_start" in header
    _require(header, DATED_COLUMNS if dated_file else KAG_COLUMNS)
    other = None
    if companion is not None:
        other_header, other_rows = _rows(companion)
        wanted = KAG_COLUMNS if dated_file else DATED_COLUMNS
        if any(c not in other_header for c in wanted):
            raise ReportRejectedError([Problem(0, "companion", "companion is not the other "
                                               "Kaggle file")])
        other = {r.get("ad_id", "").strip(): (n, r) for n, r, _ in other_rows}
    if not dated_file and other is None:
        raise ReportRejectedError([Problem(
            0, "reporting_start", "this report has no day; import the dated release "
            "(fb_ad_campaign_dated.csv) or give it as the companion")])

    problems: list[Problem] = []
    out: list[AdSpendRecorded] = []
    for line, row, values in rows:
        try:
            ad_id = _id(row, "ad_id")
            if dated_file:
                dated, figures = row, (other[ad_id][1] if other and ad_id in other else None)
                if figures is None and _shifted(values):
                    raise _RowError("campaign_id", "column-shifted row: campaign and ad set "
                                    "missing; import with KAG_conversion_data.csv beside it")
            else:
                figures = row
                found = other.get(ad_id) if other else None
                if found is None:
                    raise _RowError("ad_id", "no day for this ad in the dated release")
                dated = found[1]
            out.append(_kaggle_row(ad_id, dated, figures, source, currency))
        except _RowError as exc:
            problems.append(Problem(line, exc.field, exc.reason))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ReportRejectedError(problems)
    return out


def _shifted(values: list[str]) -> bool:
    # Source defect: campaign_id and fb_campaign_id dropped, so the age bracket sits
    # in the campaign_id column and the last two columns are empty.
    return len(values) > 3 and "-" in values[3]


def _kaggle_row(
    ad_id: str, dated: dict[str, str], figures: dict[str, str] | None, source: str,
    currency: str,
) -> AdSpendRecorded:
    day = _day(dated, "reporting_start", "%d/%m/%Y")
    currency = _currency(figures or dated, currency)
    if figures is not None and "xyz_campaign_id" in figures:
        f = figures
        names = ("xyz_campaign_id", "fb_campaign_id", "Impressions", "Clicks", "Spent",
                 "Total_Conversion", "Approved_Conversion")
    else:
        f = dated
        names = ("campaign_id", "fb_campaign_id", "impressions", "clicks", "spent",
                 "total_conversion", "approved_conversion")
    campaign, ad_set, impressions, clicks, spent, leads, purchases = names
    return AdSpendRecorded(
        campaign_id=_id(f, campaign), ad_set_id=_id(f, ad_set), ad_id=ad_id, day=day,
        spend=_money(f, spent, currency), impressions=_count(f, impressions), reach=0,
        clicks=_count(f, clicks), leads=_count(f, leads), purchases=_count(f, purchases),
        source=source, row_key=f"kaggle:{ad_id}:{day.isoformat()}",
    )


# -- Marketing API export ------------------------------------------------------------------
def _api_export(
    header: list[str], rows: list[tuple[int, dict[str, str], list[str]]], source: str,
    currency: str,
) -> list[AdSpendRecorded]:
    _require(header, API_COLUMNS)
    problems: list[Problem] = []
    sums: dict[tuple[str, str, str, date], dict[str, object]] = {}
    for line, row, _ in rows:
        try:
            names = tuple((row.get(c) or "").strip() for c in
                          ("campaign_name", "adset_name", "ad_name"))
            for column, name in zip(("campaign_name", "adset_name", "ad_name"), names,
                                    strict=True):
                if not name:
                    raise _RowError(column, "missing")
            day = _day(row, "date_start", "%Y-%m-%d")
            code = _currency(row, currency)
            key = (*names, day)
            figures = {
                "spend": _money(row, "spend", code),
                "value": _money(row, "conversion_value", code),
                "impressions": _count(row, "impressions"), "reach": _count(row, "reach"),
                "clicks": _count(row, "clicks"), "purchases": _count(row, "purchase"),
                "leads": _leads(row),
            }
            total = sums.get(key)
            if total is None:
                sums[key] = figures
                continue
            if total["spend"].currency != code:  # type: ignore[union-attr]
                raise _RowError("currency", "one ad's day in two currencies")
            for name, value in figures.items():
                total[name] = total[name] + value  # type: ignore[operator]
        except _RowError as exc:
            problems.append(Problem(line, exc.field, exc.reason))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ReportRejectedError(problems)
    out = []
    for (campaign, ad_set, ad, day), t in sums.items():
        value = t["value"]
        assert isinstance(value, Money)
        out.append(AdSpendRecorded(
            campaign_id="fbc-" + _digest(campaign),
            ad_set_id="fbs-" + _digest(campaign, ad_set),
            ad_id="fba-" + _digest(campaign, ad_set, ad), day=day,
            spend=t["spend"], impressions=t["impressions"], reach=t["reach"],  # type: ignore[arg-type]
            clicks=t["clicks"], leads=t["leads"], purchases=t["purchases"],  # type: ignore[arg-type]
            purchase_value=value if value.amount else None, source=source,
            row_key="fbapi:" + _digest(campaign, ad_set, ad, day.isoformat(), size=24),
            campaign_name=campaign[:200], ad_set_name=ad_set[:200], ad_name=ad[:200],
        ))
    return out


def _leads(row: dict[str, str]) -> int:
    raw = (row.get("actions") or "").strip()
    if not raw:
        return 0
    try:
        actions = ast.literal_eval(raw)  # Python repr with single quotes, not JSON
        return sum(
            int(Decimal(str(a["value"]))) for a in actions if a["action_type"] in LEAD_ACTIONS
        )
    except (ValueError, SyntaxError, KeyError, TypeError, InvalidOperation):
        raise _RowError("actions", "not a list of {action_type, value}") from None
