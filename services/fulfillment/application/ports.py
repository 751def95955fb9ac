"""What the application needs from the outside: courier status updates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from contracts.fulfillment import TrackingState
from contracts.money import Money


@dataclass(frozen=True)
class CourierUpdate:
    """One courier status update, in fulfillment's words."""

    resi: str
    update_id: str
    status: TrackingState
    courier_status: str
    occurred_at: datetime
    return_shipping_cost: Money | None = None
    reason: str | None = None


class CourierAdapter(Protocol):
    """Turns what a courier sends us into CourierUpdates (raises LapakError if bad)."""

    courier: str

    def parse(self, payload: Mapping[str, Any]) -> list[CourierUpdate]: ...
