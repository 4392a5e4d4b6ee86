"""Where a page's time goes: CPU per request and a split by component, in-process, on a seeded database.

    DATABASE_URL=sqlite:///path/bench.sqlite3 AFTERGLOW_VAR_DIR=/path .venv/bin/python benchmarks/breakdown.py

Needs a database prepared with `migrate`, `demo` and `seed --scale N` (benchmarks/run.py leaves none behind; make
one by hand). Signs in the seeded accounts, requests each page 40 times for CPU time (time.process_time, so other
load on a shared machine matters less than for wall time), then 40 times under cProfile, and splits the profile by
package. Built-in calls (str.format, getattr, …) are charged to whoever called them, so pypika's string building
counts as query building. Time the event loop spends waiting in epoll is the SQLite thread executing statements.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import re
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "quiet-harbor-lantern"  # noqa: S105 - the documented demo password
REQUESTS = 40

CATEGORIES = [
    (
        "ORM query building",
        (
            "pypika_tortoise",
            "tortoise/queryset",
            "tortoise/expressions",
            "tortoise/query_utils",
            "tortoise/filters",
            "tortoise/backends/base/executor",
            "tortoise/backends/sqlite/executor",
            "tortoise/connection",
            "tortoise/transactions",
            "tortoise/utils",
            "copy.py",
        ),
    ),
    ("ORM rows to objects", ("tortoise/models", "tortoise/fields", "ciso8601", "iso8601", "json/")),
    ("waiting on the SQLite thread", ("asyncio", "selectors", "poll", "_contextvars")),
    ("driver hand-off", ("aiosqlite", "sqlite3", "_queue", "queue.py", "threading.py", "tortoise/backends")),
    ("templates", ("jinja2", "templates/", "markupsafe", "markdown_it", "nh3")),
    ("HTTP stack", ("starlette", "httpx", "h11", "anyio", "multipart", "uvicorn")),
    ("Afterglow code", tuple(str(ROOT / room) for room in ("server", "care", "journal", "notes", "oversight"))),
]
PAGES = [
    ("hello (/livez)", "p", "/livez"),
    ("patient journal list", "p", "/journal"),
    ("one journal entry", "p", "/journal/{entry}"),
    ("therapist dashboard", "t", "/caseload"),
    ("patient chart + SVG", "t", "/patients/{patient}"),
    ("infusion page", "t", "/infusions/{infusion}"),
    ("audit viewer deep page", "s", "/oversight/audit?before={deep_seq}"),
]


def category(filename: str, name: str) -> str:
    key = f"{filename} {name}"
    return next((label for label, parts in CATEGORIES if any(part in key for part in parts)), "other")


def split(stats: pstats.Stats) -> dict[str, float]:
    totals: dict[str, float] = {}
    for (filename, _, name), (_, _, own, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == "~" and callers and not any(part in name for part in ("poll", "_queue", "sqlite3")):
            for (caller_file, _, caller_name), caller_stats in callers.items():
                label = category(caller_file, caller_name)
                totals[label] = totals.get(label, 0.0) + caller_stats[2]
            continue
        label = category(filename, name)
        totals[label] = totals.get(label, 0.0) + own
    return totals


async def main() -> None:
    from asgi_lifespan import LifespanManager

    from afterglow import create_app
    from benchmarks.targets import ids_of
    from server.settings import from_env

    settings = from_env()
    ids = await ids_of(settings.database_url, str(settings.var_dir), "t0@scale.clinic")
    app = create_app(settings)
    async with LifespanManager(app):
        cookies = {}
        for who, email in (("p", "p0@scale.clinic"), ("t", "t0@scale.clinic"), ("s", "supervisor@scale.clinic")):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://profile") as c:
                page = await c.get("/login")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
                await c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
                cookies[who] = c.cookies["afterglow"]
        print("| Page | CPU ms/request | Where the time goes |")
        print("| --- | ---: | --- |")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://profile") as c:
            for label, who, path in PAGES:
                headers = {"Cookie": f"afterglow={cookies[who]}"}
                url = path.format(**ids)
                for _ in range(5):
                    await c.get(url, headers=headers)
                began = time.process_time()
                for _ in range(REQUESTS):
                    await c.get(url, headers=headers)
                cpu = (time.process_time() - began) * 1000 / REQUESTS
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(REQUESTS):
                    await c.get(url, headers=headers)
                profiler.disable()
                totals = split(pstats.Stats(profiler))
                whole = sum(totals.values())
                ranked = sorted(totals.items(), key=lambda item: -item[1])
                print(f"| {label} | {cpu:.1f} | " + ", ".join(f"{k} {100 * v / whole:.0f}%" for k, v in ranked) + " |")


if __name__ == "__main__":
    asyncio.run(main())
