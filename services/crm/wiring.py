"""The one place that builds the CRM's database, store, keyring and application objects."""

from __future__ import annotations

from dataclasses import dataclass

from eventkit.db import Database
from eventkit.keyring import Keyring
from eventkit.store import EventStore
from eventkit.tables import metadata as eventkit_metadata
from services.crm.adapters.messaging.projections import board_projection, profiles_projection
from services.crm.adapters.persistence.tables import metadata as crm_metadata
from services.crm.application.board import Board
from services.crm.application.profiles import Profiles
from services.crm.config import Settings
from services.crm.domain.rfm import RfmBands
from eventkit.consumer import Projection


@dataclass
class Deps:
    settings: Settings
    db: Database
    store: EventStore
    keyring: Keyring
    profiles: Profiles
    board: Board

    @property
    def bands(self) -> RfmBands:
        s = self.settings
        return RfmBands(recency_days=tuple(s.rfm_recency_days), frequency=tuple(s.rfm_frequency),
                        monetary=tuple(s.rfm_monetary), high_return_rate=s.high_return_rate)

    def group(self, part: str, group_suffix: str = "") -> str:
        """Consumer group (and inbox) name: ``[namespace]crm.<part>[suffix]``, so systems
        sharing a broker keep their own groups."""
        return f"{self.settings.topic_namespace}crm.{part}{group_suffix}"

    def projections(self, group_suffix: str = "") -> list[Projection]:
        s = self.settings
        producers = ["research", "pricing", "marketing", "sales", "fulfillment", "crm"]
        return [
            profiles_projection(self.group("profiles", group_suffix),
                                [s.topic(p) for p in ("sales", "fulfillment", "crm")],
                                self.profiles),
            board_projection(self.group("board", group_suffix),
                             [s.topic(p) for p in producers], self.board),
        ]


def build(settings: Settings) -> Deps:
    db = Database(settings.resolved_database_url(), eventkit_metadata, crm_metadata)
    store = EventStore("crm", namespace=settings.topic_namespace)
    keyring = Keyring(settings.topic_namespace)
    return Deps(settings=settings, db=db, store=store, keyring=keyring,
                profiles=Profiles(store=store, keyring=keyring),
                board=Board(store=store, settings=settings))
