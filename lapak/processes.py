"""The seven services and the dashboard as detached local processes.

``lapak up`` starts, per service, one HTTP API (uvicorn, factory ``create_app``) and one
worker (``python -m services.<name>.entrypoints.worker``); each writes a pid file and a
log file under ``var/run/``. Nothing here reads secrets: the API tokens live in
``var/tokens.json`` (mode 0600), generated once.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from lapak.stack import REPO_ROOT, VAR_DIR

logger = logging.getLogger(__name__)

# LAPAK_PORT_BASE, LAPAK_RUN_DIR and LAPAK_TOKENS_FILE move a whole local system aside
# (the CLI test runs one next to a developer's); the defaults are what the README says.
PORT_BASE = int(os.environ.get("LAPAK_PORT_BASE", "8100"))
RUN_DIR = Path(os.environ.get("LAPAK_RUN_DIR", str(VAR_DIR / "run")))
TOKENS_FILE = Path(os.environ.get("LAPAK_TOKENS_FILE", str(VAR_DIR / "tokens.json")))
DASHBOARD_PORT = PORT_BASE

# The order matters only for display: it follows the relay of divisions.
SERVICES: dict[str, int] = {
    name: PORT_BASE + n for n, name in enumerate(
        ["research", "pricing", "marketing", "sales", "fulfillment", "ledger", "crm"],
        start=1)
}


class LapakUpError(RuntimeError):
    """A part of the local system did not start or stop in time."""


def base_url(service: str) -> str:
    """Where a service's API answers (LAPAK_<SERVICE>_URL overrides the local port)."""
    override = os.environ.get(f"LAPAK_{service.upper()}_URL")
    return override or f"http://127.0.0.1:{SERVICES[service]}"


def ensure_tokens(path: Path = TOKENS_FILE) -> dict[str, dict[str, str]]:
    """The API tokens of this checkout: one per division and one for the owner."""
    if path.exists():
        tokens: dict[str, dict[str, str]] = json.loads(path.read_text())
        return tokens
    path.parent.mkdir(parents=True, exist_ok=True)
    roles = ["owner", *SERVICES]
    tokens = {secrets.token_urlsafe(24): {"user": f"{role}-local", "role": role}
              for role in roles}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(tokens, f, indent=2)
    return tokens


def token_for(role: str, tokens: dict[str, dict[str, str]] | None = None) -> str:
    """The token of a role (owner, or a division) from var/tokens.json or LAPAK_TOKEN."""
    if role == "owner" and os.environ.get("LAPAK_TOKEN"):
        return os.environ["LAPAK_TOKEN"]
    tokens = tokens if tokens is not None else ensure_tokens()
    for token, who in tokens.items():
        if who["role"] == role:
            return token
    raise LapakUpError(f"no token with role {role!r} in {TOKENS_FILE}")


@dataclass(frozen=True)
class Proc:
    """One detached process with its pid and log file."""

    name: str
    argv: list[str]

    @property
    def pid_file(self) -> Path:
        return RUN_DIR / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return RUN_DIR / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def start(self, env: dict[str, str]) -> int:
        pid = self.pid()
        if pid is not None:
            return pid
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(
                self.argv, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the CLI; no terminal signals
            )
        self.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def stop(self, timeout_s: float = 15.0) -> bool:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                finished, _ = os.waitpid(pid, os.WNOHANG)
                if finished == pid:
                    break
            except ChildProcessError:
                pass
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            logger.warning("process ignored SIGTERM; killing it", extra={"pid": pid})
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def processes() -> list[Proc]:
    """Every process `lapak up` runs: per service an API and a worker, then the dashboard."""
    py = sys.executable
    procs: list[Proc] = []
    for name, port in SERVICES.items():
        procs.append(Proc(f"{name}-api", [
            py, "-m", "uvicorn", "--factory", f"services.{name}.entrypoints.http:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]))
        procs.append(Proc(f"{name}-worker", [py, "-m", f"services.{name}.entrypoints.worker"]))
    procs.append(Proc("dashboard", [
        py, "-m", "uvicorn", "--factory", "lapak.dashboard:create_app",
        "--host", "127.0.0.1", "--port", str(DASHBOARD_PORT), "--log-level", "warning",
    ]))
    return procs


def service_env(tokens: dict[str, dict[str, str]], bootstrap: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LAPAK_API_TOKENS"] = json.dumps(tokens)
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    env.setdefault("LAPAK_DATA_DIR", str(VAR_DIR))
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def wait_ready(timeout_s: float) -> dict[str, bool]:
    """Poll every API's /health/ready until all answer 200 or the time is up."""
    ready = {name: False for name in SERVICES}
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=3.0) as client:
        while time.monotonic() < deadline and not all(ready.values()):
            for name in SERVICES:
                if ready[name]:
                    continue
                try:
                    ready[name] = client.get(f"{base_url(name)}/health/ready").status_code == 200
                except httpx.HTTPError:
                    pass
            if not all(ready.values()):
                time.sleep(0.5)
    return ready


def dashboard_ready(timeout: float) -> bool:
    """True once the dashboard page answers."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=3.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"http://127.0.0.1:{DASHBOARD_PORT}/").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
    return False


def stop_all() -> list[str]:
    """Stop every process started by `lapak up` (dashboard first, then workers, APIs)."""
    stopped = []
    for proc in reversed(processes()):
        if proc.stop():
            stopped.append(proc.name)
    return stopped


STACK_MARK = RUN_DIR / "kafka-started-by-lapak"
