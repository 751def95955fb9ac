"""What every handler is handed: the database and the repositories."""

from __future__ import annotations

from dataclasses import dataclass

from eventkit.aggregate import Repository
from eventkit.clock import Clock, utcnow
from eventkit.db import Database

from services.fulfillment.domain.complaint import Complaint
from services.fulfillment.domain.order import FulfillmentOrder
from services.fulfillment.domain.remittance import Remittance


@dataclass
class Deps:
    db: Database
    orders: Repository[FulfillmentOrder]
    remittances: Repository[Remittance]
    complaints: Repository[Complaint]
    clock: Clock = utcnow
