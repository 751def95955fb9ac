"""Builds the pricing service's pieces from Settings."""

from __future__ import annotations

from eventkit.aggregate import Repository
from eventkit.clock import Clock, utcnow
from eventkit.consumer import Projection
from eventkit.db import Database
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_metadata
from services.pricing.adapters.messaging.projection import research_projection
from services.pricing.adapters.persistence.tables import metadata as pricing_metadata
from services.pricing.application.handlers import Deps
from services.pricing.config import Settings
from services.pricing.domain.worksheet import Worksheet


def build_deps(settings: Settings, *, clock: Clock = utcnow) -> Deps:
    db = Database(settings.resolved_database_url(), eventkit_metadata, pricing_metadata)
    store = EventStore("pricing", clock=clock, namespace=settings.topic_namespace)
    return Deps(db=db, worksheets=Repository(store, Worksheet, clock=clock),
                default_rounding=settings.default_rounding,
                rounding_by_currency=settings.rounding_by_currency)


def build_projections(settings: Settings, deps: Deps) -> list[Projection]:
    # The namespace makes the consumer group unique per test run as well as the topics.
    group = f"{settings.topic_namespace}pricing.worksheets"
    return [research_projection(deps, research_topic=settings.topic("research"), group=group)]
