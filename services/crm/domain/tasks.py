"""The task board's rules: which event opens which task, which event closes it.

Each rule names the opening event, the task kind, its division, its SLA and how to find
the task's subject (product, lead, order, complaint) in the payload; the closing events
find the same subject. Task ids come from the opening event id (uuid5), so replaying
the log gives the very same tasks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

TASK_NAMESPACE = uuid.UUID("8d6f3c52-6a0e-4f0c-9a55-0c9d1f1f8c08")


@dataclass(frozen=True)
class TaskRule:
    kind: str
    title: str
    division: str
    opened_by: str  # event type
    subject_field: str  # payload field naming the subject
    closed_by: tuple[str, ...]
    product_field: str | None = None


RULES: tuple[TaskRule, ...] = (
    TaskRule("set_price", "Set the price", "pricing", "ProductApproved", "product_id",
             ("PriceSet",), "product_id"),
    TaskRule("write_copy", "Write the ad copy", "marketing", "PriceSet", "product_id",
             ("ContentApproved",), "product_id"),
    TaskRule("launch_test", "Launch the test campaign", "marketing", "ContentApproved",
             "product_id", ("CampaignLaunched",), "product_id"),
    TaskRule("reply_lead", "Reply to the lead", "sales", "LeadCaptured", "lead_id",
             ("LeadAssigned", "LeadFollowedUp"), "product_id"),
    TaskRule("confirm_and_book", "Confirm the order and book the courier", "fulfillment",
             "OrderPlaced", "order_id", ("Shipped",)),
    TaskRule("resolve_complaint", "Resolve the complaint", "fulfillment", "ComplaintOpened",
             "complaint_id", ("ComplaintResolved",)),
    TaskRule("ask_feedback", "Ask the buyer for feedback", "crm", "Delivered", "order_id",
             ("FeedbackReceived",)),
)

OPENERS: dict[str, TaskRule] = {rule.opened_by: rule for rule in RULES}
CLOSERS: dict[str, list[TaskRule]] = {}
for _rule in RULES:
    for _closer in _rule.closed_by:
        CLOSERS.setdefault(_closer, []).append(_rule)


def task_id_for(opening_event_id: str, kind: str) -> str:
    return str(uuid.uuid5(TASK_NAMESPACE, f"task:{kind}:{opening_event_id}"))


def derived_event_id(*parts: str) -> uuid.UUID:
    """Event id of an event the CRM records because of another event (same on replay)."""
    return uuid.uuid5(TASK_NAMESPACE, "event:" + ":".join(parts))


def subject_of(rule: TaskRule, payload: Any) -> str | None:
    value = getattr(payload, rule.subject_field, None)
    return str(value) if value else None


def closing_subject(event_type: str, rule: TaskRule, payload: Any) -> str | None:
    """The subject a closing event speaks of (FeedbackReceived names its order)."""
    if event_type == "FeedbackReceived":
        return getattr(payload, "order_id", None)
    return subject_of(rule, payload)


def due_at(rule: TaskRule, opened_at: datetime, *, sla_minutes: int,
           feedback_delay_days: int) -> datetime:
    """When the task is due: its SLA after opening (feedback: after the waiting days)."""
    start = opened_at
    if rule.kind == "ask_feedback":
        start = opened_at + timedelta(days=feedback_delay_days)
    return start + timedelta(minutes=sla_minutes)


def assignee_for(division: str, kind: str, rules: dict[str, str]) -> str | None:
    """By rule: the kind's member if one is named, else the division's, else nobody."""
    return rules.get(kind) or rules.get(division)


STAGES = {
    # event type -> (stage, rank): a product only moves forward (events from different
    # topics arrive in any order), except that a pause or scale is always shown.
    "ProductApproved": ("pricing", 1),
    "ProductRejected": ("rejected", 9),
    "PriceSet": ("content", 2),
    "ContentApproved": ("launch", 3),
    "CampaignLaunched": ("testing", 4),
    "CampaignScaled": ("scaling", 5),
    "CampaignPaused": ("paused", 5),
}
