"""Events of the accountant's books (topic ``ledger.events``)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, Field

from contracts.envelope import EventPayload

TOPIC = "ledger.events"


class JournalLine(BaseModel):
    account: str
    debit: int = Field(ge=0, description="minor units of the entry's currency")
    credit: int = Field(ge=0, description="minor units of the entry's currency")


class JournalEntryPosted(EventPayload):
    producer: ClassVar[str] = "ledger"
    aggregate_type: ClassVar[str] = "journal_entry"
    event_type: ClassVar[str] = "JournalEntryPosted"

    entry_id: str
    source_event_id: str
    source_event_type: str
    posted_on: date
    period: str = Field(description="YYYY-MM of the open period it went into")
    currency: str
    lines: list[JournalLine] = Field(min_length=2)
    memo: str = ""
    reverses_entry_id: str | None = None
    original_date: date | None = Field(
        default=None, description="the event's own date when its period was closed"
    )
    reason: str | None = Field(default=None, description="why an entry was reversed")


class PeriodClosed(EventPayload):
    """The accountant closed a month; later events for it post into the next open one."""

    producer: ClassVar[str] = "ledger"
    aggregate_type: ClassVar[str] = "period"
    event_type: ClassVar[str] = "PeriodClosed"

    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    closed_by: str


EVENTS = [JournalEntryPosted, PeriodClosed]
