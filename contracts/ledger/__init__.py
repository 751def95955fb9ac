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


EVENTS = [JournalEntryPosted]
