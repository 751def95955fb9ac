"""Builds the research service's pieces from Settings: the one place adapters are chosen."""

from __future__ import annotations

from eventkit.aggregate import Repository
from eventkit.clock import Clock, utcnow
from eventkit.db import Database
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_metadata
from services.research.adapters.persistence.tables import metadata as research_metadata
from services.research.application.handlers import Deps
from services.research.config import Settings
from services.research.domain.product import Product


def build_database(settings: Settings) -> Database:
    return Database(settings.resolved_database_url(), eventkit_metadata, research_metadata)


def build_deps(settings: Settings, *, clock: Clock = utcnow) -> Deps:
    db = build_database(settings)
    store = EventStore("research", clock=clock, namespace=settings.topic_namespace)
    return Deps(db=db, products=Repository(store, Product, clock=clock),
                criteria=list(settings.approval_criteria), clock=clock)
