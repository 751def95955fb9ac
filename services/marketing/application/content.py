"""Content creator's commands: open briefs, draft and review assets, approve content."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.marketing import AssetKind
from contracts.money import Money
from services.marketing.adapters.persistence.tables import briefs
from services.marketing.application.deps import Deps
from services.marketing.domain.checklist import LaunchChecklist, checklist_id_for
from services.marketing.domain.content import ContentBrief, brief_id_for
from services.marketing.domain.errors import BriefNotFoundError

logger = logging.getLogger(__name__)


async def open_brief_when_price_set(
    conn: AsyncConnection, deps: Deps, *, product_id: str, price: Money, event_id: uuid.UUID,
    correlation_id: uuid.UUID,
) -> bool:
    """A product got a price: open its content brief (once; later prices change nothing)."""
    if await deps.briefs.get(conn, brief_id_for(product_id)) is not None:
        return False
    brief = ContentBrief.open(product_id, price, str(event_id))
    await deps.briefs.save(
        conn, brief, actor=Actor(user_id="marketing-worker", division="marketing"),
        correlation_id=correlation_id, causation_id=event_id,
    )
    await conn.execute(insert(briefs).values(
        brief_id=brief.id, product_id=product_id, price=price.amount,
        currency=price.currency, approved=False,
    ))
    logger.info("content brief opened", extra={"brief_id": brief.id})
    return True


async def _load(conn: AsyncConnection, deps: Deps, brief_id: str) -> ContentBrief:
    brief = await deps.briefs.get(conn, brief_id)
    if brief is None:
        raise BriefNotFoundError(brief_id)
    return brief


async def draft_asset(
    deps: Deps, actor: Actor, *, brief_id: str, asset_id: str, kind: AssetKind,
    channel: str, language: str, hook: str, body: str, call_to_action: str,
) -> int:
    async with deps.db.begin() as conn:
        brief = await _load(conn, deps, brief_id)
        version = brief.draft(asset_id=asset_id, kind=kind, channel=channel,
                              language=language, hook=hook, body=body,
                              call_to_action=call_to_action)
        await deps.briefs.save(conn, brief, actor=actor)
    logger.info("asset drafted", extra={"brief_id": brief_id, "asset_id": asset_id,
                                        "asset_version": version})
    return version


async def review_asset(
    deps: Deps, actor: Actor, *, brief_id: str, asset_id: str, version: int, passed: bool,
    note: str,
) -> None:
    async with deps.db.begin() as conn:
        brief = await _load(conn, deps, brief_id)
        brief.review(asset_id, version, passed=passed, note=note)
        await deps.briefs.save(conn, brief, actor=actor)
    logger.info("asset reviewed", extra={"brief_id": brief_id, "asset_id": asset_id})


async def approve_content(
    deps: Deps, actor: Actor, *, brief_id: str, assets: list[tuple[str, int]]
) -> ContentBrief:
    """Approve reviewed asset versions; ticks 'content approved' on the launch checklist."""
    correlation = uuid.uuid4()
    async with deps.db.begin() as conn:
        brief = await _load(conn, deps, brief_id)
        brief.approve(assets)
        await deps.briefs.save(conn, brief, actor=actor, correlation_id=correlation)

        checklist = await deps.checklists.get(conn, checklist_id_for(brief.product_id))
        checklist = checklist or LaunchChecklist.for_product(brief.product_id)
        checklist.check("content_approved")
        await deps.checklists.save(conn, checklist, actor=actor, correlation_id=correlation)
        await conn.execute(update(briefs).where(briefs.c.brief_id == brief_id)
                           .values(approved=True))
    logger.info("content approved", extra={"brief_id": brief_id})
    return brief


async def get_brief(deps: Deps, brief_id: str) -> ContentBrief:
    async with deps.db.read() as conn:
        return await _load(conn, deps, brief_id)


async def list_briefs(deps: Deps) -> list[dict[str, object]]:
    async with deps.db.read() as conn:
        rows = await conn.execute(select(briefs).order_by(briefs.c.brief_id))
        return [dict(r) for r in rows.mappings()]
