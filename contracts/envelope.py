"""The envelope every Lapak event travels in, and the base of every payload.

An event on Kafka is one JSON object: the envelope's fields plus ``payload``, whose shape
is fixed by ``(event_type, schema_version)`` in the catalogue (``contracts.catalogue``).
Consumers ignore fields they do not know, so a producer may add optional fields within a
version; anything else is a new version with an upcaster.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Division = Literal[
    "research",
    "pricing",
    "marketing",
    "sales",
    "fulfillment",
    "ledger",
    "crm",
    "owner",
    "system",
]


class Actor(BaseModel):
    """Who caused the event: a person (user id) acting for a division, or a service."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    user_id: str = Field(min_length=1, max_length=64)
    division: Division


class EventPayload(BaseModel):
    """Base of every payload model. Unknown fields are ignored (forward compatible)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    producer: ClassVar[str]
    aggregate_type: ClassVar[str]


class Envelope(BaseModel):
    """Metadata common to every event, with the payload as plain JSON data."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: uuid.UUID
    event_type: str = Field(min_length=1, max_length=64)
    schema_version: int = Field(ge=1)
    aggregate_type: str = Field(min_length=1, max_length=64)
    aggregate_id: str = Field(min_length=1, max_length=64)
    aggregate_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    actor: Actor
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)

    @property
    def key(self) -> bytes:
        """Kafka key: the aggregate id, so one aggregate's events share a partition."""
        return self.aggregate_id.encode()


def new_envelope(
    payload: EventPayload,
    *,
    aggregate_id: str,
    aggregate_version: int,
    actor: Actor,
    occurred_at: datetime,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope:
    """Wrap a payload for the event store; the payload keeps its declared version."""
    return Envelope(
        event_id=event_id or uuid.uuid4(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        aggregate_type=payload.aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        occurred_at=occurred_at,
        correlation_id=correlation_id or uuid.uuid4(),
        causation_id=causation_id,
        actor=actor,
        payload=json.loads(payload.model_dump_json()),
    )
