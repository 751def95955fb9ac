"""The CRM's consumers: customer profiles, and the task board with product stages."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope
from eventkit.consumer import HandlerContext, Projection
from services.crm.adapters.persistence import events as own_events
from services.crm.application.board import Board
from services.crm.application.profiles import Profiles, serialise
from services.crm.domain import tasks as rules

TASK_EVENTS = ("TaskOpened", "TaskCompleted", "TaskAssigned", "TaskScheduled",
               "TaskCommented", "TaskEscalated")


def profiles_projection(name: str, topics: list[str], profiles: Profiles) -> Projection:
    async def lock_profiles(ctx: HandlerContext, events: list[tuple[Envelope, Any]]) -> None:
        # Once per batch, outside the events' savepoints (see ``serialise``).
        if events:
            await serialise(ctx.conn, for_transaction=True)

    proj = Projection(name=name, topics=topics, handlers={}, on_batch_start=lock_profiles)

    @proj.on("LeadCaptured")
    async def lead_captured(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await profiles.lead_captured(ctx.conn, env, p)
        ctx.provide(f"profile:{p.customer_id}")

    @proj.on("OrderPlaced")
    async def order_placed(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await profiles.order_placed(ctx.conn, env, p)
        ctx.provide(f"order:{p.order_id}")
        ctx.provide(f"profile:{p.customer_id}")

    @proj.on("Shipped", "Delivered", "ReturnedToSender", "OrderCancelled")
    async def order_moved(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        status = {"Shipped": "shipped", "Delivered": "delivered",
                  "ReturnedToSender": "returned", "OrderCancelled": "cancelled"}[env.event_type]
        customer_id = await profiles.order_moved(ctx.conn, p.order_id, status, env.occurred_at)
        ctx.provide(f"profile:{customer_id}")

    @proj.on("ComplaintOpened")
    async def complaint_opened(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        customer_id = await profiles.complaint_opened(ctx.conn, env, p)
        ctx.provide(f"complaint:{p.complaint_id}")
        ctx.provide(f"profile:{customer_id}")

    @proj.on("ComplaintResolved")
    async def complaint_resolved(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await profiles.complaint_resolved(ctx.conn, env, p)

    @proj.on("FeedbackReceived")
    async def feedback_received(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await own_events.import_own(ctx.conn, env)
        await profiles.feedback_received(ctx.conn, env, p)
        if p.customer_id:  # every path that creates a profile releases what waits on it
            ctx.provide(f"profile:{p.customer_id}")

    @proj.on("ProfilesMerged", "ProfilesUnmerged")
    async def link_changed(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await own_events.import_own(ctx.conn, env)
        await profiles.link_changed(ctx.conn, p)

    return proj


def board_projection(name: str, topics: list[str], board: Board) -> Projection:
    """Task events derived in a batch are appended at its end (``own_events.Pending``)."""

    def pending_of(ctx: HandlerContext) -> own_events.Pending:
        pending = ctx.batch.get("crm.pending")
        if pending is None:
            pending = ctx.batch["crm.pending"] = own_events.Pending()
        assert isinstance(pending, own_events.Pending)
        return pending

    async def flush(ctx: HandlerContext) -> None:
        pending = ctx.batch.get("crm.pending")
        if isinstance(pending, own_events.Pending):
            await pending.flush(ctx.conn, board.store)

    async def on_batch_start(ctx: HandlerContext, events: list[tuple[Envelope, Any]]) -> None:
        await board.prepare(ctx.conn, events, pending_of(ctx))

    proj = Projection(name=name, topics=topics, handlers={}, flush=flush,
                      on_batch_start=on_batch_start)
    triggers = set(rules.OPENERS) | set(rules.CLOSERS) | set(rules.STAGES)

    async def on_trigger(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await board.on_event(ctx.conn, env, p, pending_of(ctx))

    for event_type in sorted(triggers - {"FeedbackReceived"}):
        proj.handlers[event_type] = on_trigger

    @proj.on("FeedbackReceived")
    async def feedback(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        # The profiles projection keeps FeedbackReceived in the store; one importer per
        # event type, so the two consumers never wait on each other's rows.
        await board.on_event(ctx.conn, env, p, pending_of(ctx))

    @proj.on(*TASK_EVENTS)
    async def task_event(ctx: HandlerContext, env: Envelope, p: Any) -> None:
        await own_events.import_own(ctx.conn, env, pending_of(ctx), board.store)
        await board.apply(ctx.conn, env, p)

    return proj
