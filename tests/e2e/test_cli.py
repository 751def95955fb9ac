"""The `lapak` command as a shop owner runs it: up, status, import, report --csv, down.

The system runs aside from a developer's (own ports, run folder, tokens file, SQLite
folder and topic namespace) on the test session's Kafka; the expected figures are
computed from the bundled CSV files.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from eventkit.testing import unique
from lapak.stack import REPO_ROOT

pytestmark = pytest.mark.e2e

SERVICE_NAMES = ["research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm"]


def free_port_base() -> int:
    """A base port with the next seven ports free too."""
    for base in range(18100, 19000, 10):
        taken = False
        for port in range(base, base + 8):
            with socket.socket() as s:
                taken = taken or s.connect_ex(("127.0.0.1", port)) == 0
        if not taken:
            return base
    raise RuntimeError("no free port range for the CLI test")


def lapak(env: dict[str, str], *args: str, timeout: float = 240) -> str:
    done = subprocess.run([sys.executable, "-m", "lapak.cli", *args], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_up_status_import_report_down(kafka_bootstrap: str, tmp_path: Path) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "LAPAK_PORT_BASE": str(free_port_base()), "LAPAK_RUN_DIR": str(tmp_path / "run"),
           "LAPAK_TOKENS_FILE": str(tmp_path / "tokens.json"),
           "LAPAK_DATA_DIR": str(tmp_path), "LAPAK_TOPIC_NAMESPACE": unique("cli") + ".",
           "COLUMNS": "200"}
    try:
        lapak(env, "up")
        status = lapak(env, "status")
        lapak(env, "import", "--orders", "5", "--id-reviews", "5")
        lapak(env, "report", "--csv", str(tmp_path / "csv"))
    finally:
        down = lapak(env, "down")

    assert (tmp_path / "tokens.json").stat().st_mode & 0o777 == 0o600
    rows = {line.split("│")[1].strip(): line for line in status.splitlines()
            if line.count("│") > 3}
    assert all(" yes " in rows[name] for name in SERVICE_NAMES)
    with (tmp_path / "csv" / "summary.csv").open(newline="") as f:
        summary = {r["figure"]: r["value"] for r in csv.DictReader(f)}
    with (REPO_ROOT / "data" / "fb-ads-api-export" / "facebook_ads_data.csv").open(
            encoding="utf-8-sig", newline="") as f:
        mxn = sum(int(Decimal(r["spend"]).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)
                  for r in csv.DictReader(f))
    assert summary["spend_MXN"] == str(mxn)
    assert "stopped 15 processes" in down
    assert not list((tmp_path / "run").glob("*.pid"))
