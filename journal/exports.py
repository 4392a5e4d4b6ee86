"""The patient's own journal as files: Markdown to read and print, JSON (with every revision) to keep. Both carry the
patient's PHQ-9 and GAD-7 scores with their dates."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from care.models import MeasureResponse
from journal import checkin
from journal.service import Export
from journal.versions import content

KINDS = {"post_session": "After a session", "check_in": "Check-in", "free": "Journal", "intention": "Intention"}
INSTRUMENTS = {"PHQ9": "PHQ-9 (mood)", "GAD7": "GAD-7 (anxiety)"}


def _measure_lines(measures: list[MeasureResponse], zone: ZoneInfo) -> list[str]:
    if not measures:
        return []
    lines = ["## Questionnaires", "", "| Date | Questionnaire | Score | Range |", "| --- | --- | --- | --- |"]
    for m in measures:
        lines.append(
            f"| {m.taken_at.astimezone(zone):%-d %b %Y} | {INSTRUMENTS[m.instrument]} | {m.total} | {m.severity} |"
        )
    return [*lines, ""]


def _measure_json(m: MeasureResponse) -> dict[str, Any]:
    return {
        "instrument": str(m.instrument),
        "taken_at": m.taken_at.isoformat(),
        "total": m.total,
        "severity": m.severity,
        "answers": m.answers,
    }


def markdown(export: Export, tz: str) -> str:
    zone = ZoneInfo(tz)
    entries = export.entries
    lines = [f"# Journal of {export.patient.user.name}", "", f"{len(entries)} entries.", ""]
    for e in entries:
        heading = f"{e.created_at.astimezone(zone):%A %-d %B %Y, %H:%M} · {KINDS[e.kind]}"
        if e.infusion:
            heading += f" · session {e.infusion.number}"
        lines += [f"## {heading}", ""]
        if e.title:
            lines += [f"**{e.title}**", ""]
        for prompt in e.prompts:
            if e.answers.get(prompt["key"]):
                lines += [f"### {prompt['question']}", "", e.answers[prompt["key"]], ""]
        if e.body:
            lines += [e.body, ""]
        scales = [
            f"{n} {getattr(e, n)}/10" for n in ("mood", "anxiety", "energy", "sleep") if getattr(e, n) is not None
        ]
        if scales:
            lines += ["_" + ", ".join(scales) + "_", ""]
        if quick := checkin.summary(e):
            lines += ["_" + " · ".join(quick) + "_", ""]
        if e.conflict_of_id:
            lines += ["_A conflict copy, kept when two windows saved one entry at once_", ""]
        lines += [f"_{'Shared with my care team' if e.shared else 'Private'}_", ""]
    return "\n".join(lines + _measure_lines(export.measures, zone))


def as_json(export: Export, now: datetime) -> str:
    entries, revisions = export.entries, export.revisions
    return json.dumps(
        {
            "patient": {"name": export.patient.user.name},
            "exported_at": now.isoformat(),
            "entries": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "session": e.infusion.number if e.infusion else None,
                    "created_at": e.created_at.isoformat(),
                    "updated_at": e.updated_at.isoformat(),
                    "shared": e.shared,
                    "title": e.title,
                    "prompts": e.prompts,
                    "answers": e.answers,
                    "body": e.body,
                    **{k: v for k, v in content(e).items() if k not in ("title", "body", "answers")},
                    "conflict_copy_of": e.conflict_of_id,
                    "version": e.version,
                    "revisions": [
                        {"version": r.version, "saved_at": r.saved_at.isoformat(), **content(r)}
                        for r in revisions.get(e.id, [])
                    ],
                }
                for e in entries
            ],
            "measures": [_measure_json(m) for m in export.measures],
        },
        ensure_ascii=False,
        indent=2,
    )
