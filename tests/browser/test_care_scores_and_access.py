"""Care records read back in a real browser: a PHQ-9 with the crisis path and the risk alert it raises, who may see
a chart (a stranger's 404, a supervisor's read-only view), and score and vitals tables at 360 px. Recording them:
test_care.py.

Every page a journey visits is a checkpoint (tests/browser/checks.py): no console errors or CSP violations, no axe
violations at 1280 px and at 360 px wide, no sideways scrolling there, and a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.care_helpers import caseload_table, casey_ids, vitals_rows
from tests.browser.checks import NARROW, check_axe, checkpoint, expect_announced, watch
from tests.browser.conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

# --- 3. patient PHQ-9 with item 9 → crisis resources → therapist acknowledges the alert ----------------------


def test_a_phq9_with_item_9_shows_crisis_help_and_raises_an_alert_the_therapist_acknowledges(
    new_context: Callable[..., BrowserContext], live_server: str
) -> None:
    page = new_context().new_page()
    problems = watch(page)
    sign_in(page, "patient@demo.clinic")
    expect(page).to_have_url(live_server + "/journal")
    page.get_by_role("link", name=re.compile("^Answer PHQ-9")).click()
    expect(page).to_have_url(live_server + "/measures/phq9/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    checkpoint(page, problems, "phq9")

    for n in range(1, 10):
        answer = "Several days" if n == 9 else "Not at all"
        page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_label(answer, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(r"/measures/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^PHQ-9 · "))
    expect(page.locator("p.score")).to_have_text("Score 1 — minimal.")
    crisis = page.locator("section.crisis")
    expect(crisis).to_have_attribute("role", "alert")
    expect(crisis.get_by_role("heading")).to_have_text("You don't have to carry this alone")
    expect(crisis).to_contain_text("Call or text 988")
    checkpoint(page, problems, "phq9-result-crisis")

    page.get_by_role("link", name="See your progress").click()
    expect(page).to_have_url(live_server + "/me/progress")
    expect(page.get_by_role("img", name=re.compile("PHQ-9 and GAD-7 scores"))).to_be_visible()
    newest = page.locator(".score-card").first  # the patient's scores are cards, in plain words (no "item 9")
    expect(newest.locator(".score-what")).to_have_text("PHQ-9 (mood)")
    expect(newest.locator(".score-total")).to_have_text("1")
    expect(newest.locator(".score-range")).to_have_text("minimal")
    expect(page.locator("#progress .summary-line").first).to_contain_text("Your PHQ-9 went from 19 to 1 —")
    checkpoint(page, problems, "progress")
    sign_out(page)

    # The therapist sees the new alert and must say what they did before it goes away.
    sign_in(page, "therapist@demo.clinic")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    expect(page).to_have_url(live_server + "/alerts")
    ours = page.locator("li.card-alert", has_text="PHQ-9 item 9 answered 1 (total 1)")
    expect(ours).to_have_count(1)
    expect(ours.get_by_role("heading", level=2)).to_contain_text("Casey Morgan")
    expect(ours).to_contain_text("source: phq9 item9")
    demo_alert = page.locator("li.card-alert", has_text="PHQ-9 item 9 answered 1 (total 13)")
    expect(demo_alert).to_have_count(1)
    checkpoint(page, problems, "alerts")

    with page.expect_navigation() as navigation:
        ours.get_by_role("button", name="Acknowledge").click()
    assert navigation.value is not None and navigation.value.status == 400
    action = ours.get_by_label("Action taken")
    expect(ours.locator("p.error")).to_have_text("Say briefly what you did (up to 500 characters).")
    expect_announced(page, action, "Say briefly what you did (up to 500 characters).")
    expect(demo_alert.locator("p.error")).to_have_count(0)  # only the alert acted on shows the message
    checkpoint(page, problems, "acknowledge-error")

    action.fill("Called patient, safety plan reviewed")
    with page.expect_navigation() as navigation:
        ours.get_by_role("button", name="Acknowledge").click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page).to_have_url(live_server + "/alerts")
    expect(ours).to_have_count(0)
    expect(demo_alert).to_have_count(1)  # the other open alert is untouched
    checkpoint(page, problems, "acknowledged")


# --- 4 and 5. who may see what -------------------------------------------------------------------------------


def test_another_therapist_cannot_tell_caseys_records_exist(page: Page, server_dir: Path) -> None:
    casey, infusion = casey_ids(server_dir)
    problems = watch(page)
    sign_in(page, "therapist2@demo.clinic")
    seen = []
    for path in (f"/patients/{casey}", f"/infusions/{infusion}", f"/infusions/{infusion}/edit", "/patients/987654"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
        main = page.locator("main")
        expect(main).not_to_contain_text("Casey Morgan")
        expect(main).not_to_contain_text("DC-1001")
        seen.append(re.sub(r"[0-9a-f]{16}", "<id>", main.inner_text()))
        checkpoint(page, problems, "not-found")
    assert len(set(seen)) == 1, "a stranger's record must look exactly like a missing one"
    # Their own patient is still there.
    page.goto("/caseload")
    expect(caseload_table(page).get_by_role("link", name="Riley Chen", exact=True)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Casey Morgan")
    checkpoint(page, problems, "own-caseload")


def test_a_supervisor_sees_caseys_chart_read_only(page: Page, server_dir: Path, live_server: str) -> None:
    casey, infusion = casey_ids(server_dir)
    problems = watch(page)
    sign_in(page, "supervisor@demo.clinic")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All patients")
    expect(caseload_table(page).get_by_role("link", name="Riley Chen", exact=True)).to_be_visible()
    checkpoint(page, problems, "all-patients")
    caseload_table(page).get_by_role("link", name="Casey Morgan", exact=True).click()
    expect(page).to_have_url(live_server + f"/patients/{casey}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Morgan")
    expect(page.locator("main")).to_contain_text("MRN DC-1001")

    # Everything to read...
    expect(page.get_by_role("img", name=re.compile("PHQ-9 and GAD-7 scores"))).to_be_visible()
    expect(page.get_by_role("table", name="Scores").locator("tbody tr").first).to_be_visible()
    expect(page.locator("#progress .badges")).to_contain_text("Baseline PHQ-9 19")
    expect(page.locator("section", has=page.get_by_role("heading", name="Care team"))).to_contain_text("Sam Okafor")
    expect(page.locator("#courses")).to_contain_text("planned 6 sessions")
    expect(page.locator("#courses")).to_contain_text("Consent: off label ketamine")
    expect(page.locator("#infusions").get_by_role("link", name="Infusion 1")).to_have_attribute(
        "href", f"/infusions/{infusion}"
    )
    # ...and nothing to record with.
    for action in ("Record infusion", "Enter PHQ-9", "Enter GAD-7", "C-SSRS screen"):
        expect(page.get_by_role("link", name=action)).to_have_count(0)
    expect(page.get_by_text("Start a new course")).to_have_count(0)
    expect(page.get_by_role("button", name="Update status")).to_have_count(0)
    expect(page.get_by_role("button", name="Record consent")).to_have_count(0)
    checkpoint(page, problems, "chart-read-only")

    page.locator("#infusions").get_by_role("link", name="Infusion 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infusion 1 · Casey Morgan")
    expect(vitals_rows(page)).to_have_count(7)
    expect(page.get_by_role("button", name="Add reading")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit record")).to_have_count(0)
    checkpoint(page, problems, "infusion-read-only")
    response = page.goto(f"/patients/{casey}/infusions/new")
    assert response is not None and response.status == 403
    checkpoint(page, problems, "forbidden")


# --- regressions for bugs found while writing these journeys ---


@pytest.mark.parametrize(
    ("email", "page_of"),
    [
        pytest.param("therapist@demo.clinic", lambda casey, infusion: f"/patients/{casey}", id="chart-scores"),
        # The patient's own scores are cards that reflow on a phone (test_patient_layout.py checks nothing is clipped).
        pytest.param("therapist@demo.clinic", lambda casey, infusion: f"/infusions/{infusion}", id="infusion-vitals"),
    ],
)
def test_a_table_that_scrolls_sideways_at_360px_can_be_reached_by_keyboard(
    new_context: Callable[..., BrowserContext], server_dir: Path, email: str, page_of: Callable[[int, int], str]
) -> None:
    page = new_context(viewport=NARROW).new_page()
    sign_in(page, email)
    page.goto(page_of(*casey_ids(server_dir)))
    expect(page.locator(".table-wrap table").first).to_be_visible()
    check_axe(page)
