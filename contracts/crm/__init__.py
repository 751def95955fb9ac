"""Events of the CRM and the team's task board (topic ``crm.events``)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from contracts.envelope import EventPayload

TOPIC = "crm.events"


class _Feedback(EventPayload):
    producer: ClassVar[str] = "crm"
    aggregate_type: ClassVar[str] = "feedback"


class _Task(EventPayload):
    producer: ClassVar[str] = "crm"
    aggregate_type: ClassVar[str] = "task"


class _Profile(EventPayload):
    producer: ClassVar[str] = "crm"
    aggregate_type: ClassVar[str] = "profile_link"


class FeedbackReceived(_Feedback):
    event_type: ClassVar[str] = "FeedbackReceived"

    feedback_id: str
    customer_id: str | None = None
    order_id: str | None = None
    product_id: str | None = None
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", description="empty when comment_sealed is given")
    language: str = Field(default="id", description="id or en")
    comment_sealed: str | None = Field(
        default=None, description="the comment sealed under the customer's key (erasable)"
    )
    sentiment_label: str | None = Field(default=None, description="positive/negative/neutral")
    sentiment_score: float | None = None
    sentiment_matched: list[str] = Field(
        default_factory=list, description="lexicon words that decided the label"
    )
    topics: list[str] = Field(default_factory=list)


class TaskOpened(_Task):
    event_type: ClassVar[str] = "TaskOpened"

    task_id: str
    kind: str
    title: str
    division: str
    assignee: str | None = None
    due_at: datetime
    sla_minutes: int = Field(ge=0)
    product_id: str | None = None
    subject_id: str | None = Field(default=None, description="lead, order, complaint...")


class TaskCompleted(_Task):
    event_type: ClassVar[str] = "TaskCompleted"

    task_id: str
    completed_by: str
    closing_event_id: str | None = None
    completed_at: datetime | None = Field(
        default=None, description="when the closing event happened (else occurred_at)"
    )


class TaskAssigned(_Task):
    """A task was given to a member (by hand or by escalation)."""

    event_type: ClassVar[str] = "TaskAssigned"

    task_id: str
    assignee: str
    assigned_by: str


class TaskScheduled(_Task):
    """A task's due time was planned or moved."""

    event_type: ClassVar[str] = "TaskScheduled"

    task_id: str
    due_at: datetime
    scheduled_by: str


class TaskCommented(_Task):
    event_type: ClassVar[str] = "TaskCommented"

    task_id: str
    author: str
    text: str = Field(min_length=1, max_length=2000)


class TaskEscalated(_Task):
    """An open task passed its due time; it went to the division's escalation owner."""

    event_type: ClassVar[str] = "TaskEscalated"

    task_id: str
    escalated_to: str
    overdue_minutes: int = Field(ge=0)


class ProfilesMerged(_Profile):
    """Two customer ids belong to one person; ``merged_id`` now shows under ``survivor_id``."""

    event_type: ClassVar[str] = "ProfilesMerged"

    survivor_id: str
    merged_id: str
    reason: str = Field(description="same_phone, or the member's reason")


class ProfilesUnmerged(_Profile):
    event_type: ClassVar[str] = "ProfilesUnmerged"

    survivor_id: str
    merged_id: str
    reason: str


EVENTS = [
    FeedbackReceived,
    TaskOpened,
    TaskCompleted,
    TaskAssigned,
    TaskScheduled,
    TaskCommented,
    TaskEscalated,
    ProfilesMerged,
    ProfilesUnmerged,
]
