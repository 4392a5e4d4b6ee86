"""The command line, run as operators run it: `python -m server ...` in a subprocess against the test database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server import audit
from server.models import AuditEvent, User
from tests.conftest import DEMO_PASSWORD, PG_URL, csrf_from, login

ROOT = Path(__file__).resolve().parents[2]


def _env(settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "AFTERGLOW_VAR_DIR": str(settings.var_dir),
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_PARALLELISM": "1",
    }


async def _run(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    def go() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "server", *args]
        return subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=ROOT, env=_env(settings), timeout=60
        )  # noqa: S603

    return await asyncio.to_thread(go)


@pytest.mark.slow
async def test_it_creates_a_user_from_the_command_line_who_can_sign_in(client, demo, settings):
    args = ["create-user", "--email", "t@example.org", "--role", "therapist", "--name", "T", "--clinic", "demo.clinic"]
    done = await _run(settings, *args, stdin="a long walk by the river\n")
    assert done.returncode == 0, done.stderr
    user = await User.get(email="t@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert (await login(client, "t@example.org", "a long walk by the river")).status_code == 303
    assert await AuditEvent.filter(action="user.created", object_id=str(user.id), ip="cli").exists()


@pytest.mark.slow
async def test_it_refuses_a_weak_password_on_the_command_line(demo, settings):
    done = await _run(
        settings, "create-user", "--email", "w@example.org", "--role", "admin", "--name", "W", stdin="password\n"
    )
    assert done.returncode == 2 and "at least 12" in done.stderr
    assert not await User.filter(email="w@example.org").exists()


@pytest.mark.slow
async def test_it_refuses_an_unknown_clinic(demo, settings):
    done = await _run(
        settings,
        "create-user",
        "--email",
        "w@example.org",
        "--role",
        "admin",
        "--name",
        "W",
        "--clinic",
        "nowhere",
        stdin="a long walk by the river\n",
    )
    assert done.returncode == 2 and "No clinic" in done.stderr


@pytest.mark.slow
async def test_audit_verify_exits_zero_on_the_demo_and_non_zero_after_tampering(demo, settings):
    ok = await _run(settings, "audit", "verify")
    assert ok.returncode == 0 and "10 events verified" in ok.stdout
    await _tamper(settings, "UPDATE audit_event SET outcome = 'denied' WHERE seq = 3")
    broken = await _run(settings, "audit", "verify")
    assert broken.returncode == 1 and "seq 3" in broken.stderr


@pytest.mark.slow
async def test_audit_verify_reports_a_deleted_row(demo, settings):
    await _tamper(settings, "DELETE FROM audit_event WHERE seq = 5")
    broken = await _run(settings, "audit", "verify")
    assert broken.returncode == 1 and "seq 5" in broken.stderr


async def _tamper(settings, sql: str) -> None:
    """What someone with database access (not the app) could do."""
    if PG_URL:
        import asyncpg

        conn = await asyncpg.connect("postgresql://" + PG_URL.split("://", 1)[1])
        await conn.execute(f"SET session_replication_role = replica; {sql}")
        await conn.close()
        return
    import sqlite3

    db = sqlite3.connect(settings.database_url.split("://", 1)[1])
    db.executescript(f"DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete; {sql};")
    db.close()


@pytest.mark.slow
async def test_it_backs_up_the_database(demo, settings, tmp_path):
    target = tmp_path / "backup.db"
    done = await _run(settings, "backup", str(target))
    assert done.returncode == 0, done.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    if PG_URL:
        assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format, restored with pg_restore
        return
    import sqlite3

    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM user").fetchone()[0] == 10
    copy.close()
    again = await _run(settings, "backup", str(target))
    assert again.returncode == 2  # never overwrites an earlier backup


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
async def test_concurrent_logins_on_two_workers_keep_the_chain_contiguous(demo, settings):
    port = _free_port()
    env = {**_env(settings), "PORT": str(port), "WEB_CONCURRENCY": "2"}
    server = subprocess.Popen(  # noqa: S603, ASYNC220 - a real server process, started once and awaited over HTTP
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await _wait_healthy(base)
        before = await AuditEvent.all().count()
        emails = [
            "therapist@demo.clinic",
            "therapist2@demo.clinic",
            "patient@demo.clinic",
            "patient2@demo.clinic",
            "supervisor@demo.clinic",
            "admin@demo.clinic",
        ] * 4
        results = await asyncio.gather(*(_login_over_http(base, e) for e in emails))
        assert results == [303] * len(emails)
    finally:
        server.terminate()
        server.wait(timeout=20)
    events = await AuditEvent.all().order_by("seq").values_list("seq", flat=True)
    assert events == list(range(1, before + len(emails) + 1))
    assert (await audit.verify(settings.audit_key)).ok


async def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get(base + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)  # a refused connection costs nothing; start-up is what the tests wait for
    raise AssertionError("server did not start")


async def _login_over_http(base: str, email: str) -> int:
    async with httpx.AsyncClient(base_url=base) as c:
        page = await c.get("/login")
        r = await c.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_from(page.text)})
        return r.status_code
