"""CS agents and the rotator's policy: data the sales lead manages through the API."""

from __future__ import annotations

import logging
from typing import Any

from services.sales.application.ports import Deps
from services.sales.domain.rotator import Policy

logger = logging.getLogger(__name__)


async def save_agent(agent_id: str, values: dict[str, Any], deps: Deps) -> dict[str, Any]:
    """Add or change an agent: weight, open-lead cap, shift (WIB), active."""
    async with deps.db.begin() as conn:
        row = await deps.read_model.save_agent(conn, agent_id, **values)
    logger.info("agent saved", extra={"agent_id": agent_id})
    return row


async def set_policy(policy: Policy, deps: Deps) -> None:
    """Switch the rotator's policy for every lead from now on."""
    async with deps.db.begin() as conn:
        await deps.read_model.set_rotator_policy(conn, policy)
    logger.info("rotator policy set", extra={"policy": policy})


async def current_policy(deps: Deps) -> Policy:
    async with deps.db.read() as conn:
        return await deps.read_model.rotator_policy(conn, deps.settings.rotator_policy)
