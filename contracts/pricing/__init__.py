"""Events of the finance division (topic ``pricing.events``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from contracts.envelope import EventPayload
from contracts.money import Money

TOPIC = "pricing.events"


class _Pricing(EventPayload):
    producer: ClassVar[str] = "pricing"
    aggregate_type: ClassVar[str] = "worksheet"


class PriceSet(_Pricing):
    """Finance set the selling price of a product; earlier prices stay in history."""

    event_type: ClassVar[str] = "PriceSet"

    product_id: str
    price: Money
    previous_price: Money | None = None
    strategy: str
    hpp: Money
    contribution_margin: Money = Field(description="per order, before advertising")
    break_even_cpa: Money
    break_even_roas: Decimal
    effective_from: date | None = None


class KpiTargetsSet(_Pricing):
    """What marketing may spend and sales must reach for one product."""

    event_type: ClassVar[str] = "KpiTargetsSet"

    product_id: str
    max_cpl: Money
    max_cpa: Money
    min_roas: Decimal
    target_closing_rate: Decimal = Field(ge=0, le=1)
    target_orders_per_day: int = Field(ge=0)


EVENTS = [PriceSet, KpiTargetsSet]
