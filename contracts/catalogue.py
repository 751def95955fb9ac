"""The event catalogue: every event type, its versions, its topic and its upcasters.

``read_payload`` is what consumers call: it upcasts an old version to the newest one the
code knows and validates it. A version newer than the code knows is read with the newest
model (unknown fields are ignored), which is the forward-compatibility rule: a new
version may only add optional fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts import crm, fulfillment, ledger, marketing, pricing, research, sales
from contracts.envelope import Envelope, EventPayload

PRODUCERS = {
    module.__name__.rsplit(".", 1)[1]: module
    for module in (research, pricing, marketing, sales, fulfillment, ledger, crm)
}

TOPICS: dict[str, str] = {name: module.TOPIC for name, module in PRODUCERS.items()}

ALL_VERSIONS: list[type[EventPayload]] = [
    event for module in PRODUCERS.values() for event in module.EVENTS
]

# (event_type, version) -> model
VERSIONS: dict[tuple[str, int], type[EventPayload]] = {
    (e.event_type, e.schema_version): e for e in ALL_VERSIONS
}

# event_type -> newest model
LATEST: dict[str, type[EventPayload]] = {}
for _event in ALL_VERSIONS:
    _known = LATEST.get(_event.event_type)
    if _known is None or _event.schema_version > _known.schema_version:
        LATEST[_event.event_type] = _event

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (event_type, from_version) -> function turning that version's payload into the next
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    # v2 only added the optional category; a v1 product had none.
    ("ProductApproved", 1): lambda payload: {**payload, "category": None},
}


class UnknownEventTypeError(ValueError):
    """No model for this event type exists in the catalogue."""


def topic_of(event_type: str) -> str:
    try:
        return TOPICS[LATEST[event_type].producer]
    except KeyError:
        raise UnknownEventTypeError(event_type) from None


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def upcast(event_type: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring an old payload up to the newest version this code knows."""
    latest = LATEST[event_type].schema_version
    while version < latest:
        step = UPCASTERS.get((event_type, version))
        if step is not None:
            payload = step(payload)
        version += 1
    return payload


def read_payload(envelope: Envelope) -> EventPayload:
    """The envelope's payload as the newest model of its type (validated)."""
    model = LATEST.get(envelope.event_type)
    if model is None:
        raise UnknownEventTypeError(envelope.event_type)
    payload = upcast(envelope.event_type, envelope.schema_version, envelope.payload)
    return model.model_validate(payload)
