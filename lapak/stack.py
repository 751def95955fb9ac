"""The local stack: one Apache Kafka broker and one throwaway PostgreSQL cluster.

Both run as plain processes on this machine (no Docker here), with their state under
``var/`` of the repository. Tests, fault tests and developers share them:

    python -m lapak.stack up      # start what is not running yet; reuse what is
    python -m lapak.stack status
    python -m lapak.stack down    # stop both

Kafka: jars fetched by Maven from ``deploy/kafka/pom.xml`` into ``var/kafka/libs``,
config from ``deploy/kafka/server.properties``, bootstrap ``127.0.0.1:19092``.
PostgreSQL: ``initdb`` cluster in ``var/postgres`` with trust auth on 127.0.0.1:55432,
superuser ``lapak``; the server runs as an unprivileged OS user because PostgreSQL
refuses to run as root.

Everything here is blocking; from async code wrap a call in ``asyncio.to_thread``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = REPO_ROOT / "var"
KAFKA_DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
KAFKA_LIBS_DIR = VAR_DIR / "kafka" / "libs"

DEFAULT_KAFKA_PORT = 19092
DEFAULT_KAFKA_CONTROLLER_PORT = 19093
DEFAULT_POSTGRES_PORT = 55432


class StackError(RuntimeError):
    """A part of the local stack could not be fetched, started or stopped."""


# --------------------------------------------------------------------------- config


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class KafkaConfig:
    """Where the local broker listens and keeps its files."""

    port: int = DEFAULT_KAFKA_PORT
    controller_port: int = DEFAULT_KAFKA_CONTROLLER_PORT
    host: str = "127.0.0.1"
    heap: str = "512m"
    root: Path = field(default=VAR_DIR / "kafka")

    @classmethod
    def from_env(cls) -> KafkaConfig:
        """Defaults, overridden by LAPAK_KAFKA_PORT / LAPAK_KAFKA_CONTROLLER_PORT."""
        port = _env_int("LAPAK_KAFKA_PORT", DEFAULT_KAFKA_PORT)
        controller_port = _env_int(
            "LAPAK_KAFKA_CONTROLLER_PORT", DEFAULT_KAFKA_CONTROLLER_PORT
        )
        return cls.for_ports(port=port, controller_port=controller_port)

    @classmethod
    def for_ports(cls, *, port: int, controller_port: int) -> KafkaConfig:
        # --standalone formatting writes the controller endpoint into the storage,
        # so a broker on other ports needs storage of its own.
        default = (port, controller_port) == (
            DEFAULT_KAFKA_PORT,
            DEFAULT_KAFKA_CONTROLLER_PORT,
        )
        root = VAR_DIR / ("kafka" if default else f"kafka-{port}")
        return cls(port=port, controller_port=controller_port, root=root)

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def properties_file(self) -> Path:
        return self.root / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.root / "kafka.pid"

    @property
    def stdout_file(self) -> Path:
        return self.logs_dir / "kafka.out"


@dataclass(frozen=True)
class PostgresConfig:
    """Where the throwaway PostgreSQL cluster listens and keeps its files."""

    port: int = DEFAULT_POSTGRES_PORT
    host: str = "127.0.0.1"
    user: str = "lapak"
    password: str = "lapak"  # trust auth: never checked, kept for URL symmetry
    database: str = "lapak"
    root: Path = field(default=VAR_DIR / "postgres")

    @classmethod
    def from_env(cls) -> PostgresConfig:
        """Defaults, overridden by LAPAK_POSTGRES_PORT."""
        port = _env_int("LAPAK_POSTGRES_PORT", DEFAULT_POSTGRES_PORT)
        root = VAR_DIR / (
            "postgres" if port == DEFAULT_POSTGRES_PORT else f"postgres-{port}"
        )
        return cls(port=port, root=root)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str | None = None) -> str:
        """SQLAlchemy URL (asyncpg driver) to ``database`` on this cluster."""
        name = database or self.database
        return (
            f"postgresql+asyncpg://{self.user}:{self.password}"
            f"@{self.host}:{self.port}/{name}"
        )


def kafka_bootstrap_servers(config: KafkaConfig | None = None) -> str:
    """``host:port`` that clients of the local broker bootstrap from."""
    return (config or KafkaConfig.from_env()).bootstrap_servers


def postgres_url(
    database: str | None = None, config: PostgresConfig | None = None
) -> str:
    """``postgresql+asyncpg://`` URL to a database of the local cluster."""
    return (config or PostgresConfig.from_env()).url(database)


# --------------------------------------------------------------------------- helpers


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout):
        return True
    return False


def _process_alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (exited, not reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # our own child: reap it
        return False
    return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """Serialise start/stop across processes (two pytest runs, a CLI call)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` to completion even when the caller is inside an event loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _which_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise StackError("java not found: Kafka 4 needs a JDK 17 or newer on PATH")
    return java


# --------------------------------------------------------------------------- kafka


def fetch_kafka_jars(libs_dir: Path = KAFKA_LIBS_DIR, *, force: bool = False) -> Path:
    """Copy Kafka and its dependencies into ``libs_dir`` with Maven, once."""
    marker = libs_dir / ".complete"
    if marker.exists() and not force:
        return libs_dir

    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            "mvn not found: it fetches the Kafka jars (apt-get install maven)"
        )
    libs_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(KAFKA_DEPLOY_DIR / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs_dir}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(
            f"mvn failed fetching Kafka jars:\n{result.stdout}\n{result.stderr}"
        )
    if not list(libs_dir.glob("kafka_2.13-*.jar")):
        raise StackError(f"mvn ran but no kafka_2.13 jar landed in {libs_dir}")

    marker.write_text("ok\n")
    logger.info(
        "kafka jars fetched", extra={"seconds": round(time.monotonic() - started, 1)}
    )
    return libs_dir


def _write_kafka_properties(config: KafkaConfig) -> Path:
    overrides = {
        "log.dirs": str(config.data_dir),
        "listeners": (
            f"PLAINTEXT://{config.host}:{config.port},"
            f"CONTROLLER://{config.host}:{config.controller_port}"
        ),
        "advertised.listeners": (
            f"PLAINTEXT://{config.host}:{config.port},"
            f"CONTROLLER://{config.host}:{config.controller_port}"
        ),
        "controller.quorum.bootstrap.servers": (
            f"{config.host}:{config.controller_port}"
        ),
    }
    lines = []
    for line in (KAFKA_DEPLOY_DIR / "server.properties").read_text().splitlines():
        key = line.split("=", 1)[0].strip()
        if not line.lstrip().startswith("#") and key in overrides:
            line = f"{key}={overrides.pop(key)}"
        lines.append(line)
    lines.extend(f"{key}={value}" for key, value in overrides.items())

    config.root.mkdir(parents=True, exist_ok=True)
    config.properties_file.write_text("\n".join(lines) + "\n")
    return config.properties_file


def _kafka_java(config: KafkaConfig, main_class: str, *args: str) -> list[str]:
    return [
        _which_java(),
        f"-Xmx{config.heap}",
        "-Xms128m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={config.logs_dir}",
        f"-Dlog4j2.configurationFile={KAFKA_DEPLOY_DIR / 'log4j2.xml'}",
        "-cp",
        f"{KAFKA_LIBS_DIR}/*",
        main_class,
        *args,
    ]


def _format_kafka_storage(config: KafkaConfig) -> None:
    if (config.data_dir / "meta.properties").exists():
        return
    uuid = (
        subprocess.run(
            _kafka_java(config, "kafka.tools.StorageTool", "random-uuid"),
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    result = subprocess.run(
        _kafka_java(
            config,
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            uuid,
            "-c",
            str(config.properties_file),
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(
            f"formatting Kafka storage failed:\n{result.stdout}\n{result.stderr}"
        )


def _kafka_pid(config: KafkaConfig) -> int | None:
    """Pid of the broker this config started, if it still runs."""
    pid = _read_pid(config.pid_file)
    if pid is None or not _process_alive(pid):
        return None
    if "kafka.Kafka" not in _cmdline(pid):
        return None  # the pid was reused by something else
    return pid


async def _kafka_metadata_ok(bootstrap: str, timeout_s: float) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        return True
    except Exception:  # noqa: BLE001 - any failure just means "not ready yet"
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


def kafka_answers(config: KafkaConfig | None = None, timeout_s: float = 3.0) -> bool:
    """True when a Kafka broker answers a metadata request on the configured port."""
    config = config or KafkaConfig.from_env()
    if not _port_open(config.host, config.port):
        return False
    return bool(_run_async(_kafka_metadata_ok(config.bootstrap_servers, timeout_s)))


def is_kafka_running(config: KafkaConfig | None = None) -> bool:
    """True when the broker that this stack started is alive (by its pid file)."""
    return _kafka_pid(config or KafkaConfig.from_env()) is not None


def start_kafka(config: KafkaConfig | None = None, *, timeout_s: float = 90.0) -> bool:
    """Start the local broker detached and wait until it serves metadata.

    Returns True if this call started it, False if it was already running (reused).
    """
    config = config or KafkaConfig.from_env()
    with _locked(config.root / ".lock"):
        pid = _kafka_pid(config)
        if pid is not None:
            _wait_for_kafka(config, pid, timeout_s)
            return False
        if kafka_answers(config):
            # LIMIT: a broker we did not start (another checkout, a container) holds
            # the port; we reuse it, but stop_kafka() cannot stop it.
            logger.warning(
                "kafka port already served by a foreign broker",
                extra={"port": config.port},
            )
            return False
        for port in (config.port, config.controller_port):
            if _port_open(config.host, port):
                raise StackError(f"port {port} is taken by something that is not Kafka")

        fetch_kafka_jars()
        _write_kafka_properties(config)
        _format_kafka_storage(config)
        config.logs_dir.mkdir(parents=True, exist_ok=True)

        with open(config.stdout_file, "ab") as out:
            process = subprocess.Popen(
                _kafka_java(config, "kafka.Kafka", str(config.properties_file)),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=config.root,
                start_new_session=True,  # survives the CLI; no terminal signals
            )
        config.pid_file.write_text(f"{process.pid}\n")
        _KAFKA_CHILDREN[process.pid] = process
        _wait_for_kafka(config, process.pid, timeout_s)

    logger.info("kafka started", extra={"pid": process.pid, "port": config.port})
    return True


_KAFKA_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _wait_for_kafka(config: KafkaConfig, pid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _process_alive(pid):
            raise StackError(
                f"kafka exited during start-up; see {config.logs_dir / 'server.log'} "
                f"and {config.stdout_file}"
            )
        if kafka_answers(config, timeout_s=3.0):
            return
        time.sleep(0.3)
    raise StackError(
        f"kafka did not answer on {config.bootstrap_servers} in {timeout_s}s"
    )


def stop_kafka(config: KafkaConfig | None = None, *, timeout_s: float = 30.0) -> bool:
    """Stop the local broker: SIGTERM (controlled shutdown), then SIGKILL.

    Returns True if a running broker was stopped.
    """
    config = config or KafkaConfig.from_env()
    with _locked(config.root / ".lock"):
        pid = _kafka_pid(config)
        if pid is None:
            config.pid_file.unlink(missing_ok=True)
            return False
        _terminate(pid, timeout_s)
        child = _KAFKA_CHILDREN.pop(pid, None)
        if child is not None:
            child.wait()
        config.pid_file.unlink(missing_ok=True)
        # The port may linger for a moment after exit; callers restart right away.
        deadline = time.monotonic() + 10
        while _port_open(config.host, config.port) and time.monotonic() < deadline:
            time.sleep(0.1)

    logger.info("kafka stopped", extra={"pid": pid})
    return True


def kill_kafka(config: KafkaConfig | None = None) -> bool:
    """SIGKILL the broker at once: a crash, for fault tests. True if one was killed."""
    config = config or KafkaConfig.from_env()
    return stop_kafka(config, timeout_s=0)


def restart_kafka(config: KafkaConfig | None = None, *, down_s: float = 0.0) -> None:
    """Stop the broker, stay down ``down_s`` seconds, start it again (same data)."""
    config = config or KafkaConfig.from_env()
    stop_kafka(config)
    time.sleep(down_s)
    start_kafka(config)


def _terminate(pid: int, timeout_s: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM if timeout_s > 0 else signal.SIGKILL)
    deadline = time.monotonic() + timeout_s
    while _process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _process_alive(pid):
        if timeout_s > 0:
            logger.warning("process ignored SIGTERM, killing it", extra={"pid": pid})
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _process_alive(pid):
            time.sleep(0.05)


# --------------------------------------------------------------------------- postgres


def _pg_bin(name: str) -> str:
    """Path of a PostgreSQL server binary (Debian keeps them off PATH)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise StackError(f"{name} not found: apt-get install postgresql")
    return str(candidates[-1])


def _pg_os_user() -> str | None:
    """OS user that runs the server: None if we are not root, else 'postgres'.

    initdb and pg_ctl refuse to run as root. Debian's postgresql package creates the
    'postgres' user; without it we create a system user 'lapak-pg'.
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "lapak-pg"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "lapak-pg",
        ],
        check=True,
    )
    return "lapak-pg"


def _as_pg_user(argv: list[str]) -> list[str]:
    user = _pg_os_user()
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _pg_run(
    argv: list[str], *, timeout_s: float = 120.0
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        _as_pg_user(argv),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        cwd="/",  # the OS user may not be allowed into the caller's cwd
    )
    if result.returncode != 0:
        raise StackError(
            f"{' '.join(argv[:2])} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def _pg_user_can_reach(user: str, path: Path) -> bool:
    probe = subprocess.run(
        ["runuser", "-u", user, "--", "test", "-x", str(path)], check=False, cwd="/"
    )
    return probe.returncode == 0


def _prepare_pg_root(config: PostgresConfig) -> None:
    """Make ``config.root`` a directory the server's OS user owns and can reach."""
    user = _pg_os_user()
    if user is None:
        config.root.mkdir(parents=True, exist_ok=True)
        return
    entry = pwd.getpwnam(user)
    config.root.parent.mkdir(parents=True, exist_ok=True)
    if not config.root.exists() and not _pg_user_can_reach(user, config.root.parent):
        # The checkout sits below a directory others cannot enter (/root is 0700):
        # keep the cluster under /var/tmp and leave a symlink in var/.
        digest = hashlib.sha1(str(config.root).encode()).hexdigest()[:10]
        elsewhere = Path("/var/tmp") / f"lapak-postgres-{digest}"
        elsewhere.mkdir(mode=0o700, exist_ok=True)
        config.root.symlink_to(elsewhere, target_is_directory=True)
    config.root.mkdir(exist_ok=True)
    real_root = config.root.resolve()
    os.chown(real_root, entry.pw_uid, entry.pw_gid)
    os.chmod(real_root, 0o700)
    if not _pg_user_can_reach(user, real_root):
        raise StackError(f"OS user {user} cannot reach {real_root}")


def _init_pg_cluster(config: PostgresConfig) -> None:
    if (config.data_dir / "PG_VERSION").exists():
        return
    _prepare_pg_root(config)
    _pg_run(
        [
            _pg_bin("initdb"),
            "-D",
            str(config.data_dir.resolve()),
            "-U",
            config.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    settings = {
        "listen_addresses": f"'{config.host}'",
        "unix_socket_directories": "'/tmp'",
        "max_connections": "200",
        # A throwaway cluster: losing it to a machine crash is fine. Commits stay
        # synchronous so a stopped server (fault tests) never loses acknowledged rows.
        "fsync": "off",
        "full_page_writes": "off",
        "log_min_messages": "warning",
    }
    with open(config.data_dir / "postgresql.conf", "a") as conf:
        conf.write("\n# lapak.stack\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())


def _pg_pid(config: PostgresConfig) -> int | None:
    pid = _read_pid(config.data_dir / "postmaster.pid")
    if pid is None or not _process_alive(pid):
        return None
    if "postgres" not in _cmdline(pid):
        return None  # stale pid file, the pid now belongs to something else
    return pid


def is_postgres_running(config: PostgresConfig | None = None) -> bool:
    """True when the local cluster's server runs and accepts TCP connections."""
    config = config or PostgresConfig.from_env()
    return _pg_pid(config) is not None and _port_open(config.host, config.port)


async def _pg_ready(config: PostgresConfig) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(
            host=config.host,
            port=config.port,
            user=config.user,
            database="postgres",
            timeout=3,
        )
    except Exception:  # noqa: BLE001 - any failure just means "not ready yet"
        return False
    await conn.close()
    return True


def start_postgres(
    config: PostgresConfig | None = None, *, timeout_s: float = 60.0
) -> bool:
    """Create the cluster if needed, start it, create the default database.

    Returns True if this call started the server, False if it was already running.
    """
    config = config or PostgresConfig.from_env()
    started = False
    with _locked(VAR_DIR / f".postgres-{config.port}.lock"):
        foreign = False
        if _pg_pid(config) is None and _port_open(config.host, config.port):
            if not _run_async(_pg_ready(config)):
                raise StackError(
                    f"port {config.port} is taken by a server we did not start"
                )
            # LIMIT: a server we did not start (another checkout's cluster) answers as
            # our superuser; we reuse it, but stop_postgres() cannot stop it.
            logger.warning(
                "postgres port already served by a foreign server",
                extra={"port": config.port},
            )
            foreign = True
        if _pg_pid(config) is None and not foreign:
            _init_pg_cluster(config)
            _pg_run(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(config.data_dir.resolve()),
                    "-l",
                    str(config.log_file.resolve()),
                    "-o",
                    f"-p {config.port}",
                    "-w",
                    "-t",
                    str(int(timeout_s)),
                    "start",
                ],
                timeout_s=timeout_s + 10,
            )
            started = True

        deadline = time.monotonic() + timeout_s
        while not _run_async(_pg_ready(config)):
            if time.monotonic() > deadline:
                raise StackError(
                    f"postgres did not accept connections; see {config.log_file}"
                )
            time.sleep(0.2)
        create_database(config.database, config)

    if started:
        logger.info("postgres started", extra={"port": config.port})
    return started


def stop_postgres(config: PostgresConfig | None = None, *, mode: str = "fast") -> bool:
    """Stop the server (pg_ctl mode: smart, fast or immediate). True if it ran."""
    config = config or PostgresConfig.from_env()
    with _locked(VAR_DIR / f".postgres-{config.port}.lock"):
        if _pg_pid(config) is None:
            return False
        _pg_run(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(config.data_dir.resolve()),
                "-m",
                mode,
                "-w",
                "stop",
            ]
        )
    logger.info("postgres stopped", extra={"port": config.port})
    return True


def restart_postgres(
    config: PostgresConfig | None = None, *, down_s: float = 0.0
) -> None:
    """Stop the server, stay down ``down_s`` seconds, start it again (same data)."""
    config = config or PostgresConfig.from_env()
    stop_postgres(config)
    time.sleep(down_s)
    start_postgres(config)


async def _create_database(config: PostgresConfig, name: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(
        host=config.host, port=config.port, user=config.user, database="postgres"
    )
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await conn.close()


def create_database(name: str, config: PostgresConfig | None = None) -> bool:
    """Create database ``name`` on the local cluster if missing. True if created."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"database name must be letters, digits and _: {name!r}")
    return bool(_run_async(_create_database(config or PostgresConfig.from_env(), name)))


# --------------------------------------------------------------------------- stack


def up(*, kafka: bool = True, postgres: bool = True) -> dict[str, bool]:
    """Start what is not running yet; per part, True if this call started it."""
    started: dict[str, bool] = {}
    if postgres:
        started["postgres"] = start_postgres()
    if kafka:
        started["kafka"] = start_kafka()
    return started


def down(*, kafka: bool = True, postgres: bool = True) -> dict[str, bool]:
    """Stop what runs; returns, per part, whether this call stopped it."""
    stopped: dict[str, bool] = {}
    if kafka:
        stopped["kafka"] = stop_kafka()
    if postgres:
        stopped["postgres"] = stop_postgres()
    return stopped


def status() -> dict[str, dict[str, object]]:
    """What runs, with its pid and the URL to reach it."""
    kafka_config = KafkaConfig.from_env()
    pg_config = PostgresConfig.from_env()
    return {
        "kafka": {
            "running": is_kafka_running(kafka_config),
            "pid": _kafka_pid(kafka_config),
            "answers": kafka_answers(kafka_config),
            "bootstrap_servers": kafka_config.bootstrap_servers,
            "log": str(kafka_config.logs_dir / "server.log"),
        },
        "postgres": {
            "running": is_postgres_running(pg_config),
            "pid": _pg_pid(pg_config),
            "url": pg_config.url(),
            "log": str(pg_config.log_file),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lapak.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "down", "status", "fetch-jars"])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--kafka-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )

    kafka = not args.postgres_only
    postgres = not args.kafka_only
    try:
        if args.command == "fetch-jars":
            print(fetch_kafka_jars())
        elif args.command == "up":
            for part, started in up(kafka=kafka, postgres=postgres).items():
                print(f"{part}: {'started' if started else 'already running'}")
        elif args.command == "down":
            for part, stopped in down(kafka=kafka, postgres=postgres).items():
                print(f"{part}: {'stopped' if stopped else 'was not running'}")
        if args.command in ("up", "status"):
            for part, info in status().items():
                if (part == "kafka" and not kafka) or (
                    part == "postgres" and not postgres
                ):
                    continue
                state = "running" if info["running"] else "stopped"
                details = "  ".join(
                    f"{k}={v}" for k, v in info.items() if k != "running"
                )
                print(f"{part:9} {state:8} {details}")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
