"""Lead handlers: capture, rotate to an agent, follow up, lose, reassign when unanswered."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.personal import seal
from contracts.sales import Attribution, ContactOutcome, LeadChannel
from services.sales.application.ports import Deps
from services.sales.domain import LeadNotFoundError, RuleBrokenError
from services.sales.domain.cadence import next_follow_up
from services.sales.domain.lead import Lead
from services.sales.domain.phone import mask_phone, normalise_phone
from services.sales.domain.rotator import choose_agent

logger = logging.getLogger(__name__)

SYSTEM = Actor(user_id="sales-rotator", division="system")


@dataclass(frozen=True)
class CaptureLead:
    name: str
    phone: str
    channel: LeadChannel
    attribution: Attribution
    product_id: str | None = None


@dataclass(frozen=True)
class CapturedLead:
    lead_id: str
    customer_id: str
    agent_id: str | None
    reason: str | None
    linked_to_lead_id: str | None


async def _attribute(conn: AsyncConnection, deps: Deps, attribution: Attribution,
                     product_id: str | None) -> tuple[Attribution, str | None]:
    """Fill ad set, campaign and product from the launched campaigns we know of."""
    fill: dict[str, str] = {}
    if attribution.ad_id:
        ad = await deps.read_model.ad(conn, attribution.ad_id)
        if ad is not None:
            fill = {"ad_set_id": ad[0], "campaign_id": ad[1]}
            product_id = product_id or ad[2]
    merged = attribution.model_copy(update={
        k: v for k, v in fill.items() if getattr(attribution, k) is None})
    if product_id is None and merged.campaign_id:
        product_id = await deps.read_model.campaign_product(conn, merged.campaign_id)
    return merged, product_id


async def capture_lead(cmd: CaptureLead, deps: Deps, actor: Actor) -> CapturedLead:
    """Record a lead, link it to a recent one of the same phone, else rotate it to an agent."""
    phone = normalise_phone(cmd.phone)
    try:
        return await _capture(cmd, phone, deps, actor)
    except IntegrityError:
        # The same new phone arrived twice at once (unique phone): the second attempt
        # finds the customer the first one created and links to its lead.
        logger.warning("lead capture raced on a new customer; retrying")
        return await _capture(cmd, phone, deps, actor)


async def _capture(cmd: CaptureLead, phone: str, deps: Deps, actor: Actor) -> CapturedLead:
    now = deps.clock()
    lead_id = "lead_" + uuid.uuid4().hex
    window = timedelta(hours=deps.settings.duplicate_window_hours)
    async with deps.db.begin() as conn:
        # Lock the rotator first: every transaction that assigns takes it before any
        # customer or agent row, so captures and the reassignment job cannot deadlock.
        last = await deps.read_model.last_assigned_agent(conn)
        attribution, product_id = await _attribute(conn, deps, cmd.attribution, cmd.product_id)
        customer_id, previous_agent = await deps.read_model.customer_for_phone(
            conn, phone, name=cmd.name, now=now)
        key = await deps.keyring.issue(conn, customer_id)
        earlier = await deps.read_model.recent_open_lead(conn, customer_id, since=now - window)
        linked_to = earlier[0] if earlier else None

        lead = Lead.capture(
            lead_id, customer_id=customer_id, channel=cmd.channel, attribution=attribution,
            product_id=product_id, linked_to_lead_id=linked_to,
            contact_sealed=seal(key, {"name": cmd.name, "phone": phone}),
        )
        await deps.read_model.add_lead(
            conn, lead_id=lead_id, customer_id=customer_id, channel=cmd.channel,
            campaign_id=attribution.campaign_id, ad_set_id=attribution.ad_set_id,
            ad_id=attribution.ad_id, utm_source=attribution.utm_source,
            utm_campaign=attribution.utm_campaign, product_id=product_id,
            linked_to_lead_id=linked_to, status="linked" if linked_to else "new",
            captured_at=now, attempts=0, contact_name=cmd.name, contact_phone=phone,
            # The first contact of a fresh lead is due at once.
            next_follow_up_at=None if linked_to else now,
        )
        agent_id: str | None = earlier[1] if earlier else None
        reason: str | None = "linked to an open lead of the same phone" if earlier else None
        if linked_to is None:
            chosen = choose_agent(
                await deps.read_model.rotator_policy(conn, deps.settings.rotator_policy),
                await deps.read_model.agent_slots(conn), at=now, last_agent_id=last,
                previous_agent_id=previous_agent,
            )
            if chosen is not None:
                agent_id, reason = chosen
                lead.assign(agent_id, reason=reason)
                await deps.read_model.record_assignment(
                    conn, lead_id=lead_id, agent_id=agent_id, customer_id=customer_id, at=now)
        await deps.leads.save(conn, lead, actor=actor)

    logger.info("lead captured", extra={"lead_id": lead_id, "customer_id": customer_id,
                                        "agent_id": agent_id, "linked_to_lead_id": linked_to})
    logger.debug("lead phone normalised", extra={"lead_id": lead_id,
                                                 "phone_masked": mask_phone(phone)})
    if linked_to is None and agent_id is None:
        logger.warning("no agent available; lead waits for the rotator",
                       extra={"lead_id": lead_id})
    return CapturedLead(lead_id=lead_id, customer_id=customer_id, agent_id=agent_id,
                        reason=reason, linked_to_lead_id=linked_to)


async def _load_open(conn: AsyncConnection, deps: Deps, lead_id: str) -> Lead:
    lead = await deps.leads.get(conn, lead_id)
    if lead is None:
        raise LeadNotFoundError(lead_id)
    return lead


@dataclass(frozen=True)
class FollowUp:
    lead_id: str
    outcome: ContactOutcome
    next_follow_up_at: datetime | None = None


async def follow_up(cmd: FollowUp, deps: Deps, actor: Actor) -> Lead:
    """Log a contact with its outcome; schedule the next one by the cadence if not given."""
    now = deps.clock()
    if cmd.next_follow_up_at is not None and cmd.next_follow_up_at <= now:
        raise RuleBrokenError("next follow-up must be in the future",
                              field="next_follow_up_at")
    async with deps.db.begin() as conn:
        lead = await _load_open(conn, deps, cmd.lead_id)
        attempt = lead.attempts + 1
        next_at = cmd.next_follow_up_at or next_follow_up(
            deps.settings.cadence(), attempt=attempt, outcome=cmd.outcome, at=now)
        lead.follow_up(cmd.outcome, next_at=next_at)
        if cmd.outcome == "no_answer" and next_at is None:
            lead.lose(f"no answer after {attempt} attempts")
        await deps.leads.save(conn, lead, actor=actor)

        values: dict[str, object] = dict(
            attempts=attempt, last_follow_up_at=now, last_outcome=cmd.outcome,
            next_follow_up_at=None if not lead.is_open else next_at, status=lead.status)
        if lead.status == "lost":
            values["lost_reason"] = cmd.outcome if cmd.outcome != "no_answer" else (
                f"no answer after {attempt} attempts")
        await deps.read_model.update_lead(conn, lead.id, **values)
        await deps.read_model.mark_first_response(conn, lead.id, agent_id=lead.agent_id, at=now)

    logger.info("lead followed up", extra={"lead_id": lead.id, "attempt": attempt,
                                           "outcome": cmd.outcome, "status": lead.status})
    return lead


async def lose_lead(lead_id: str, reason: str, deps: Deps, actor: Actor) -> Lead:
    """Give up on a lead, with the reason."""
    async with deps.db.begin() as conn:
        lead = await _load_open(conn, deps, lead_id)
        lead.lose(reason)
        await deps.leads.save(conn, lead, actor=actor)
        await deps.read_model.update_lead(conn, lead_id, status="lost", lost_reason=reason,
                                          next_follow_up_at=None)
    logger.info("lead lost", extra={"lead_id": lead_id})
    return lead


async def reassign_unanswered(deps: Deps) -> int:
    """Move leads unanswered past the limit to another agent; assign waiting leads.

    Each lead goes in its own transaction, so one conflict (an agent answered just now)
    does not hold back the others. Returns how many leads moved.
    """
    now = deps.clock()
    minutes = deps.settings.reassign_after_minutes
    async with deps.db.read() as conn:
        due = await deps.read_model.unanswered_leads(
            conn, assigned_before=now - timedelta(minutes=minutes))
    moved = 0
    for lead_id in due:
        async with deps.db.begin() as conn:
            last = await deps.read_model.last_assigned_agent(conn)  # the rotator lock, first
            lead = await deps.leads.get(conn, lead_id)
            if lead is None or lead.status != "new":
                continue
            chosen = choose_agent(
                await deps.read_model.rotator_policy(conn, deps.settings.rotator_policy),
                await deps.read_model.agent_slots(conn), at=now, last_agent_id=last,
                exclude=[lead.agent_id] if lead.agent_id else [],
            )
            if chosen is None:
                continue
            agent_id, policy_reason = chosen
            reason = (f"unanswered for {minutes:g} min; {policy_reason}" if lead.agent_id
                      else f"waited for a free agent; {policy_reason}")
            lead.assign(agent_id, reason=reason)
            await deps.leads.save(conn, lead, actor=SYSTEM)
            await deps.read_model.record_assignment(
                conn, lead_id=lead_id, agent_id=agent_id, customer_id=lead.customer_id,
                at=now)
        moved += 1
        logger.info("lead reassigned", extra={"lead_id": lead_id, "agent_id": agent_id})
    return moved


async def assign_lead(lead_id: str, agent_id: str, deps: Deps, actor: Actor) -> Lead:
    """A supervisor hands a lead to a chosen agent."""
    async with deps.db.begin() as conn:
        await deps.read_model.last_assigned_agent(conn)  # the rotator lock, first
        lead = await _load_open(conn, deps, lead_id)
        if not await deps.read_model.agent_exists(conn, agent_id):
            raise RuleBrokenError(f"no agent {agent_id}", field="agent_id")
        lead.assign(agent_id, reason=f"manual by {actor.user_id}")
        await deps.leads.save(conn, lead, actor=actor)
        await deps.read_model.record_assignment(conn, lead_id=lead_id, agent_id=agent_id,
                                          customer_id=lead.customer_id, at=deps.clock())
    logger.info("lead assigned by hand", extra={"lead_id": lead_id, "agent_id": agent_id})
    return lead
