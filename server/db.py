"""Database configuration: one Tortoise app holding the shell's and every room's models, one migrations package."""

from __future__ import annotations

import importlib.util
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.config_generator import expand_db_url

from server.settings import Settings, from_env

# Rooms in import order: each may import only the rooms before it (import-linter checks it; see pyproject.toml).
# The shell finds their models and routes by name, so it never imports them.
ROOMS = ("care", "journal", "notes", "oversight")

# SQLite tuning for several workers on one machine: WAL for concurrent readers, wait rather than fail on a busy lock,
# fsync on commit.
# cache_size: 64 MiB of pages per worker (negative = KiB) instead of SQLite's 2 MiB, so a clinic network's hot
# indexes stay in memory; temp_store keeps sorts off disk.
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "busy_timeout": 5000,
    "synchronous": "FULL",
    "foreign_keys": "ON",
    "cache_size": -65536,
    "temp_store": "MEMORY",
}


def model_modules() -> list[str]:
    modules = ["server.models"]
    modules += [f"{room}.models" for room in ROOMS if importlib.util.find_spec(f"{room}.models")]
    return modules


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def connection_config(url: str) -> dict[str, Any]:
    if is_sqlite(url):
        path = url.split("://", 1)[1]
        return {"engine": "server.sqlite_backend", "credentials": {"file_path": path, **SQLITE_PRAGMAS}}
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql"}:
        url = "asyncpg://" + url.split("://", 1)[1]
    return expand_db_url(url)


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(settings.database_url)},
        "apps": {
            "models": {
                "models": model_modules(),
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # `tortoise -c server.db.TORTOISE_ORM makemigrations` reads this; computed lazily so importing is side-effect free.
    if name == "TORTOISE_ORM":
        return tortoise_config(from_env())
    raise AttributeError(name)
