"""The patient's progress page speaks plainly; a same-day retake is one point, the day's last (care/progress.py).

Each test here failed on the page as it was: clinic words ("Response (≥ 50% drop)", "item 9: 1"), every retake a
point of its own, and a retake minutes after a first score counted as a 'response' and 'remission'."""

from __future__ import annotations

import re

from care.models import MeasureResponse, Patient
from tests.care.conftest import casey, new_patient, sign_in
from tests.conftest import another, login, token

PHQ9_OF_18 = {f"q{i}": str(v) for i, v in enumerate((3, 3, 2, 2, 2, 2, 2, 2, 0), 1)}  # total 18, item 9 "not at all"
PHQ9_OF_3 = {f"q{i}": str(v) for i, v in enumerate((1, 1, 1, 0, 0, 0, 0, 0, 0), 1)}


async def test_it_says_how_the_phq9_changed_in_plain_words(client, demo):
    await sign_in(client, "patient@demo.clinic")
    page = (await client.get("/me/progress")).text
    assert "Your PHQ-9 went from 19 to 8 — about half of where you started." in page
    assert "8 is in the mild range (lower means fewer symptoms)." in page
    assert "A drop of half or more is a big change." in page


async def test_it_uses_no_clinic_words_on_the_patients_page(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    item9 = {**PHQ9_OF_3, "q9": "1", "csrf_token": csrf}
    assert (await client.post("/measures/phq9/new", data=item9)).status_code == 303
    page = (await client.get("/me/progress")).text.split("<main", 1)[1]
    for clinic_speak in ("item 9", "Response (", "Remission (", "≥ 50%", "Baseline PHQ-9"):
        assert clinic_speak not in page, clinic_speak


async def _first_score_and_a_retake(client, clock, mrn: str) -> tuple[Patient, str]:
    """A new patient of the therapist signed in on `client` answers PHQ-9 (18), then again 4 minutes later (3, as if
    a question was misread). Returns the patient and their progress page."""
    patient = await new_patient(client, await token(client), "1990-04-02", mrn)
    async with another(client) as browser:
        await login(browser, f"{mrn.lower()}@example.org", "lanterns by the harbour")
        mine = await token(browser)
        assert (await browser.post("/measures/phq9/new", data={**PHQ9_OF_18, "csrf_token": mine})).status_code == 303
        clock.advance(minutes=4)
        assert (await browser.post("/measures/phq9/new", data={**PHQ9_OF_3, "csrf_token": mine})).status_code == 303
        return patient, (await browser.get("/me/progress")).text


async def test_a_retake_minutes_later_is_one_point_marked_and_flips_no_badge(client, demo, clock):
    await sign_in(client, "therapist@demo.clinic")
    patient, page = await _first_score_and_a_retake(client, clock, "DC-7001")
    assert await MeasureResponse.filter(patient_id=patient.id, instrument="PHQ9").count() == 2  # both kept
    assert page.count('<circle class="dot phq9"') == 1  # one point: the day's last score
    assert '<circle class="retake-ring phq9"' in page and "retaken that day" in page
    assert "Your first PHQ-9 (the mood questionnaire) score is 3 (minimal)." in page
    assert "went from" not in page and "big change" not in page and "lowest range" not in page
    cards = re.findall(r'<li class="score-card( score-retaken)?">', page)
    assert cards == ["", " score-retaken"]  # newest first: the day's last, then the earlier one, marked
    assert "Answered again later that day" in page


async def test_staff_see_every_score_but_a_retake_flips_no_badge_on_the_chart(client, demo, clock):
    await sign_in(client, "therapist@demo.clinic")
    patient, _ = await _first_score_and_a_retake(client, clock, "DC-7002")
    chart = (await client.get(f"/patients/{patient.id}")).text
    assert chart.count('<circle class="dot phq9"') == 1 and "Remission" not in chart and "Response (" not in chart
    assert chart.count("retaken later that day (not charted)") == 1  # the table keeps both rows


async def test_mood_anxiety_and_sleep_from_entries_are_charted_beside_the_scores(client, demo):
    await sign_in(client, "patient@demo.clinic")
    page = (await client.get("/me/progress")).text
    assert "Mood, anxiety and sleep from your journal, 0 to 10" in page
    assert page.count('<circle class="dot mood"') == 3 and page.count('<circle class="dot sleep"') == 3
    assert "Most recent: mood 7/10, anxiety 3/10, sleep 7/10 (3 days charted)." in page
    assert "<script" not in page.split("</head>")[1]  # drawn on the server: the CSP stays strict


async def test_staff_never_get_the_patients_own_mood_chart(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    assert "Mood, anxiety and sleep" not in (await client.get(f"/patients/{patient.id}")).text
