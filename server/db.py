"""Database configuration: one Tortoise app holding the shell's and every room's models (the registry's list), one
migrations package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.config_generator import expand_db_url

from server.settings import Settings

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


def tortoise_config(settings: Settings, models: Sequence[str]) -> dict[str, Any]:
    """Tortoise's configuration: `models` are the model modules the registry collected, shell first."""
    return {
        "connections": {"default": connection_config(settings.database_url)},
        "apps": {
            "models": {
                "models": list(models),
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
