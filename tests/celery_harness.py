"""Real Celery processes for the reliability tests: workers, beat and a private redis-server, as subprocesses.

Use with `pytest_plugins = ["tests.celery_harness"]` in tests marked
`@pytest.mark.django_db(transaction=True)` and `@pytest.mark.celery_worker`: the processes run in their own
transactions on the pytest test database, so the test must commit what they are to see and read what they write.

- `celery_env`: a `CeleryEnv` — the environment of the subprocesses (the pytest test database; a Redis database
  of its own per xdist worker, on the server of REDIS_URL, flushed at the start; DEBUG=1; VAR_DIR and the e-mail
  directory in tmp_path) and the methods `worker()` / `beat()` that start `celery -A dadukou worker --pool=solo` / `celery -A dadukou beat` and
  wait until they are ready. Every process it started is stopped at the end of the test. The in-test Celery app
  (the producer side: `.delay()`) publishes to the same broker while the fixture is active.
- `redis_server`: a `RedisServer` of the test's own (`redis-server --port <free port> --save "" --appendonly no`)
  that the test may kill and restart: the Redis outage test.
- `use_broker(url, transport_options)`: point the in-test Celery app at another broker for a while.

PYTEST_DONT_REWRITE: test modules import helpers from here before pytest loads it as a plugin.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60  # seconds for a worker to log "ready" (Django setup, broker connection)
STOP_TIMEOUT = 20  # seconds for a warm shutdown before SIGKILL


def wait_until(predicate, timeout: float, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned); fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xdist_index() -> int:
    """0 for gw0 (or no xdist), 1 for gw1, …"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    match = re.fullmatch(r"gw(\d+)", worker)
    return int(match.group(1)) if match else 0


def database_url_for_workers() -> str:
    """The URL of the database pytest-django set up for this (xdist) process, for the subprocesses."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the real-worker tests need PostgreSQL (the worker and the test share the database)")
    auth = s["USER"] or "postgres"
    if s["PASSWORD"]:
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def use_broker(url: str, transport_options: dict | None = None) -> Iterator[None]:
    """Make the in-test Celery app publish to `url` (fresh connection pools), then put everything back."""
    from kombu import pools as kombu_pools

    from dadukou.celery import app

    conf = app.conf
    saved = (conf.broker_url, conf.broker_write_url, conf.broker_read_url, conf.broker_transport_options)

    def reset_pools():
        # kombu keeps its pools in global groups keyed by broker URL: close and forget them all.
        kombu_pools.reset()
        app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None

    reset_pools()
    conf.broker_url, conf.broker_write_url, conf.broker_read_url = url, None, None
    conf.broker_transport_options = dict(transport_options or {})
    try:
        yield
    finally:
        reset_pools()
        conf.broker_url, conf.broker_write_url, conf.broker_read_url, conf.broker_transport_options = saved


@dataclass
class Process:
    """A subprocess with its output in a log file."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_for_log(self, pattern: str, timeout: float = READY_TIMEOUT, count: int = 1) -> None:
        regex = re.compile(pattern)

        def seen():
            if not self.alive() and len(regex.findall(self.log())) < count:
                pytest.fail(f"{self.name} exited with code {self.popen.returncode}:\n{self.tail()}")
            return len(regex.findall(self.log())) >= count

        try:
            wait_until(seen, timeout, message=f"{self.name} to log {pattern!r}")
        except pytest.fail.Exception:
            print(f"--- {self.name} log:\n{self.tail()}")
            raise

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, nothing written — a machine losing power."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """SIGTERM (Celery's warm shutdown: the running task finishes), SIGKILL if it does not exit in time."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=STOP_TIMEOUT)


@dataclass
class CeleryEnv:
    """Starts Celery processes on the test database and a broker; stops them at the end of the test."""

    tmp_path: Path
    database_url: str
    redis_url: str | None
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self):
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(parents=True, exist_ok=True)

    @property
    def var_dir(self) -> Path:
        return self.tmp_path / "var"

    @property
    def mail_dir(self) -> Path:
        return self.tmp_path / "mail"

    @property
    def schedule_file(self) -> Path:
        return self.var_dir / "celerybeat-schedule"

    def env(self, **overrides: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST_", "EMAIL_"))}
        env |= {
            "DJANGO_SETTINGS_MODULE": "dadukou.settings",
            "DATABASE_URL": self.database_url,
            "DEBUG": "1",
            "VAR_DIR": str(self.var_dir),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def spawn(self, name: str, args: list[str], **env: str | None) -> Process:
        log_path = self.tmp_path / f"{name}-{len(self.processes)}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dadukou", *args],
                cwd=REPO,
                env=self.env(**env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def worker(self, *extra: str, wait: bool = True, **env: str | None) -> Process:
        """`celery worker --pool=solo` (one task at a time, in the worker process itself)."""
        node = f"reliability-{uuid.uuid4().hex[:8]}@%h"
        args = ["worker", "--pool=solo", "-l", "info", "-n", node, "--without-mingle", "--without-gossip"]
        process = self.spawn("worker", [*args, *extra], **env)
        if wait:
            process.wait_for_log(r"@\S+ ready\.")
        return process

    def beat(self, *extra: str, **env: str | None) -> Process:
        """`celery beat` with the scheduler of the settings (its state file under VAR_DIR)."""
        process = self.spawn("beat", ["beat", "-l", "info", *extra], **env)
        process.wait_for_log(r"beat: Starting\.\.\.")
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@dataclass
class RedisServer:
    """A redis-server of the test's own, on a free port, without persistence: kill it and start it again."""

    tmp_path: Path
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.popen = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, message=f"redis-server on port {self.port}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=STOP_TIMEOUT)
        self.popen = None


@pytest.fixture
def redis_url() -> str:
    """The server of REDIS_URL (127.0.0.1:6379 by default) with database 10 + the xdist worker's number, flushed:
    each xdist worker's Celery tests have a database of their own, apart from the one the other tests use."""
    import redis

    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit(server._replace(path=f"/{10 + xdist_index() % 6}", query=""))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not running at {server.netloc}")
    return url


@pytest.fixture
def celery_env(transactional_db, tmp_path, redis_url) -> Iterator[CeleryEnv]:
    harness = CeleryEnv(tmp_path=tmp_path, database_url=database_url_for_workers(), redis_url=redis_url)
    try:
        with use_broker(redis_url):
            yield harness
    finally:
        harness.stop_all()
        # The workers' connections must be gone before pytest-django flushes (and finally drops) the database.
        _close_other_connections()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path=tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _close_other_connections() -> None:
    """Terminate connections to the test database that a killed worker may have left behind."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
