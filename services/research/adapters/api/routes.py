"""HTTP routes of the research division."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from contracts.research import ResearchFileUpdated
from eventkit.auth import Caller, division, reader
from services.research.adapters.api.models import (
    Approve,
    Checklist,
    HistoryEntry,
    ProductSummary,
    ProductView,
    ProposeProduct,
    ReceiveStock,
    Reject,
    ResearchFile,
    VerdictView,
)
from services.research.adapters.persistence import tables
from services.research.application import handlers
from services.research.application.handlers import Deps
from services.research.domain.criteria import Criterion
from services.research.domain.errors import ApprovalRefusedError, ProductNotFoundError
from services.research.domain.product import Product, Stage

router = APIRouter(tags=["research"])
command = division("research")


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def _view(p: Product) -> ProductView:
    file = ResearchFile.model_validate(p.file.model_dump(exclude={"product_id"}))
    return ProductView(
        product_id=p.id, sku=p.sku, name=p.name, category=p.category,
        weight_grams=p.weight_grams, stage=p.stage, version=p.version, research_file=file,
        hpp=p.hpp, received_units=p.received_units, rejection_reason=p.rejection_reason,
        summary=p.summary,
    )


async def approval_refused(_: Request, exc: Exception) -> JSONResponse:
    """422 listing every failing mandatory criterion with its reason."""
    assert isinstance(exc, ApprovalRefusedError)
    detail = [
        {"loc": ["body", "criteria", name], "msg": reason, "type": "CriterionFailed"}
        for name, reason in exc.failures
    ]
    return JSONResponse({"detail": detail}, status_code=422)


@router.post("/products", response_model=ProductView, status_code=201,
             dependencies=[Depends(command)])
async def propose(body: ProposeProduct, request: Request,
                  caller: Caller = Depends(command)) -> ProductView:
    """Put a product candidate forward for research. The sku must be new (409 otherwise)."""
    product = await handlers.propose_product(
        _deps(request), caller, sku=body.sku, name=body.name, weight_grams=body.weight_grams,
        category=body.category,
    )
    return _view(product)


@router.put("/products/{product_id}/research-file", response_model=ProductView,
            dependencies=[Depends(command)])
async def write_file(product_id: str, body: ResearchFile, request: Request,
                     caller: Caller = Depends(command)) -> ProductView:
    """Replace the product's research file (market notes, competitors, suppliers, stock,
    evidence). Amounts are whole rupiah. Refused with 409 once the product is decided."""
    research_file = ResearchFileUpdated(product_id=product_id, **body.model_dump())
    product = await handlers.write_research_file(_deps(request), caller, product_id,
                                                 research_file)
    return _view(product)


@router.post("/products/{product_id}/approve", response_model=ProductView,
             dependencies=[Depends(command)],
             responses={422: {"description": "every failing mandatory criterion"}})
async def approve(product_id: str, body: Approve, request: Request,
                  caller: Caller = Depends(command)) -> ProductView:
    """Approve the product for sale and publish ProductApproved (HPP, weight, stock,
    summary). 422 lists each failing mandatory criterion; 409 if already decided."""
    product = await handlers.approve_product(_deps(request), caller, product_id,
                                             summary=body.summary)
    return _view(product)


@router.post("/products/{product_id}/reject", response_model=ProductView,
             dependencies=[Depends(command)])
async def reject(product_id: str, body: Reject, request: Request,
                 caller: Caller = Depends(command)) -> ProductView:
    """Reject the product with a reason (ProductRejected); 409 if already decided."""
    product = await handlers.reject_product(_deps(request), caller, product_id,
                                            reason=body.reason)
    return _view(product)


@router.post("/products/{product_id}/deliveries", response_model=ProductView,
             status_code=201, dependencies=[Depends(command)])
async def receive(product_id: str, body: ReceiveStock, request: Request,
                  caller: Caller = Depends(command)) -> ProductView:
    """Book a supplier delivery of an approved product (StockReceived, for the ledger).
    A delivery id is booked once (409 on repeat)."""
    product = await handlers.receive_stock(
        _deps(request), caller, product_id, delivery_id=body.delivery_id,
        quantity=body.quantity, unit_cost=body.cost(),
        supplier_name=body.supplier_name, paid_with=body.paid_with,
    )
    return _view(product)


@router.get("/products", response_model=list[ProductSummary], dependencies=[Depends(reader)])
async def list_products(request: Request,
                        stage: Stage | None = Query(default=None)) -> list[ProductSummary]:
    """Products in one stage (candidate, researching, approved, rejected), newest first."""
    async with _deps(request).db.read() as conn:
        rows = await tables.by_stage(conn, stage)
    return [ProductSummary.model_validate(r) for r in rows]


@router.get("/products/{product_id}", response_model=ProductView,
            dependencies=[Depends(reader)])
async def get_product(product_id: str, request: Request) -> ProductView:
    """One product with its research file, rebuilt from its events."""
    deps = _deps(request)
    async with deps.db.read() as conn:
        product = await deps.products.get(conn, product_id)
    if product is None:
        raise ProductNotFoundError(product_id)
    return _view(product)


@router.get("/products/{product_id}/checklist", response_model=Checklist,
            dependencies=[Depends(reader)])
async def checklist(product_id: str, request: Request) -> Checklist:
    """How the approval checklist judges the product right now (records nothing)."""
    product, verdicts = await handlers.check_product(_deps(request), product_id)
    views = [VerdictView(**v.__dict__) for v in verdicts]
    return Checklist(product_id=product.id, verdicts=views,
                     approvable=all(v.passed for v in verdicts if v.mandatory))


@router.get("/products/{product_id}/history", response_model=list[HistoryEntry],
            dependencies=[Depends(reader)])
async def history(product_id: str, request: Request) -> list[HistoryEntry]:
    """Every event of the product, oldest first: who did what, when."""
    deps = _deps(request)
    async with deps.db.read() as conn:
        envelopes = await deps.products.store.load(conn, product_id)
    if not envelopes:
        raise ProductNotFoundError(product_id)
    return [HistoryEntry(version=e.aggregate_version, event_type=e.event_type,
                         schema_version=e.schema_version, occurred_at=e.occurred_at,
                         actor=e.actor, payload=e.payload) for e in envelopes]


@router.get("/criteria", response_model=list[Criterion], dependencies=[Depends(reader)])
async def criteria(request: Request) -> list[Criterion]:
    """The approval checklist in force (set in RESEARCH_APPROVAL_CRITERIA)."""
    return _deps(request).criteria

