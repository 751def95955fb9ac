"""Benchmarks: Lapak's paths beside raw baselines, measured in one run.

    python -m bench [--events 100000] [--quick] [--sqlite] [--bootstrap HOST:PORT]
                    [--write docs/benchmarks.md]

Prints five figures with their ratio to a raw baseline run beside them on the same
broker and database: (1) ledger and CRM projection rates vs a bare aiokafka reader,
(2) orders through the sales API vs a bare FastAPI insert, (3) order call -> journal
line latency vs a raw produce -> consume round trip, (4) rebuild of the books vs the raw
read, (5) each worker's peak RSS at two history lengths. Never asserted: these machines
are noisy, so the numbers are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import kit, paths, report
from bench.history import history
from eventkit.db import Database
from eventkit.outbox import OutboxRelay
from eventkit.tables import metadata as eventkit_metadata
from eventkit.testing import make_tokens
from lapak import stack

PRIVATE_PORT = 19492


@dataclass
class Results:
    rows: list[report.Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: report.Row) -> None:
        self.rows.append(row)
        print(report.format_row(row), flush=True)


async def replay(
    service: str, *, bootstrap: str, namespace: str, tokens: str, dbs: kit.Databases,
    ends_by_group: dict[str, dict], extra: dict[str, str], label: str,
) -> tuple[kit.Progress, int, str]:
    """Run the service's worker over the history; return progress, peak RSS, its DB URL."""
    url = await dbs.new(f"bench_{service}")
    env = kit.service_env(service, bootstrap=bootstrap, namespace=namespace,
                          database_url=url, tokens=tokens, extra=extra)
    worker = kit.Worker(service, env, f"{service}-{label}")
    started = time.perf_counter()
    worker.start()
    try:
        progress = await kit.wait_caught_up(bootstrap, ends_by_group, started_at=started,
                                            alive=worker.alive)
    finally:
        worker.stop()
    return progress, worker.peak_rss, url


async def run(args: argparse.Namespace) -> Results:
    results = Results()
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        print(f"starting a private Kafka broker on {PRIVATE_PORT}", flush=True)
        bootstrap = (await asyncio.to_thread(kit.private_kafka, PRIVATE_PORT)).bootstrap_servers
    pg = None if args.sqlite else stack.PostgresConfig.from_env()
    if pg is not None:
        await asyncio.to_thread(stack.start_postgres, pg)  # reuses a running cluster
    dbs = kit.Databases(pg.url() if pg else None)
    tokens, by_role = make_tokens()
    events = args.events
    lengths = sorted({max(events // 4, 1_000), events})
    results.notes.append(f"history lengths {lengths}; database "
                         f"{'SQLite (WAL)' if args.sqlite else 'PostgreSQL'}")
    run_id = uuid.uuid4().hex[:8]
    full_ns = ""
    raw_rate = 0.0
    ledger_url = ""
    ledger_group = f"ledger.books.bench.{run_id}"
    try:
        for length in lengths:
            namespace = f"bench-{run_id}-{length}."
            items = list(history(length))
            started = time.perf_counter()
            counts = await kit.produce(bootstrap, namespace, items)
            produce_rate = length / (time.perf_counter() - started)
            topics = kit.topic_names(namespace)
            ends = await kit.end_offsets(bootstrap, topics)
            print(f"-- history of {length:,} events produced ({produce_rate:,.0f}/s): "
                  f"{ {t.removeprefix(namespace): c for t, c in counts.items()} }", flush=True)
            if length == events:
                count, seconds = await kit.raw_consume(bootstrap, topics, length)
                raw_rate = count / seconds
                results.add(report.Row("raw aiokafka read (getmany + json.loads)",
                                       f"{raw_rate:,.0f} ev/s", "", "", ""))

            group = ledger_group if length == events else f"{ledger_group}.{length}"
            progress, ledger_rss, url = await replay(
                "ledger", bootstrap=bootstrap, namespace=namespace, tokens=tokens, dbs=dbs,
                ends_by_group={group: ends}, extra={"LEDGER_PROJECTION_NAME": group},
                label=f"{run_id}-{length}")
            sales_fulfillment = {tp: e for tp, e in ends.items()
                                 if tp.topic.endswith(("sales.events", "fulfillment.events"))}
            crm_progress, crm_rss, _ = await replay(
                "crm", bootstrap=bootstrap, namespace=namespace, tokens=tokens, dbs=dbs,
                ends_by_group={f"{namespace}crm.profiles": sales_fulfillment,
                               f"{namespace}crm.board": ends},
                extra={}, label=f"{run_id}-{length}")
            results.add(report.Row(f"(5) ledger worker peak RSS, {length:,} events",
                                   f"{ledger_rss / 2**20:,.0f} MiB", "", "", ""))
            results.add(report.Row(f"(5) crm worker peak RSS, {length:,} events",
                                   f"{crm_rss / 2**20:,.0f} MiB", "", "", ""))
            if length == events:
                full_ns, ledger_url = namespace, url
                results.add(report.ratio_row("(1) ledger projection", progress.rate,
                                             raw_rate, target=0.5))
                results.add(report.ratio_row("(1) crm projections (profiles + board)",
                                             crm_progress.rate, raw_rate, target=0.5))

        await rebuild_books(results, bootstrap=bootstrap, namespace=full_ns, tokens=tokens,
                            dbs=dbs, raw_rate=raw_rate)
        await write_path_and_latency(
            results, args, bootstrap=bootstrap, namespace=full_ns, tokens=tokens,
            by_role=by_role, dbs=dbs, ledger_url=ledger_url, ledger_group=ledger_group)
    finally:
        if not args.keep:
            await dbs.drop_all()
    return results


async def rebuild_books(results: Results, *, bootstrap: str, namespace: str, tokens: str,
                        dbs: kit.Databases, raw_rate: float) -> None:
    from services.ledger.config import Settings
    from services.ledger.rebuild import rebuild

    settings = Settings(api_tokens=tokens, kafka_bootstrap_servers=bootstrap,
                        topic_namespace=namespace)
    outcome = await rebuild(settings, database_url=await dbs.new("bench_rebuild"))
    results.add(report.ratio_row("(4) ledger rebuild from the full log",
                                 outcome.records / outcome.seconds, raw_rate, target=0.5))
    if outcome.still_parked:
        results.notes.append(f"rebuild left {outcome.still_parked} events parked")


async def write_path_and_latency(
    results: Results, args: argparse.Namespace, *, bootstrap: str, namespace: str,
    tokens: str, by_role: dict[str, str], dbs: kit.Databases, ledger_url: str,
    ledger_group: str,
) -> None:
    from aiokafka import AIOKafkaProducer

    from services.sales.config import Settings
    from services.sales.entrypoints.http import create_app

    orders = 300 if args.quick else 2_000
    samples = 30 if args.quick else 200
    concurrency = 8
    sales_url = await dbs.new("bench_sales")
    sales = create_app(Settings(api_tokens=tokens, kafka_bootstrap_servers=bootstrap,
                                database_url=sales_url, topic_namespace=namespace))
    bare = paths.bare_app(await dbs.new("bench_bare"))
    token = by_role["sales"]
    async with sales.router.lifespan_context(sales), paths.asgi_client(sales) as client:
        sales_db = sales.state.db
        await paths.set_sales_prices(sales_db)
        await paths.place_orders(client, token, 50, concurrency)  # warm-up
        async with bare.router.lifespan_context(bare), paths.asgi_client(bare) as raw:
            await paths.insert_rows(raw, 50, concurrency)
            bare_rate = await paths.insert_rows(raw, orders, concurrency)
        order_rate = await paths.place_orders(client, token, orders, concurrency,
                                              offset=100)
        results.add(report.ratio_row(f"(2) orders via sales API ({concurrency} in flight)",
                                     order_rate, bare_rate, target=0.5, unit="req/s",
                                     baseline="bare FastAPI one-row insert"))

        # (3) the sales relay and the ledger worker run; the order's journal line shows up
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                    enable_idempotence=True, linger_ms=5)
        await producer.start()

        async def send(topic: str, key: bytes, value: bytes | None) -> object:
            return await producer.send(topic, value, key=key)

        stop = asyncio.Event()
        relay = asyncio.create_task(OutboxRelay(sales_db, send, service="sales").run(stop))
        env = kit.service_env("ledger", bootstrap=bootstrap, namespace=namespace,
                              database_url=ledger_url, tokens=tokens,
                              extra={"LEDGER_PROJECTION_NAME": ledger_group})
        worker = kit.Worker("ledger", env, f"ledger-e2e-{ledger_group}")
        worker.start()
        ledger_db = Database(ledger_url, eventkit_metadata)
        try:
            await paths.journal_latencies(client, token, ledger_db, 3)  # drains the backlog
            api_part: list[float] = []
            found = await paths.journal_latencies(client, token, ledger_db, samples,
                                                  api_part)
        finally:
            worker.stop()
            stop.set()
            await relay
            await producer.stop()
            await ledger_db.dispose()
    raw_trips = await paths.raw_round_trips(bootstrap, namespace + "bench.roundtrip", samples)
    for q in (50, 99):
        mine, raw_q = paths.percentile(found, q), paths.percentile(raw_trips, q)
        results.add(report.latency_row(f"(3) order call -> journal line, p{q}", mine, raw_q,
                                       target=5.0 if q == 50 else None))
    results.notes.append(
        f"(3) of which the order API call itself: p50 "
        f"{paths.percentile(api_part, 50) * 1000:,.1f} ms, p99 "
        f"{paths.percentile(api_part, 99) * 1000:,.1f} ms; the rest is the outbox relay's"
        " poll (idle 50 ms), Kafka, the ledger's batch and the 5 ms visibility poll")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="history length")
    parser.add_argument("--quick", action="store_true",
                        help="10,000 events and fewer orders and samples")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files, not PostgreSQL")
    parser.add_argument("--bootstrap", help="use this broker, not a private one")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--write", type=Path, help="record the results in this markdown file")
    args = parser.parse_args()
    if args.quick and args.events == 100_000:
        args.events = 10_000
    results = asyncio.run(run(args))
    for note in results.notes:
        print("note:", note)
    if args.write:
        report.write(args.write, results.rows, results.notes, args)
        print(f"recorded in {args.write}")


if __name__ == "__main__":
    main()
