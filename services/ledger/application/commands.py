"""The accountant's commands: reverse an entry (the only correction) and close a month."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor, new_envelope
from contracts.ledger import PeriodClosed
from eventkit.store import EventStore
from services.ledger.adapters.persistence.journal import (
    closed_periods, entry_id_for, place, record_entry,
)
from services.ledger.adapters.persistence.tables import entries, lines, periods
from services.ledger.domain.entry import Entry, Line
from services.ledger.domain.errors import AlreadyReversedError, EntryNotFoundError
from services.ledger.domain.periods import parse_period
from eventkit.errors import ConflictError

logger = logging.getLogger(__name__)


async def reverse_entry(
    conn: AsyncConnection, store: EventStore, *, entry_id: str, reason: str, today: date,
    now: datetime, actor: Actor,
) -> str:
    """Post the mirror of an entry, dated today (or the first open day); its id back."""
    head = (await conn.execute(select(entries).where(entries.c.entry_id == entry_id))
            ).mappings().first()
    if head is None:
        raise EntryNotFoundError(f"no journal entry {entry_id}", field="entry_id")
    if head["reverses_entry_id"] is not None:
        raise AlreadyReversedError(f"entry {entry_id} is itself a reversal",
                                   field="entry_id")
    source = f"reversal:{entry_id}"
    if await conn.scalar(select(entries.c.entry_id).where(
            entries.c.entry_id == entry_id_for(source))) is not None:
        raise AlreadyReversedError(f"entry {entry_id} was reversed already",
                                   field="entry_id")
    rows = (await conn.execute(select(lines).where(lines.c.entry_id == entry_id)
                               .order_by(lines.c.line_no))).mappings().all()
    original = Entry(
        entry_date=head["entry_date"], currency=head["currency"], memo=head["memo"],
        lines=tuple(Line(account=r["account"], debit=r["debit"], credit=r["credit"],
                         product_id=r["product_id"], campaign_id=r["campaign_id"],
                         order_id=r["order_id"]) for r in rows))
    mirror = place(original.reversed(entry_date=today, memo=f"reversal of {entry_id}"),
                   await closed_periods(conn))
    new_id = await record_entry(
        conn, store, mirror, source_event_id=source, source_event_type="Reversal",
        occurred_at=now, posted_at=now, reverses_entry_id=entry_id, reason=reason,
        actor=actor,
    )
    logger.info("entry reversed", extra={"entry_id": entry_id, "reversal_id": new_id})
    return new_id


async def close_period(
    conn: AsyncConnection, store: EventStore, *, period: str, now: datetime, actor: Actor,
) -> None:
    """Close a month: events dated in it from now on post into the next open month."""
    parse_period(period)
    if await conn.scalar(select(periods.c.period).where(periods.c.period == period)):
        raise ConflictError(f"period {period} is closed already", field="period")
    await conn.execute(insert(periods).values(period=period, closed_by=actor.user_id,
                                              closed_at=now))
    await store.append(conn, [new_envelope(
        PeriodClosed(period=period, closed_by=actor.user_id), aggregate_id=f"period-{period}",
        aggregate_version=1, actor=actor, occurred_at=now, event_id=uuid.uuid4(),
    )])
    logger.info("period closed", extra={"period": period})
