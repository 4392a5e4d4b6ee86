"""Consistent online backups: SQLite's backup API, or pg_dump's custom format for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from server.db import is_sqlite
from server.settings import Settings


def backup(settings: Settings, path: str) -> int:
    target = Path(path)
    if target.exists():
        print(f"{target} already exists; choose a new file name.")
        return 2
    url = settings.database_url
    if is_sqlite(url):
        source = sqlite3.connect(url.split("://", 1)[1])
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)  # a consistent snapshot even while workers write (WAL)
        source.close()
        dest.close()
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            print("pg_dump is not installed; install the PostgreSQL client tools.")
            return 2
        dsn = "postgresql://" + url.split("://", 1)[1]
        subprocess.run([pg_dump, "--format=custom", f"--file={target}", dsn], check=True)  # noqa: S603
    os.chmod(target, 0o600)
    print(f"Backup written to {target}. Keep var/secret.key too: the audit chain can't be verified without it.")
    return 0
