"""Every page is clean in a real browser: no console errors, no CSP violations, no axe violations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, expect

from tests.browser.conftest import ROLES, sign_in

pytestmark = pytest.mark.browser

# Recorded by the browser itself, before any page script runs (Playwright's init scripts are exempt from CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


# Every page links /static/favicon.svg, so Chromium asks for no other icon; everything a page loads must succeed.
BROWSER_OWN_REQUESTS: tuple[str, ...] = ()
FAILED_LOAD = "Failed to load resource: the server responded with a status of "


class Problems:
    """Console errors and warnings, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        self.console: list[tuple[str, str]] = []  # (text, url)
        self.documents: set[str] = set()  # pages the server answered with 4xx on purpose (a form with errors)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"uncaught: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.console.append((f"console {message.type}: {message.text}", message.location.get("url", "")))

    def _failed(self, request: Request) -> None:
        # ERR_ABORTED means the next navigation cancelled the request (often the icon); errors show up as statuses.
        if not request.url.endswith(BROWSER_OWN_REQUESTS) and request.failure != "net::ERR_ABORTED":
            self.found.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status < 400 or response.url.endswith(BROWSER_OWN_REQUESTS):
            return
        if response.request.resource_type == "document":
            self.documents.add(response.url)
        else:
            self.found.append(f"HTTP {response.status}: {response.url}")

    @property
    def items(self) -> list[str]:
        def expected(text: str, url: str) -> bool:
            return FAILED_LOAD in text and (url.endswith(BROWSER_OWN_REQUESTS) or url in self.documents)

        return self.found + [f"{text} ({url})" for text, url in self.console if not expected(text, url)]


def assert_clean(page: Page, problems: Problems) -> None:
    page.wait_for_load_state("load")
    # htmx loaded from our own origin, configured by the meta tag (a blocked script leaves it undefined).
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.selfRequestsOnly") is True
    assert page.evaluate("window.__cspViolations") == []
    assert problems.items == []


HOMES = [pytest.param(role, id=role) for role in ROLES]


def test_the_login_page_has_no_console_errors_or_csp_violations(page: Page):
    page.add_init_script(CSP_LISTENER)
    problems = Problems(page)
    page.goto("/login")
    assert_clean(page, problems)
    # The error state too (it renders an alert and aria attributes).
    page.get_by_label("Email").fill("nobody@demo.clinic")
    page.get_by_label("Password").fill("wrong-password-here")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_clean(page, problems)


@pytest.mark.parametrize("role", HOMES)
def test_each_home_page_has_no_console_errors_or_csp_violations(page: Page, role: str):
    page.add_init_script(CSP_LISTENER)
    problems = Problems(page)
    sign_in(page, ROLES[role][0])
    assert page.url.endswith(ROLES[role][2])
    assert_clean(page, problems)


def check_axe(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def test_the_login_page_passes_axe(page: Page):
    page.goto("/login")
    check_axe(page)


def test_the_login_page_with_an_error_passes_axe(page: Page):
    page.goto("/login")
    page.get_by_label("Email").fill("nobody@demo.clinic")
    page.get_by_label("Password").fill("wrong-password-here")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_axe(page)


@pytest.mark.parametrize("role", HOMES)
def test_each_home_page_passes_axe(page: Page, role: str):
    sign_in(page, ROLES[role][0])
    assert page.url.endswith(ROLES[role][2])
    check_axe(page)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new"])
def test_admin_pages_pass_axe(page: Page, path: str):
    sign_in(page, "admin@demo.clinic")
    page.goto(path)
    check_axe(page)


def test_an_account_page_passes_axe(page: Page):
    sign_in(page, "admin@demo.clinic")
    page.get_by_role("link", name="Sam Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Okafor")
    check_axe(page)
    # With a field error shown (an empty new password).
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("#e-password")).to_be_visible()
    check_axe(page)


def test_the_password_page_with_errors_passes_axe(page: Page):
    sign_in(page, "patient@demo.clinic")
    page.get_by_role("link", name="Password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_axe(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#e-current_password")).to_be_visible()
    check_axe(page)


def test_an_error_page_passes_axe(page: Page):
    sign_in(page, "patient@demo.clinic")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    check_axe(page)


def test_admin_forms_have_no_console_errors_or_csp_violations(page: Page):
    page.add_init_script(CSP_LISTENER)
    problems = Problems(page)
    sign_in(page, "admin@demo.clinic")
    page.goto("/admin/users/new")
    assert_clean(page, problems)
    page.get_by_role("button", name="Create account").click()  # every field missing: a 400 with errors
    expect(page.locator("#e-password")).to_be_visible()
    assert_clean(page, problems)


def test_the_new_account_form_with_errors_passes_axe(page: Page):
    sign_in(page, "admin@demo.clinic")
    page.goto("/admin/users/new")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#e-password")).to_be_visible()
    check_axe(page)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide at a 360 px viewport"
    expect(page.locator("main#main h1")).to_be_in_viewport()


def test_a_narrow_screen_login_page_fits_and_shows_sign_in(new_context: Callable[..., BrowserContext]):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto("/login")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport()


def test_a_narrow_screen_therapist_home_fits(new_context: Callable[..., BrowserContext]):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, "therapist@demo.clinic")
    assert page.url.endswith("/caseload")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new"])
def test_a_narrow_screen_admin_page_fits(new_context: Callable[..., BrowserContext], path: str):
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, "admin@demo.clinic")
    page.goto(path)
    no_sideways_scroll(page)  # the accounts table scrolls inside its own box, not the page
