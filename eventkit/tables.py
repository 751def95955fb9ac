"""Tables every service has in its own database, beside its read models."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT. Services
# use it for their own autoincrementing keys too.
AutoId = BigInteger().with_variant(Integer(), "sqlite")
Position = AutoId

events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False, doc="the whole envelope as JSON"),
    UniqueConstraint("aggregate_id", "aggregate_version", name="uq_events_stream_version"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("event_id", String(80), nullable=False, doc="event id, or key:<customer id>"),
    Column("topic", String(128), nullable=False),
    Column("key", String(64), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_unpublished", "published_at", "id"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("aggregate_id", String(64), primary_key=True),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)

# Events a consumer has accepted (applied, parked or dead-lettered); redelivery skips them.
inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# Events that arrived before a fact they depend on; run again when it arrives.
parked = Table(
    "parked_events",
    metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("consumer", String(64), nullable=False),
    Column("waiting_for", String(128), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("topic", String(128), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Index("ix_parked_waiting", "consumer", "waiting_for"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("consumer", String(64), nullable=False),
    Column("topic", String(128), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("key", String(128), nullable=True),
    Column("value", LargeBinary, nullable=False),
    Column("error_type", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("dead_at", DateTime(timezone=True), nullable=False),
    Column("replayed_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("consumer", "topic", "partition", "offset", name="uq_dead_letter_src"),
)

# Last lag the worker saw, so the API process can report it.
consumer_lag = Table(
    "consumer_lag",
    metadata,
    Column("consumer", String(64), primary_key=True),
    Column("topic", String(128), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("lag", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Per-customer data keys (eventkit.keyring). A NULL key means the customer was erased.
customer_keys = Table(
    "customer_keys",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("data_key", Text, nullable=True),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
