"""Reads and writes of the sales read models used by the command handlers."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.money import Money
from services.sales.adapters.persistence.tables import (
    ads,
    agents,
    campaigns,
    customers,
    idempotency,
    leads,
    marketplace_customers,
    marketplace_orders,
    order_items,
    orders,
    prices,
    rotator_state,
    shipments,
)
from services.sales.domain.rotator import POLICIES, AgentSlot, Policy

OPEN_STATUSES = ("new", "contacted")


class SqlReadModel:
    """The sales read models in SQL, written in the command's own transaction."""

    async def customer_for_phone(
        self, conn: AsyncConnection, phone_e164: str, *, name: str, now: datetime
    ) -> tuple[str, str | None]:
        """(customer id, their last agent) for a phone; a new pseudonymous id if unseen.

        The id is random, not derived from the phone, so it cannot be turned back into one.
        """
        row = (
            await conn.execute(
                select(customers.c.customer_id, customers.c.last_agent_id).where(
                    customers.c.phone_e164 == phone_e164)
            )
        ).first()
        if row is not None:
            await conn.execute(update(customers).where(
                customers.c.customer_id == row.customer_id).values(name=name))
            return str(row.customer_id), row.last_agent_id
        # 96 random bits; short because eventkit.keyring's outbox rows carry
        # "key:<customer id>" in a 36-character event_id column.
        customer_id = "cus_" + uuid.uuid4().hex[:24]
        await conn.execute(insert(customers).values(
            customer_id=customer_id, phone_e164=phone_e164, name=name, created_at=now))
        return customer_id, None

    async def recent_open_lead(
        self, conn: AsyncConnection, customer_id: str, *, since: datetime
    ) -> tuple[str, str | None] | None:
        """(lead id, agent id) of the customer's newest open, unlinked lead since ``since``."""
        row = (
            await conn.execute(
                select(leads.c.lead_id, leads.c.agent_id)
                .where(leads.c.customer_id == customer_id)
                .where(leads.c.linked_to_lead_id.is_(None))
                .where(leads.c.status.in_(OPEN_STATUSES))
                .where(leads.c.captured_at >= since)
                .order_by(leads.c.captured_at.desc())
                .limit(1)
            )
        ).first()
        return (str(row.lead_id), row.agent_id) if row else None

    @staticmethod
    def _hhmm(text: str) -> time:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))

    async def agent_slots(self, conn: AsyncConnection) -> list[AgentSlot]:
        """Every agent with their open-lead count, as the rotator needs them."""
        open_counts = dict(
            (
                await conn.execute(
                    select(leads.c.agent_id, func.count())
                    .where(leads.c.status.in_(OPEN_STATUSES))
                    .where(leads.c.agent_id.is_not(None))
                    .group_by(leads.c.agent_id)
                )
            ).all()
        )
        rows = (await conn.execute(select(agents))).mappings().all()
        return [
            AgentSlot(
                agent_id=r["agent_id"], weight=r["weight"], max_open_leads=r["max_open_leads"],
                shift_start=self._hhmm(r["shift_start"]), shift_end=self._hhmm(r["shift_end"]),
                active=r["active"], open_leads=int(open_counts.get(r["agent_id"], 0)),
                assigned_total=r["assigned_total"],
            )
            for r in rows
        ]

    async def last_assigned_agent(self, conn: AsyncConnection) -> str | None:
        """The round-robin cursor, locked for this transaction on PostgreSQL so that two
        leads captured at once do not both go to the same agent (SQLite locks the file)."""
        return await conn.scalar(
            select(rotator_state.c.value).where(rotator_state.c.name == "last_agent_id")
            .with_for_update())

    async def ensure_rotator_row(self, conn: AsyncConnection) -> None:
        """The cursor row must exist for ``last_assigned_agent`` to have something to lock."""
        known = await conn.scalar(select(rotator_state.c.name).where(
            rotator_state.c.name == "last_agent_id"))
        if known is None:
            await conn.execute(insert(rotator_state).values(name="last_agent_id", value=None))

    async def rotator_policy(self, conn: AsyncConnection, default: Policy) -> Policy:
        """The policy set through the API, else the configured one."""
        value = await conn.scalar(
            select(rotator_state.c.value).where(rotator_state.c.name == "policy"))
        return cast(Policy, value) if value in POLICIES else default

    async def set_rotator_policy(self, conn: AsyncConnection, policy: Policy) -> None:
        updated = await conn.execute(update(rotator_state).where(
            rotator_state.c.name == "policy").values(value=policy))
        if updated.rowcount == 0:
            await conn.execute(insert(rotator_state).values(name="policy", value=policy))

    async def record_assignment(
        self, conn: AsyncConnection, *, lead_id: str, agent_id: str, customer_id: str, at: datetime
    ) -> None:
        """Move the rotator's cursor and counters and the lead's read model to ``agent_id``."""
        updated = await conn.execute(update(rotator_state).where(
            rotator_state.c.name == "last_agent_id").values(value=agent_id))
        if updated.rowcount == 0:
            await conn.execute(insert(rotator_state).values(name="last_agent_id", value=agent_id))
        await conn.execute(update(agents).where(agents.c.agent_id == agent_id).values(
            assigned_total=agents.c.assigned_total + 1))
        await conn.execute(update(customers).where(customers.c.customer_id == customer_id).values(
            last_agent_id=agent_id))
        await conn.execute(update(leads).where(leads.c.lead_id == lead_id).values(
            agent_id=agent_id, assigned_at=at))

    async def unanswered_leads(
        self, conn: AsyncConnection, *, assigned_before: datetime, limit: int = 100
    ) -> list[str]:
        """New leads assigned before the cut-off without a first response, or with no agent.

        LIMIT: oldest first, ``limit`` per round; a lead nobody else can take (one agent
        on shift) is looked at again every round and can hold back younger ones when
        more than ``limit`` such leads pile up.
        """
        rows = await conn.execute(
            select(leads.c.lead_id)
            .where(leads.c.status == "new")
            .where(leads.c.first_response_at.is_(None))
            .where(
                (leads.c.agent_id.is_(None))
                | and_(leads.c.agent_id.is_not(None), leads.c.assigned_at <= assigned_before)
            )
            .order_by(leads.c.captured_at)
            .limit(limit)
        )
        return [str(r) for (r,) in rows]

    # -- attribution ------------------------------------------------------------------
    async def ad(self, conn: AsyncConnection, ad_id: str) -> tuple[str, str, str | None] | None:
        """(ad set id, campaign id, product id) of a launched ad."""
        row = (await conn.execute(select(ads).where(ads.c.ad_id == ad_id))).first()
        return (row.ad_set_id, row.campaign_id, row.product_id) if row else None

    async def campaign_product(self, conn: AsyncConnection, campaign_id: str) -> str | None:
        return await conn.scalar(
            select(campaigns.c.product_id).where(campaigns.c.campaign_id == campaign_id))

    # -- leads and agents -------------------------------------------------------------
    async def add_lead(self, conn: AsyncConnection, **row: Any) -> None:
        await conn.execute(insert(leads).values(**row))

    async def update_lead(self, conn: AsyncConnection, lead_id: str, **values: Any) -> None:
        await conn.execute(update(leads).where(leads.c.lead_id == lead_id).values(**values))

    async def mark_first_response(
        self, conn: AsyncConnection, lead_id: str, *, agent_id: str | None, at: datetime
    ) -> None:
        await conn.execute(
            update(leads).where(leads.c.lead_id == lead_id)
            .where(leads.c.first_response_at.is_(None))
            .values(first_response_at=at, first_response_agent_id=agent_id))

    async def save_agent(
        self, conn: AsyncConnection, agent_id: str, **values: Any
    ) -> dict[str, Any]:
        """Add or change an agent; the rotator's cursor row is made with the first one."""
        await self.ensure_rotator_row(conn)
        changed = await conn.execute(
            update(agents).where(agents.c.agent_id == agent_id).values(**values))
        if changed.rowcount == 0:
            await conn.execute(insert(agents).values(agent_id=agent_id, assigned_total=0,
                                                     **values))
        row = (await conn.execute(
            select(agents).where(agents.c.agent_id == agent_id))).mappings().one()
        return dict(row)

    async def agent_exists(self, conn: AsyncConnection, agent_id: str) -> bool:
        found = await conn.scalar(select(agents.c.agent_id).where(agents.c.agent_id == agent_id))
        return found is not None

    # -- orders -----------------------------------------------------------------------
    async def price(self, conn: AsyncConnection, product_id: str) -> Money | None:
        row = (await conn.execute(
            select(prices).where(prices.c.product_id == product_id))).first()
        return Money(amount=row.amount, currency=row.currency) if row else None

    async def idempotent_order(
        self, conn: AsyncConnection, key: str
    ) -> tuple[str, str] | None:
        """(request hash, order id) recorded under an Idempotency-Key."""
        row = (await conn.execute(select(idempotency).where(idempotency.c.key == key))).first()
        return (row.request_hash, str(row.order_id)) if row else None

    async def add_order(
        self, conn: AsyncConnection, *, order: dict[str, Any], items: list[dict[str, Any]],
        idempotency_key: str | None, request_hash: str,
    ) -> None:
        """The order and its lines; its Idempotency-Key too unless None (marketplace
        orders are keyed by their external id in sales_marketplace_orders)."""
        await conn.execute(insert(orders).values(**order))
        await conn.execute(insert(order_items), [
            {"order_id": order["order_id"], "line": i, **item} for i, item in enumerate(items)])
        if idempotency_key is None:
            return
        await conn.execute(insert(idempotency).values(
            key=idempotency_key, request_hash=request_hash, order_id=order["order_id"],
            customer_id=order["customer_id"]))

    async def is_shipped(self, conn: AsyncConnection, order_id: str) -> bool:
        found = await conn.scalar(
            select(shipments.c.order_id).where(shipments.c.order_id == order_id))
        return found is not None

    async def mark_cancelled(self, conn: AsyncConnection, order_id: str, at: datetime) -> None:
        await conn.execute(update(orders).where(orders.c.order_id == order_id).values(
            status="cancelled", cancelled_at=at))

    # -- marketplace orders -------------------------------------------------------------
    async def customer_for_marketplace(
        self, conn: AsyncConnection, marketplace: str, external_customer_id: str, *,
        now: datetime,
    ) -> str:
        """The pseudonymous customer id of a marketplace's customer; new if unseen."""
        known = await conn.scalar(select(marketplace_customers.c.customer_id).where(
            marketplace_customers.c.marketplace == marketplace,
            marketplace_customers.c.external_customer_id == external_customer_id))
        if known is not None:
            return str(known)
        customer_id = "cus_" + uuid.uuid4().hex[:24]
        await conn.execute(insert(customers).values(
            customer_id=customer_id, phone_e164=None, name=None, created_at=now))
        await conn.execute(insert(marketplace_customers).values(
            marketplace=marketplace, external_customer_id=external_customer_id,
            customer_id=customer_id))
        return customer_id

    async def marketplace_order(
        self, conn: AsyncConnection, marketplace: str, external_order_id: str
    ) -> dict[str, str] | None:
        """request_hash, order_id, lead_id, customer_id of an imported order."""
        row = (await conn.execute(select(marketplace_orders).where(
            marketplace_orders.c.marketplace == marketplace,
            marketplace_orders.c.external_order_id == external_order_id))).mappings().first()
        return {k: str(row[k]) for k in ("request_hash", "order_id", "lead_id",
                                         "customer_id")} if row else None

    async def add_marketplace_order(self, conn: AsyncConnection, **row: Any) -> None:
        await conn.execute(insert(marketplace_orders).values(**row))

    # -- personal data ----------------------------------------------------------------
    async def customer_exists(self, conn: AsyncConnection, customer_id: str) -> bool:
        found = await conn.scalar(
            select(customers.c.customer_id).where(customers.c.customer_id == customer_id))
        return found is not None

    async def erase_personal_data(
        self, conn: AsyncConnection, customer_id: str, at: datetime
    ) -> None:
        """NULL every name, phone, street and note of the customer; ids and amounts stay."""
        await conn.execute(update(customers).where(customers.c.customer_id == customer_id)
                           .values(phone_e164=None, name=None, erased_at=at))
        await conn.execute(update(leads).where(leads.c.customer_id == customer_id)
                           .values(contact_name=None, contact_phone=None))
        await conn.execute(update(orders).where(orders.c.customer_id == customer_id)
                           .values(recipient_name=None, recipient_phone=None, street=None,
                                   notes=None))
        # The marketplace's customer reference no longer leads to this customer id.
        await conn.execute(delete(marketplace_customers).where(
            marketplace_customers.c.customer_id == customer_id))
        # The fingerprint of a submitted order body is a hash over personal data.
        await conn.execute(delete(idempotency).where(idempotency.c.customer_id == customer_id))
