#!/usr/bin/env python
"""Run the platform on one machine with nothing but Python: the embedded default behind `make run`.

Prepares the database (migrate, then the demo data and accounts), then supervises two processes:

* web: Django's development server on HOST:PORT (default 127.0.0.1:8000);
* worker: a Celery worker with an embedded beat (its state in var/celerybeat-schedule), so the scheduled
  jobs run too.

Without DATABASE_URL the database is SQLite under var/; without REDIS_URL the broker is kombu's
filesystem:// transport under var/celery/ (both chosen by dadukou/settings). DEBUG defaults to 1 here.
Ctrl-C (or SIGTERM) stops both processes; if either one dies, the other is stopped as well.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_TIMEOUT = 15  # seconds a child gets to shut down before it is killed


def manage(*args: str, capture: bool = False) -> str:
    """Run a manage.py command in the foreground; exit if it fails."""
    cmd = [sys.executable, "manage.py", *args]
    result = subprocess.run(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None)
    if capture:
        sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.exit(f"`{' '.join(cmd[1:])}` failed with exit code {result.returncode}")
    return result.stdout or ""


def start(name: str, cmd: list[str]) -> subprocess.Popen:
    # A session of its own, so one signal to its group also reaches runserver's autoreload child and
    # the worker's beat process, and a terminal Ctrl-C is handled here, in order, rather than by all at once.
    print(f"[run] starting {name}: {' '.join(cmd)}", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)


def stop(procs: dict[str, subprocess.Popen]) -> None:
    for name, proc in procs.items():
        if proc.poll() is None:
            print(f"[run] stopping {name}", flush=True)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run] {name} did not stop within {STOP_TIMEOUT}s: killing it", flush=True)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def wait_for_port(host: str, port: int, proc: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def demo_accounts(setup_demo_output: str) -> list[str]:
    """The account lines setup_demo printed (indented, after its "Demo accounts" heading)."""
    lines = setup_demo_output.splitlines()
    for i, line in enumerate(lines):
        if "Demo accounts" in line:
            return [row for row in lines[i + 1 :] if row.startswith("  ")]
    return []


class Interrupted(Exception):
    pass


def _interrupt(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dadukou.settings")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))

    manage("migrate", "--noinput")
    accounts = demo_accounts(manage("setup_demo", capture=True))
    if os.environ["DEBUG"].strip().lower() not in {"1", "true", "yes", "on", "y", "t"}:
        # With DEBUG off the static files are served from STATIC_ROOT (WhiteNoise), so collect them.
        manage("collectstatic", "--noinput", "--verbosity", "0")

    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    procs: dict[str, subprocess.Popen] = {}
    try:
        procs["web"] = start("web", [sys.executable, "manage.py", "runserver", f"{host}:{port}"])
        procs["worker"] = start(
            "worker",
            [
                sys.executable, "-m", "celery", "-A", "dadukou", "worker", "-B",
                "--loglevel", os.environ.get("LOG_LEVEL", "info").lower(),
                # One process writes SQLite at a time; the filesystem broker has no use for more.
                "--pool", "solo",
            ],
        )  # fmt: skip
        if wait_for_port("127.0.0.1" if host in {"0.0.0.0", ""} else host, port, procs["web"]):
            banner = [
                "",
                "=" * 72,
                f"  大渡口区矛盾纠纷大调解平台 is running: http://{host}:{port}/",
                f"  Log in at http://{host}:{port}/accounts/login/ with a demo account:",
                *accounts,
                "  Press Ctrl-C to stop the web server and the worker.",
                "=" * 72,
                "",
            ]
            print("\n".join(banner), flush=True)
        while True:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    print(f"[run] {name} exited with code {code}; stopping the rest", flush=True)
                    return code or 1
            time.sleep(0.5)
    except (Interrupted, KeyboardInterrupt) as exc:
        print(f"\n[run] {exc or 'SIGINT'} received", flush=True)
        return 0
    finally:
        # A second Ctrl-C must not abandon the children half-stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(procs)
        print("[run] stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
