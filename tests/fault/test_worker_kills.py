"""kill -9 the ledger and CRM workers at random points of a replay.

The workers are real subprocesses (``python -m services.<x>.entrypoints.worker``) on a
private broker. After the kills a last worker runs to the end; its trial balance (or
customer profiles) must equal a clean, uninterrupted replay of the same history: no
posting lost, none doubled. CI kills 3 times; ``--full`` kills 20 times.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from bench import kit
from bench.history import history
from eventkit.consumer import EventConsumer
from eventkit.db import Database
from eventkit.replay import replay_from_start
from eventkit.tables import metadata as eventkit_metadata
from eventkit.testing import unique

# The full form (20 kills, each waiting out the dead member's 10 s session) runs longer
# than the suite's 300 s default.
pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.timeout(1200)]


async def kill_during_replay(
    service: str, *, bootstrap: str, namespace: str, database_url: str, tokens: str,
    groups: dict[str, Any], kills: int, extra: dict[str, str], seed: int,
    catch_up_s: float = 240.0,
) -> int:
    """Start the worker, kill -9 it ``kills`` times at random moments while it is
    behind, then let a last one finish. Returns how many kills landed mid-replay."""
    rng = random.Random(seed)
    env = kit.service_env(service, bootstrap=bootstrap, namespace=namespace,
                          database_url=database_url, tokens=tokens, extra=extra)
    landed = 0
    for attempt in range(kills):
        worker = kit.Worker(service, env, f"fault-{service}-{namespace.strip('.')}")
        worker.start()
        # Start-up and the group join take a few seconds; kill somewhere after them. The
        # histories are long enough that the worker is still behind then (the ledger
        # applies several hundred events a second).
        await asyncio.sleep(rng.uniform(2.0, 6.0))
        behind = await _behind(bootstrap, groups)
        worker.kill()
        assert worker.proc is not None and worker.proc.returncode == -9
        landed += behind > 0
    worker = kit.Worker(service, env, f"fault-{service}-{namespace.strip('.')}")
    worker.start()
    try:
        await kit.wait_caught_up(bootstrap, groups, started_at=time.perf_counter(),
                                 timeout=catch_up_s, alive=worker.alive)
    finally:
        worker.stop()
    return landed


async def _behind(bootstrap: str, groups: dict[str, Any]) -> int:
    left = 0
    for group, ends in groups.items():
        offsets = await kit.committed(bootstrap, group)
        left += sum(end - min(offsets.get(tp, 0), end) for tp, end in ends.items())
    return left


async def trial_balance(url: str) -> tuple[list[Any], list[Any], int]:
    from services.ledger.adapters.persistence.tables import entries, lines

    db = Database(url, eventkit_metadata)
    try:
        async with db.read() as conn:
            balance = [tuple(r) for r in await conn.execute(
                select(lines.c.account, func.sum(lines.c.debit), func.sum(lines.c.credit))
                .group_by(lines.c.account).order_by(lines.c.account))]
            postings = [tuple(r) for r in await conn.execute(
                select(lines.c.entry_id, lines.c.line_no, lines.c.account, lines.c.debit,
                       lines.c.credit).order_by(lines.c.entry_id, lines.c.line_no))]
            sources = await conn.scalar(select(func.count(func.distinct(
                entries.c.source_event_id))))
    finally:
        await db.dispose()
    return balance, postings, int(sources or 0)


async def profiles_of(url: str) -> list[Any]:
    from services.crm.adapters.persistence.tables import orders, profiles

    db = Database(url, eventkit_metadata)
    try:
        async with db.read() as conn:
            people = [tuple(r) for r in await conn.execute(
                select(profiles).order_by(profiles.c.customer_id))]
            bought = [tuple(r) for r in await conn.execute(
                select(orders).order_by(orders.c.order_id))]
    finally:
        await db.dispose()
    return people + bought


@pytest.fixture
def kills(full: bool) -> int:
    return 20 if full else 3


async def test_ledger_killed_mid_replay_keeps_the_same_books(
    fault_kafka: str, new_pg_database: Any, tokens: Any, kills: int, full: bool
) -> None:
    from services.ledger import wiring
    from services.ledger.config import Settings

    namespace = unique("kill-ledger") + "."
    await kit.produce(fault_kafka, namespace, history(30_000 if full else 8_000, seed=3))
    ends = await kit.end_offsets(fault_kafka, kit.topic_names(namespace))
    group = unique("ledger.books.fault")

    clean_url = await new_pg_database("clean")
    deps = wiring.build(Settings(api_tokens=tokens[0], kafka_bootstrap_servers=fault_kafka,
                                 topic_namespace=namespace), database_url=clean_url)
    await deps.db.create_all()
    await replay_from_start(fault_kafka, [EventConsumer(p, deps.db)
                                              for p in wiring.projections(deps)],
                                kit.topic_names(namespace))
    await deps.db.dispose()

    killed_url = await new_pg_database("killed")
    landed = await kill_during_replay(
        "ledger", bootstrap=fault_kafka, namespace=namespace, database_url=killed_url,
        tokens=tokens[0], groups={group: ends}, kills=kills,
        extra={"LEDGER_PROJECTION_NAME": group}, seed=kills,
        catch_up_s=900 if full else 240)

    clean, killed = await trial_balance(clean_url), await trial_balance(killed_url)
    assert landed >= 1, "no kill landed while the worker was behind"
    assert killed[0] == clean[0]  # trial balance per account
    assert killed[1] == clean[1]  # every posting line, none doubled or missing
    assert killed[2] == clean[2] > 0


async def test_crm_killed_mid_replay_keeps_the_same_profiles(
    fault_kafka: str, new_pg_database: Any, tokens: Any, kills: int, full: bool
) -> None:
    from services.crm.config import Settings
    from services.crm.wiring import build

    namespace = unique("kill-crm") + "."
    await kit.produce(fault_kafka, namespace, history(6_000 if full else 1_500, seed=5))
    ends = await kit.end_offsets(fault_kafka, kit.topic_names(namespace))
    sales_fulfillment = {tp: e for tp, e in ends.items()
                         if tp.topic.endswith(("sales.events", "fulfillment.events"))}

    clean_url = await new_pg_database("clean")
    deps = build(Settings(api_tokens=tokens[0], kafka_bootstrap_servers=fault_kafka,
                          topic_namespace=namespace, database_url=clean_url))
    await deps.db.create_all()
    profiles_only = deps.projections(unique(".clean"))[0]
    await replay_from_start(fault_kafka, [EventConsumer(profiles_only, deps.db)],
                                kit.topic_names(namespace))
    await deps.db.dispose()

    killed_url = await new_pg_database("killed")
    # The CRM worker names its groups after the namespace: [namespace]crm.profiles, ...
    landed = await kill_during_replay(
        "crm", bootstrap=fault_kafka, namespace=namespace, database_url=killed_url,
        tokens=tokens[0], groups={f"{namespace}crm.profiles": sales_fulfillment,
                                  f"{namespace}crm.board": ends},
        kills=kills, extra={}, seed=kills + 1,
        catch_up_s=900 if full else 240)  # the CRM projects ~25-50 events/s here

    clean, killed = await profiles_of(clean_url), await profiles_of(killed_url)
    assert landed >= 1, "no kill landed while the worker was behind"
    assert len(clean) > 0
    assert killed == clean
