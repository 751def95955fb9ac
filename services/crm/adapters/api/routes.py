"""HTTP routes of the CRM: feedback, profiles and segments, suggestions, the task board."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from contracts.crm import FeedbackReceived
from contracts.envelope import Actor
from contracts.personal import seal
from eventkit.auth import Caller, division, reader
from eventkit.clock import utcnow
from eventkit.errors import ConflictError
from eventkit.tables import events
from services.crm.adapters.api import models as m
from services.crm.adapters.persistence import events as own_events
from services.crm.adapters.persistence import queries
from services.crm.domain.errors import ProfileNotFoundError, TaskNotFoundError
from services.crm.domain.sentiment import analyse
from services.crm.wiring import Deps

logger = logging.getLogger(__name__)

ALL_DIVISIONS = ("crm", "research", "pricing", "marketing", "sales", "fulfillment", "ledger")


def _deps(request: Request) -> Deps:
    return request.app.state.deps  # type: ignore[no-any-return]


def _actor(caller: Caller) -> Actor:
    role = caller.role if caller.role in ALL_DIVISIONS + ("owner",) else "crm"
    return Actor(user_id=caller.user_id, division=role)  # type: ignore[arg-type]


def build_router() -> APIRouter:
    router = APIRouter(tags=["crm"])

    # -- feedback ---------------------------------------------------------------------------
    @router.post("/feedback", response_model=m.FeedbackAccepted, status_code=201,
                 dependencies=[Depends(division("crm", "sales"))])
    async def give_feedback(body: m.GiveFeedback, request: Request,
                            caller: Caller = Depends(reader)) -> m.FeedbackAccepted:
        """Record a buyer's rating and comment; returns the sentiment and the words behind it.

        Sending the same ``feedback_id`` again changes nothing."""
        deps = _deps(request)
        feedback_id = body.feedback_id or str(uuid.uuid4())
        result = analyse(body.comment, body.language)
        async with deps.db.begin() as conn:
            # Free text may name people: seal it under the customer's key when we hold
            # one, so erasing the customer makes it unreadable on the log too. The
            # sentiment travels beside it (lexicon words only, no personal data).
            key = await deps.keyring.get(conn, body.customer_id) if body.customer_id else None
            payload = FeedbackReceived(
                feedback_id=feedback_id,
                **body.model_dump(exclude={"feedback_id", "comment"}),
                comment="" if key else body.comment,
                comment_sealed=seal(key, {"comment": body.comment}) if key else None,
                sentiment_label=result.label, sentiment_score=result.score,
                sentiment_matched=result.matched, topics=result.topics,
            )
            envelope = await own_events.record(
                conn, deps.store, payload, aggregate_id=feedback_id, occurred_at=utcnow(),
                actor=_actor(caller),
                event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"crm-feedback:{feedback_id}"))
            if envelope is not None:
                await deps.profiles.feedback_received(conn, envelope, payload)
                await deps.board.on_event(conn, envelope, payload)
            else:
                await _refuse_changed_feedback(conn, feedback_id, body)
        logger.info("feedback received", extra={"feedback_id": feedback_id})
        return m.FeedbackAccepted(feedback_id=feedback_id, label=result.label, score=result.score,
                                  matched=result.matched, topics=result.topics)

    async def _refuse_changed_feedback(conn: Any, feedback_id: str,
                                       body: m.GiveFeedback) -> None:
        """A repeat of recorded feedback is harmless; other content under its id is not."""
        stored = await conn.scalar(select(events.c.body).where(
            events.c.event_id == str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                f"crm-feedback:{feedback_id}"))))
        if stored is None:
            return
        before = json.loads(stored)["payload"]
        for field in ("rating", "customer_id", "order_id", "product_id", "language"):
            if before.get(field) != getattr(body, field, None):
                raise ConflictError(
                    f"feedback {feedback_id} is already recorded with another {field}",
                    field="feedback_id")

    @router.get("/feedback/summary", response_model=m.FeedbackSummary)
    async def feedback_summary(request: Request, product_id: str | None = None,
                               since: datetime | None = None, until: datetime | None = None,
                               _: Caller = Depends(reader)) -> m.FeedbackSummary:
        """Sentiment counts, topics and the most matched words, per product and period."""
        async with _deps(request).db.read() as conn:
            data = await queries.feedback_summary(conn, product_id=product_id, since=since,
                                                  until=until)
        return m.FeedbackSummary.model_validate(data)

    # -- profiles ---------------------------------------------------------------------------
    @router.get("/customers/{customer_id}", response_model=m.ProfileView)
    async def get_profile(customer_id: str, request: Request,
                          _: Caller = Depends(reader)) -> m.ProfileView:
        """One person's profile (over merged ids): orders, LTV per currency, RFM segment."""
        deps = _deps(request)
        async with deps.db.read() as conn:
            data = await queries.profile(conn, customer_id, keyring=deps.keyring,
                                         bands=deps.bands, currency=deps.settings.rfm_currency,
                                         now=utcnow())
        if data is None:
            raise ProfileNotFoundError(customer_id)
        return m.ProfileView.model_validate(data)

    @router.get("/customers/{customer_id}/suggestions", response_model=list[m.SuggestionView])
    async def get_suggestions(customer_id: str, request: Request,
                              _: Caller = Depends(reader)) -> list[m.SuggestionView]:
        """Reorder reminders and cross-sells for this customer, each with its reason."""
        deps = _deps(request)
        async with deps.db.read() as conn:
            if await queries.survivor_of(conn, customer_id) is None:
                raise ProfileNotFoundError(customer_id)
            found = await queries.suggestions_for(
                conn, customer_id, now=utcnow(),
                default_reorder_days=deps.settings.default_reorder_days,
                min_together=deps.settings.cross_sell_min_together)
        return [m.SuggestionView(**s.__dict__) for s in found]

    @router.get("/segments", response_model=dict[str, list[str]])
    async def get_segments(request: Request, _: Caller = Depends(reader)) -> dict[str, list[str]]:
        """Segment name -> customer ids (new, repeat, loyal, at_risk, lost, high_return_rate)."""
        deps = _deps(request)
        async with deps.db.read() as conn:
            return await queries.segments(conn, keyring=deps.keyring, bands=deps.bands,
                                          currency=deps.settings.rfm_currency, now=utcnow())

    @router.post("/profiles/merge", response_model=m.LinkDone,
                 dependencies=[Depends(division("crm"))])
    async def merge_profiles(body: m.LinkProfiles, request: Request,
                             caller: Caller = Depends(reader)) -> m.LinkDone:
        """Show ``merged_id`` as part of ``survivor_id`` (recorded as ProfilesMerged)."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.profiles.merge(conn, body.survivor_id, body.merged_id, body.reason,
                                      actor=_actor(caller), now=utcnow())
        return m.LinkDone(survivor_id=body.survivor_id, merged_id=body.merged_id, merged=True)

    @router.post("/profiles/unmerge", response_model=m.LinkDone,
                 dependencies=[Depends(division("crm"))])
    async def unmerge_profiles(body: m.LinkProfiles, request: Request,
                               caller: Caller = Depends(reader)) -> m.LinkDone:
        """Split a merged profile again (recorded as ProfilesUnmerged)."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.profiles.unmerge(conn, body.survivor_id, body.merged_id, body.reason,
                                        actor=_actor(caller), now=utcnow())
        return m.LinkDone(survivor_id=body.survivor_id, merged_id=body.merged_id, merged=False)

    # -- tasks ------------------------------------------------------------------------------
    async def _task_view(deps: Deps, task_id: str) -> m.TaskDetail:
        async with deps.db.read() as conn:
            data = await queries.task(conn, task_id, utcnow())
        if data is None:
            raise TaskNotFoundError(task_id)
        return m.TaskDetail.model_validate(data)

    @router.post("/tasks", response_model=m.TaskDetail, status_code=201,
                 dependencies=[Depends(division(*ALL_DIVISIONS))])
    async def plan_task(body: m.PlanTask, request: Request,
                        caller: Caller = Depends(reader)) -> m.TaskDetail:
        """Plan a manual task for a division; due in its SLA unless ``due_at`` is given."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            task_id = await deps.board.plan(conn, title=body.title, division=body.division,
                                            assignee=body.assignee, due_at=body.due_at,
                                            product_id=body.product_id, actor=_actor(caller),
                                            now=utcnow())
        return await _task_view(deps, task_id)

    @router.post("/tasks/{task_id}/assign", response_model=m.TaskDetail,
                 dependencies=[Depends(division(*ALL_DIVISIONS))])
    async def assign_task(task_id: str, body: m.AssignTask, request: Request,
                          caller: Caller = Depends(reader)) -> m.TaskDetail:
        """Give an open task to a member."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.board.assign(conn, task_id, body.assignee, actor=_actor(caller),
                                    now=utcnow())
        return await _task_view(deps, task_id)

    @router.post("/tasks/{task_id}/schedule", response_model=m.TaskDetail,
                 dependencies=[Depends(division(*ALL_DIVISIONS))])
    async def schedule_task(task_id: str, body: m.ScheduleTask, request: Request,
                            caller: Caller = Depends(reader)) -> m.TaskDetail:
        """Move an open task's due time."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.board.schedule(conn, task_id, body.due_at, actor=_actor(caller),
                                      now=utcnow())
        return await _task_view(deps, task_id)

    @router.post("/tasks/{task_id}/comments", response_model=m.TaskDetail,
                 dependencies=[Depends(division(*ALL_DIVISIONS))])
    async def comment_task(task_id: str, body: m.CommentTask, request: Request,
                           caller: Caller = Depends(reader)) -> m.TaskDetail:
        """Add a comment to a task (shows in the activity log)."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.board.comment(conn, task_id, body.text, actor=_actor(caller), now=utcnow())
        return await _task_view(deps, task_id)

    @router.post("/tasks/{task_id}/complete", response_model=m.TaskDetail,
                 dependencies=[Depends(division(*ALL_DIVISIONS))])
    async def complete_task(task_id: str, request: Request,
                            caller: Caller = Depends(reader)) -> m.TaskDetail:
        """Mark an open task done (409 if it is done already)."""
        deps = _deps(request)
        async with deps.db.begin() as conn:
            await deps.board.complete(conn, task_id, actor=_actor(caller), now=utcnow())
        return await _task_view(deps, task_id)

    @router.get("/tasks", response_model=list[m.TaskView])
    async def list_tasks(request: Request, division_name: str | None = Query(None, alias="division"),
                         status: str | None = None, product_id: str | None = None,
                         _: Caller = Depends(reader)) -> list[m.TaskView]:
        """Tasks by due time, filtered by division, status (open/done) or product."""
        async with _deps(request).db.read() as conn:
            rows = await queries.list_tasks(conn, now=utcnow(), division=division_name,
                                            status=status, product_id=product_id)
        return [m.TaskView.model_validate(r) for r in rows]

    @router.get("/tasks/{task_id}", response_model=m.TaskDetail)
    async def get_task(task_id: str, request: Request, _: Caller = Depends(reader)) -> m.TaskDetail:
        """One task with its activity."""
        return await _task_view(_deps(request), task_id)

    @router.get("/board/products", response_model=list[m.ProductStage])
    async def product_board(request: Request, _: Caller = Depends(reader)) -> list[m.ProductStage]:
        """Every product's current stage across the divisions, with its open tasks."""
        async with _deps(request).db.read() as conn:
            rows = await queries.product_board(conn, utcnow())
        return [m.ProductStage.model_validate(r) for r in rows]

    @router.get("/members/{member}/tasks", response_model=m.MemberTasks)
    async def member_tasks(member: str, request: Request,
                           _: Caller = Depends(reader)) -> m.MemberTasks:
        """A member's open, late and done tasks."""
        async with _deps(request).db.read() as conn:
            data = await queries.member_tasks(conn, member, utcnow())
        return m.MemberTasks.model_validate(data)

    @router.get("/members/{member}/activity", response_model=list[m.ActivityView])
    async def member_activity(member: str, request: Request, limit: int = Query(100, ge=1, le=1000),
                              _: Caller = Depends(reader)) -> list[m.ActivityView]:
        """What a member did on the board, newest first."""
        async with _deps(request).db.read() as conn:
            rows = await queries.member_activity(conn, member, limit)
        return [m.ActivityView.model_validate(r) for r in rows]

    return router
