"""Oversight actions and rules: supervisors audit their clinic; admins change clinic settings."""

from __future__ import annotations

from typing import Any

from server import audit
from server.models import Role, User
from server.policy import Rule

AUDIT_VIEWED = audit.define(
    "audit.viewed", "A supervisor viewed the audit log (which filters were used, never their values)."
)
AUDIT_EXPORTED = audit.define(
    "audit.exported", "A supervisor downloaded audit events as CSV (which filters were used, never their values)."
)
AUDIT_CHECKED = audit.define("audit.checked", "A supervisor verified the audit chain from the viewer.")
QUALITY_VIEWED = audit.define("quality.viewed", "A supervisor viewed the care-quality dashboard or one of its lists.")
COSIGN_QUEUE_VIEWED = audit.define("cosign.queue_viewed", "A supervisor viewed the co-sign queue.")
ALERT_ESCALATED = audit.define("alert.escalated", "A risk alert passed its acknowledgement window and was escalated.")
GLASS_REVIEWED = audit.define("break_glass.reviewed", "A supervisor reviewed a break-the-glass access.")
GLASS_LIST_VIEWED = audit.define("break_glass.list_viewed", "A supervisor viewed the break-the-glass review list.")
ACCESS_LOG_VIEWED = audit.define(
    "access_log.viewed", "A patient viewed who has looked at their shared entries and notes."
)
REVIEW_SAMPLED = audit.define("review.sampled", "A supervisor drew a random sample of signed notes for quality review.")
REVIEWS_VIEWED = audit.define(
    "review.list_viewed", "A supervisor viewed the list of notes drawn for review (the notes named)."
)
REVIEW_RECORDED = audit.define("review.recorded", "A supervisor recorded the outcome of a note quality review.")
SETTINGS_CHANGED = audit.define(
    "clinic.settings_changed", "An admin changed clinic settings (names of settings changed)."
)


def _may_audit(user: User, _obj: Any) -> bool:
    return user.role == Role.SUPERVISOR


def _may_configure(user: User, _obj: Any) -> bool:
    return user.role == Role.ADMIN


MAY_OVERSIGHT_AUDIT = Rule(
    "oversight.audit",
    "Read the clinic's audit log and care-quality reports: supervisors.",
    _may_audit,
)

MAY_CLINIC_SETTINGS = Rule(
    "clinic.settings",
    "Change clinic settings (signing window, escalation windows, prompts, crisis resources): admins.",
    _may_configure,
)
