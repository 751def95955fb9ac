"""The generic JSON webhook adapter for courier status updates.

Couriers (or the aggregator in front of them) POST either one update or a list::

    {"resi": "JNE0012345", "status": "ON PROCESS", "occurred_at": "2026-12-03T09:00:00Z",
     "update_id": "jne-77812", "return_shipping_cost": 12000, "reason": "alamat tidak ada"}

``status`` is the courier's own word; ``STATUS_WORDS`` maps the words JNE, J&T, SiCepat
and AnterAja use (English and Indonesian) to fulfillment's tracking states. An unknown
word is refused (422) rather than guessed. ``return_shipping_cost`` (minor units of the
order's currency: whole rupiah, centavos for a BRL order) is optional: without it a
return costs the outbound shipping cost again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, StrictInt, ValidationError

from contracts.fulfillment import TrackingState
from contracts.money import Money
from eventkit.errors import RuleBrokenError

from services.fulfillment.application.ports import CourierUpdate

STATUS_WORDS: dict[str, TrackingState] = {
    # picked up from the gudang
    "picked_up": "picked_up", "pickup": "picked_up", "picked up": "picked_up",
    "manifested": "picked_up", "diterima di counter": "picked_up",
    # on the road
    "in_transit": "in_transit", "in transit": "in_transit", "on process": "in_transit",
    "on_process": "in_transit", "transit": "in_transit", "dalam perjalanan": "in_transit",
    "with delivery courier": "in_transit", "out_for_delivery": "in_transit",
    "out for delivery": "in_transit", "sedang diantar": "in_transit",
    # at the door
    "delivered": "delivered", "received": "delivered", "terkirim": "delivered",
    "diterima": "delivered", "pod": "delivered",
    "failed_delivery": "failed_delivery", "failed delivery": "failed_delivery",
    "undelivered": "failed_delivery", "gagal kirim": "failed_delivery",
    "problem": "failed_delivery",
    # back to us
    "returned_to_sender": "returned_to_sender", "returned": "returned_to_sender",
    "return to sender": "returned_to_sender", "rts": "returned_to_sender",
    "retur": "returned_to_sender", "dikembalikan": "returned_to_sender",
}


class WebhookUpdate(BaseModel):
    resi: str = Field(min_length=1, max_length=64)
    status: str = Field(min_length=1, max_length=64)
    occurred_at: AwareDatetime
    update_id: str = Field(min_length=1, max_length=128)
    return_shipping_cost: StrictInt | None = Field(default=None, ge=0,
                                                   description="minor units of the "
                                                               "order's currency")
    reason: str | None = Field(default=None, max_length=200)


def state_of(word: str) -> TrackingState | None:
    return STATUS_WORDS.get(" ".join(word.strip().lower().split()))


class JsonWebhookAdapter:
    """Reads the generic JSON shape above; one instance per courier code."""

    def __init__(self, courier: str = "generic") -> None:
        self.courier = courier

    def parse(self, payload: Mapping[str, Any] | list[Any]) -> list[CourierUpdate]:
        items = payload if isinstance(payload, list) else [payload]
        updates = []
        for i, item in enumerate(items):
            where = f"[{i}]." if isinstance(payload, list) else ""
            try:
                raw = WebhookUpdate.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                field = where + ".".join(str(p) for p in first["loc"])
                raise RuleBrokenError(first["msg"], field=field) from None
            state = state_of(raw.status)
            if state is None:
                raise RuleBrokenError(f"unknown courier status {raw.status!r}",
                                      field=f"{where}status")
            updates.append(CourierUpdate(
                resi=raw.resi, update_id=raw.update_id, status=state,
                courier_status=raw.status, occurred_at=_utc(raw.occurred_at),
                return_shipping_cost=(Money.idr(raw.return_shipping_cost)
                                      if raw.return_shipping_cost is not None else None),
                reason=raw.reason,
            ))
        return updates


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value.astimezone(UTC)
