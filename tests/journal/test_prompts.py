from __future__ import annotations

from datetime import timedelta

from care.models import Infusion, Patient
from journal import shared
from journal.models import JournalEntry, Prompt
from server.models import Clinic, User
from tests.care.conftest import sign_in
from tests.journal.conftest import draft


async def _fresh_infusion(clock) -> Infusion:
    patient = await Patient.get(mrn="DC-1001")
    infusion = await Infusion.get(patient_id=patient.id, number=6)
    await Infusion.filter(id=infusion.id).update(started_at=clock.now - timedelta(hours=3))
    return infusion


async def test_prompts_fall_due_after_an_infusion_on_the_clinic_schedule(client, demo, clock):
    infusion = await _fresh_infusion(clock)
    await sign_in(client, "patient@demo.clinic")
    home = await client.get("/journal")
    assert "It has been 2 hours since session 6" in home.text and "since session 6. How" in home.text
    assert "It has been a day since session 6" not in home.text
    clock.advance(hours=22)
    await sign_in(client, "patient@demo.clinic")  # the session ended while idle
    home = await client.get("/journal")
    assert "It has been a day since session 6" in home.text
    assert f"prompt=schedule%3A{infusion.id}%3A24" in home.text


async def test_answering_a_prompt_removes_it(client, demo, clock):
    infusion = await _fresh_infusion(clock)
    csrf = await sign_in(client, "patient@demo.clinic")
    await client.post(
        "/journal/new",
        data=draft(
            csrf, kind="post_session", infusion_id=str(infusion.id), prompt_ref=f"schedule:{infusion.id}:2", body="calm"
        ),
    )
    home = (await client.get("/journal")).text
    assert f"prompt=schedule%3A{infusion.id}%3A2" not in home  # no longer offered...
    assert "It has been 2 hours since session 6" in home  # ...it is now the title of the entry that answered it


async def test_a_clinic_can_set_its_own_schedule(client, demo, clock):
    await _fresh_infusion(clock)
    await Clinic.filter(slug="demo.clinic").update(settings={"prompt_schedule_hours": [1, 48]})
    await sign_in(client, "patient@demo.clinic")
    home = await client.get("/journal")
    assert "It has been an hour since session 6" in home.text
    assert "2 hours" not in home.text


async def test_practice_prompts_from_the_care_team_appear_and_are_marked_answered(client, demo, actor, clock):
    patient = await Patient.get(mrn="DC-1001").select_related("user")
    therapist = await User.get(email="therapist@demo.clinic").select_related("clinic")
    from dataclasses import replace

    me = replace(actor, user=therapist)
    [prompt] = await shared.assign_prompts(
        me, patient, ["Notice three things you can hear, morning and night."], clock.now
    )
    csrf = await sign_in(client, "patient@demo.clinic")
    home = await client.get("/journal")
    assert "Notice three things you can hear" in home.text and f"prompt=practice%3A{prompt.id}" in home.text
    await client.post("/journal/new", data=draft(csrf, kind="check_in", prompt_ref=f"practice:{prompt.id}", body="ok"))
    entry = await JournalEntry.get(prompt_ref=f"practice:{prompt.id}")
    assert (await Prompt.get(id=prompt.id)).answered_entry_id == entry.id
    # Answered, it is no longer an invitation to start an entry: the practice stays (it can be done any day) and
    # leads to the entry written about it.
    home = (await client.get("/journal")).text
    assert f"prompt=practice%3A{prompt.id}" not in home
    assert f'href="/journal/{entry.id}/edit">Notice three things you can hear' in home and "continue your entry" in home
