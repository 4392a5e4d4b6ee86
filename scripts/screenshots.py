"""Screenshots of the product for the README: the patient's main pages at 390 px (a phone) and 1280 px (a laptop),
and a therapist's chart and infusion page at 1280 px, over a fresh demo clinic.

    .venv/bin/python scripts/screenshots.py        # writes docs/screenshots/*.png (needs /usr/bin/chromium)

It starts its own server (migrate, demo, serve on a free port, the same way the browser tests do) and signs in as
the demo accounts. Run it after changing a patient page's look, and look at the pictures before committing them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, serving  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def shoot(page: Page, name: str) -> None:
    """The phone's pictures are one screen (what a patient sees first, tab bar included); the laptop's the page."""
    page.wait_for_load_state("load")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=not name.endswith("-390"), caret="initial")
    print(f"wrote {path.relative_to(ROOT)}")


def patient_pages(page: Page, width: str) -> None:
    sign_in(page, "patient@demo.clinic")
    shoot(page, f"journal-{width}")
    page.locator("#entries a").filter(has_text="I keep seeing the same door").first.click()
    shoot(page, f"entry-{width}")
    page.goto("/journal/new?kind=free")
    page.get_by_label("Your entry").fill(
        "A slow morning. Tea by the window, and for once the quiet felt kind rather than empty."
    )
    shoot(page, f"editor-{width}")
    page.goto("/me/progress")
    shoot(page, f"progress-{width}")
    page.goto("/me")
    shoot(page, f"me-{width}")


def staff_pages(page: Page) -> None:
    sign_in(page, "therapist@demo.clinic")
    page.get_by_role("link", name="Casey Morgan", exact=True).first.click()
    shoot(page, "staff-chart-1280")
    page.locator("#infusions").get_by_role("link", name="Infusion 5", exact=True).click()
    shoot(page, "staff-infusion-1280")
    page.get_by_role("link", name="Calendar").click()
    shoot(page, "staff-calendar-1280")


def main() -> int:
    if not CHROMIUM.exists():
        print("Chromium is not at /usr/bin/chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp)) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for width, viewport in (("390", PHONE), ("1280", LAPTOP)):
            context = browser.new_context(base_url=base_url, viewport=viewport, device_scale_factor=1)
            patient_pages(context.new_page(), width)
            context.close()
        context = browser.new_context(base_url=base_url, viewport=LAPTOP)
        staff_pages(context.new_page())
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
