"""The CRM's read models (SQLAlchemy Core). Everything here is rebuilt from events."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per customer id. name/phone_e164 are personal: wiped on erasure.
profiles = Table(
    "crm_profiles", metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("name", Text, nullable=True),
    Column("phone_e164", String(32), nullable=True, index=True),
    Column("merged_into", String(64), nullable=True, index=True),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_contact_at", DateTime(timezone=True), nullable=False),
    Column("leads", Integer, nullable=False, default=0),
    Column("erased", Boolean, nullable=False, default=False),
)

# Sealed personal data as it arrived, unsealed when the key is there (maybe later).
sealed_contacts = Table(
    "crm_sealed_contacts", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("token", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("resolved", Boolean, nullable=False, default=False),
)

orders = Table(
    "crm_orders", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("product_ids", Text, nullable=False, doc="JSON list"),
    Column("status", String(16), nullable=False, doc="placed cancelled shipped delivered returned"),
)

complaints = Table(
    "crm_complaints", metadata,
    Column("complaint_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("customer_id", String(64), nullable=True, index=True),
    Column("category", String(32), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(16), nullable=True),
)

feedback = Table(
    "crm_feedback", metadata,
    Column("feedback_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=True, index=True),
    Column("order_id", String(64), nullable=True),
    Column("product_id", String(64), nullable=True, index=True),
    Column("rating", Integer, nullable=False),
    Column("language", String(8), nullable=False),
    Column("label", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("matched", Text, nullable=False, doc="JSON list of matched words"),
    Column("topics", Text, nullable=False, doc="JSON list"),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

tasks = Table(
    "crm_tasks", metadata,
    Column("task_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("division", String(16), nullable=False, index=True),
    Column("assignee", String(64), nullable=True, index=True),
    Column("product_id", String(64), nullable=True, index=True),
    Column("subject_id", String(64), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("sla_minutes", Integer, nullable=False),
    Column("status", String(16), nullable=False, doc="open or done"),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("completed_by", String(64), nullable=True),
    Column("closing_event_id", String(64), nullable=True),
    Column("escalated", Boolean, nullable=False, default=False),
    Index("ix_crm_tasks_open", "kind", "subject_id", "status"),
)

# A closing event seen before (or after) its task: the task closes on sight.
task_closures = Table(
    "crm_task_closures", metadata,
    Column("kind", String(32), primary_key=True),
    Column("subject_id", String(64), primary_key=True),
    Column("event_id", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
)

activity = Table(
    "crm_activity", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("member", String(64), nullable=False, index=True),
    Column("task_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
)

product_stages = Table(
    "crm_product_stages", metadata,
    Column("product_id", String(64), primary_key=True),
    Column("stage", String(16), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
