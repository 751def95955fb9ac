"""Builds the marketing service's database, store, repositories and projections."""

from __future__ import annotations

from pathlib import Path

from eventkit.aggregate import Repository
from eventkit.clock import Clock, utcnow
from eventkit.db import Database
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_metadata
from services.marketing.adapters.persistence.tables import metadata
from services.marketing.application.deps import Deps
from services.marketing.config import Settings
from services.marketing.domain.campaign import Campaign, ScaleRules
from services.marketing.domain.checklist import LaunchChecklist
from services.marketing.domain.content import ContentBrief
from services.marketing.domain.rules import ScaleRulesBook


def build_deps(settings: Settings, *, clock: Clock = utcnow) -> Deps:
    db = Database(settings.resolved_database_url(), eventkit_metadata, metadata)
    store = EventStore("marketing", clock=clock, namespace=settings.topic_namespace)
    return Deps(
        db=db, store=store,
        briefs=Repository(store, ContentBrief, clock=clock),
        checklists=Repository(store, LaunchChecklist, clock=clock),
        campaigns=Repository(store, Campaign, clock=clock),
        rules=Repository(store, ScaleRulesBook, clock=clock),
        default_rules=ScaleRules(settings.scale_min_days, settings.scale_min_spend_x_max_cpl,
                                 settings.scale_step),
        reports_dir=Path(settings.reports_dir),
        clock=clock,
    )
