"""What the marketing handlers need, built once by ``wiring``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eventkit.aggregate import Repository
from eventkit.clock import Clock
from eventkit.db import Database
from eventkit.store import EventStore
from services.marketing.domain.campaign import Campaign, ScaleRules
from services.marketing.domain.checklist import LaunchChecklist
from services.marketing.domain.content import ContentBrief
from services.marketing.domain.rules import ScaleRulesBook


@dataclass
class Deps:
    db: Database
    store: EventStore
    briefs: Repository[ContentBrief]
    checklists: Repository[LaunchChecklist]
    campaigns: Repository[Campaign]
    rules: Repository[ScaleRulesBook]
    default_rules: ScaleRules
    reports_dir: Path
    clock: Clock
