from __future__ import annotations

from care.models import MeasureResponse, RiskAlert
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in


def _answers(*values: int) -> dict[str, str]:
    return {f"q{i}": str(v) for i, v in enumerate(values, 1)}


async def test_a_patient_fills_a_phq9_and_sees_the_score(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    form = await client.get("/measures/phq9/new")
    assert form.status_code == 200 and "Little interest or pleasure in doing things" in form.text
    assert "Nearly every day" in form.text and form.text.count('type="radio"') == 36
    r = await client.post("/measures/phq9/new", data={**_answers(2, 2, 1, 1, 1, 0, 0, 0, 0), "csrf_token": csrf})
    assert r.status_code == 303
    result = await client.get(r.headers["location"])
    assert "Score <strong>7</strong> — mild" in result.text and "988" not in result.text.split("<footer")[0]
    progress = await client.get("/me/progress")
    assert progress.status_code == 200 and '<span class="score-total">7</span>' in progress.text
    assert '<span class="score-range">mild</span>' in progress.text
    assert await AuditEvent.filter(action="progress.viewed").exists()


async def test_item_nine_shows_crisis_resources_and_alerts_the_care_team_in_one_go(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    patient = await casey()
    before = await RiskAlert.filter(patient_id=patient.id).count()
    r = await client.post("/measures/phq9/new", data={**_answers(0, 0, 0, 0, 0, 0, 0, 0, 1), "csrf_token": csrf})
    measure = await MeasureResponse.filter(patient_id=patient.id).order_by("-id").first()
    assert measure.total == 1 and measure.item9 == 1 and measure.severity == "minimal"
    alert = await RiskAlert.get(measure_id=measure.id)
    assert alert.source == "phq9_item9" and alert.acknowledged_at is None
    assert await RiskAlert.filter(patient_id=patient.id).count() == before + 1
    page = await client.get(r.headers["location"])
    main = page.text.split("<footer")[0]
    assert "988" in main and "Suicide &amp; Crisis Lifeline" in main and "not watching in real time" in main


async def test_gad7_scores_and_bands(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    r = await client.post("/measures/gad7/new", data={**_answers(3, 3, 3, 3, 2, 1, 0), "csrf_token": csrf})
    page = await client.get(r.headers["location"])
    assert "Score <strong>15</strong> — severe" in page.text


async def test_answers_out_of_range_are_refused_and_kept(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    before = await MeasureResponse.all().count()
    data = {**_answers(1, 2, 3, 4, 0, 0, 0, 0), "csrf_token": csrf}
    r = await client.post("/measures/phq9/new", data=data)
    assert r.status_code == 400
    assert r.text.count("Choose one answer for this question.") == 2  # q4 = 4 and q9 missing
    assert 'name="q3" value="3" checked' in r.text
    assert await MeasureResponse.all().count() == before


async def test_an_unknown_instrument_is_404(client, demo):
    await sign_in(client, "patient@demo.clinic")
    assert (await client.get("/measures/beck/new")).status_code == 404


async def test_staff_enter_scores_taken_on_paper(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    r = await client.post(
        f"/patients/{patient.id}/measures/new",
        data={**_answers(1, 1, 1, 1, 1, 1, 1), "instrument": "gad7", "taken_on": "2026-11-20", "csrf_token": csrf},
    )
    assert r.status_code == 303
    measure = await MeasureResponse.filter(patient_id=patient.id, source="paper").get()
    assert measure.instrument == "GAD7" and measure.total == 7 and measure.taken_at.date().isoformat() == "2026-11-20"
    bad = await client.post(
        f"/patients/{patient.id}/measures/new",
        data={**_answers(1, 1, 1, 1, 1, 1, 1), "instrument": "gad7", "taken_on": "1800-01-01", "csrf_token": csrf},
    )
    assert bad.status_code == 400 and 'value="1800-01-01"' in bad.text


async def test_cssrs_follows_its_skip_logic_and_alerts_from_question_three(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    base = {"csrf_token": csrf, "q1": "yes", "q2": "no", "q6_lifetime": "no"}
    r = await client.post(f"/patients/{patient.id}/cssrs/new", data=base)
    assert r.status_code == 303  # 3-5 not needed after "no" to 2
    low = await MeasureResponse.filter(patient_id=patient.id, instrument="CSSRS").order_by("-id").first()
    assert low.severity == "low" and not await RiskAlert.filter(measure_id=low.id).exists()
    missing = await client.post(f"/patients/{patient.id}/cssrs/new", data={**base, "q2": "yes"})
    assert missing.status_code == 400 and missing.text.count("Choose yes or no.") == 3
    r = await client.post(
        f"/patients/{patient.id}/cssrs/new", data={**base, "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no"}
    )
    high = await MeasureResponse.filter(patient_id=patient.id, instrument="CSSRS").order_by("-id").first()
    assert high.severity == "high" and high.total == 4
    assert (await RiskAlert.get(measure_id=high.id)).level == "high"
    page = await client.get(r.headers["location"])
    assert "Risk level: <strong>high</strong>" in page.text and "A risk alert was raised" in page.text


async def test_alerts_are_listed_and_acknowledged_with_the_action_taken(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    page = await client.get("/alerts")
    assert "Casey Morgan" in page.text and "Riley Chen" not in page.text and "item 9" in page.text
    alert = await RiskAlert.get(patient_id=patient.id, acknowledged_at=None)
    empty = await client.post(f"/alerts/{alert.id}/ack", data={"csrf_token": csrf, "action_taken": "  "})
    assert empty.status_code == 400 and "Say briefly what you did" in empty.text
    r = await client.post(f"/alerts/{alert.id}/ack", data={"csrf_token": csrf, "action_taken": "Called; safety plan"})
    assert r.status_code == 303
    done = await RiskAlert.get(id=alert.id).select_related("acknowledged_by")
    assert done.acknowledged_by.email == "therapist@demo.clinic" and done.action_taken == "Called; safety plan"
    assert "Casey Morgan" not in (await client.get("/alerts")).text
    again = await client.post(f"/alerts/{alert.id}/ack", data={"csrf_token": csrf, "action_taken": "twice"})
    assert again.status_code == 404
    assert (await RiskAlert.get(id=alert.id)).action_taken == "Called; safety plan"


async def test_the_progress_chart_renders_without_javascript(client, demo):
    await sign_in(client, "patient@demo.clinic")
    page = await client.get("/me/progress")
    body = page.text.split("</head>")[1]
    assert "<script" not in body and '<svg viewBox="0 0 640 260" role="img"' in body
    assert '<title id="chart-title">PHQ-9 and GAD-7 scores over the course</title>' in body
    assert "Your PHQ-9 went from 19 to 8 — about half of where you started." in body
    assert body.count('<li class="score-card') == 12  # 6 PHQ-9 + 6 GAD-7 scores, listed as cards
