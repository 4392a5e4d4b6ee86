from __future__ import annotations

import json

import pytest

from care.models import RiskAlert
from journal.models import JournalEntry
from journal.safety import matches
from server.models import AuditEvent
from tests.care.conftest import sign_in
from tests.conftest import another
from tests.journal.conftest import HX, casey_infusion, draft

CRISIS = [
    "I want to die",
    "Some days I think about SUICIDE.",
    "i   just   want to end   my life",
    "I can’t go on",
    "I keep thinking I'd be better off dead",
    "thinking of hurting myself again",
]
NOT_CRISIS = [
    "I'm dying to see my sister",
    "This traffic is killing me",
    "I killed it at work today",
    "My phone died",
    "Dead tired after the session",
    "I could die laughing at that film",
    "We talked about the end of my lease",
]


@pytest.mark.parametrize("text", CRISIS)
def test_the_screen_finds_crisis_language_whatever_the_case_or_spacing(text):
    assert matches(text)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_the_screen_leaves_everyday_phrases_alone(text):
    assert matches(text) == []


async def _therapist_view(client, path: str) -> str:
    async with another(client) as staff:
        await sign_in(staff, "therapist@demo.clinic")
        return (await staff.get(path)).text


async def test_a_shared_entry_appears_for_the_care_team_and_disappears_when_unshared(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    infusion = await casey_infusion()
    data = draft(csrf, kind="post_session", infusion_id=str(infusion.id), answer_stood_out="A quiet lake at dawn")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert not entry.shared
    assert "A quiet lake at dawn" not in await _therapist_view(client, f"/infusions/{infusion.id}")
    r = await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "on"})
    assert r.status_code == 303
    page = await _therapist_view(client, f"/infusions/{infusion.id}")
    assert "Journal entries shared about this session" in page and "A quiet lake at dawn" in page
    assert "A quiet lake at dawn" in await _therapist_view(client, f"/patients/{infusion.patient_id}")
    views = await AuditEvent.filter(action="journal.shared_viewed", patient_id=infusion.patient_id)
    assert sum(entry.id in e.detail["entries"] for e in views) == 2  # the infusion page and the chart
    await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "off"})
    assert "A quiet lake at dawn" not in await _therapist_view(client, f"/patients/{infusion.patient_id}")


async def test_private_demo_entries_never_reach_staff_pages(client, demo):
    await sign_in(client, "supervisor@demo.clinic")
    infusion = await casey_infusion(2)
    for path in (f"/patients/{infusion.patient_id}", f"/infusions/{infusion.id}"):
        page = (await client.get(path)).text
        assert "not ready to talk about the lake" not in page and "Heavy arms" not in page
    assert "The music. I felt held by it" in (await client.get(f"/patients/{infusion.patient_id}")).text


async def test_crisis_language_shows_resources_and_alerts_once_when_shared(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="Tonight I want to die.")
    saved = await client.post("/journal/new", data=data, headers=HX)
    assert saved.status_code == 200 and "Saved" in saved.text
    assert 'id="crisis-slot" hx-swap-oob="true"' in saved.text and "988" in saved.text
    assert "not watching in real time" in saved.text
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    ref = f"journal_entry:{entry.id}"
    assert entry.crisis_language and not await RiskAlert.filter(source_ref=ref).exists()  # private: no alert
    await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "on"})
    await client.post(
        f"/journal/{entry.id}/draft", data={**data, "version": "1", "body": "I want to die, still."}, headers=HX
    )
    await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "off"})
    await client.post(f"/journal/{entry.id}/share", data={"csrf_token": csrf, "shared": "on"})
    alerts = await RiskAlert.filter(source_ref=ref)
    assert len(alerts) == 1 and alerts[0].source == "journal_language" and alerts[0].level == "high"


async def test_sharing_at_creation_with_crisis_language_alerts_at_once(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="I keep thinking about suicide", shared="on")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert entry.shared and await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}").count() == 1


@pytest.mark.parametrize("text", NOT_CRISIS[:3])
async def test_everyday_phrases_raise_nothing(client, demo, text):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body=text, shared="on")
    saved = await client.post("/journal/new", data=data, headers=HX)
    assert "988" not in saved.text
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    assert not entry.crisis_language and not await RiskAlert.filter(source_ref=f"journal_entry:{entry.id}").exists()


HOSTILE = {
    "title": "<script>alert('t')</script>",
    "body": "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> <b>raw</b>",
}


async def test_scripts_links_and_raw_html_are_shown_as_text_never_run(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, shared="on", **HOSTILE)
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    pages = [
        (await client.get(f"/journal/{entry.id}")).text,
        (await client.get(f"/journal/{entry.id}/edit")).text,
        (await client.get(f"/journal/{entry.id}/history")).text,
        (await client.get("/journal")).text,
        await _therapist_view(client, f"/patients/{entry.patient_id}"),
    ]
    for html in pages:
        body = html.split("</head>", 1)[1]
        assert "<script>alert" not in body and "onerror=alert" not in body.replace("&lt;img src=x onerror=alert", "")
        assert 'href="javascript:' not in body and "<b>raw</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0] and "&lt;b&gt;raw&lt;/b&gt;" in pages[0]


async def test_exports_hold_all_of_my_entries_and_nobody_elses(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    data = draft(csrf, body="exported words")
    await client.post("/journal/new", data=data)
    entry = await JournalEntry.get(draft_key=data["draft_key"])
    await client.post(f"/journal/{entry.id}/edit", data={**data, "version": "1", "body": "exported words, revised"})
    md = await client.get("/me/export.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"] and md.headers["cache-control"] == "no-store"
    assert "# Journal of Casey Morgan" in md.text and "exported words, revised" in md.text
    assert "The music. I felt held by it" in md.text and "not ready to talk about the lake" in md.text
    doc = json.loads((await client.get("/me/export.json")).text)
    mine = await JournalEntry.filter(patient__mrn="DC-1001").count()
    assert len(doc["entries"]) == mine == 4
    revised = next(e for e in doc["entries"] if e["id"] == entry.id)
    assert [r["body"] for r in revised["revisions"]] == ["exported words", "exported words, revised"]
    others = await JournalEntry.filter(patient__mrn__in=["DC-1002", "OC-2001"]).values_list("id", flat=True)
    assert not {e["id"] for e in doc["entries"]} & set(others)
    assert await AuditEvent.filter(action="journal.exported").count() == 2


async def test_share_by_default_starts_new_entries_shared(client, demo):
    csrf = await sign_in(client, "patient@demo.clinic")
    await client.post("/journal/preferences", data={"csrf_token": csrf, "share_by_default": "on"})
    page = await client.get("/journal/new")
    assert 'id="f-shared" name="shared" type="checkbox" checked' in page.text
