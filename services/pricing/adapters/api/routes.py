"""HTTP routes of the finance (pricing) division."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from eventkit.auth import Caller, division, reader
from services.pricing.adapters.api.models import (
    PriceHistoryEntry,
    Priced,
    PriceRequest,
    QuoteView,
    WorksheetView,
)
from services.pricing.application import handlers
from services.pricing.application.handlers import Deps
from services.pricing.domain.errors import WorksheetNotFoundError
from contracts.pricing import PriceSet
from services.pricing.domain.worksheet import Targets, Worksheet

router = APIRouter(tags=["pricing"])
command = division("pricing")


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def _view(w: Worksheet) -> WorksheetView:
    return WorksheetView(product_id=w.id, sku=w.sku, name=w.name, hpp=w.hpp,
                         weight_grams=w.weight_grams, version=w.version, inputs=w.inputs,
                         price=w.price, kpi_targets=w.kpis)


def _targets(body: PriceRequest) -> Targets:
    return Targets(closing_rate_percent=body.kpi.closing_rate_percent,
                   orders_per_day=body.kpi.orders_per_day)


@router.post("/worksheets/{product_id}/price", response_model=Priced,
             dependencies=[Depends(command)])
async def set_price(product_id: str, body: PriceRequest, request: Request,
                    caller: Caller = Depends(command)) -> Priced:
    """Price an approved product and set its KPI targets; publishes PriceSet (with the
    previous price) and KpiTargetsSet. The price always covers every cost at the target
    margin: a strategy that cannot is refused (422 naming the field). 404 for a product
    research has not approved, 422 for one it rejected."""
    worksheet, result = await handlers.price_product(
        _deps(request), caller, product_id, costs=body.costs.model_dump(),
        strategy=body.strategy, rounding=body.rounding, targets=_targets(body),
        effective_from=body.effective_from,
    )
    return Priced(worksheet=_view(worksheet),
                  quote=QuoteView.of(result, worksheet.hpp.currency))


@router.post("/worksheets/{product_id}/preview", response_model=QuoteView,
             dependencies=[Depends(reader)])
async def preview(product_id: str, body: PriceRequest, request: Request) -> QuoteView:
    """What these inputs would price the product at; records and publishes nothing."""
    result, currency = await handlers.preview_price(
        _deps(request), product_id, costs=body.costs.model_dump(), strategy=body.strategy,
        rounding=body.rounding, targets=_targets(body),
    )
    return QuoteView.of(result, currency)


@router.get("/worksheets/{product_id}", response_model=WorksheetView,
            dependencies=[Depends(reader)])
async def get_worksheet(product_id: str, request: Request) -> WorksheetView:
    """The product's worksheet, rebuilt from its events."""
    deps = _deps(request)
    async with deps.db.read() as conn:
        worksheet = await handlers.load_worksheet(deps, conn, product_id)
    return _view(worksheet)


@router.get("/worksheets/{product_id}/prices", response_model=list[PriceHistoryEntry],
            dependencies=[Depends(reader)])
async def price_history(product_id: str, request: Request) -> list[PriceHistoryEntry]:
    """Every price the product has had, oldest first, each with the price before it."""
    deps = _deps(request)
    async with deps.db.read() as conn:
        envelopes = await deps.worksheets.store.load(conn, product_id)
    if not envelopes:
        raise WorksheetNotFoundError(product_id)
    return [PriceHistoryEntry(version=e.aggregate_version, occurred_at=e.occurred_at,
                              set_by=e.actor.user_id, price=PriceSet.model_validate(e.payload))
            for e in envelopes if e.event_type == "PriceSet"]
