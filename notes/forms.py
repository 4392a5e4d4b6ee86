"""Reading the note editor's form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from notes.content import DOMAINS, IDEATION, INTERVENTIONS, KAP_PHASES, MAX_TEXT, TEXT_KEYS
from notes.models import Format
from notes.service import NoteDraft
from server.forms import Form

DRAFT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _alert_ids(data: Mapping[str, Any], f: Form) -> list[int]:
    getlist = getattr(data, "getlist", None)
    chosen = [str(v) for v in (getlist("resolves_alert") if getlist else data.get("resolves_alert") or [])]
    ids = sorted({int(v) for v in chosen if v.isdigit() and len(v) < 10})[:20]
    f.values["resolves_alerts"] = ids
    return ids


def parse_note(data: Mapping[str, Any]) -> tuple[NoteDraft | None, Form]:
    f = Form(data)
    fmt = f.choice("format", "a note format", [x.value for x in Format]) or "DAP"
    content: dict[str, Any] = {}
    omitted = frozenset(key for key in TEXT_KEYS if f"s_{key}" not in data)
    for key in sorted(set(TEXT_KEYS) - omitted):
        text = str(data[f"s_{key}"])
        f.values[f"s_{key}"] = text
        if len(text) > MAX_TEXT:
            f.errors[f"s_{key}"] = f"Keep each section under {MAX_TEXT:,} characters."
        if text.strip():
            content[key] = text
    content["domains"] = f.many("domains", DOMAINS)
    content["interventions"] = f.many("interventions", INTERVENTIONS)
    content["interventions_other"] = f.text("interventions_other", "other interventions", max_len=500)
    content["risk"] = {
        "ideation": f.choice("risk_ideation", "the level of ideation", IDEATION, required=False) or "",
        "intent": f.check("risk_intent"),
        "access_to_means": f.check("risk_means"),
        "protective_factors": f.text("risk_protective", "protective factors", max_len=2000),
        "safety_plan_reviewed": f.check("risk_safety_plan"),
        # Open alerts this assessment addresses: closed, and recorded as such, when the note is final.
        "resolves_alerts": _alert_ids(data, f),
    }
    practices_text = str(data.get("practices", ""))
    f.values["practices"] = practices_text
    content["practices"] = [line.strip()[:300] for line in practices_text.splitlines() if line.strip()][:10]
    summary = str(data.get("shared_summary", ""))
    f.values["shared_summary"] = summary
    if len(summary) > 5000:
        f.errors["shared_summary"] = "Keep the summary for the patient under 5,000 characters."
    kap_phase = f.choice("kap_phase", "a KAP phase", KAP_PHASES) or "integration"
    version = f.integer("version", "the version", 0, 10**9)
    draft_key = f.text("draft_key", "the draft key", required=True, max_len=64)
    if draft_key and not DRAFT_KEY.match(draft_key):
        f.errors["draft_key"] = "Reload the page and try again."
    if f.errors:
        return None, f
    return NoteDraft(draft_key, version or 0, fmt, kap_phase, content, summary, omitted), f


def values_of(note: Any) -> dict[str, Any]:
    """An existing note as editor values."""
    c = note.content
    risk = c.get("risk") or {}
    values: dict[str, Any] = {f"s_{k}": v for k, v in c.items() if isinstance(v, str)}
    values |= {
        "format": note.format,
        "kap_phase": note.kap_phase,
        "version": note.version,
        "draft_key": note.draft_key,
        "domains": c.get("domains", []),
        "interventions": c.get("interventions", []),
        "interventions_other": c.get("interventions_other", ""),
        "risk_ideation": risk.get("ideation", ""),
        "risk_intent": risk.get("intent"),
        "risk_means": risk.get("access_to_means"),
        "risk_protective": risk.get("protective_factors", ""),
        "risk_safety_plan": risk.get("safety_plan_reviewed"),
        "resolves_alerts": risk.get("resolves_alerts", []),
        "practices": "\n".join(c.get("practices", [])),
        "shared_summary": note.shared_summary,
    }
    return values
