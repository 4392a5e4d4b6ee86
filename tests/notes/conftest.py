from __future__ import annotations

import secrets
from html.parser import HTMLParser

from care.models import Infusion, Patient

PASSWORD = "quiet-harbor-lantern"
HX = {"HX-Request": "true"}


def note_form(csrf: str, *, version: int = 0, key: str | None = None, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": csrf,
        "version": str(version),
        "draft_key": key or secrets.token_urlsafe(24),
        "format": "DAP",
        "kap_phase": "integration",
        "s_session_summary": "Calm session, music helped.",
        "s_data": "Patient described the lake image again.",
        "s_assessment": "Engaged, hopeful.",
        "s_plan": "Continue weekly integration.",
        "risk_ideation": "none",
    }
    return {**base, **fields}


async def casey_infusion(number: int = 5) -> Infusion:
    patient = await Patient.get(mrn="DC-1001")
    return await Infusion.get(patient_id=patient.id, number=number)


class _EditorFields(HTMLParser):
    """What a browser would post from the note editor (the form with id="editor"): its hidden and text inputs,
    ticked checkboxes, each select's chosen option and every textarea's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self.inside = False
        self.select: str | None = None
        self.options: list[str] = []
        self.chosen = False
        self.textarea: str | None = None

    def _add(self, name: str | None, value: str | None) -> None:
        if name:
            self.fields.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == "editor"
        elif not self.inside:
            return
        elif tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self._add(a.get("name"), a.get("value"))
        elif tag == "select":
            self.select, self.options, self.chosen = a.get("name"), [], False
        elif tag == "option" and self.select:
            self.options.append(a.get("value") or "")
            if "selected" in a:
                self._add(self.select, a.get("value"))
                self.chosen = True
        elif tag == "textarea":
            self.textarea = a.get("name")
            self._add(self.textarea, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            if self.select and not self.chosen and self.options:  # nothing selected: a browser sends the first
                self._add(self.select, self.options[0])
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea][-1] += data


def editor_fields(html: str) -> dict[str, list[str]]:
    parser = _EditorFields()
    parser.feed(html)
    return parser.fields
