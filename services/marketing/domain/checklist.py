"""The advertiser's launch checklist of one product: what must be true before spending."""

from __future__ import annotations

from typing import ClassVar, Literal
from urllib.parse import urlparse

from contracts.envelope import EventPayload
from contracts.marketing import LaunchChecklistItemChecked
from eventkit.aggregate import Aggregate
from services.marketing.domain.errors import MarketingRuleBrokenError

Item = Literal["page_ready", "pixel_verified", "landing_page_live", "content_approved"]
ITEMS: tuple[Item, ...] = ("page_ready", "pixel_verified", "landing_page_live",
                           "content_approved")


def checklist_id_for(product_id: str) -> str:
    return f"checklist-{product_id}"


class LaunchChecklist(Aggregate):
    """Facebook page ready, pixel verified, landing page live, content approved."""

    aggregate_type: ClassVar[str] = "launch_checklist"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = ""
        self.done: dict[str, bool] = {item: False for item in ITEMS}
        self.landing_page_url: str | None = None
        self.pixel_id: str | None = None
        self.page_id: str | None = None

    @classmethod
    def for_product(cls, product_id: str) -> LaunchChecklist:
        checklist = cls(checklist_id_for(product_id))
        checklist.product_id = product_id
        return checklist

    def check(
        self, item: Item, *, done: bool = True, landing_page_url: str | None = None,
        pixel_id: str | None = None, page_id: str | None = None,
    ) -> None:
        if item == "landing_page_live" and done:
            parsed = urlparse(landing_page_url or "")
            if parsed.scheme != "https" or not parsed.netloc:
                raise MarketingRuleBrokenError(
                    "a live landing page needs its https URL", field="landing_page_url"
                )
        if item == "pixel_verified" and done and not pixel_id:
            raise MarketingRuleBrokenError("name the verified pixel", field="pixel_id")
        if item == "page_ready" and done and not page_id:
            raise MarketingRuleBrokenError("name the Facebook page", field="page_id")
        self.record(
            LaunchChecklistItemChecked(
                product_id=self.product_id, item=item, done=done,
                landing_page_url=landing_page_url, pixel_id=pixel_id, page_id=page_id,
            )
        )

    def missing(self) -> list[str]:
        return [item for item in ITEMS if not self.done[item]]

    def apply(self, event: EventPayload) -> None:
        if isinstance(event, LaunchChecklistItemChecked):
            self.product_id = event.product_id
            self.done[event.item] = event.done
            if event.item == "landing_page_live":
                self.landing_page_url = event.landing_page_url if event.done else None
            if event.item == "pixel_verified":
                self.pixel_id = event.pixel_id
            if event.item == "page_ready":
                self.page_id = event.page_id
        else:
            super().apply(event)
