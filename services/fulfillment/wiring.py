"""The one place that picks fulfillment's concrete adapters and hands them over."""

from __future__ import annotations

import json

from sqlalchemy import insert, select

from eventkit import tables as eventkit_tables
from eventkit.aggregate import Repository
from eventkit.clock import Clock, utcnow
from eventkit.consumer import Projection
from eventkit.db import Database
from eventkit.store import EventStore

from services.fulfillment.adapters.messaging.sales import sales_projection
from services.fulfillment.adapters.persistence.tables import DEFAULT_COURIERS, couriers
from services.fulfillment.adapters.persistence.tables import metadata as read_models
from services.fulfillment.application.deps import Deps
from services.fulfillment.config import Settings
from services.fulfillment.domain.complaint import Complaint
from services.fulfillment.domain.order import FulfillmentOrder
from services.fulfillment.domain.remittance import Remittance

SERVICE = "fulfillment"


def build_deps(settings: Settings, *, clock: Clock = utcnow) -> Deps:
    db = Database(settings.resolved_database_url(), eventkit_tables.metadata, read_models)
    store = EventStore(SERVICE, clock=clock, namespace=settings.topic_namespace)
    return Deps(
        db=db,
        orders=Repository(store, FulfillmentOrder, clock=clock),
        remittances=Repository(store, Remittance, clock=clock),
        complaints=Repository(store, Complaint, clock=clock),
        clock=clock,
    )


def group_name(settings: Settings, part: str) -> str:
    """Consumer group names carry the topic namespace, so test runs never share one."""
    return f"{settings.topic_namespace}fulfillment.{part}"


def build_projections(settings: Settings, deps: Deps) -> list[Projection]:
    return [sales_projection(deps, name=group_name(settings, "sales"),
                             sales_topic=settings.topic("sales"))]


async def seed_couriers(db: Database) -> None:
    """Put the usual couriers in an empty courier table (admins add more by API)."""
    async with db.begin() as conn:
        if await conn.scalar(select(couriers.c.code).limit(1)) is not None:
            return
        await conn.execute(insert(couriers), [
            {"code": c["code"], "name": c["name"], "services": json.dumps(c["services"])}
            for c in DEFAULT_COURIERS
        ])
