"""The content brief: versioned copy assets of one product, reviewed, then approved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from contracts.envelope import EventPayload
from contracts.marketing import (
    ApprovedAsset,
    AssetDrafted,
    AssetKind,
    AssetReviewed,
    ContentApproved,
    ContentBriefOpened,
)
from contracts.money import Money
from eventkit.aggregate import Aggregate
from services.marketing.domain.errors import (
    AlreadyReviewedError,
    AssetNotPassedError,
    AssetVersionNotFoundError,
    MarketingRuleBrokenError,
)


def brief_id_for(product_id: str) -> str:
    return f"brief-{product_id}"


@dataclass
class AssetVersion:
    asset_id: str
    version: int
    kind: AssetKind
    channel: str
    language: str
    hook: str
    body: str
    call_to_action: str
    verdict: str | None = None
    note: str = ""
    approved: bool = False


class ContentBrief(Aggregate):
    """One product's copy: every asset version ever drafted, its review and approval."""

    aggregate_type: ClassVar[str] = "content_brief"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = ""
        self.price: Money | None = None
        self.assets: dict[tuple[str, int], AssetVersion] = {}
        self.approvals = 0

    # -- commands -----------------------------------------------------------------
    @classmethod
    def open(cls, product_id: str, price: Money, price_event_id: str | None) -> ContentBrief:
        brief = cls(brief_id_for(product_id))
        brief.record(
            ContentBriefOpened(
                brief_id=brief.id, product_id=product_id, price=price,
                price_event_id=price_event_id,
            )
        )
        return brief

    def draft(
        self, *, asset_id: str, kind: AssetKind, channel: str, language: str,
        hook: str, body: str, call_to_action: str,
    ) -> int:
        """Add the next version of an asset; returns its version number."""
        versions = [v for (a, v) in self.assets if a == asset_id]
        if versions and self.assets[(asset_id, 1)].kind != kind:
            raise MarketingRuleBrokenError(
                f"asset {asset_id} is {self.assets[(asset_id, 1)].kind}, not {kind}",
                field="kind",
            )
        version = max(versions, default=0) + 1
        self.record(
            AssetDrafted(
                brief_id=self.id, asset_id=asset_id, version=version, kind=kind,
                channel=channel, language=language, hook=hook, body=body,
                call_to_action=call_to_action,
            )
        )
        return version

    def review(self, asset_id: str, version: int, *, passed: bool, note: str) -> None:
        asset = self._asset(asset_id, version)
        if asset.verdict is not None:
            raise AlreadyReviewedError(asset_id, version)
        if not passed and not note.strip():
            raise MarketingRuleBrokenError("say what must change", field="note")
        self.record(
            AssetReviewed(
                brief_id=self.id, asset_id=asset_id, version=version,
                verdict="passed" if passed else "changes_requested", note=note,
            )
        )

    def approve(self, chosen: list[tuple[str, int]]) -> None:
        """Approve asset versions that passed review; ContentApproved names them."""
        if not chosen:
            raise MarketingRuleBrokenError("name at least one asset version", field="assets")
        if len({a for a, _ in chosen}) != len(chosen):
            raise MarketingRuleBrokenError("one version per asset", field="assets")
        approved = []
        for asset_id, version in chosen:
            asset = self._asset(asset_id, version)
            if asset.verdict != "passed":
                raise AssetNotPassedError(asset_id, version)
            approved.append(ApprovedAsset(asset_id=asset_id, version=version, kind=asset.kind))
        if not any(a.kind == "ad_copy" for a in approved):
            raise MarketingRuleBrokenError("an ad copy asset must be approved", field="assets")
        self.record(
            ContentApproved(brief_id=self.id, product_id=self.product_id, assets=approved)
        )

    def _asset(self, asset_id: str, version: int) -> AssetVersion:
        asset = self.assets.get((asset_id, version))
        if asset is None:
            raise AssetVersionNotFoundError(asset_id, version)
        return asset

    # -- state ----------------------------------------------------------------------
    def apply(self, event: EventPayload) -> None:
        if isinstance(event, ContentBriefOpened):
            self.product_id = event.product_id
            self.price = event.price
        elif isinstance(event, AssetDrafted):
            self.assets[(event.asset_id, event.version)] = AssetVersion(
                asset_id=event.asset_id, version=event.version, kind=event.kind,
                channel=event.channel, language=event.language, hook=event.hook,
                body=event.body, call_to_action=event.call_to_action,
            )
        elif isinstance(event, AssetReviewed):
            asset = self.assets[(event.asset_id, event.version)]
            asset.verdict = event.verdict
            asset.note = event.note
        elif isinstance(event, ContentApproved):
            self.approvals += 1
            for item in event.assets:
                self.assets[(item.asset_id, item.version)].approved = True
        else:
            super().apply(event)
