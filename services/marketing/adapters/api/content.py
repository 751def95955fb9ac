"""HTTP routes of the content creator: briefs, asset versions, review, approval."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from contracts.envelope import Actor
from contracts.marketing import AssetKind
from contracts.money import Money
from eventkit.auth import Caller, division, reader
from services.marketing.application import content
from services.marketing.application.deps import Deps
from services.marketing.domain.content import ContentBrief

router = APIRouter(tags=["content"])
Text = Field(min_length=1, max_length=2000)


def deps_of(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def actor_of(caller: Caller) -> Actor:
    return Actor(user_id=caller.user_id, division="marketing")


class BriefSummary(BaseModel):
    brief_id: str
    product_id: str
    price: Money
    approved: bool


class AssetView(BaseModel):
    asset_id: str
    version: int
    kind: AssetKind
    channel: str
    language: str
    hook: str
    body: str
    call_to_action: str
    verdict: str | None
    note: str
    approved: bool


class BriefView(BaseModel):
    brief_id: str
    product_id: str
    price: Money | None
    approvals: int
    assets: list[AssetView]


class DraftAsset(BaseModel):
    asset_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: AssetKind
    channel: str = Field(min_length=1, max_length=40)
    language: str = Field(min_length=2, max_length=12)
    hook: str = Text
    body: str = Text
    call_to_action: str = Field(min_length=1, max_length=200)


class DraftedView(BaseModel):
    brief_id: str
    asset_id: str
    version: int


class ReviewAsset(BaseModel):
    passed: bool
    note: str = Field(default="", max_length=2000)


class AssetRef(BaseModel):
    asset_id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)


class ApproveContent(BaseModel):
    assets: list[AssetRef] = Field(min_length=1)


def brief_view(brief: ContentBrief) -> BriefView:
    return BriefView(
        brief_id=brief.id, product_id=brief.product_id, price=brief.price,
        approvals=brief.approvals,
        assets=[AssetView(**vars(a)) for a in sorted(
            brief.assets.values(), key=lambda a: (a.asset_id, a.version))],
    )


@router.get("/briefs", response_model=list[BriefSummary])
async def list_briefs(request: Request, _: Caller = Depends(reader)) -> list[BriefSummary]:
    """Content briefs, one per product that has a price."""
    rows = await content.list_briefs(deps_of(request))
    return [BriefSummary(brief_id=str(r["brief_id"]), product_id=str(r["product_id"]),
                         price=Money(amount=int(r["price"]), currency=str(r["currency"])),  # type: ignore[call-overload]
                         approved=bool(r["approved"])) for r in rows]


@router.get("/briefs/{brief_id}", response_model=BriefView)
async def get_brief(brief_id: str, request: Request,
                    _: Caller = Depends(reader)) -> BriefView:
    """One brief with every asset version, its review verdict and approval."""
    return brief_view(await content.get_brief(deps_of(request), brief_id))


@router.post("/briefs/{brief_id}/assets", response_model=DraftedView, status_code=201,
             dependencies=[Depends(division("marketing"))])
async def draft_asset(brief_id: str, body: DraftAsset, request: Request,
                      caller: Caller = Depends(reader)) -> DraftedView:
    """Draft a new version of an ad or landing-page copy asset (versions count from 1)."""
    version = await content.draft_asset(deps_of(request), actor_of(caller), brief_id=brief_id,
                                        **body.model_dump())
    return DraftedView(brief_id=brief_id, asset_id=body.asset_id, version=version)


@router.post("/briefs/{brief_id}/assets/{asset_id}/versions/{version}/review",
             response_model=BriefView, dependencies=[Depends(division("marketing"))])
async def review_asset(brief_id: str, asset_id: str, version: int, body: ReviewAsset,
                       request: Request, caller: Caller = Depends(reader)) -> BriefView:
    """Pass an asset version, or request changes (a note is then required). Once only."""
    await content.review_asset(deps_of(request), actor_of(caller), brief_id=brief_id,
                               asset_id=asset_id, version=version, passed=body.passed,
                               note=body.note)
    return brief_view(await content.get_brief(deps_of(request), brief_id))


@router.post("/briefs/{brief_id}/approve", response_model=BriefView,
             dependencies=[Depends(division("marketing"))])
async def approve(brief_id: str, body: ApproveContent, request: Request,
                  caller: Caller = Depends(reader)) -> BriefView:
    """Approve passed asset versions (at least one ad copy): emits ContentApproved and
    ticks 'content approved' on the product's launch checklist."""
    brief = await content.approve_content(
        deps_of(request), actor_of(caller), brief_id=brief_id,
        assets=[(a.asset_id, a.version) for a in body.assets],
    )
    return brief_view(brief)
