"""Formatting the benchmark's figures, and recording them with the machine they ran on."""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


@dataclass
class Row:
    what: str
    measured: str
    baseline: str
    ratio: str
    target: str


def format_row(row: Row) -> str:
    parts = [f"{row.what:<52} {row.measured:>14}"]
    if row.baseline:
        parts.append(f"vs {row.baseline:<34} ratio {row.ratio:>6}  {row.target}")
    return "  ".join(parts)


def ratio_row(what: str, mine: float, raw: float, *, target: float, unit: str = "ev/s",
              baseline: str = "raw aiokafka read") -> Row:
    ratio = mine / raw if raw else 0.0
    verdict = "met" if ratio >= target else "MISSED"
    return Row(what, f"{mine:,.0f} {unit}", f"{baseline} {raw:,.0f} {unit}", f"{ratio:.3g}",
               f"target >= {target} {verdict}")


def latency_row(what: str, mine: float, raw: float, *, target: float | None) -> Row:
    ratio = mine / raw if raw else 0.0
    goal = ""
    if target is not None:
        goal = f"target <= {target:g}x {'met' if ratio <= target else 'MISSED'}"
    return Row(what, f"{mine * 1000:,.1f} ms", f"raw produce->consume {raw * 1000:,.1f} ms",
               f"{ratio:.1f}x", goal)


def _run(command: str) -> str:
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except Exception as exc:  # noqa: BLE001 - the record says what could not be read
        return f"({type(exc).__name__})"


def machine() -> list[str]:
    cpu = _run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    versions = ", ".join(f"{name} {version(name)}" for name in (
        "faststream", "aiokafka", "fastapi", "sqlalchemy", "asyncpg", "aiosqlite",
        "pydantic"))
    from lapak.stack import KAFKA_LIBS_DIR

    kafka = _run(f"ls {KAFKA_LIBS_DIR} 2>/dev/null | grep -m1 '^kafka_2.13-'") or "?"
    postgres = _run("ls /usr/lib/postgresql 2>/dev/null | tail -1") or "?"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return [
        f"- nproc: {_run('nproc')}",
        f"- CPU: {cpu}",
        "- free -h: `" + " ".join(_run("free -h | sed -n 2p").split()) + "`",
        f"- Python {sys.version.split()[0]} on {platform.platform()}",
        f"- {versions}",
        f"- Kafka jar {kafka}, PostgreSQL {postgres}",
        f"- load average at the end (shared machine): {load}",
    ]


def write(path: Path, rows: list[Row], notes: list[str], args: argparse.Namespace) -> None:
    """Replace the results block of ``path`` (created if missing) with this run."""
    command = "python -m bench --events {}{}".format(args.events,
                                                     " --sqlite" if args.sqlite else "")
    block = [
        BEGIN,
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `{command}`",
        "",
        "| figure | measured | baseline | ratio | target |",
        "|---|---:|---|---:|---|",
        *(f"| {r.what} | {r.measured} | {r.baseline} | {r.ratio} | {r.target} |"
          for r in rows),
        "",
        *(f"- {note}" for note in notes),
        "",
        "Machine:",
        "",
        *machine(),
        END,
    ]
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(head + "\n".join(block) + tail)
