"""Sales read models. Rebuildable from the sales events plus the consumed upstream events.

Personal fields (name, phone, street, notes) live only in these tables, in clear, for the
agents who chat with the customer; erasure sets them to NULL (``erase_personal_data``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy import Table as _Table

read_models = MetaData()


def Table(name: str, *columns: object) -> _Table:  # noqa: N802 - reads like sqlalchemy's
    return _Table(name, read_models, *columns)


customers = Table(
    "sales_customers",
    Column("customer_id", String(40), primary_key=True),
    Column("phone_e164", String(20), unique=True, nullable=True, doc="personal; NULL once erased"),
    Column("name", Text, nullable=True, doc="personal"),
    Column("last_agent_id", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
)

leads = Table(
    "sales_leads",
    Column("lead_id", String(40), primary_key=True),
    Column("customer_id", String(40), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("campaign_id", String(64), nullable=True, index=True),
    Column("ad_set_id", String(64), nullable=True),
    Column("ad_id", String(64), nullable=True),
    Column("utm_source", String(128), nullable=True),
    Column("utm_campaign", String(128), nullable=True),
    Column("product_id", String(64), nullable=True),
    Column("linked_to_lead_id", String(40), nullable=True),
    Column("status", String(16), nullable=False, doc="new, contacted, won, lost, linked"),
    Column("agent_id", String(64), nullable=True, index=True),
    Column("captured_at", DateTime(timezone=True), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=True),
    Column("first_response_at", DateTime(timezone=True), nullable=True),
    Column("first_response_agent_id", String(64), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_follow_up_at", DateTime(timezone=True), nullable=True),
    Column("last_outcome", String(32), nullable=True),
    Column("next_follow_up_at", DateTime(timezone=True), nullable=True),
    Column("lost_reason", Text, nullable=True),
    Column("order_id", String(40), nullable=True),
    Column("contact_name", Text, nullable=True, doc="personal"),
    Column("contact_phone", String(20), nullable=True, doc="personal"),
    Index("ix_sales_leads_due", "status", "next_follow_up_at"),
)

agents = Table(
    "sales_agents",
    Column("agent_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False, doc="the agent's work name, not a customer's"),
    Column("weight", Integer, nullable=False),
    Column("max_open_leads", Integer, nullable=False),
    Column("shift_start", String(5), nullable=False, doc="HH:MM WIB"),
    Column("shift_end", String(5), nullable=False, doc="HH:MM WIB"),
    Column("active", Boolean, nullable=False),
    Column("assigned_total", Integer, nullable=False, default=0),
)

rotator_state = Table(
    "sales_rotator_state",
    Column("name", String(32), primary_key=True),
    Column("value", String(64), nullable=True),
)

prices = Table(
    "sales_prices",
    Column("product_id", String(64), primary_key=True),
    Column("amount", BigInteger, nullable=False, doc="minor units of currency"),
    Column("currency", String(3), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

ads = Table(
    "sales_ads",
    Column("ad_id", String(64), primary_key=True),
    Column("ad_set_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("product_id", String(64), nullable=True),
)

campaigns = Table(
    "sales_campaigns",
    Column("campaign_id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("product_id", String(64), nullable=True),
)

kpi_targets = Table(
    "sales_kpi_targets",
    Column("product_id", String(64), primary_key=True),
    Column("target_closing_rate", String(16), nullable=False, doc="decimal as text"),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "sales_orders",
    Column("order_id", String(40), primary_key=True),
    Column("lead_id", String(40), nullable=True),
    Column("customer_id", String(40), nullable=False, index=True),
    Column("agent_id", String(64), nullable=True),
    Column("campaign_id", String(64), nullable=True),
    Column("ad_id", String(64), nullable=True),
    Column("payment_method", String(16), nullable=False),
    Column("subtotal_idr", BigInteger, nullable=False),
    Column("shipping_fee_idr", BigInteger, nullable=False),
    Column("total_idr", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, doc="placed, cancelled"),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("province", String(128), nullable=False),
    Column("city", String(128), nullable=False),
    Column("district", String(128), nullable=False),
    Column("postal_code", String(5), nullable=False),
    Column("recipient_name", Text, nullable=True, doc="personal"),
    Column("recipient_phone", String(20), nullable=True, doc="personal"),
    Column("street", Text, nullable=True, doc="personal"),
    Column("notes", Text, nullable=True, doc="personal"),
)

order_items = Table(
    "sales_order_items",
    Column("order_id", String(40), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("product_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_idr", BigInteger, nullable=False),
    Column("line_total_idr", BigInteger, nullable=False),
)

# Orders fulfillment reported shipped (it may report before we see our own order).
shipments = Table(
    "sales_shipments",
    Column("order_id", String(40), primary_key=True),
    Column("shipped_at", DateTime(timezone=True), nullable=False),
)

idempotency = Table(
    "sales_idempotency",
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False, index=True),
)

# Marketplace customers: one pseudonymous customer id per (marketplace, the
# marketplace's customer id). No phone or name is known for them.
marketplace_customers = Table(
    "sales_marketplace_customers",
    Column("marketplace", String(32), primary_key=True),
    Column("external_customer_id", String(64), primary_key=True),
    Column("customer_id", String(40), nullable=False, unique=True),
)

# Marketplace orders recorded once per (marketplace, external order id); the hash of
# the first body tells a re-import (200) from a different order under one id (409).
# ``currency`` is the currency of the order's amounts in ``sales_orders`` (whose
# ``*_idr`` columns then hold minor units of this currency).
marketplace_orders = Table(
    "sales_marketplace_orders",
    Column("marketplace", String(32), primary_key=True),
    Column("external_order_id", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(40), nullable=False, unique=True),
    Column("lead_id", String(40), nullable=False),
    Column("customer_id", String(40), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("country", String(2), nullable=False),
    Column("postal_code", String(16), nullable=False),
)
