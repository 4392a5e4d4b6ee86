"""Risk continuity: C-SSRS screens and every alert stay on the chart's risk history with what became of them; open
alerts list by severity, then age; a signed note whose risk assessment addresses an alert closes it, recorded."""

from __future__ import annotations

from care.models import RiskAlert
from notes.models import IntegrationNote
from server.models import AuditEvent
from tests.care.conftest import casey, sign_in
from tests.notes.conftest import PASSWORD, casey_infusion, note_form

HIGH = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6_lifetime": "no"}


async def _cssrs(client, csrf: str, patient_id: int, answers: dict[str, str]) -> RiskAlert:
    r = await client.post(f"/patients/{patient_id}/cssrs/new", data={"csrf_token": csrf, **answers})
    assert r.status_code == 303
    return await RiskAlert.filter(patient_id=patient_id, source="cssrs").order_by("-id").first()


async def test_a_cssrs_screen_and_its_alert_are_on_the_chart_history(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    await _cssrs(client, csrf, patient.id, HIGH)
    chart = (await client.get(f"/patients/{patient.id}")).text
    history = chart[chart.index('id="risk"') :]
    assert "C-SSRS screen: high risk (highest yes: question 4)" in history
    assert "High risk alert" in history and '<span class="badge badge-state-open">open</span>' in history


async def test_an_acknowledged_alert_stays_on_the_history_with_who_did_what(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    alert = await _cssrs(client, csrf, patient.id, HIGH)
    action = {"csrf_token": csrf, "action_taken": "Called patient; safety plan reviewed"}
    assert (await client.post(f"/alerts/{alert.id}/ack", data=action)).status_code == 303
    chart = (await client.get(f"/patients/{patient.id}")).text
    history = chart[chart.index('id="risk"') :]
    assert "acknowledged</span>" in history
    assert "Acknowledged by Sam Okafor: Called patient; safety plan reviewed" in history


async def test_open_alerts_list_by_severity_then_age(client, demo, clock):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    moderate = await _cssrs(client, csrf, patient.id, {**HIGH, "q4": "no"})
    clock.advance(minutes=5)
    high = await _cssrs(client, csrf, patient.id, HIGH)
    page = (await client.get("/alerts")).text
    assert moderate.level == "moderate" and high.level == "high"
    assert page.index(f'id="ack-{high.id}"') < page.index(f'id="ack-{moderate.id}"')  # high first, though newer
    assert "High risk</span>" in page and "Moderate risk</span>" in page  # words, not colour alone


async def test_signing_a_note_whose_assessment_addresses_the_alert_resolves_it(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    alert = await _cssrs(client, csrf, patient.id, HIGH)
    infusion = await casey_infusion()
    editor = (await client.get(f"/infusions/{infusion.id}/notes/new")).text
    assert f'name="resolves_alert" type="checkbox" value="{alert.id}"' in editor
    data = note_form(csrf, risk_ideation="passive", resolves_alert=str(alert.id))
    assert (await client.post(f"/infusions/{infusion.id}/notes/new", data=data)).status_code == 303
    note = await IntegrationNote.get(draft_key=data["draft_key"])
    sign = {"csrf_token": csrf, "version": "1", "password": PASSWORD}
    signed = await client.post(f"/notes/{note.id}/sign", data=sign)
    assert signed.status_code == 303
    closed = await RiskAlert.get(id=alert.id)
    assert closed.acknowledged_at is not None and closed.resolved_by_note_id == note.id
    assert "Risk assessment documented in the integration note signed" in closed.action_taken
    assert await AuditEvent.filter(action="alert.resolved_by_note", object_id=str(alert.id)).exists()
    chart = (await client.get(f"/patients/{patient.id}")).text
    history = chart[chart.index('id="risk"') :]
    assert "resolved</span>" in history and "Resolved by Sam Okafor" in history


async def test_a_draft_note_leaves_the_alert_open(client, demo):
    csrf = await sign_in(client, "therapist@demo.clinic")
    patient = await casey()
    alert = await _cssrs(client, csrf, patient.id, HIGH)
    data = note_form(csrf, risk_ideation="passive", resolves_alert=str(alert.id))
    infusion = await casey_infusion()
    assert (await client.post(f"/infusions/{infusion.id}/notes/new", data=data)).status_code == 303
    assert (await RiskAlert.get(id=alert.id)).acknowledged_at is None
