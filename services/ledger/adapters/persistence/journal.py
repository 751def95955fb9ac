"""Writing entries: the entry row, its lines in bulk, and JournalEntryPosted, in the
caller's transaction; and the periods an entry may go into."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor, Envelope, new_envelope
from contracts.ledger import JournalEntryPosted, JournalLine
from eventkit.store import EventStore
from services.ledger.domain.entry import Entry
from services.ledger.domain.periods import first_open_on_or_after, period_of
from services.ledger.adapters.persistence.tables import entries, lines, periods

# Entry ids and their event ids derive from the source event id, so a rebuild from
# Kafka gives the very same ids.
_NS = uuid.UUID("5b0c1f0e-7d4a-4f5e-9a51-6c2f1d3e8a70")
PROJECTION_ACTOR = Actor(user_id="ledger-projection", division="ledger")


def entry_id_for(source_event_id: str) -> str:
    return str(uuid.uuid5(_NS, source_event_id))


async def closed_periods(conn: AsyncConnection) -> set[str]:
    return {p for (p,) in await conn.execute(select(periods.c.period))}


def place(entry: Entry, closed: set[str]) -> Entry:
    """Into the entry's own period, or the first open one after it (keeping its date)."""
    target = first_open_on_or_after(entry.entry_date, closed)
    return entry if target == entry.entry_date else entry.moved_to(target)


@dataclass
class EntryRows:
    """What storing one entry writes: its row, its lines and its JournalEntryPosted."""

    entry_id: str
    entry: dict[str, Any]
    lines: list[dict[str, Any]]
    posted: Envelope


def entry_rows(
    entry: Entry,
    *,
    source_event_id: str,
    source_event_type: str,
    occurred_at: datetime,
    posted_at: datetime,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    reverses_entry_id: str | None = None,
    reason: str | None = None,
    actor: Actor = PROJECTION_ACTOR,
) -> EntryRows:
    """The rows of a balanced, placed entry, for the caller to write (alone or in bulk)."""
    entry_id = entry_id_for(source_event_id)
    period = period_of(entry.entry_date)
    row = dict(
        entry_id=entry_id, source_event_id=source_event_id,
        source_event_type=source_event_type, entry_date=entry.entry_date,
        original_date=entry.original_date, period=period, currency=entry.currency,
        memo=entry.memo, reverses_entry_id=reverses_entry_id, reason=reason,
        posted_at=posted_at,
    )
    line_rows = [
        {"entry_id": entry_id, "line_no": n, "account": line.account, "debit": line.debit,
         "credit": line.credit, "currency": entry.currency, "entry_date": entry.entry_date,
         "product_id": line.product_id, "campaign_id": line.campaign_id,
         "order_id": line.order_id}
        for n, line in enumerate(entry.lines, start=1)
    ]
    payload = JournalEntryPosted(
        entry_id=entry_id, source_event_id=source_event_id,
        source_event_type=source_event_type, posted_on=entry.entry_date, period=period,
        currency=entry.currency,
        lines=[JournalLine(account=line.account, debit=line.debit, credit=line.credit)
               for line in entry.lines],
        memo=entry.memo, reverses_entry_id=reverses_entry_id,
        original_date=entry.original_date, reason=reason,
    )
    posted = new_envelope(
        payload, aggregate_id=entry_id, aggregate_version=1, actor=actor,
        occurred_at=occurred_at, correlation_id=correlation_id, causation_id=causation_id,
        event_id=uuid.uuid5(_NS, f"posted:{entry_id}"),
    )
    return EntryRows(entry_id=entry_id, entry=row, lines=line_rows, posted=posted)


async def write_entries(conn: AsyncConnection, store: EventStore,
                        rows: Sequence[EntryRows]) -> None:
    """Entries, then their lines, then their JournalEntryPosted: one statement each."""
    if not rows:
        return
    await conn.execute(insert(entries), [r.entry for r in rows])
    await conn.execute(insert(lines), [line for r in rows for line in r.lines])
    await store.append(conn, [r.posted for r in rows])


async def record_entry(
    conn: AsyncConnection,
    store: EventStore,
    entry: Entry,
    **fields: Any,
) -> str:
    """Store a balanced, placed entry and queue its JournalEntryPosted; its id back.

    ``fields`` are those of ``entry_rows``.
    """
    rows = entry_rows(entry, **fields)
    await write_entries(conn, store, [rows])
    return rows.entry_id


def period_bounds(period: str) -> tuple[date, date]:
    from services.ledger.domain.periods import bounds

    return bounds(period)
