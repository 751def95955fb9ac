"""Ad spend coming in: single rows through the API and whole reports from CSV.

One report can give hundreds of AdSpendRecorded; they are appended per campaign in
ONE transaction with the read-model rows and the import record, so a file is recorded
whole or not at all. Row keys already recorded are skipped (idempotent re-import).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.marketing import AdSpendRecorded
from eventkit.errors import NotFoundError
from services.marketing.adapters.persistence.tables import ad_days, imports
from services.marketing.adapters.reports.fb_csv import read_report
from services.marketing.application.deps import Deps
from services.marketing.domain.campaign import Campaign
from services.marketing.domain.errors import MarketingRuleBrokenError

logger = logging.getLogger(__name__)

# The two Kaggle files describe the same ads; each completes the other (see fb_csv).
KAGGLE_COMPANIONS = {
    "KAG_conversion_data.csv": "fb_ad_campaign_dated.csv",
    "fb_ad_campaign_dated.csv": "KAG_conversion_data.csv",
}


@dataclass(frozen=True)
class ImportResult:
    file_sha256: str
    source: str
    rows_in_report: int
    recorded: int
    already_recorded: int
    campaign_ids: list[str]


async def record_rows(
    conn: AsyncConnection, deps: Deps, rows: list[AdSpendRecorded], actor: Actor
) -> tuple[int, list[str]]:
    """Record new rows per campaign in the caller's transaction; returns (new, campaigns)."""
    by_campaign: dict[str, list[AdSpendRecorded]] = defaultdict(list)
    for row in rows:
        by_campaign[row.campaign_id].append(row)
    read_rows = []
    for campaign_id, campaign_rows in by_campaign.items():
        campaign = await deps.campaigns.get(conn, campaign_id) or Campaign(campaign_id)
        for row in campaign_rows:
            campaign.record_spend(row)
        new = [e for e in campaign.pending if isinstance(e, AdSpendRecorded)]
        await deps.campaigns.save(conn, campaign, actor=actor)
        read_rows.extend(_read_row(e) for e in new)
    if read_rows:
        await conn.execute(insert(ad_days), read_rows)
    return len(read_rows), sorted(by_campaign)


def _read_row(e: AdSpendRecorded) -> dict[str, object]:
    return {
        "row_key": e.row_key, "campaign_id": e.campaign_id, "ad_set_id": e.ad_set_id,
        "ad_id": e.ad_id, "product_id": e.product_id, "day": e.day,
        "currency": e.spend.currency, "spend": e.spend.amount,
        "impressions": e.impressions, "reach": e.reach, "clicks": e.clicks,
        "leads": e.leads, "purchases": e.purchases,
        "purchase_value": e.purchase_value.amount if e.purchase_value else None,
        "source": e.source[:200],
    }


async def record_spend(deps: Deps, actor: Actor, rows: list[AdSpendRecorded]) -> int:
    async with deps.db.begin() as conn:
        recorded, _ = await record_rows(conn, deps, rows, actor)
    logger.info("ad spend recorded", extra={"rows": recorded})
    return recorded


def bundled_report(deps: Deps, relative: str) -> Path:
    """A report under the bundled data folder; nothing outside it is readable."""
    root = deps.reports_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() != ".csv":
        raise MarketingRuleBrokenError("not a CSV under the bundled data folder",
                                       field="path")
    if not path.is_file():
        raise NotFoundError(f"no report {relative}", field="path")
    return path


async def import_bundled(
    deps: Deps, actor: Actor, relative: str, currency: str | None
) -> ImportResult:
    path = bundled_report(deps, relative)
    companion_name = KAGGLE_COMPANIONS.get(path.name)
    companion_path = path.with_name(companion_name) if companion_name else None
    companion = (
        companion_path.read_bytes() if companion_path and companion_path.is_file() else None
    )
    return await import_report(deps, actor, path.read_bytes(), source=relative,
                               currency=currency, companion=companion)


async def import_report(
    deps: Deps, actor: Actor, raw: bytes, *, source: str, currency: str | None,
    companion: bytes | None = None,
) -> ImportResult:
    """Import a whole report or nothing (ReportRejectedError lists every bad line)."""
    sha = hashlib.sha256(raw).hexdigest()
    rows = read_report(raw, source=source, currency=currency, companion=companion)
    async with deps.db.begin() as conn:
        known = await conn.scalar(select(imports.c.file_sha256)
                                  .where(imports.c.file_sha256 == sha))
        if known is not None:
            recorded, campaign_ids = 0, sorted({r.campaign_id for r in rows})
        else:
            recorded, campaign_ids = await record_rows(conn, deps, rows, actor)
            await conn.execute(insert(imports).values(
                file_sha256=sha, source=source[:200], rows_recorded=recorded,
                imported_at=deps.clock(),
            ))
    logger.info("ad report imported", extra={"file_sha256": sha, "rows": recorded})
    return ImportResult(sha, source, len(rows), recorded, len(rows) - recorded, campaign_ids)
