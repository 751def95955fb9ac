"""The task board: open and close tasks from events, manual commands, escalation.

Every change is a crm event recorded through the EventStore; ``apply`` puts it in the
read model, once per event id (the activity row is the marker), whichever path brings it
first: the command's transaction, the projection that derived it, or crm.events.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.crm import (
    TaskAssigned,
    TaskCommented,
    TaskCompleted,
    TaskEscalated,
    TaskOpened,
    TaskScheduled,
)
from contracts.envelope import Actor, Envelope
from eventkit.store import EventStore
from services.crm.adapters.persistence import events as own_events
from services.crm.adapters.persistence.tables import activity, product_stages, task_closures, tasks
from services.crm.config import Settings
from services.crm.domain import tasks as rules
from services.crm.domain.errors import TaskAlreadyDoneError, TaskNotFoundError

logger = logging.getLogger(__name__)


@dataclass
class Board:
    store: EventStore
    settings: Settings

    # -- applying task events to the read model -----------------------------------------
    async def apply(self, conn: AsyncConnection, envelope: Envelope, payload: Any, *,
                    new_task: bool = False) -> None:
        """Put one task event in the read model (no-op when already applied).

        ``new_task``: the store held nothing of this task when the batch began and every
        event of it since is this batch's, so no activity or task row of it can exist.
        """
        event_id = str(envelope.event_id)
        if not new_task and await conn.scalar(
                select(activity.c.event_id).where(activity.c.event_id == event_id)):
            return
        at = envelope.occurred_at
        member, action, detail = envelope.actor.user_id, envelope.event_type, ""
        if isinstance(payload, TaskOpened):
            known = None if new_task else await conn.scalar(
                select(tasks.c.task_id).where(tasks.c.task_id == payload.task_id))
            if known is None:
                await conn.execute(insert(tasks).values(
                    task_id=payload.task_id, kind=payload.kind, title=payload.title,
                    division=payload.division, assignee=payload.assignee,
                    product_id=payload.product_id, subject_id=payload.subject_id,
                    opened_at=at, due_at=payload.due_at, sla_minutes=payload.sla_minutes,
                    status="open", escalated=False,
                ))
            member, action, detail = payload.assignee or member, "opened", payload.kind
        elif isinstance(payload, TaskCompleted):
            await conn.execute(update(tasks).where(tasks.c.task_id == payload.task_id)
                               .where(tasks.c.status == "open").values(
                status="done", completed_by=payload.completed_by,
                completed_at=payload.completed_at or at,
                closing_event_id=payload.closing_event_id))
            member, action = payload.completed_by, "completed"
        elif isinstance(payload, TaskAssigned):
            await conn.execute(update(tasks).where(tasks.c.task_id == payload.task_id)
                               .values(assignee=payload.assignee))
            member, action, detail = payload.assignee, "assigned", payload.assigned_by
        elif isinstance(payload, TaskScheduled):
            await conn.execute(update(tasks).where(tasks.c.task_id == payload.task_id)
                               .values(due_at=payload.due_at, escalated=False))
            member, action = payload.scheduled_by, "scheduled"
        elif isinstance(payload, TaskCommented):
            member, action, detail = payload.author, "commented", payload.text[:500]
        elif isinstance(payload, TaskEscalated):
            await conn.execute(update(tasks).where(tasks.c.task_id == payload.task_id)
                               .values(assignee=payload.escalated_to, escalated=True))
            member, action = payload.escalated_to, "escalated"
        else:
            raise NotImplementedError(f"task event {envelope.event_type} not applied")
        await conn.execute(insert(activity).values(
            event_id=event_id, member=member, task_id=payload.task_id, action=action,
            detail=detail, at=at))

    async def _record(self, conn: AsyncConnection, payload: Any, *, at: datetime,
                      actor: Actor = own_events.SYSTEM, event_id: uuid.UUID | None = None,
                      causation_id: uuid.UUID | None = None,
                      pending: own_events.Pending | None = None) -> None:
        envelope = await own_events.record(
            conn, self.store, payload, aggregate_id=payload.task_id, occurred_at=at,
            actor=actor, event_id=event_id, causation_id=causation_id, pending=pending)
        if envelope is not None:
            await self.apply(conn, envelope, payload,
                             new_task=pending is not None and payload.task_id in pending.fresh)

    # -- tasks from other services' events ------------------------------------------------
    async def prepare(self, conn: AsyncConnection, batch: list[tuple[Envelope, Any]],
                      pending: own_events.Pending) -> None:
        """Learn in one query which tasks this batch opens are new to the store."""
        task_ids = set()
        for envelope, payload in batch:
            rule = rules.OPENERS.get(envelope.event_type)
            if rule is not None and rules.subject_of(rule, payload):
                task_ids.add(rules.task_id_for(str(envelope.event_id), rule.kind))
        await pending.learn_empty(conn, task_ids)

    async def on_event(self, conn: AsyncConnection, envelope: Envelope, payload: Any,
                       pending: own_events.Pending | None = None) -> None:
        """Open the task this event starts, close those it finishes, move the stage.

        With ``pending`` (the projection's batch) the task events are appended at the
        end of the batch, not one by one.
        """
        event_type = envelope.event_type
        await self._move_stage(conn, envelope, payload)
        for rule in rules.CLOSERS.get(event_type, []):
            subject = rules.closing_subject(event_type, rule, payload)
            if subject:
                await self._close(conn, rule, subject, envelope, pending)
        rule = rules.OPENERS.get(event_type)
        if rule is not None:
            subject = rules.subject_of(rule, payload)
            if subject:
                await self._open(conn, rule, subject, envelope, payload, pending)

    async def _open(self, conn: AsyncConnection, rule: rules.TaskRule, subject: str,
                    envelope: Envelope, payload: Any,
                    pending: own_events.Pending | None = None) -> None:
        task_id = rules.task_id_for(str(envelope.event_id), rule.kind)
        sla = self.settings.sla_minutes.get(rule.kind, 24 * 60)
        opened = TaskOpened(
            task_id=task_id, kind=rule.kind, title=rule.title, division=rule.division,
            assignee=rules.assignee_for(rule.division, rule.kind, self.settings.assignees),
            due_at=rules.due_at(rule, envelope.occurred_at, sla_minutes=sla,
                                feedback_delay_days=self.settings.feedback_delay_days),
            sla_minutes=sla,
            product_id=getattr(payload, rule.product_field, None) if rule.product_field else None,
            subject_id=subject,
        )
        await self._record(conn, opened, at=envelope.occurred_at,
                           event_id=rules.derived_event_id(task_id, "opened"),
                           causation_id=envelope.event_id, pending=pending)
        closure = (await conn.execute(select(task_closures)
                   .where(task_closures.c.kind == rule.kind)
                   .where(task_closures.c.subject_id == subject))).first()
        if closure is not None:  # the closing event came first (another topic)
            await self._complete_auto(conn, task_id, closure.event_id,
                                      _aware(closure.occurred_at), closure.actor, pending)

    async def _close(self, conn: AsyncConnection, rule: rules.TaskRule, subject: str,
                     envelope: Envelope, pending: own_events.Pending | None = None) -> None:
        known = await conn.scalar(select(task_closures.c.event_id)
                                  .where(task_closures.c.kind == rule.kind)
                                  .where(task_closures.c.subject_id == subject))
        if known is None:
            await conn.execute(insert(task_closures).values(
                kind=rule.kind, subject_id=subject, event_id=str(envelope.event_id),
                occurred_at=envelope.occurred_at, actor=envelope.actor.user_id))
        else:
            return  # the first closing event already closed it
        open_ids = (await conn.execute(select(tasks.c.task_id).where(tasks.c.kind == rule.kind)
                    .where(tasks.c.subject_id == subject).where(tasks.c.status == "open"))).scalars().all()
        for task_id in open_ids:
            await self._complete_auto(conn, task_id, str(envelope.event_id),
                                      envelope.occurred_at, envelope.actor.user_id, pending)

    async def _complete_auto(self, conn: AsyncConnection, task_id: str, closing_event_id: str,
                             at: datetime, actor_id: str,
                             pending: own_events.Pending | None = None) -> None:
        done = TaskCompleted(task_id=task_id, completed_by=actor_id,
                             closing_event_id=closing_event_id, completed_at=at)
        await self._record(conn, done, at=at,
                           event_id=rules.derived_event_id(task_id, "completed"),
                           pending=pending)
        logger.info("task closed by event", extra={"task_id": task_id})

    async def _move_stage(self, conn: AsyncConnection, envelope: Envelope, payload: Any) -> None:
        stage = rules.STAGES.get(envelope.event_type)
        product_id = getattr(payload, "product_id", None)
        if stage is None or not product_id:
            return
        name, rank = stage
        row = (await conn.execute(select(product_stages.c.rank, product_stages.c.updated_at)
               .where(product_stages.c.product_id == product_id))).first()
        if row is None:
            await conn.execute(insert(product_stages).values(
                product_id=product_id, stage=name, rank=rank, updated_at=envelope.occurred_at))
        elif (rank, envelope.occurred_at) > (row.rank, _aware(row.updated_at)):
            await conn.execute(update(product_stages)
                               .where(product_stages.c.product_id == product_id)
                               .values(stage=name, rank=rank, updated_at=envelope.occurred_at))

    # -- manual tasks ----------------------------------------------------------------------
    async def plan(self, conn: AsyncConnection, *, title: str, division: str,
                   assignee: str | None, due_at: datetime | None, product_id: str | None,
                   actor: Actor, now: datetime, kind: str = "manual",
                   task_id: str | None = None, subject_id: str | None = None,
                   event_id: uuid.UUID | None = None) -> str:
        sla = self.settings.sla_minutes.get(kind, 24 * 60)
        task_id = task_id or str(uuid.uuid4())
        due = due_at or now + timedelta(minutes=sla)
        await self._record(conn, TaskOpened(
            task_id=task_id, kind=kind, title=title, division=division,
            assignee=assignee or rules.assignee_for(division, kind, self.settings.assignees),
            due_at=due, sla_minutes=sla, product_id=product_id, subject_id=subject_id,
        ), at=now, actor=actor, event_id=event_id)
        logger.info("task planned", extra={"task_id": task_id})
        return task_id

    async def _open_task(self, conn: AsyncConnection, task_id: str) -> Any:
        row = (await conn.execute(select(tasks).where(tasks.c.task_id == task_id))).first()
        if row is None:
            raise TaskNotFoundError(task_id)
        if row.status != "open":
            raise TaskAlreadyDoneError(task_id)
        return row

    async def assign(self, conn: AsyncConnection, task_id: str, assignee: str, *, actor: Actor,
                     now: datetime) -> None:
        await self._open_task(conn, task_id)
        await self._record(conn, TaskAssigned(task_id=task_id, assignee=assignee,
                                              assigned_by=actor.user_id), at=now, actor=actor)

    async def schedule(self, conn: AsyncConnection, task_id: str, due_at: datetime, *,
                       actor: Actor, now: datetime) -> None:
        await self._open_task(conn, task_id)
        await self._record(conn, TaskScheduled(task_id=task_id, due_at=due_at,
                                               scheduled_by=actor.user_id), at=now, actor=actor)

    async def comment(self, conn: AsyncConnection, task_id: str, text: str, *, actor: Actor,
                      now: datetime) -> None:
        if await conn.scalar(select(tasks.c.task_id).where(tasks.c.task_id == task_id)) is None:
            raise TaskNotFoundError(task_id)
        await self._record(conn, TaskCommented(task_id=task_id, author=actor.user_id, text=text),
                           at=now, actor=actor)

    async def complete(self, conn: AsyncConnection, task_id: str, *, actor: Actor,
                       now: datetime) -> None:
        await self._open_task(conn, task_id)
        await self._record(conn, TaskCompleted(task_id=task_id, completed_by=actor.user_id,
                                               completed_at=now), at=now, actor=actor)

    # -- escalation ------------------------------------------------------------------------
    async def escalate_late(self, conn: AsyncConnection, now: datetime) -> int:
        """Give every open task past its due time to the division's escalation owner."""
        late = (await conn.execute(select(tasks).where(tasks.c.status == "open")
                .where(tasks.c.escalated.is_(False)).where(tasks.c.due_at < now))).all()
        for row in late:
            to = self.settings.escalate_to.get(row.division, "owner")
            due = _aware(row.due_at)
            await self._record(conn, TaskEscalated(
                task_id=row.task_id, escalated_to=to,
                overdue_minutes=int((now - due).total_seconds() // 60),
            ), at=now, event_id=rules.derived_event_id(row.task_id, "escalated", str(due)))
            logger.warning("task escalated", extra={"task_id": row.task_id})
        return len(late)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
