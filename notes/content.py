"""What a note holds, per format, and the canonical form its SHA-256 is computed over."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# The usual progress-note formats: DAP (Data, Assessment, Plan), SOAP (Subjective, Objective, Assessment, Plan),
# BIRP (Behaviour, Intervention, Response, Plan).
NARRATIVE = {
    "DAP": (("data", "Data"), ("assessment", "Assessment"), ("plan", "Plan")),
    "SOAP": (("subjective", "Subjective"), ("objective", "Objective"), ("assessment", "Assessment"), ("plan", "Plan")),
    "BIRP": (("behaviour", "Behaviour"), ("intervention", "Intervention"), ("response", "Response"), ("plan", "Plan")),
}
INTEGRATION = (
    ("session_summary", "Session summary"),
    ("patient_experience", "Patient-reported experience"),
    ("themes", "Themes and insights"),
)
DOMAINS = ("mind", "body", "spirit", "relationships", "lifestyle", "nature")
INTERVENTIONS = (
    "preparation and set/setting",
    "music",
    "breathwork",
    "somatic awareness",
    "guided imagery",
    "meaning-making dialogue",
    "parts work (IFS)",
    "mindfulness",
    "psychoeducation",
    "safety planning",
)
IDEATION = ("none", "passive", "active without plan", "active with plan")
KAP_PHASES = ("preparation", "dosing", "integration")
MAX_TEXT = 20_000


# Every narrative section once, in reading order, labelled with the formats that use it ("Data (DAP)",
# "Assessment (DAP/SOAP)"): how a section set aside by a format switch is named.
KEPT_LABELS = {
    key: f"{label} ({'/'.join(f for f, other in NARRATIVE.items() if key in dict(other))})"
    for sections in NARRATIVE.values()
    for key, label in sections
}
TEXT_KEYS = tuple(key for key, _ in INTEGRATION) + tuple(dict.fromkeys(k for s in NARRATIVE.values() for k, _ in s))


def text_fields(fmt: str) -> tuple[tuple[str, str], ...]:
    return INTEGRATION + NARRATIVE.get(fmt, NARRATIVE["DAP"])


def kept_sections(fmt: str, texts: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Sections of another format that still hold words this format does not show (after a format switch): kept
    in the note, shown apart, never dropped by a save."""
    shown = {key for key, _ in text_fields(fmt)}
    return tuple(
        (key, label) for key, label in KEPT_LABELS.items() if key not in shown and str(texts.get(key) or "").strip()
    )


def missing_for_signature(fmt: str, content: dict[str, Any], risk_required: bool) -> dict[str, str]:
    """Sections that must be filled before signing, and kept sections of another format that must first be folded
    into this format's sections or cleared (a signed note reads as one format; see docs/notes.md)."""
    errors = {
        f"s_{key}": f"{label} is needed before signing."
        for key, label in NARRATIVE.get(fmt, NARRATIVE["DAP"])
        if not str(content.get(key, "")).strip()
    }
    for key, label in kept_sections(fmt, content):
        errors[f"s_{key}"] = (
            f"{label} is from the previous format: move its words into this {fmt} note's sections, or clear it, "
            "before signing."
        )
    if not str(content.get("session_summary", "")).strip():
        errors["s_session_summary"] = "A session summary is needed before signing."
    risk = content.get("risk") or {}
    if risk_required and risk.get("ideation") not in IDEATION:
        errors["risk_ideation"] = "This patient has an open risk alert: complete the risk assessment before signing."
    return errors


def canonical(note: Any) -> bytes:
    """Everything that makes up a signed note, in one stable byte string."""
    doc = {
        "note_id": note.id,
        "version": note.version,
        "infusion_id": note.infusion_id,
        "patient_id": note.patient_id,
        "author_id": note.author_id,
        "format": str(note.format),
        "kap_phase": note.kap_phase,
        "content": note.content,
        "shared_summary": note.shared_summary,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(note: Any) -> str:
    return hashlib.sha256(canonical(note)).hexdigest()
