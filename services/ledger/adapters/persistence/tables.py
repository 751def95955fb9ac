"""The ledger's read model: entries, their lines, closed periods and remembered facts."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from eventkit.tables import AutoId

metadata = MetaData()

entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    # Each source event posts exactly once: a second entry for it breaks this key.
    Column("source_event_id", String(64), nullable=False, unique=True),
    Column("source_event_type", String(64), nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("original_date", Date, nullable=True, doc="set when moved out of a closed period"),
    Column("period", String(7), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo", Text, nullable=False),
    Column("reverses_entry_id", String(36), nullable=True, unique=True),
    Column("reason", Text, nullable=True),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Index("ix_ledger_entries_date", "entry_date", "entry_id"),
)

lines = Table(
    "ledger_lines",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), ForeignKey("ledger_entries.entry_id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("account", String(8), nullable=False),
    Column("debit", BigInteger, nullable=False),
    Column("credit", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("product_id", String(64), nullable=True),
    Column("campaign_id", String(64), nullable=True),
    Column("order_id", String(64), nullable=True),
    Index("ix_ledger_lines_entry", "entry_id"),
    Index("ix_ledger_lines_account_date", "account", "entry_date"),
)

periods = Table(
    "ledger_closed_periods",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("closed_by", String(64), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "ledger_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("facts", Text, nullable=False, doc="OrderFacts as JSON"),
)

product_costs = Table(
    "ledger_product_costs",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("unit_cost", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
)
