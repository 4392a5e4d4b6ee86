"""Exports carry the patient's questionnaire scores, and the whole journal reads (and prints) on one page."""

from __future__ import annotations

import json

from server.models import AuditEvent
from tests.care.conftest import sign_in


async def test_the_markdown_export_lists_phq9_and_gad7_with_dates_and_scores(client, demo):
    await sign_in(client, "patient@demo.clinic")
    text = (await client.get("/me/export.md")).text
    assert "## Questionnaires" in text and "| Date | Questionnaire | Score | Range |" in text
    assert text.count("| PHQ-9 (mood) |") == 6 and text.count("| GAD-7 (anxiety) |") == 6
    assert "| PHQ-9 (mood) | 19 | moderately severe |" in text and "| GAD-7 (anxiety) | 6 | mild |" in text


async def test_the_json_export_holds_every_score_with_its_date(client, demo):
    await sign_in(client, "patient@demo.clinic")
    data = json.loads((await client.get("/me/export.json")).text)
    measures = data["measures"]
    assert [m["total"] for m in measures if m["instrument"] == "PHQ9"] == [19, 16, 13, 11, 9, 8]
    assert [m["total"] for m in measures if m["instrument"] == "GAD7"] == [14, 12, 10, 9, 7, 6]
    assert all(m["taken_at"].startswith("2026-") and m["severity"] for m in measures)
    event = await AuditEvent.filter(action="journal.exported").order_by("-seq").first()
    assert event.detail == {"format": "json", "entries": 3, "measures": 12}


async def test_the_print_page_holds_every_entry_in_full_and_the_scores(client, demo):
    await sign_in(client, "patient@demo.clinic")
    page = await client.get("/journal/print")
    assert page.status_code == 200 and page.text.count('<article class="print-entry">') == 3
    assert "Private: I am not ready to talk about the lake yet." in page.text  # private ones too: it is hers
    assert "Questionnaire scores" in page.text and page.text.count("PHQ-9 (mood):") == 6
    assert '<script src="/static/js/print.js" defer></script>' in page.text
    event = await AuditEvent.filter(action="journal.exported").order_by("-seq").first()
    assert event.detail == {"format": "print", "entries": 3, "measures": 12}


async def test_staff_cannot_open_the_print_page(client, demo):
    await sign_in(client, "therapist@demo.clinic")
    assert (await client.get("/journal/print")).status_code == 403
