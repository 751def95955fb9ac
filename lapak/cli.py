"""The `lapak` command: run the shop locally, import the bundled real data, report.

    lapak up        Kafka (unless KAFKA_BOOTSTRAP_SERVERS is set), 7 APIs, 7 workers,
                    the ops dashboard on :8100
    lapak status    health, consumer lag, outbox backlog and dead letters per service
    lapak import    the bundled real data through the services' public APIs
    lapak report    books and KPI funnel (tables, or CSV with --csv DIR)
    lapak demo      up + import + wait until caught up + report (+ down)
    lapak down      stop what `lapak up` started
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from lapak import processes as procs
from lapak import stack

app = typer.Typer(help="Lapak: the shop's operations platform, run locally.",
                  no_args_is_help=True, add_completion=False)
console = Console()


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine; an unreachable or refusing service ends with a clear message."""
    import httpx

    from lapak.client import ServiceCallError

    try:
        return asyncio.run(coro)
    except httpx.ConnectError:
        console.print("[red]a service does not answer[/]: is the stack up? (`lapak up`, "
                      "`lapak status`)")
        raise typer.Exit(2) from None
    except ServiceCallError as exc:
        console.print(f"[red]{exc.service} refused a call[/] ({exc.status}): {exc.body[:300]}")
        raise typer.Exit(3) from None


def _bootstrap() -> tuple[str, bool]:
    """Kafka to use, and whether this call started the local broker."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        return external, False
    console.print("[bold]kafka[/]: starting the local broker, or reusing the running one")
    started = stack.start_kafka()
    if started:
        procs.RUN_DIR.mkdir(parents=True, exist_ok=True)
        procs.STACK_MARK.write_text("kafka\n")
    return stack.kafka_bootstrap_servers(), started


@app.command()
def up(timeout: float = typer.Option(120.0, help="seconds to wait for /health/ready")) -> None:
    """Start Kafka, the seven services (API + worker each) and the ops dashboard."""
    try:
        bootstrap, _ = _bootstrap()
    except stack.StackError as exc:
        console.print(f"[red]kafka did not start:[/] {exc}")
        raise typer.Exit(1) from None
    tokens = procs.ensure_tokens()
    env = procs.service_env(tokens, bootstrap)
    for proc in procs.processes():
        pid = proc.start(env)
        console.print(f"  {proc.name:<20} pid {pid:<8} log {proc.log_file}")
    ready = procs.wait_ready(timeout)
    ready["dashboard"] = procs.dashboard_ready(timeout=15.0)
    missing = [name for name, ok in ready.items() if not ok]
    if missing:
        console.print(f"[red]not ready after {timeout:.0f} s:[/] {', '.join(missing)} "
                      f"(see var/run/<name>-api.log, var/run/dashboard.log)")
        raise typer.Exit(1)
    console.print(f"[green]all seven services ready[/]; kafka {bootstrap}; dashboard "
                  f"http://127.0.0.1:{procs.DASHBOARD_PORT}/ ; tokens in {procs.TOKENS_FILE}")


@app.command()
def down() -> None:
    """Stop the services, workers and dashboard; stop Kafka if `lapak up` started it."""
    stopped = procs.stop_all()
    console.print(f"stopped {len(stopped)} processes")
    if procs.STACK_MARK.exists():
        stack.stop_kafka()
        procs.STACK_MARK.unlink(missing_ok=True)
        console.print("stopped the local kafka broker")


async def _status_rows() -> dict[str, dict[str, object]]:
    from lapak.client import ShopClient
    from lapak.lag import kafka_lag

    async with ShopClient.over_http(procs.token_for("owner"), timeout_s=5.0) as shop:
        rows = await shop.ops_status()
    namespace = os.environ.get("LAPAK_TOPIC_NAMESPACE", "")
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or stack.kafka_bootstrap_servers()
    try:
        groups = await asyncio.wait_for(kafka_lag(bootstrap, namespace), timeout=30)
    except (Exception, asyncio.CancelledError) as exc:  # the services' own figures stay
        console.print(f"[yellow]kafka lag not measured:[/] {type(exc).__name__}")
        groups = {}
    for name, row in rows.items():
        # consumer groups are named <service>.<projection> (after the namespace)
        row["kafka_lag"] = sum(lag for group, lag in groups.items()
                               if group.removeprefix(namespace).startswith(f"{name}."))
    return rows


@app.command()
def status() -> None:
    """Each service's health, consumer lag, outbox backlog and dead letters."""
    rows = _run(_status_rows())
    table = Table(title="Lapak services")
    workers = {p.name: p.pid() is not None for p in procs.processes()}
    for column in ("service", "url", "ready", "worker", "consumer lag (kafka)",
                   "lag reported by service", "outbox backlog", "dead letters"):
        table.add_column(column, overflow="fold")
    for name, row in rows.items():
        ready = "[green]yes[/]" if row.get("ready") else f"[red]no[/] {row.get('error', '')}"
        # the API can be ready while its worker is dead: nothing is consumed then
        alive = workers.get(f"{name}-worker")
        worker = "[green]running[/]" if alive else "[red]down[/] (lapak up restarts it)"
        table.add_row(name, procs.base_url(name), ready, worker,
                      str(row.get("kafka_lag", "-")),
                      str(row.get("consumer_lag", "-")),
                      str(row.get("outbox_backlog", "-")), str(row.get("dead_letters", "-")))
    console.print(table)


@app.command("import")
def import_(
    orders: int = typer.Option(300, help="first N Olist orders by purchase time"),
    data_dir: Path = typer.Option(stack.REPO_ROOT / "data", help="bundled data folder"),
    id_reviews: int = typer.Option(200, help="first N Indonesian reviews (PRDECT-ID)"),
) -> None:
    """Feed the bundled real data through the services' public APIs (with progress)."""
    from lapak.client import ShopClient
    from lapak.importer import run_import

    async def go() -> None:
        async with ShopClient.over_http(procs.token_for("owner"), timeout_s=60.0) as shop:
            await run_import(shop, data_dir=data_dir, orders=orders, console=console,
                             id_review_rows=id_reviews)

    _run(go())


@app.command()
def report(csv: Path | None = typer.Option(None, "--csv", help="also write CSV files here"),
           ) -> None:
    """Profit and loss, trial balance, KPI funnel, customer segments, task board."""
    from lapak.client import ShopClient
    from lapak.report import collect, print_report, write_csv

    async def go() -> None:
        async with ShopClient.over_http(procs.token_for("owner"), timeout_s=60.0) as shop:
            figures = await collect(shop)
        print_report(figures, console)
        if csv is not None:
            for path in write_csv(figures, csv):
                console.print(f"wrote {path}")

    _run(go())


async def _wait_caught_up(timeout_s: float, bootstrap: str) -> None:
    """Until every outbox is empty and every consumer group committed all it was sent."""
    from lapak.client import ShopClient
    from lapak.lag import wait_caught_up

    namespace = os.environ.get("LAPAK_TOPIC_NAMESPACE", "")
    async with ShopClient.over_http(procs.token_for("owner"), timeout_s=10.0) as shop:
        await wait_caught_up(shop, bootstrap=bootstrap, namespace=namespace,
                             timeout_s=timeout_s)


@app.command()
def demo(
    orders: int = typer.Option(300, help="first N Olist orders by purchase time"),
    id_reviews: int = typer.Option(200, help="first N Indonesian reviews (PRDECT-ID)"),
    keep_running: bool = typer.Option(False, help="leave the stack up afterwards"),
    timeout: float = typer.Option(600.0, help="seconds to wait for projections"),
    csv: Path | None = typer.Option(None, "--csv", help="also write CSV files here"),
) -> None:
    """up + import + wait until projections caught up + report (+ down)."""
    started = time.monotonic()
    try:
        up(timeout=180.0)
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or stack.kafka_bootstrap_servers()
        import_(orders=orders, data_dir=stack.REPO_ROOT / "data", id_reviews=id_reviews)
        console.print("waiting until every consumer caught up (lag 0, outbox 0)")
        try:
            asyncio.run(_wait_caught_up(timeout, bootstrap))
        except TimeoutError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
        report(csv=csv)
        console.print(f"demo finished in {time.monotonic() - started:.0f} s")
    finally:
        if not keep_running:
            down()


if __name__ == "__main__":
    app()
