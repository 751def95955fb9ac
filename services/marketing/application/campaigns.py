"""Advertiser's commands: launch checklist, launch, test-to-scale rules and decisions."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.marketing import LaunchedAdSet
from contracts.money import Money
from services.marketing.adapters.persistence.tables import ad_days, campaigns, kpi_targets
from services.marketing.application.deps import Deps
from services.marketing.domain.campaign import Campaign, Decision, ScaleRules
from services.marketing.domain.checklist import Item, LaunchChecklist, checklist_id_for
from services.marketing.domain.errors import (
    CampaignNotFoundError,
    ChecklistIncompleteError,
    MarketingRuleBrokenError,
)
from services.marketing.domain.rules import RULES_ID, ScaleRulesBook

logger = logging.getLogger(__name__)


async def check_item(
    deps: Deps, actor: Actor, *, product_id: str, item: Item, done: bool,
    landing_page_url: str | None, pixel_id: str | None, page_id: str | None,
) -> LaunchChecklist:
    if item == "content_approved":
        raise MarketingRuleBrokenError("content is approved on its brief, not here",
                                       field="item")
    async with deps.db.begin() as conn:
        checklist = await deps.checklists.get(conn, checklist_id_for(product_id))
        checklist = checklist or LaunchChecklist.for_product(product_id)
        checklist.check(item, done=done, landing_page_url=landing_page_url,
                        pixel_id=pixel_id, page_id=page_id)
        await deps.checklists.save(conn, checklist, actor=actor)
    logger.info("launch checklist item checked", extra={"product_id": product_id,
                                                        "item": item})
    return checklist


async def get_checklist(deps: Deps, product_id: str) -> LaunchChecklist:
    async with deps.db.read() as conn:
        checklist = await deps.checklists.get(conn, checklist_id_for(product_id))
    return checklist or LaunchChecklist.for_product(product_id)


async def launch_campaign(
    deps: Deps, actor: Actor, *, campaign_id: str, product_id: str, name: str,
    daily_budget: Money, ad_sets: list[LaunchedAdSet],
) -> Campaign:
    """Start a campaign's test phase; only when the product's checklist is complete."""
    async with deps.db.begin() as conn:
        checklist = await deps.checklists.get(conn, checklist_id_for(product_id))
        missing = (checklist or LaunchChecklist.for_product(product_id)).missing()
        if missing:
            raise ChecklistIncompleteError(product_id, missing)
        campaign = await deps.campaigns.get(conn, campaign_id) or Campaign(campaign_id)
        campaign.launch(product_id=product_id, name=name, daily_budget=daily_budget,
                        ad_sets=ad_sets)
        await deps.campaigns.save(conn, campaign, actor=actor)
        await conn.execute(campaigns.delete().where(campaigns.c.campaign_id == campaign_id))
        await conn.execute(insert(campaigns).values(
            campaign_id=campaign_id, product_id=product_id, name=name,
            currency=daily_budget.currency,
        ))
        # Spend imported before the launch now counts for the product too.
        await conn.execute(update(ad_days).where(ad_days.c.campaign_id == campaign_id)
                           .values(product_id=product_id))
    logger.info("campaign launched", extra={"campaign_id": campaign_id,
                                            "product_id": product_id})
    return campaign


async def get_campaign(deps: Deps, campaign_id: str) -> Campaign:
    async with deps.db.read() as conn:
        campaign = await deps.campaigns.get(conn, campaign_id)
    if campaign is None:
        raise CampaignNotFoundError(campaign_id)
    return campaign


async def current_rules(conn: AsyncConnection, deps: Deps) -> ScaleRules:
    book = await deps.rules.get(conn, RULES_ID)
    return book.rules if book and book.rules else deps.default_rules


async def read_rules(deps: Deps) -> ScaleRules:
    async with deps.db.read() as conn:
        return await current_rules(conn, deps)


async def set_rules(
    deps: Deps, actor: Actor, *, min_days: int | None, min_spend_x_max_cpl: Decimal | None,
    scale_step: Decimal,
) -> ScaleRules:
    async with deps.db.begin() as conn:
        book = await deps.rules.get(conn, RULES_ID) or ScaleRulesBook()
        rules = book.set(min_days=min_days, min_spend_x_max_cpl=min_spend_x_max_cpl,
                         scale_step=scale_step)
        await deps.rules.save(conn, book, actor=actor)
    logger.info("scale rules set")
    return rules


async def max_cpl_of(conn: AsyncConnection, product_id: str) -> Money:
    row = (await conn.execute(
        select(kpi_targets).where(kpi_targets.c.product_id == product_id)
    )).first()
    if row is None:
        raise MarketingRuleBrokenError(
            f"finance has set no KPI targets for product {product_id}", field="product_id"
        )
    return Money(amount=row.max_cpl, currency=row.currency)


async def evaluate_campaign(deps: Deps, actor: Actor, campaign_id: str) -> list[Decision]:
    """Apply the test-to-scale rules to every active ad set of a launched campaign."""
    async with deps.db.begin() as conn:
        campaign = await deps.campaigns.get(conn, campaign_id)
        if campaign is None:
            raise CampaignNotFoundError(campaign_id)
        if campaign.product_id is None:
            raise MarketingRuleBrokenError("campaign has no product", field="campaign_id")
        rules = await current_rules(conn, deps)
        max_cpl = await max_cpl_of(conn, campaign.product_id)
        decisions = campaign.evaluate(rules, max_cpl)
        await deps.campaigns.save(conn, campaign, actor=actor)
    for decision in decisions:
        logger.info("ad set judged", extra={"campaign_id": campaign_id,
                                            "ad_set_id": decision.ad_set_id,
                                            "verdict": decision.verdict})
    return decisions
