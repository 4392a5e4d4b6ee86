"""Load benchmark: real server, real sessions, wrk at fixed concurrency; ratios to a bare Starlette hello app
(benchmarks/hello.py, the external anchor, on the same uvicorn in the same run) and to Afterglow's own /livez.

    .venv/bin/python benchmarks/run.py [--workers 1,2] [--database sqlite|postgres] [--scale 1] [--duration 10]

Seeds a fresh database (demo + `seed --scale N`), starts `python -m server serve` like production, signs in one
session per role, then drives each route with wrk (Debian package) and reports req/s, p50/p99 latency, SQL queries
per request (counted in-process on the same database) and the ratios to hello and /livez measured in the same run. It
drives the patient journal list again while 10 sign-ins per second run beside it (real argon2 at production cost)
and compares p99 with and without them. Appends a section per worker count to benchmarks/RESULTS.md.

A scale-10 seed takes minutes: `--keep DIR` seeds into DIR (on PostgreSQL also a database named after it) and keeps
it; `--reuse DIR [--database postgres] --scale 10` measures it again with the code checked out now.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import hello  # noqa: E402 - after the path is set
from benchmarks.targets import NOTES_TO_SIGN, ids_of  # noqa: E402

PASSWORD = "quiet-harbor-lantern"  # noqa: S105 - the documented demo password
LUA = ROOT / "benchmarks" / "request.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout


async def login(base: str, email: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=base) as c:
        page = await c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        await c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        page = await c.get("/account/password")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return f"afterglow={c.cookies['afterglow']}", csrf


def wrk(url: str, duration: int, connections: int, env: dict[str, str]) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(LUA), url]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1)) for p in ("50", "99")}  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat["50"], "p99": lat["99"], "errors": float(non2xx.group(1)) if non2xx else 0.0}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def count_queries(
    database_url: str, var_dir: str, requests: list[tuple[str, str, str, str, str]], spare_note: int
) -> dict[str, int]:
    """SQL statements per request, counted in-process against the same database: a page's second request (the
    first compiles its queries), with the background delivery loop off so its polls are not counted."""
    from asgi_lifespan import LifespanManager

    from afterglow import create_app
    from server.settings import from_env

    os.environ.update({"DATABASE_URL": database_url, "AFTERGLOW_VAR_DIR": var_dir, "NOTIFY_INTERVAL_SECONDS": "0"})
    app = create_app(from_env())
    counts: dict[str, int] = {}
    records: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("tortoise.db_client")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Catch())
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        for name, method, path, cookie, body in requests:
            headers = {"Cookie": cookie} if cookie else {}
            if method == "GET":
                await client.get(path, headers=headers)
            records.clear()
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["HX-Request"] = "true"
            path = path.replace("NOTE", str(spare_note))
            response = await client.request(
                method, path, headers=headers, content=body.replace("KEY", f"q{time.time_ns()}")
            )
            if response.status_code >= 400:
                print(f"warning: {name} answered {response.status_code} when counting its queries")
            counts[name] = len(records)
    return counts


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1", help="worker counts to run against the same seeded database: 1,2")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--reuse", metavar="DIR", help="an earlier run's kept scratch directory (--keep): measure it again, no new seed"
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="seed into DIR (on PostgreSQL also a database named after it); keep both"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    if args.reuse:  # a big seed (scale 10) takes long: measure the same database again
        url_file = Path(args.reuse) / "database_url"
        url = url_file.read_text().strip() if url_file.exists() else f"sqlite://{args.reuse}/bench.sqlite3"
        await bench(args, url, args.reuse)
        return
    var = args.keep or tempfile.mkdtemp(prefix="afterglow-bench-")
    Path(var).mkdir(parents=True, exist_ok=True)
    name = f"afterglow_bench_{Path(var).name.replace('-', '_')}" if args.keep else f"afterglow_bench_{os.getpid()}"
    psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
    if args.database == "sqlite":
        url = f"sqlite://{var}/bench.sqlite3"
    else:
        subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)  # noqa: S603
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    (Path(var) / "database_url").write_text(url + "\n")
    try:
        await bench(args, url, var)
    finally:  # a seeded database is gigabytes: never leave one behind unless asked to
        if args.database == "postgres" and not args.keep:
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)  # noqa: S603
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)


async def bench(args: argparse.Namespace, url: str, var: str) -> None:
    started = time.perf_counter()
    base_env = {**os.environ, "DATABASE_URL": url, "AFTERGLOW_VAR_DIR": var, "LOGIN_MAX_FAILURES_IP": "100000"}
    seed_line = f"reused from {args.reuse}, seeded earlier"
    if not args.reuse:
        run([sys.executable, "-m", "server", "migrate"], base_env)
        run([sys.executable, "-m", "server", "demo"], base_env)
        seeding = ["seed", "--scale", str(args.scale)]
        seed_out = run([sys.executable, "-m", "server", *seeding], base_env) if args.scale else ""
        seed_line = next((line for line in seed_out.splitlines() if "rows/s" in line), "")
    verify_t = time.perf_counter()
    verify_out = run([sys.executable, "-m", "server", "audit", "verify"], base_env)
    verify_seconds = time.perf_counter() - verify_t
    events = int(re.search(r"(\d+) events verified", verify_out).group(1))  # type: ignore[union-attr]
    for workers in (int(w) for w in args.workers.split(",")):
        env = {**base_env, "PORT": str(free_port()), "WEB_CONCURRENCY": str(workers)}
        results, logins, routes, spare_note = await measure(args, env, url, var)
        queries = await count_queries(url, var, routes, spare_note)
        write(args, workers, results, queries, logins, seed_line, events / max(verify_seconds, 1e-9), started)


async def measure(
    args: argparse.Namespace, env: dict[str, str], url: str, var: str
) -> tuple[dict[str, dict[str, float]], dict[str, float], list[tuple[str, str, str, str, str]], int]:
    """Start the server like production, sign in one session per role, drive every route with wrk."""
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=env,  # noqa: S603
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/livez").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        scale = "scale.clinic" if args.scale else "demo.clinic"
        therapist, supervisor, patient = (
            ("t0", "supervisor", "p0") if args.scale else ("therapist", "supervisor", "patient")
        )
        t_cookie, _ = await login(base, f"{therapist}@{scale}")
        s_cookie, _ = await login(base, f"{supervisor}@{scale}")
        p_cookie, p_csrf = await login(base, f"{patient}@{scale}")
        pre_cookie, pre_csrf = await login_form(base)
        # Notes are signed by a second therapist, so the drafts waiting to be signed never show on the pages
        # measured for the first (dashboard, chart, infusion).
        signer = "t1" if args.scale else "therapist2"
        sign_cookie, sign_csrf = await login(base, f"{signer}@{scale}")
        ids = await ids_of(url, var, f"{therapist}@{scale}", f"{signer}@{scale}")
        body = f"csrf_token={p_csrf}&version=0&kind=free&draft_key=KEY&body=benchmark+words+about+the+lake"
        sign_in = f"email={patient}%40{scale}&password={PASSWORD}&csrf_token={pre_csrf}"
        note_sign = f"version=1&password={PASSWORD}&csrf_token={sign_csrf}"
        routes = [
            ("hello (/livez)", "GET", "/livez", "", ""),
            ("login page", "GET", "/login", "", ""),
            ("patient journal list", "GET", "/journal", p_cookie, ""),
            ("therapist dashboard", "GET", "/caseload", t_cookie, ""),
            ("patient chart + SVG", "GET", f"/patients/{ids['patient']}", t_cookie, ""),
            ("infusion page", "GET", f"/infusions/{ids['infusion']}", t_cookie, ""),
            ("journal autosave (POST)", "POST", "/journal/new", p_cookie, body),
            ("audit viewer deep page", "GET", f"/oversight/audit?before={ids['deep_seq']}", s_cookie, ""),
            ("sign in (POST, argon2)", "POST", "/login", pre_cookie, sign_in),
            ("note sign (POST, step-up)", "POST", "/notes/NOTE/sign", sign_cookie, note_sign),
        ]
        plain = {"WRK_METHOD": "GET", "WRK_COOKIE": "", "WRK_BODY": "", "WRK_CSRF": ""}
        with hello.running(free_port(), workers=int(env["WEB_CONCURRENCY"])) as anchor:
            results = {HELLO: wrk(anchor, args.duration, args.connections, plain)}
        for name, method, path, cookie, form in routes:
            csrf = {"/login": pre_csrf, "/notes/NOTE/sign": sign_csrf}.get(path, p_csrf)
            env = {"WRK_METHOD": method, "WRK_COOKIE": cookie, "WRK_BODY": form, "WRK_CSRF": csrf}
            if "NOTE" in path:  # each signature needs its own draft: wrk walks through the prepared ones
                env["WRK_NOTES"] = ",".join(str(n) for n in ids["drafts"][: NOTES_TO_SIGN // 2])
            results[name] = wrk(base + path, args.duration, args.connections, env)
        logins = under_logins(base, args, p_cookie, f"{patient}@{scale}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results, logins, routes, ids["drafts"][-1]


HELLO = "bare Starlette hello"


def under_logins(base: str, args: argparse.Namespace, cookie: str, email: str) -> dict[str, float]:
    """The journal list's p99 while sign-ins are offered at 10 per second (each a real argon2 verify at production
    cost), each from its own client as separate people would."""
    stop = threading.Event()
    done: list[float] = []

    def one_sign_in() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            page = c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            if c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code < 400:
                done.append(time.monotonic())

    def offer() -> None:
        with ThreadPoolExecutor(max_workers=32) as pool:
            next_at = time.monotonic()
            while not stop.is_set():
                pool.submit(one_sign_in)
                next_at += 0.1
                time.sleep(max(0.0, next_at - time.monotonic()))

    env = {"WRK_METHOD": "GET", "WRK_COOKIE": cookie, "WRK_BODY": "", "WRK_CSRF": ""}
    quiet = wrk(base + "/journal", args.duration, args.connections, env)
    thread = threading.Thread(target=offer, daemon=True)
    began = time.monotonic()
    thread.start()
    busy = wrk(base + "/journal", args.duration, args.connections, env)
    ended = time.monotonic()
    stop.set()
    thread.join(timeout=120)
    return {
        "quiet_p99": quiet["p99"],
        "busy_p99": busy["p99"],
        "logins_per_s": sum(began <= t <= ended for t in done) / (ended - began),
    }


async def login_form(base: str) -> tuple[str, str]:
    """The pre-sign-in CSRF cookie and its token, reusable for many sign-in posts."""
    async with httpx.AsyncClient(base_url=base) as c:
        page = await c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items()), token


def write(
    args: argparse.Namespace,
    workers: int,
    results: dict,
    queries: dict,
    logins: dict[str, float],
    seed_line: str,
    verify_rate: float,
    started: float,
) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()  # noqa: S603, S607
    anchor = results[HELLO]["rps"]
    livez = results["hello (/livez)"]["rps"]
    lines = [
        f"\n### {args.database}, {workers} worker(s), scale {args.scale:g} — commit {commit}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; wrk -t2 "
        f"-c{args.connections} -d{args.duration}s. Seed: {seed_line or 'none'}. `audit verify`: "
        f"{verify_rate:,.0f} events/s. Run so far {time.perf_counter() - started:.0f} s.",
        "",
        "| Route | req/s | p50 ms | p99 ms | SQL/req | ratio to bare hello | ratio to /livez | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {queries.get(name, 0)} | "
            f"{r['rps'] / anchor:.2f}× | {r['rps'] / livez:.2f}× | {r['errors']:.0f} |"
        )
    lines += [
        "",
        f"Sign-ins beside reads: patient journal list p99 {logins['quiet_p99']:.1f} ms alone, "
        f"{logins['busy_p99']:.1f} ms while sign-ins were offered at 10/s ({logins['logins_per_s']:.1f}/s completed) "
        f"({logins['busy_p99'] / max(logins['quiet_p99'], 1e-9):.2f}×; target ≤ 2×).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    results_file = ROOT / "benchmarks" / "RESULTS.md"
    if not results_file.exists():
        results_file.write_text("# Benchmark results\n\nProduced by `benchmarks/run.py`; newest last.\n")
    with results_file.open("a") as handle:
        handle.write(text)


if __name__ == "__main__":
    asyncio.run(main())
