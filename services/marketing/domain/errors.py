"""Errors of the marketing service; each names the broken rule and carries ids only."""

from __future__ import annotations

from eventkit.errors import ConflictError, NotFoundError, RuleBrokenError


class MarketingRuleBrokenError(RuleBrokenError):
    """Base of marketing's rule errors (422)."""


class BriefNotFoundError(NotFoundError):
    def __init__(self, brief_id: str) -> None:
        super().__init__(f"no content brief {brief_id}", field="brief_id")


class CampaignNotFoundError(NotFoundError):
    def __init__(self, campaign_id: str) -> None:
        super().__init__(f"no campaign {campaign_id}", field="campaign_id")


class AssetVersionNotFoundError(NotFoundError):
    def __init__(self, asset_id: str, version: int) -> None:
        super().__init__(f"no version {version} of asset {asset_id}", field="asset_id")


class AssetNotPassedError(MarketingRuleBrokenError):
    def __init__(self, asset_id: str, version: int) -> None:
        super().__init__(
            f"asset {asset_id} v{version} has not passed review", field="assets"
        )


class AlreadyReviewedError(ConflictError):
    def __init__(self, asset_id: str, version: int) -> None:
        super().__init__(f"asset {asset_id} v{version} was already reviewed", field="version")


class ChecklistIncompleteError(MarketingRuleBrokenError):
    def __init__(self, product_id: str, missing: list[str]) -> None:
        super().__init__(
            f"launch checklist of {product_id} incomplete: {', '.join(missing)}",
            field="product_id",
        )
        self.missing = missing


class CampaignAlreadyLaunchedError(ConflictError):
    def __init__(self, campaign_id: str) -> None:
        super().__init__(f"campaign {campaign_id} already launched", field="campaign_id")
