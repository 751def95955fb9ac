"""Request and response bodies of the CRM's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.money import Money


class GiveFeedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback_id: str | None = Field(default=None, max_length=64,
                                    description="your id, to make retries safe")
    customer_id: str | None = Field(default=None, max_length=64)
    order_id: str | None = Field(default=None, max_length=64)
    product_id: str | None = Field(default=None, max_length=64)
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=4000)
    language: Literal["id", "en"] = "id"


class FeedbackAccepted(BaseModel):
    feedback_id: str
    label: str
    score: float
    matched: list[str]
    topics: list[str]


class FeedbackItem(BaseModel):
    feedback_id: str
    rating: int
    label: str
    score: float
    matched: list[str]
    topics: list[str]
    language: str


class FeedbackSummary(BaseModel):
    product_id: str | None
    since: datetime | None
    until: datetime | None
    count: int
    average_rating: float | None
    sentiment: dict[str, int]
    topics: dict[str, dict[str, int]]
    top_matched_words: list[str]
    by_month: dict[str, dict[str, int]] = Field(description="YYYY-MM -> label -> count")
    items: list[FeedbackItem]


class Rfm(BaseModel):
    recency: int
    frequency: int
    monetary: int
    segment: str
    why: str


class ProfileView(BaseModel):
    customer_id: str
    customer_ids: list[str]
    name: str | None
    phone: str | None
    erased: bool
    orders: int
    orders_counted: int = Field(description="not cancelled, not returned")
    returns: int
    complaints: int
    lifetime_value: list[Money] = Field(description="per currency, counted orders only")
    leads: int
    first_seen_at: datetime
    last_contact_at: datetime
    rfm: Rfm


class SuggestionView(BaseModel):
    suggestion_id: str
    customer_id: str
    product_id: str
    kind: str
    why: str


class LinkProfiles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: str = Field(min_length=1, max_length=64)
    merged_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class LinkDone(BaseModel):
    survivor_id: str
    merged_id: str
    merged: bool


class PlanTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    division: Literal["research", "pricing", "marketing", "sales", "fulfillment", "ledger",
                      "crm"]
    assignee: str | None = Field(default=None, max_length=64)
    due_at: AwareDatetime | None = None
    product_id: str | None = Field(default=None, max_length=64)


class AssignTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=64)


class ScheduleTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_at: AwareDatetime


class CommentTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)


class TaskView(BaseModel):
    task_id: str
    kind: str
    title: str
    division: str
    assignee: str | None
    product_id: str | None
    subject_id: str | None
    opened_at: datetime
    due_at: datetime
    sla_minutes: int
    status: str
    completed_at: datetime | None
    completed_by: str | None
    closing_event_id: str | None
    escalated: bool
    late: bool


class ActivityView(BaseModel):
    event_id: str
    member: str
    task_id: str
    action: str
    detail: str
    at: datetime


class TaskDetail(TaskView):
    activity: list[ActivityView]


class MemberTasks(BaseModel):
    member: str
    open: list[TaskView]
    late: list[TaskView]
    done: list[TaskView]


class ProductTask(BaseModel):
    task_id: str
    kind: str
    division: str
    assignee: str | None
    late: bool


class ProductStage(BaseModel):
    product_id: str
    stage: str
    updated_at: datetime
    open_tasks: list[ProductTask]
