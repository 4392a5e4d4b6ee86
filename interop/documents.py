"""Documents as FHIR: a signed integration note (the progress note: never a process note, which lives in its own
table and is never read here) as a Composition and a DocumentReference with its signatures as a Provenance; a journal
entry the patient chose to include as a DocumentReference written by the patient."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from datetime import datetime

from interop import codes
from interop.mapping import Resource, concept, instant, ref, signature_provenance
from journal.models import JournalEntry
from notes.content import text_fields
from notes.models import Addendum, IntegrationNote, Status

FINAL = (Status.SIGNED, Status.COSIGNED)  # a note is part of the record once signed (and co-signed for a trainee)
XHTML = "http://www.w3.org/1999/xhtml"
SCALES = ("mood", "anxiety", "energy", "sleep")


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _risk(risk: dict[str, object]) -> str:
    if not risk.get("ideation"):
        return ""
    lines = [
        f"Ideation: {risk['ideation']}",
        f"Intent: {_yes(risk.get('intent'))}",
        f"Access to means: {_yes(risk.get('access_to_means'))}",
        f"Safety plan reviewed: {_yes(risk.get('safety_plan_reviewed'))}",
    ]
    if risk.get("protective_factors"):
        lines.append(f"Protective factors: {risk['protective_factors']}")
    return "\n".join(lines)


def note_sections(note: IntegrationNote, addenda: Iterable[Addendum]) -> list[tuple[str, str]]:
    """The signed note's sections in reading order, as (title, text), leaving out empty ones."""
    content = note.content
    interventions = [*content.get("interventions", []), *filter(None, [content.get("interventions_other", "")])]
    found = [(label, str(content.get(key) or "")) for key, label in text_fields(str(note.format))]
    found += [
        ("Interventions", ", ".join(interventions)),
        ("Integration domains", ", ".join(content.get("domains", []))),
        ("Risk assessment", _risk(content.get("risk") or {})),
        ("Practices assigned", "\n".join(content.get("practices", []))),
        ("Summary shared with the patient", note.shared_summary),
    ]
    found += [(f"Addendum, {instant(a.signed_at)}", a.body) for a in addenda]
    return [(title, text) for title, text in found if text.strip()]


def _div(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f'<div xmlns="{XHTML}">{paragraphs or "<p></p>"}</div>'


def _attachment(text: str, content_type: str, title: str, created: str) -> dict[str, str]:
    data = base64.b64encode(text.encode()).decode()
    return {"contentType": content_type, "data": data, "title": title, "creation": created}


def _signers(note: IntegrationNote) -> list[tuple[codes.Coding, int, datetime]]:
    assert note.signed_at is not None and note.signed_by_id is not None  # final notes are signed
    found: list[tuple[codes.Coding, int, datetime]] = [(codes.AUTHOR, note.signed_by_id, note.signed_at)]
    if note.cosigned_at is not None and note.cosigned_by_id is not None:
        found.append((codes.VERIFIER, note.cosigned_by_id, note.cosigned_at))
    return found


def note_documents(note: IntegrationNote, addenda: list[Addendum]) -> list[Resource]:
    """A final integration note as Composition + DocumentReference + Provenance (nothing for drafts)."""
    if note.status not in FINAL or note.signed_at is None or note.signed_by_id is None:
        return []
    sections = note_sections(note, addenda)
    signed = instant(note.signed_at)
    title = f"Integration note ({note.format}, {note.kap_phase})"
    status = "amended" if addenda else "final"
    composition: Resource = {
        "resourceType": "Composition",
        "id": str(note.id),
        "status": status,
        "type": concept(codes.PROGRESS_NOTE, text="Integration note"),
        "category": [concept(codes.CLINICAL_NOTE)],
        "subject": ref("Patient", note.patient_id),
        "encounter": ref("Encounter", note.infusion_id),
        "date": signed,
        "author": [ref("Practitioner", note.author_id)],
        "title": title,
        "attester": [{"mode": "legal", "time": signed, "party": ref("Practitioner", note.signed_by_id)}],
        "section": [{"title": t, "text": {"status": "generated", "div": _div(text)}} for t, text in sections],
    }
    text = "\n\n".join(f"{t}\n{body}" for t, body in sections)
    document: Resource = {
        "resourceType": "DocumentReference",
        "id": f"note-{note.id}",
        "status": "current",
        "docStatus": status,
        "type": concept(codes.PROGRESS_NOTE, text="Integration note"),
        "category": [concept(codes.CLINICAL_NOTE)],
        "subject": ref("Patient", note.patient_id),
        "date": signed,
        "author": [ref("Practitioner", note.author_id)],
        "authenticator": ref("Practitioner", note.cosigned_by_id or note.signed_by_id),
        "description": title,
        "content": [{"attachment": _attachment(text, "text/plain; charset=utf-8", title, signed)}],
        "context": {"encounter": [ref("Encounter", note.infusion_id)], "related": [ref("Composition", note.id)]},
    }
    targets = [ref("Composition", note.id), ref("DocumentReference", f"note-{note.id}")]
    return [composition, document, signature_provenance(f"note-{note.id}", targets, note.signed_at, _signers(note))]


def entry_text(entry: JournalEntry) -> str:
    parts = [entry.title] if entry.title else []
    parts += [f"{p['question']}\n{entry.answers[p['key']]}" for p in entry.prompts if entry.answers.get(p["key"])]
    if entry.body:
        parts.append(entry.body)
    scales = [f"{name} {getattr(entry, name)}/10" for name in SCALES if getattr(entry, name) is not None]
    if scales:
        parts.append(", ".join(scales))
    return "\n\n".join(parts)


def journal_document(entry: JournalEntry) -> Resource:
    """A journal entry the patient chose to include, as a note they wrote."""
    created = instant(entry.created_at)
    title = entry.title or entry.prompt_text or "Journal entry"
    found: Resource = {
        "resourceType": "DocumentReference",
        "id": f"journal-{entry.id}",
        "status": "current",
        "type": concept(codes.PATIENT_NOTE, text="Journal entry"),
        "subject": ref("Patient", entry.patient_id),
        "date": created,
        "author": [ref("Patient", entry.patient_id)],
        "description": title[:200],
        "content": [{"attachment": _attachment(entry_text(entry), "text/markdown; charset=utf-8", title, created)}],
    }
    if entry.infusion_id is not None:
        found["context"] = {"encounter": [ref("Encounter", entry.infusion_id)]}
    return found
