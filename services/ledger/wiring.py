"""Builds the ledger's database, event store and projection from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from eventkit.clock import Clock, utcnow
from eventkit.consumer import Projection
from eventkit.db import Database
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_metadata
from services.ledger.adapters.messaging.projection import build_projection
from services.ledger.adapters.persistence.tables import metadata as ledger_metadata
from services.ledger.config import SOURCE_PRODUCERS, Settings


@dataclass
class Deps:
    settings: Settings
    db: Database
    store: EventStore
    clock: Clock


def build(settings: Settings, *, database_url: str | None = None,
          clock: Clock = utcnow) -> Deps:
    db = Database(database_url or settings.resolved_database_url(),
                  eventkit_metadata, ledger_metadata)
    store = EventStore("ledger", clock=clock, namespace=settings.topic_namespace)
    return Deps(settings=settings, db=db, store=store, clock=clock)


def source_topics(settings: Settings) -> list[str]:
    return [settings.topic(p) for p in SOURCE_PRODUCERS]


def projections(deps: Deps) -> list[Projection]:
    return [build_projection(deps.store, source_topics(deps.settings), clock=deps.clock,
                             name=deps.settings.group_name)]
