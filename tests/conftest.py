"""Every test gets a fresh, fully migrated database and an HTTP client bound to a new app.

SQLite (default): the schema is migrated once into a template file and copied per test. Tests that ask for the
`demo` fixture get a copy of a second template that already holds the demo clinics (loaded once per run, at the
fixed FakeClock time, with the test secret key and argon2 costs), so each still gets its own database.
PostgreSQL (TEST_DATABASE_URL): migrated once per run, then every table is emptied before each test; `demo` loads the
demo clinics into it per test.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import hypothesis
import jinja2
import pytest
from asgi_lifespan import LifespanManager
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from afterglow import create_app, registry, tortoise_config
from server.actor import Actor
from server.passwords import Passwords
from server.settings import Settings

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
DEMO_PASSWORD = "quiet-harbor-lantern"
CLIENT_IP = "203.0.113.7"
KEEP_ON_RESET = {"audit_chain_head", "tortoise_migrations"}
DEMO_TEMPLATE = "demo.sqlite3"


# Property tests: CI (CI=true, as CI services set it and .ci/run exports) runs the full example counts; a developer's
# run draws fewer. Tests take their counts from the loaded profile (tests/server/test_audit.py), never their own.
hypothesis.settings.register_profile("ci", max_examples=300)
hypothesis.settings.register_profile("dev", max_examples=50)
hypothesis.settings.load_profile(
    "ci" if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"} else "dev"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_settings(database_url: str, tmp: Path, clock: FakeClock) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        var_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        notify_interval_seconds=0,  # tests deliver the outbox themselves, when they mean to
        clock=clock,
    )


async def _migrate(url: str, tmp: Path) -> None:
    try:
        await migrate(config=tortoise_config(make_settings(url, tmp, FakeClock())))
    finally:
        await Tortoise.close_connections()  # an open aiosqlite thread would hang the run at exit


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("template")
    if PG_URL:
        asyncio.run(_reset_pg(drop=True))
        asyncio.run(_migrate(PG_URL, tmp))
        return PG_URL
    path = tmp / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite://{path}", tmp))
    return str(path)


def _pg_dsn() -> str:
    return "postgresql://" + PG_URL.split("://", 1)[1]


async def _reset_pg(drop: bool = False) -> None:
    conn = await asyncpg.connect(_pg_dsn())
    try:
        if drop:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            return
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        wipe = ", ".join(f'"{t}"' for t in tables if t not in KEEP_ON_RESET)
        # Triggers keep audit_event append-only; the replica role skips them for this test-only reset.
        await conn.execute(
            "SET session_replication_role = replica;"
            f"TRUNCATE {wipe} RESTART IDENTITY CASCADE;"
            "UPDATE audit_chain_head SET seq = 0, hash = repeat('0', 64);"
        )
    finally:
        await conn.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def _load_demo_into(url: str, tmp: Path) -> None:
    """The demo clinics as `demo` loads them on PostgreSQL: by an anonymous actor, at FakeClock's time, through the
    same Tortoise configuration the app starts with."""
    from server import demo as demo_module

    settings = make_settings(url, tmp, FakeClock())
    await Tortoise.init(config=tortoise_config(settings))
    try:
        await demo_module.load(_actor(settings), DEMO_PASSWORD)
    finally:
        await Tortoise.close_connections()  # the last connection out checkpoints the WAL into the file


@pytest.fixture(scope="session")
def demo_template_db(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite only: the migrated template with the demo clinics loaded, built once per run."""
    assert not PG_URL, "PostgreSQL loads the demo per test"
    tmp = tmp_path_factory.mktemp("demo-template")
    path = tmp / DEMO_TEMPLATE
    shutil.copyfile(template_db, path)
    asyncio.run(_load_demo_into(f"sqlite://{path}", tmp))
    leftover = [p.name for p in tmp.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")) and p.stat().st_size]
    assert not leftover, f"the demo template was not checkpointed: {leftover}"
    return str(path)


@pytest.fixture
def database_template(template_db: str, request: pytest.FixtureRequest) -> str:
    """What a test's database starts from: on SQLite, the demo template when the test asks for `demo` (the `demo`
    fixture then has nothing to load). A plain fixture, so the template is built outside any running event loop."""
    if not PG_URL and "demo" in request.fixturenames:
        return request.getfixturevalue("demo_template_db")
    return template_db


@pytest.fixture
async def settings(database_template: str, tmp_path: Path, clock: FakeClock) -> Settings:
    if PG_URL:
        await _reset_pg()
        return make_settings(PG_URL, tmp_path, clock)
    path = tmp_path / "afterglow.sqlite3"
    shutil.copyfile(database_template, path)
    return make_settings(f"sqlite://{path}", tmp_path, clock)


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept for the whole run. Every test builds a new app, and with it a new template
    environment that would parse and compile each page's templates again; with this it only loads the code. Jinja
    checks each template's source checksum, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    async with LifespanManager(application):
        application.state.templates.env.bytecode_cache = COMPILED_TEMPLATES
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _actor(settings: Settings) -> Actor:
    clock, passwords = settings.clock, Passwords(settings)
    return Actor(user=None, now=clock(), settings=settings, passwords=passwords, ip="test", registry=registry())


@pytest.fixture
def actor(settings: Settings) -> Actor:
    return _actor(settings)


@pytest.fixture
async def demo(app: object, actor: Actor, database_template: str) -> None:
    """The demo clinics (server.demo.load, password DEMO_PASSWORD), loaded at FakeClock's time. On SQLite `settings`
    already copied them in from `demo_template_db`; on PostgreSQL they are loaded here, into the emptied database."""
    if PG_URL:
        from server import demo as demo_module

        await demo_module.load(actor, DEMO_PASSWORD)
        return
    assert Path(database_template).name == DEMO_TEMPLATE, "`demo` must be a declared fixture (see database_template)"


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


async def login(client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)})


async def token(client: httpx.AsyncClient, path: str = "/account/password") -> str:
    """The CSRF token of the signed-in session, read from a page."""
    return csrf_from((await client.get(path)).text)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.text = ""

    @contextmanager
    def counting(self, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            yield
        self.count = sum(1 for r in caplog.records if r.name == "tortoise.db_client")

    async def page(
        self, client: httpx.AsyncClient, path: str, caplog: pytest.LogCaptureFixture, headers: dict | None = None
    ) -> int:
        """GET `path` (it must answer 200; its body, streamed or not, is read in full) and return how many SQL
        statements it ran, audit appends included. The body is kept in `text`."""
        with self.counting(caplog):
            response = await client.get(path, headers=headers)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        self.text = response.text
        return self.count


@pytest.fixture
def queries() -> QueryCounter:
    return QueryCounter()


def another(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser (its own cookies) on the same app, e.g. the therapist while the patient is signed in."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
