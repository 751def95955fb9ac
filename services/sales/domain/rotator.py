"""The CS rotator: which agent gets the next lead.

Policies:
    round_robin  agents in id order, each after the one that got the last lead
    weighted     the agent furthest below their share: fewest assignments per weight
                 point (ties by id), so weights 2:1 give two leads to one
    sticky       a returning customer goes back to the agent who served them; a new
                 customer (or one whose agent is unavailable) goes round robin

Every policy skips agents who are inactive, off shift (shifts are WIB wall-clock times;
a shift whose end is before its start runs past midnight) or at their open-lead cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Literal

Policy = Literal["round_robin", "weighted", "sticky"]
POLICIES: tuple[str, ...] = ("round_robin", "weighted", "sticky")

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class AgentSlot:
    """An agent as the rotator sees them at one moment."""

    agent_id: str
    weight: int
    max_open_leads: int
    shift_start: time
    shift_end: time
    active: bool
    open_leads: int
    assigned_total: int

    def on_shift(self, at: datetime) -> bool:
        local = at.astimezone(WIB).time()
        if self.shift_start == self.shift_end:
            return True  # a 24-hour shift
        if self.shift_start < self.shift_end:
            return self.shift_start <= local < self.shift_end
        return local >= self.shift_start or local < self.shift_end

    def available(self, at: datetime) -> bool:
        return self.active and self.on_shift(at) and self.open_leads < self.max_open_leads


def choose_agent(
    policy: Policy,
    agents: Sequence[AgentSlot],
    *,
    at: datetime,
    last_agent_id: str | None,
    previous_agent_id: str | None = None,
    exclude: Iterable[str] = (),
) -> tuple[str, str] | None:
    """(agent id, reason) for the next lead, or None when nobody can take it."""
    excluded = set(exclude)
    ready = sorted(
        (a for a in agents if a.available(at) and a.agent_id not in excluded),
        key=lambda a: a.agent_id,
    )
    if not ready:
        return None
    if policy == "sticky":
        if previous_agent_id is not None:
            if any(a.agent_id == previous_agent_id for a in ready):
                return previous_agent_id, "sticky: returning customer"
            return _round_robin(ready, last_agent_id), "sticky: previous agent unavailable"
        return _round_robin(ready, last_agent_id), "sticky: new customer, round robin"
    if policy == "weighted":
        best = min(ready, key=lambda a: (a.assigned_total / max(a.weight, 1), a.agent_id))
        return best.agent_id, "weighted"
    if policy == "round_robin":
        return _round_robin(ready, last_agent_id), "round robin"
    raise NotImplementedError(f"rotator policy {policy!r}")


def _round_robin(ready: list[AgentSlot], last_agent_id: str | None) -> str:
    if last_agent_id is not None:
        for agent in ready:
            if agent.agent_id > last_agent_id:
                return agent.agent_id
    return ready[0].agent_id
