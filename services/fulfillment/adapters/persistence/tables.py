"""Fulfillment's read models (rebuilt from its events) and its courier reference data."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from eventkit.tables import AutoId

metadata = MetaData()

orders = Table(
    "ff_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=True),
    Column("status", String(32), nullable=False),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("payment_method", String(16), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("total", BigInteger, nullable=True),
    # Destination stays in clear: coarse, and the RTS-by-province report needs it.
    Column("province_code", String(16), nullable=True),
    Column("province", String(64), nullable=True),
    Column("city", String(64), nullable=True),
    Column("district", String(64), nullable=True),
    Column("postal_code", String(16), nullable=True),
    Column("product_ids", Text, nullable=True, doc="comma-separated"),
    Column("recipient_sealed", Text, nullable=True,
           doc="sales' sealed recipient; unsealed only when an admin views the order"),
    Column("problem", Text, nullable=True),
    Column("courier", String(32), nullable=True),
    Column("service", String(32), nullable=True),
    Column("resi", String(64), nullable=True, unique=True),
    Column("shipping_cost", BigInteger, nullable=True),
    Column("pickup_date", Date, nullable=True),
    Column("cod_amount", BigInteger, nullable=True),
    Column("tracking", String(32), nullable=True),
    Column("booked_at", DateTime(timezone=True), nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("returned_at", DateTime(timezone=True), nullable=True),
    Column("return_shipping_cost", BigInteger, nullable=True),
    Column("remittance_id", String(64), nullable=True),
    Column("remitted_amount", BigInteger, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

tracking_history = Table(
    "ff_tracking_history",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("resi", String(64), nullable=False),
    Column("update_id", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("courier_status", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("applied", Boolean, nullable=False),
    UniqueConstraint("order_id", "update_id", name="uq_ff_tracking_update"),
)

remittance_issues = Table(
    "ff_remittance_issues",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("remittance_id", String(64), nullable=False),
    Column("courier", String(32), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("expected", BigInteger, nullable=True),
    Column("reason", String(32), nullable=False),
)

complaints = Table(
    "ff_complaints",
    metadata,
    Column("complaint_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False, index=True),
    Column("category", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("assignee_id", String(64), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("refund", BigInteger, nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)

# Reference data, not events: the couriers and services the admins may book.
couriers = Table(
    "ff_couriers",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("services", Text, nullable=False, doc="JSON list of service codes"),
)

DEFAULT_COURIERS: list[dict[str, object]] = [
    {"code": "JNE", "name": "JNE Express", "services": ["REG", "YES", "OKE", "JTR"]},
    {"code": "JNT", "name": "J&T Express", "services": ["EZ", "ECO"]},
    {"code": "SICEPAT", "name": "SiCepat Ekspres", "services": ["REG", "BEST", "HALU"]},
    {"code": "ANTERAJA", "name": "AnterAja", "services": ["REG", "NEXT_DAY", "SAME_DAY"]},
    {"code": "NINJA", "name": "Ninja Xpress", "services": ["STANDARD"]},
    {"code": "IDEXPRESS", "name": "ID Express", "services": ["STD"]},
]
