"""Typed parsers for settings read from the environment (12-factor).

Each parser takes the raw environment mapping so tests can pass their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


def env_bool(name: str, default: bool, env: Mapping[str, str] = os.environ) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, env: Mapping[str, str] = os.environ) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str], env: Mapping[str, str] = os.environ) -> list[str]:
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, env: Mapping[str, str] = os.environ) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/K8s secrets)."""
    value = env.get(name)
    if value:
        return value
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at {path!r}, which cannot be read") from exc
    return None


def secret_key(env: Mapping[str, str], debug: bool, dev_key_file: Path) -> str:
    """SECRET_KEY from the environment; fail loudly in production if it is missing.

    In DEBUG mode a random key is generated once and kept under var/ so sessions survive restarts.
    """
    key = env_secret("SECRET_KEY", env)
    if key:
        if not debug and (len(key) < 50 or key.startswith("django-insecure")):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for production: use at least 50 random characters"
            )
        return key
    if not debug:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")
    if dev_key_file.exists():
        return dev_key_file.read_text(encoding="utf-8").strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    dev_key_file.parent.mkdir(parents=True, exist_ok=True)
    dev_key_file.write_text(key, encoding="utf-8")
    return key


def database(env: Mapping[str, str], sqlite_path: Path) -> dict:
    """DATABASE_URL, or an SQLite file under var/ when it is unset (the embedded default)."""
    import dj_database_url

    url = env.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"
    config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, env))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # Wait for the lock instead of failing when the worker and the web process write at once.
        config.setdefault("OPTIONS", {})["timeout"] = 20
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


def celery_broker(env: Mapping[str, str], var_dir: Path) -> tuple[str, dict]:
    """The broker URL and transport options.

    With REDIS_URL unset, kombu's filesystem transport is a broker that needs no server,
    so the embedded default still runs the scheduled work.
    """
    redis_url = env.get("REDIS_URL")
    if redis_url:
        return redis_url, {
            # Above the longest task, so a task acked late is not redelivered while still running.
            "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600, env),
        }
    queue_dir = var_dir / "celery" / "queue"
    processed_dir = var_dir / "celery" / "processed"
    # Fanout tables (remote control); kombu's default is ./control, in whatever directory the process runs.
    control_dir = var_dir / "celery" / "control"
    for folder in (queue_dir, processed_dir, control_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        "processed_folder": str(processed_dir),
        "store_processed": False,
        "control_folder": str(control_dir),
    }


def package_dir(name: str) -> Path:
    """The directory of an installed package that ships front-end files (served as static files)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"The package {name!r} is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))
