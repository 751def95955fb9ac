"""The advertiser's test-to-scale rules, kept as data (one stream, newest wins)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from contracts.envelope import EventPayload
from contracts.marketing import ScaleRulesSet
from eventkit.aggregate import Aggregate
from services.marketing.domain.campaign import ScaleRules

RULES_ID = "scale-rules"


class ScaleRulesBook(Aggregate):
    aggregate_type: ClassVar[str] = "scale_rules"

    def __init__(self, aggregate_id: str = RULES_ID) -> None:
        super().__init__(aggregate_id)
        self.rules: ScaleRules | None = None

    def set(self, *, min_days: int | None, min_spend_x_max_cpl: Decimal | None,
            scale_step: Decimal) -> ScaleRules:
        rules = ScaleRules(min_days, min_spend_x_max_cpl, scale_step)  # checks the rule
        self.record(ScaleRulesSet(min_days=min_days, min_spend_x_max_cpl=min_spend_x_max_cpl,
                                  scale_step=scale_step))
        return rules

    def apply(self, event: EventPayload) -> None:
        if isinstance(event, ScaleRulesSet):
            self.rules = ScaleRules(event.min_days, event.min_spend_x_max_cpl,
                                    event.scale_step)
        else:
            super().apply(event)
