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


class FeedbackReceived(_Feedback):
    event_type: ClassVar[str] = "FeedbackReceived"

    feedback_id: str
    customer_id: str | None = None
    order_id: str | None = None
    product_id: str | None = None
    rating: int = Field(ge=1, le=5)
    comment: str = ""
    language: str = Field(default="id", description="id or en")


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


EVENTS = [FeedbackReceived, TaskOpened, TaskCompleted]
