"""A lead: one person who clicked an ad and started a chat, from capture to won or lost.

Status runs ``new`` (captured, maybe assigned) -> ``contacted`` (first follow-up logged)
-> ``won`` (converted into an order) or ``lost``. A lead that is won or lost is closed:
it takes no more follow-ups, assignments or conversions.
"""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import EventPayload
from contracts.sales import (
    Attribution,
    ContactOutcome,
    LeadAssigned,
    LeadCaptured,
    LeadChannel,
    LeadConverted,
    LeadFollowedUp,
    LeadLost,
)
from eventkit.aggregate import Aggregate
from services.sales.domain import LeadClosedError, RuleBrokenError

# Outcomes after which talking on is pointless: the lead is lost with this reason.
LOSING_OUTCOMES: frozenset[str] = frozenset({"wrong_number", "not_interested", "fake"})


class Lead(Aggregate):
    aggregate_type = "lead"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.customer_id = ""
        self.status = "new"
        self.agent_id: str | None = None
        self.attempts = 0
        self.attribution = Attribution()
        self.product_id: str | None = None

    # -- commands ---------------------------------------------------------------------
    @classmethod
    def capture(
        cls,
        lead_id: str,
        *,
        customer_id: str,
        channel: LeadChannel,
        attribution: Attribution,
        product_id: str | None,
        linked_to_lead_id: str | None,
        contact_sealed: str,
        placed_at: datetime | None = None,
    ) -> Lead:
        """A new lead arrived from a chat click, a form or manual entry."""
        lead = cls(lead_id)
        lead.record(LeadCaptured(
            lead_id=lead_id, customer_id=customer_id, channel=channel,
            attribution=attribution, product_id=product_id,
            linked_to_lead_id=linked_to_lead_id, contact_sealed=contact_sealed,
            placed_at=placed_at,
        ))
        return lead

    def assign(self, agent_id: str, *, reason: str) -> None:
        """Hand the lead to a CS agent; the reason says which policy or why it moved."""
        self._require_open()
        if agent_id == self.agent_id:
            raise RuleBrokenError(f"lead {self.id} is already with agent {agent_id}",
                                  field="agent_id")
        self.record(LeadAssigned(
            lead_id=self.id, agent_id=agent_id, reason=reason,
            previous_agent_id=self.agent_id,
        ))

    def follow_up(self, outcome: ContactOutcome, *, next_at: datetime | None) -> None:
        """The agent contacted the lead; a losing outcome also loses the lead."""
        self._require_open()
        if self.agent_id is None:
            raise RuleBrokenError(f"lead {self.id} has no agent yet", field="lead_id")
        if outcome in LOSING_OUTCOMES:
            next_at = None
        self.record(LeadFollowedUp(
            lead_id=self.id, agent_id=self.agent_id, outcome=outcome,
            attempt=self.attempts + 1,
            next_follow_up_at=next_at.isoformat() if next_at else None,
        ))
        if outcome in LOSING_OUTCOMES:
            self.lose(outcome)

    def lose(self, reason: str) -> None:
        self._require_open()
        self.record(LeadLost(lead_id=self.id, agent_id=self.agent_id, reason=reason))

    def convert(self, order_id: str) -> None:
        """The lead was closed into an order."""
        self._require_open()
        self.record(LeadConverted(lead_id=self.id, order_id=order_id, agent_id=self.agent_id))

    @property
    def is_open(self) -> bool:
        return self.status in ("new", "contacted")

    def _require_open(self) -> None:
        if not self.is_open:
            raise LeadClosedError(self.id, self.status)

    # -- state --------------------------------------------------------------------------
    def apply(self, event: EventPayload) -> None:
        match event:
            case LeadCaptured():
                self.customer_id = event.customer_id
                self.attribution = event.attribution
                self.product_id = event.product_id
            case LeadAssigned():
                self.agent_id = event.agent_id
            case LeadFollowedUp():
                self.attempts = event.attempt
                self.status = "contacted"
            case LeadLost():
                self.status = "lost"
            case LeadConverted():
                self.status = "won"
            case _:
                raise NotImplementedError(f"Lead cannot apply {event.event_type}")
