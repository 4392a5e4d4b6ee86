"""Real-browser tests: a live server on its own SQLite file, driven by Debian's Chromium through Playwright.

One server and one browser for the whole of tests/browser; every test gets fresh browser contexts (cookies,
storage), so tests do not share a session. Tests that create accounts give them unique emails.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright

# checks.py holds the assertions every journey makes on every page, the *_helpers modules the steps the journeys
# share: let pytest explain their assertions when they fail.
pytest.register_assert_rewrite(
    "tests.browser.checks",
    "tests.browser.care_helpers",
    "tests.browser.journal_notes_helpers",
    "tests.browser.oversight_helpers",
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "quiet-harbor-lantern"
STARTUP_TIMEOUT = 20.0
COMMAND_TIMEOUT = 30  # migrate and demo take a second or two; a hang must not stall the run for long
# Short enough that a hang fails a test fast; long enough for argon2 on a busy CI machine.
ACTION_TIMEOUT_MS = 10_000

INHERITED_SETTINGS_IGNORED = (
    "TEST_DATABASE_URL",
    "WEB_CONCURRENCY",
    "SECURE_COOKIES",
    "SESSION_IDLE_SECONDS",
    "SESSION_ABSOLUTE_SECONDS",
    "ARGON2_MAX_CONCURRENT",
    "LOGIN_WINDOW_SECONDS",
    "LOGIN_MAX_FAILURES_ACCOUNT",
    "LOGIN_MAX_FAILURES_IP",
)

# email, name, role, home — the demo accounts (server/demo.py, listed in the README), one per role.
ROLES = {
    "patient": ("patient@demo.clinic", "Casey Morgan", "/journal"),
    "therapist": ("therapist@demo.clinic", "Sam Okafor", "/caseload"),
    "supervisor": ("supervisor@demo.clinic", "Priya Raman", "/oversight"),
    "admin": ("admin@demo.clinic", "Dana Whitfield", "/admin/users"),
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(tmp: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    # Browser tests always run on their own SQLite file, one worker, plain-http cookies and the default limits,
    # whatever the caller's environment says.
    for name in INHERITED_SETTINGS_IGNORED:
        env.pop(name, None)
    env.update(
        AFTERGLOW_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite://{tmp / 'browser.sqlite3'}",
        SECRET_KEY="browser-test-secret",
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="1024",
        ARGON2_PARALLELISM="1",
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    command = f"python -m server {' '.join(args)}"
    with log.open("ab") as out:
        try:
            done = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "server", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{command}` still running after {COMMAND_TIMEOUT} s (killed):\n{log.read_text()}")
    if done.returncode != 0:
        pytest.fail(f"`{command}` failed ({done.returncode}):\n{log.read_text()}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (.ci/run does)")
        pytest.skip(
            reason="Chromium not installed at /usr/bin/chromium: browser tests SKIPPED (apt-get install chromium)"
        )
    return str(CHROMIUM)


@pytest.fixture(scope="package")
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's var dir: its SQLite file (browser.sqlite3) and its log (server.log)."""
    return tmp_path_factory.mktemp("browser-server")


@pytest.fixture(scope="package")
def live_server(chromium_path: str, server_dir: Path) -> Iterator[str]:
    """Migrate, load the demo clinics, serve; yields the base URL."""
    with serving(server_dir) as base_url:
        yield base_url


@contextmanager
def serving(tmp: Path, **extra_env: str) -> Iterator[str]:
    """A real server on a free port over a fresh demo database in `tmp` (extra settings as environment)."""
    port = _free_port()
    env = {**_server_env(tmp, port), **extra_env}
    log = tmp / "server.log"
    _run(["migrate"], env, log)
    _run(["demo", "--password", DEMO_PASSWORD], env, log)
    base_url = f"http://127.0.0.1:{port}"
    out = log.open("ab")
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve"],
        cwd=ROOT,
        env=env,  # noqa: S603
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(base_url + "/healthz"):
            if server.poll() is not None:
                pytest.fail(f"server exited with {server.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"server not healthy after {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        out.close()


# Package scope, not session: while Playwright's sync API is alive it marks its asyncio loop as running in
# the main thread, so every async test collected after tests/browser would fail with "asyncio.run() cannot
# be called from a running event loop". All browser tests live in this package: still one browser per run.
@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Makes extra contexts (a second person, JavaScript off, a small screen); all closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for number, context in enumerate(made):
        for index, open_page in enumerate(context.pages):
            screenshot(open_page, f"{request.node.name}-{number}-{index}")
        context.close()


ARTIFACTS = ROOT / "test-artifacts"


def screenshot(page: Page, name: str) -> None:
    """Keep what the page showed at the end of each journey for reviewers (git-ignored); never fails a test."""
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:150]
        # caret="initial": hiding the caret leaves style="" on every input, and htmx then copies that attribute
        # while settling a swap, which the CSP (rightly) reports as an inline style.
        page.screenshot(path=str(ARTIFACTS / f"{safe}.png"), full_page=True, timeout=5_000, caret="initial")
    except Exception:  # noqa: BLE001, S110 - a screenshot is a courtesy to reviewers, not part of the assertion
        pass


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def user_id(server_dir: Path, email: str) -> int:
    """An account's id, read from the live server's database (for addresses a person could guess)."""
    with closing(sqlite3.connect(server_dir / "browser.sqlite3")) as db:
        row = db.execute('SELECT id FROM "user" WHERE email = ?', (email,)).fetchone()
    assert row, f"no account {email}"
    return int(row[0])


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait for the page the server sends back."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def submit(button: Locator) -> int:
    """Press a form's button and wait for the page the server sends back; returns that page's HTTP status."""
    with button.page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None, "the form led to no page"
    return response.status


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
