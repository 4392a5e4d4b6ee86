"""Real-browser tests: a live server on its own SQLite file, driven by Debian's Chromium through Playwright.

One server and one browser per test session; every test gets a fresh browser context (cookies, storage).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO_PASSWORD = "quiet-harbor-lantern"
STARTUP_TIMEOUT = 20.0
# Short enough that a hang fails a test fast; long enough for argon2 on a busy CI machine.
ACTION_TIMEOUT_MS = 10_000

# email, name, role, home — the demo accounts (DESIGN §6), one per role.
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
    env.pop("TEST_DATABASE_URL", None)  # browser tests always run on their own SQLite file
    env.pop("WEB_CONCURRENCY", None)
    env.update(
        AFTERGLOW_VAR_DIR=str(tmp), DATABASE_URL=f"sqlite://{tmp / 'browser.sqlite3'}",
        SECRET_KEY="browser-test-secret", ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="1024",
        ARGON2_PARALLELISM="1", HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1",
    )  # fmt: skip
    return env


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env,  # noqa: S603
                              stdout=out, stderr=subprocess.STDOUT, timeout=120, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"`python -m server {' '.join(args)}` failed ({done.returncode}):\n{log.read_text()}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        pytest.skip(reason="Chromium not installed at /usr/bin/chromium")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def live_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate, load the demo clinics, serve; yields the base URL."""
    tmp = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    env = _server_env(tmp, port)
    log = tmp / "server.log"
    _run(["migrate"], env, log)
    _run(["demo", "--password", DEMO_PASSWORD], env, log)
    base_url = f"http://127.0.0.1:{port}"
    out = log.open("ab")
    server = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env,  # noqa: S603
                              stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
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


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Makes extra contexts (a second person, JavaScript off, a small screen); all closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, as a person would, and wait for the page the server sends back."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
