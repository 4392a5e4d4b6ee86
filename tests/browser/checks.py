"""What every page of every journey must be: no console errors or CSP violations, no axe violations at 1280 px and
at 360 px wide (and no sideways scrolling there), with a screenshot kept for reviewers.

`watch(page)` before the first visit, then `checkpoint(page, problems, "slug")` on each page (or state) reached.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Request, Response, Route, ViewportSize, expect

from tests.browser.conftest import screenshot

WIDE: ViewportSize = {"width": 1280, "height": 800}
NARROW: ViewportSize = {"width": 360, "height": 740}

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

    def __init__(self, page: Page, *, scripts: bool = True) -> None:
        self.scripts = scripts  # False for a context made with java_script_enabled=False
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


def watch(page: Page, *, scripts: bool = True) -> Problems:
    """Record CSP violations (from before any page script runs) and console errors for this page."""
    if scripts:
        page.add_init_script(CSP_LISTENER)
    return Problems(page, scripts=scripts)


def assert_clean(page: Page, problems: Problems) -> None:
    page.wait_for_load_state("load")
    if not problems.scripts:
        # Scripts really are off: htmx never ran (and nothing it would have done is needed).
        assert page.evaluate("typeof window.htmx") == "undefined", "JavaScript is on in a no-JavaScript journey"
        assert problems.items == []
        return
    # htmx loaded from our own origin, configured by the meta tag (a blocked script leaves it undefined).
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.selfRequestsOnly") is True
    assert page.evaluate("window.__cspViolations") == []
    assert problems.items == []


_AXE = Axe()


def check_axe(page: Page) -> None:
    """No axe-core violations of any impact (stricter than the issue's "no serious or critical"). Only for pages
    with scripts on: elsewhere axe.run() never settles (checkpoint() uses scripted_twin() there)."""
    # Inject axe once per document (the same page is checked at two widths); evaluate() is not bound by the CSP.
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(_AXE.axe_script)
    results = AxeResults(page.evaluate(f"axe.run({json.dumps(DEFAULT_OPTIONS)})"))
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def axe_wide_and_narrow(page: Page) -> None:
    """axe finds nothing at 1280 px nor at 360 px, and the narrow page does not scroll sideways."""
    before = page.viewport_size or WIDE
    try:
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            try:
                check_axe(page)
            except AssertionError as failure:
                raise AssertionError(f"axe at {size['width']} px wide: {failure}") from None
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{page.url} is {width} px wide at a 360 px viewport"
    finally:
        page.set_viewport_size(before)


def expect_announced(page: Page, field: Locator, message: str) -> None:
    """A refused field as a screen reader meets it: marked invalid, described by its message (aria-describedby),
    and the message also in an alert or live region, so it is read out without hunting for it."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    announcers = page.locator("[role=alert], [role=status], [aria-live]")
    expect(announcers.filter(has_text=message).first).to_be_visible()


_shots: Counter[str] = Counter()


def _test_name() -> str:
    """The running test's name with its parameters ("test_x[patient]"), from what pytest exports for it."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "test")
    return current.rsplit("::", 1)[-1].rsplit(" ", 1)[0]


def checkpoint(page: Page, problems: Problems, slug: str) -> None:
    """One page (or state) of a journey: clean console, axe at both widths, a screenshot for reviewers."""
    assert_clean(page, problems)
    if problems.scripts:
        axe_wide_and_narrow(page)
    else:
        axe_wide_and_narrow(scripted_twin(page))
    test = _test_name()
    _shots[test] += 1
    screenshot(page, f"{test}-{_shots[test]:02d}-{re.sub(r'[^a-z0-9]+', '-', slug.lower()).strip('-')}")


class _Twin:
    """One scripted page per browser that shows whatever document it is handed (see scripted_twin)."""

    def __init__(self, browser: Browser) -> None:
        self.page = browser.new_context().new_page()
        self.html = ""
        self.address = ""
        self.page.route("**/*", self._serve)

    def _serve(self, route: Route) -> None:
        request = route.request
        if request.resource_type == "document" and request.url.split("#", 1)[0] == self.address:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()


_twins: dict[int, _Twin] = {}


def scripted_twin(page: Page) -> Page:
    """The same document in a page where axe can run. axe waits on timers, and timers never fire where scripts are
    off, so a page without JavaScript is checked through a twin: its HTML as the browser holds it, served at the same
    address, with the same stylesheets, and the page's own scripts refused (so the DOM stays the one people see)."""
    browser = page.context.browser
    assert browser is not None
    twin = _twins.get(id(browser))
    if twin is None or twin.page.is_closed():
        twin = _twins[id(browser)] = _Twin(browser)
    twin.html, twin.address = page.content(), page.url.split("#", 1)[0]
    twin.page.goto(twin.address)
    return twin.page
