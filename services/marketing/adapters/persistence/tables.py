"""Marketing's read models; all rebuilt from events (its own and consumed ones)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

ad_days = Table(
    "mk_ad_days", metadata,
    Column("row_key", String(80), primary_key=True),
    Column("campaign_id", String(64), nullable=False, index=True),
    Column("ad_set_id", String(64), nullable=False, index=True),
    Column("ad_id", String(64), nullable=False, index=True),
    Column("product_id", String(64), index=True),
    Column("day", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("spend", BigInteger, nullable=False, comment="minor units of currency"),
    Column("impressions", BigInteger, nullable=False),
    Column("reach", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("leads", BigInteger, nullable=False),
    Column("purchases", BigInteger, nullable=False),
    Column("purchase_value", BigInteger, comment="minor units of currency"),
    Column("source", String(200), nullable=False),
)

imports = Table(
    "mk_imports", metadata,
    Column("file_sha256", String(64), primary_key=True),
    Column("source", String(200), nullable=False),
    Column("rows_recorded", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

kpi_targets = Table(
    "mk_kpi_targets", metadata,
    Column("product_id", String(64), primary_key=True),
    Column("max_cpl", BigInteger, nullable=False),
    Column("max_cpa", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("min_roas", String(32), nullable=False),
    Column("event_id", String(36), nullable=False),
)

briefs = Table(
    "mk_briefs", metadata,
    Column("brief_id", String(64), primary_key=True),
    Column("product_id", String(64), nullable=False, unique=True),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("approved", Boolean, nullable=False, default=False),
)

campaigns = Table(
    "mk_campaigns", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("product_id", String(64), index=True),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
)

attributed_leads = Table(
    "mk_attributed_leads", metadata,
    Column("lead_id", String(64), primary_key=True),
    Column("campaign_id", String(64), index=True),
    Column("ad_set_id", String(64)),
    Column("ad_id", String(64)),
    Column("product_id", String(64)),
)

attributed_orders = Table(
    "mk_attributed_orders", metadata,
    Column("order_id", String(64), primary_key=True),
    Column("campaign_id", String(64), index=True),
    Column("ad_set_id", String(64)),
    Column("ad_id", String(64)),
    Column("product_id", String(64)),
    Column("total", BigInteger, nullable=False, comment="minor units of currency"),
    Column("currency", String(3), nullable=False),
)
