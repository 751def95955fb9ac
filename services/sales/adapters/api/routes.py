"""HTTP routes of the sales division: leads, agents, follow-ups, orders, erasure, reports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from contracts.envelope import Actor
from contracts.money import Money
from eventkit.auth import Caller, division, reader
from services.sales.adapters.api.models import (
    AgentIn,
    AgentView,
    AssignIn,
    CancelIn,
    ClosingRateRow,
    ContactView,
    DueFollowUp,
    ErasureOut,
    FirstResponseRow,
    FollowUpIn,
    LeadIn,
    LeadOut,
    LeadView,
    LossIn,
    MarketplaceOrderIn,
    MarketplaceOrderOut,
    OrderIn,
    OrderOut,
    OrderView,
    PipelineRow,
    PriceView,
    RotatorIn,
    RotatorView,
)
from services.sales.adapters.persistence import queries
from services.sales.application import agents, customers, leads, marketplace, orders
from services.sales.application.ports import Deps
from services.sales.domain import LeadNotFoundError, NotFoundError, OrderNotFoundError
from services.sales.domain.order import PricedItem

router = APIRouter(tags=["sales"])
SALES = [Depends(division("sales"))]


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]
SalesCaller = Annotated[Caller, Depends(division("sales"))]


def _actor(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, division="owner" if caller.role == "owner" else "sales")


# -- leads -----------------------------------------------------------------------------
@router.post("/leads", response_model=LeadOut, status_code=201, dependencies=SALES)
async def capture_lead(body: LeadIn, deps: DepsDep, caller: SalesCaller) -> LeadOut:
    """Record a lead from a chat click, form or manual entry and hand it to an agent.

    The phone is normalised to +62...; a phone with an open lead inside the duplicate
    window gives a lead linked to that one (``linked_to_lead_id``), not a second lead.
    """
    done = await leads.capture_lead(
        leads.CaptureLead(name=body.name, phone=body.phone, channel=body.channel,
                          attribution=body.attribution, product_id=body.product_id),
        deps, _actor(caller))
    return LeadOut(**done.__dict__)


@router.get("/leads", response_model=list[LeadView])
async def list_leads(
    deps: DepsDep,
    caller: Caller = Depends(reader),
    agent_id: str | None = None,
    status: Literal["new", "contacted", "won", "lost", "linked"] | None = None,
    campaign_id: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[LeadView]:
    """Leads, newest first, filtered by agent, status or campaign (an agent's queue)."""
    async with deps.db.read() as conn:
        rows = await queries.list_leads(conn, agent_id=agent_id, status=status,
                                        campaign_id=campaign_id, limit=limit)
    return [_lead_view(row, caller) for row in rows]


def _lead_view(row: dict[str, object], caller: Caller) -> LeadView:
    contact = None
    if caller.role in ("sales", "owner"):
        contact = ContactView(name=row["contact_name"], phone=row["contact_phone"])  # type: ignore[arg-type]
    return LeadView(**row, contact=contact)  # type: ignore[arg-type]


@router.get("/leads/{lead_id}", response_model=LeadView)
async def get_lead(lead_id: str, deps: DepsDep, caller: Caller = Depends(reader)) -> LeadView:
    """A lead's place in the pipeline; name and phone only for sales and the owner."""
    async with deps.db.read() as conn:
        row = await queries.lead(conn, lead_id)
    if row is None:
        raise LeadNotFoundError(lead_id)
    return _lead_view(row, caller)


@router.post("/leads/{lead_id}/follow-ups", response_model=LeadView, dependencies=SALES)
async def log_follow_up(
    lead_id: str, body: FollowUpIn, deps: DepsDep, caller: SalesCaller
) -> LeadView:
    """Log a contact with its outcome. Wrong number, not interested and fake lose the
    lead; otherwise the next follow-up falls due by the cadence unless given."""
    await leads.follow_up(leads.FollowUp(lead_id, body.outcome, body.next_follow_up_at),
                          deps, _actor(caller))
    return await get_lead(lead_id, deps, caller)


@router.post("/leads/{lead_id}/loss", response_model=LeadView, dependencies=SALES)
async def lose_lead(lead_id: str, body: LossIn, deps: DepsDep, caller: SalesCaller) -> LeadView:
    """Give up on a lead, saying why."""
    await leads.lose_lead(lead_id, body.reason, deps, _actor(caller))
    return await get_lead(lead_id, deps, caller)


@router.get("/follow-ups/due", response_model=list[DueFollowUp])
async def due_follow_ups(
    deps: DepsDep, agent_id: str | None = None, _: Caller = Depends(reader)
) -> list[DueFollowUp]:
    """Open leads whose next follow-up time has come, oldest first."""
    async with deps.db.read() as conn:
        rows = await queries.due_follow_ups(conn, now=deps.clock(), agent_id=agent_id)
    return [DueFollowUp(**r) for r in rows]


# -- agents ----------------------------------------------------------------------------
@router.put("/agents/{agent_id}", response_model=AgentView, dependencies=SALES)
async def put_agent(agent_id: str, body: AgentIn, deps: DepsDep) -> AgentView:
    """Add or change a CS agent: weight, open-lead cap, shift (WIB), active."""
    row = await agents.save_agent(agent_id, body.model_dump(), deps)
    return AgentView(**row)


@router.put("/rotator", response_model=RotatorView, dependencies=SALES)
async def set_rotator(body: RotatorIn, deps: DepsDep) -> RotatorView:
    """Switch the policy that hands out new leads: round_robin, weighted or sticky."""
    await agents.set_policy(body.policy, deps)
    return await get_rotator(deps, None)  # type: ignore[arg-type]


@router.get("/rotator", response_model=RotatorView)
async def get_rotator(deps: DepsDep, _: Caller = Depends(reader)) -> RotatorView:
    """The rotator's policy in force and the timing settings around it."""
    policy = await agents.current_policy(deps)
    s = deps.settings
    return RotatorView(policy=policy, reassign_after_minutes=s.reassign_after_minutes,
                       duplicate_window_hours=s.duplicate_window_hours,
                       follow_up_cadence=s.follow_up_cadence)


@router.post("/leads/{lead_id}/assignment", response_model=LeadView, dependencies=SALES)
async def assign_lead(
    lead_id: str, body: AssignIn, deps: DepsDep, caller: SalesCaller
) -> LeadView:
    """Hand a lead to a chosen agent by hand (LeadAssigned, reason "manual by ...")."""
    await leads.assign_lead(lead_id, body.agent_id, deps, _actor(caller))
    return await get_lead(lead_id, deps, caller)


@router.get("/agents", response_model=list[AgentView])
async def list_agents(deps: DepsDep, _: Caller = Depends(reader)) -> list[AgentView]:
    """Every CS agent with their rotator settings."""
    async with deps.db.read() as conn:
        return [AgentView(**r) for r in await queries.all_agents(conn)]


# -- orders ----------------------------------------------------------------------------
@router.post("/orders", response_model=OrderOut, status_code=201, dependencies=SALES)
async def place_order(
    body: OrderIn,
    response: Response,
    deps: DepsDep,
    caller: SalesCaller,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=8,
                                           max_length=128)],
) -> OrderOut:
    """Close a lead (or a walk-in customer) into an order at today's prices.

    Send the same ``Idempotency-Key`` on a retry: the same body returns the first order
    (200); a different body under a used key is refused (409).
    """
    placed = await orders.place_order(
        orders.PlaceOrder(
            idempotency_key=idempotency_key, name=body.name, phone=body.phone,
            province=body.address.province, city=body.address.city,
            district=body.address.district, postal_code=body.address.postal_code,
            street=body.address.street,
            items=[orders.Item(i.product_id, i.quantity) for i in body.items],
            shipping_fee=body.shipping_fee, payment_method=body.payment_method,
            lead_id=body.lead_id, notes=body.notes, body=body.model_dump(mode="json"),
        ),
        deps, _actor(caller))
    if not placed.created:
        response.status_code = 200
    return OrderOut(order_id=placed.order_id, created=placed.created)


@router.post("/orders/marketplace", response_model=MarketplaceOrderOut, status_code=201,
             dependencies=SALES)
async def record_marketplace_order(
    body: MarketplaceOrderIn, response: Response, deps: DepsDep, caller: SalesCaller
) -> MarketplaceOrderOut:
    """Record a historical marketplace order: a lead of channel ``marketplace`` converted
    at once into the order, both dated ``placed_at``.

    Prices are the marketplace's own (no PriceSet needed) and every amount stays in the
    order's currency (BRL centavos for Olist). The same (marketplace, external_order_id)
    again returns the first ids (200, nothing recorded); a different body under it is
    refused (409). Cancel it through ``/orders/{order_id}/cancellation``.
    """
    done = await marketplace.record_marketplace_order(
        marketplace.RecordMarketplaceOrder(
            marketplace=body.marketplace, external_order_id=body.external_order_id,
            external_customer_id=body.external_customer_id, placed_at=body.placed_at,
            items=[PricedItem(i.product_id, i.quantity, i.unit_price) for i in body.items],
            shipping_fee=body.shipping_fee, payment_method=body.payment_method,
            destination=marketplace.MarketplaceDestination(
                country=body.destination.country, region=body.destination.region,
                city=body.destination.city, postal_code=body.destination.postal_code,
                district=body.destination.district),
            body=body.model_dump(mode="json"),
        ),
        deps, _actor(caller))
    if not done.created:
        response.status_code = 200
    return MarketplaceOrderOut(**done.__dict__)


@router.get("/orders/{order_id}", response_model=OrderView)
async def get_order(order_id: str, deps: DepsDep, _: Caller = Depends(reader)) -> OrderView:
    """An order's amounts, destination and status (no recipient details)."""
    async with deps.db.read() as conn:
        row = await queries.order(conn, order_id)
    if row is None:
        raise OrderNotFoundError(order_id)
    currency = row.get("currency") or "IDR"
    return OrderView(
        **{k: row[k] for k in OrderView.model_fields if k in row},
        subtotal=Money(amount=row["subtotal_idr"], currency=currency),
        shipping_fee=Money(amount=row["shipping_fee_idr"], currency=currency),
        total=Money(amount=row["total_idr"], currency=currency),
    )


@router.post("/orders/{order_id}/cancellation", response_model=OrderView, dependencies=SALES)
async def cancel_order(
    order_id: str, body: CancelIn, deps: DepsDep, caller: SalesCaller
) -> OrderView:
    """Cancel an order before it ships (409 once fulfillment has shipped it)."""
    await orders.cancel_order(order_id, body.reason, deps, _actor(caller))
    return await get_order(order_id, deps, caller)


@router.get("/prices", response_model=list[PriceView])
async def list_prices(deps: DepsDep, _: Caller = Depends(reader)) -> list[PriceView]:
    """Current price per product, as last set by pricing."""
    async with deps.db.read() as conn:
        rows = await queries.all_prices(conn)
    return [PriceView(product_id=r["product_id"], set_at=r["set_at"],
                      price=Money(amount=r["amount"], currency=r["currency"])) for r in rows]


# -- personal data ---------------------------------------------------------------------
@router.post("/customers/{customer_id}/erasure", response_model=ErasureOut, dependencies=SALES)
async def erase_customer(customer_id: str, deps: DepsDep) -> ErasureOut:
    """Forget a customer: wipe name, phone and address here and destroy their data key
    (crm and fulfillment follow the key's tombstone). Ids and amounts stay."""
    await customers.erase_customer(customer_id, deps)
    return ErasureOut(customer_id=customer_id, erased=True)


# -- reports ---------------------------------------------------------------------------
@router.get("/reports/pipeline", response_model=list[PipelineRow])
async def pipeline(
    deps: DepsDep, by: Literal["agent", "campaign"] = Query("agent"),
    _: Caller = Depends(reader),
) -> list[PipelineRow]:
    """Leads per status (new, contacted, won, lost) per agent or per campaign."""
    async with deps.db.read() as conn:
        return [PipelineRow(**r) for r in await queries.pipeline(conn, by)]


@router.get("/reports/first-response", response_model=list[FirstResponseRow])
async def first_response(deps: DepsDep, _: Caller = Depends(reader)) -> list[FirstResponseRow]:
    """Seconds from a lead's capture to its first follow-up, per responding agent."""
    async with deps.db.read() as conn:
        return [FirstResponseRow(**r) for r in await queries.first_response(conn)]


@router.get("/reports/closing-rate", response_model=list[ClosingRateRow])
async def closing_rate(
    deps: DepsDep, by: Literal["agent", "campaign", "ad", "product"] = Query("agent"),
    _: Caller = Depends(reader),
) -> list[ClosingRateRow]:
    """Leads closed into a (not cancelled) order over all unlinked leads, per agent,
    campaign, ad or product (with pricing's target closing rate)."""
    async with deps.db.read() as conn:
        return [ClosingRateRow(**r) for r in await queries.closing_rate(conn, by)]


__all__ = ["NotFoundError", "router"]
