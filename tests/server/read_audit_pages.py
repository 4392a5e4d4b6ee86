"""The read-audit table: every GET route of the app, by name, with the visits that prove which read events it writes
(tests/server/test_read_audit.py walks it). See docs/audit-actions.md, "Read events", for the rules it encodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import ANY

from care.calendar_models import Booking
from care.chart_models import SafetyPlan
from care.models import Infusion, MeasureResponse, Patient
from interop.models import ExportJob, ExportStatus
from journal.models import JournalEntry, JournalRevision
from notes.models import IntegrationNote, ProcessNote, Status
from server import enrolment
from server.models import Enrolment, User

PATIENT, THERAPIST, SUPERVISOR, ADMIN = (f"{r}@demo.clinic" for r in ("patient", "therapist", "supervisor", "admin"))
MEDICAL = "nurse@demo.clinic"
ROLE_OF = {PATIENT: "patient", THERAPIST: "therapist", MEDICAL: "medical", SUPERVISOR: "supervisor", ADMIN: "admin"}
EVERYONE = (PATIENT, THERAPIST, MEDICAL, SUPERVISOR, ADMIN)
CLINICIANS = (THERAPIST, SUPERVISOR)


@dataclass
class Demo:
    """The demo records the walk opens: Casey Morgan's (MRN DC-1001) unless named otherwise."""

    clinic: int
    casey: int
    casey_user: int
    riley: int
    infusion: int  # infusion 5: no entry shared about it, no note yet
    infusion4: int  # an entry shared about it, and the therapist's draft note on it
    measure: int
    entry: int
    signed_note: int
    draft_note: int
    pending_note: int  # Riley's, by the trainee, awaiting the supervisor's co-signature
    previous_note: int  # Casey's latest final note: what "copy=previous" copies from
    process_note: int
    chart_entries: list[int]  # the chart's shared panel, newest shared first
    infusion4_entries: list[int]  # infusion 4's shared panel
    prefill_5: list[int]  # shared entries beside the note editor of infusion 5 (written since infusion 4)
    prefill_4: list[int]
    summaries: list[int]  # notes whose shared summary the patient's journal home shows
    booking: int  # Casey's booked session
    enrol_token: str  # an unused one-time link (for the therapist's account)
    revision: int  # the first (only) version of `entry`
    riley_plan: int  # a safety plan for Riley, made for the walk (the demo has none)
    casey_plan: int  # Casey's, written with her at intake (care/demo_chart.py)
    export: int  # a complete clinic export with one file, made for the walk in the test's var folder


async def _link() -> str:
    """A one-time link made for the walk, with the test settings' secret key."""
    user = await User.get(email="therapist@demo.clinic")
    far = datetime(2030, 1, 1, tzinfo=UTC)
    row = Enrolment(user_id=user.id, salt="read-audit-walk", created_at=far, expires_at=far)
    token = enrolment.token_of(SimpleNamespace(secret_key="test-secret-key-not-for-production"), row)  # type: ignore[arg-type]
    row.token_hash = enrolment._hash(token)
    if not await Enrolment.filter(token_hash=row.token_hash).exists():  # the walk's records are looked up often
        await row.save()
    return token


async def _prefill(patient_id: int, number: int) -> list[int]:
    earlier = await Infusion.get(patient_id=patient_id, number=number - 1)
    rows = JournalEntry.filter(patient_id=patient_id, shared=True, created_at__gte=earlier.started_at)
    return [e.id for e in await rows.order_by("-created_at")]


async def _first_version(patient_id: int) -> int:
    """The first version of the patient's first shared entry (Demo.entry)."""
    entry = await JournalEntry.filter(patient_id=patient_id, shared=True).order_by("id").first()
    return (await JournalRevision.filter(entry_id=entry.id).order_by("id").first()).id


async def demo_records(var_dir: Path | None = None) -> Demo:
    casey, riley = await Patient.get(mrn="DC-1001"), await Patient.get(mrn="DC-1002")
    infusions = {i.number: i.id for i in await Infusion.filter(patient_id=casey.id)}
    final = IntegrationNote.filter(patient_id=casey.id, status__in=[Status.SIGNED, Status.COSIGNED])
    shared = JournalEntry.filter(patient_id=casey.id, shared=True)
    return Demo(
        clinic=casey.clinic_id,
        casey=casey.id,
        casey_user=casey.user_id,
        riley=riley.id,
        infusion=infusions[5],
        infusion4=infusions[4],
        measure=(await MeasureResponse.filter(patient_id=casey.id).order_by("id").first()).id,
        entry=(await shared.order_by("id").first()).id,
        signed_note=(await final.order_by("id").first()).id,
        draft_note=(await IntegrationNote.get(patient_id=casey.id, status=Status.DRAFT)).id,
        pending_note=(await IntegrationNote.get(patient_id=riley.id, status=Status.COSIGN_PENDING)).id,
        previous_note=(await final.order_by("-signed_at").first()).id,
        process_note=(await ProcessNote.get(patient_id=casey.id)).id,
        chart_entries=[e.id for e in await shared.order_by("-shared_at")],
        infusion4_entries=[e.id for e in await shared.filter(infusion_id=infusions[4]).order_by("-shared_at")],
        prefill_5=await _prefill(casey.id, 5),
        prefill_4=await _prefill(casey.id, 4),
        summaries=[n.id for n in await final.exclude(shared_summary="").order_by("-signed_at")],
        booking=(await Booking.get(patient_id=casey.id)).id,
        enrol_token=await _link(),
        revision=await _first_version(casey.id),
        riley_plan=await _plan(riley),
        casey_plan=(await SafetyPlan.get(patient_id=casey.id)).id,
        export=await _export(casey.clinic_id, var_dir) if var_dir else 0,
    )


async def _export(clinic_id: int, var_dir: Path) -> int:
    """A complete export with one file (Patient.ndjson, one line), as a supervisor's export leaves it."""
    supervisor = await User.get(email="supervisor@demo.clinic")
    job = await ExportJob.filter(clinic_id=clinic_id, status=ExportStatus.COMPLETE).first()
    if job is None:
        job = await ExportJob.create(
            clinic_id=clinic_id, requested_by_id=supervisor.id, requested_at=supervisor.created_at,
            status=ExportStatus.COMPLETE, counts={"Patient": 1},
        )  # fmt: skip
    folder = var_dir / "exports" / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Patient.ndjson").write_text('{"resourceType":"Patient","id":"1"}\n')
    return job.id


async def _plan(patient: Patient) -> int:
    steps = dict.fromkeys(("warning_signs", "coping", "distractions", "helpers", "professionals", "environment"), "-")
    plan, _ = await SafetyPlan.get_or_create(
        patient_id=patient.id, defaults={"clinic_id": patient.clinic_id, "updated_at": patient.created_at, **steps}
    )
    return plan.id


Event = tuple[str, str, str, int | None, object]  # action, object type, object id, patient id, detail


@dataclass(frozen=True)
class E:
    """An expected event. `oid` names a Demo attribute (or is the id itself), `patient` one (None: none);
    `detail` is a dict (exact), a function of the Demo, or None: any (a list event's counts)."""

    action: str
    kind: str
    oid: str = ""
    patient: str | None = None
    detail: object = None

    def on(self, d: Demo) -> Event:
        detail = ANY if self.detail is None else self.detail(d) if callable(self.detail) else self.detail
        oid = str(getattr(d, self.oid)) if hasattr(d, self.oid) else self.oid  # a Demo record, or as written
        return (self.action, self.kind, oid, getattr(d, self.patient) if self.patient else None, detail)


@dataclass(frozen=True)
class Visit:
    """One GET: who signs in (None: nobody), the URL (Demo attributes in braces), the exact read events it writes."""

    who: str | None
    path: str
    events: tuple[E, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


def ids(name: str, key: str = "entries") -> Callable[[Demo], dict[str, list[int]]]:
    return lambda d: {key: getattr(d, name)}


def mine(action: str, kind: str, oid: str = "casey", **detail: object) -> E:
    """An event about Casey's record (or Casey's own page), with its exact detail."""
    return E(action, kind, oid, "casey", detail)


def shared(entries: str) -> E:
    return E("journal.shared_viewed", "patient", "casey", "casey", ids(entries))


def clinic(action: str, detail: object = None) -> E:
    """A list event about the whole clinic."""
    return E(action, "clinic", "clinic", None, {} if detail is None else detail)


def each(who: tuple[str, ...], path: str, *events: E) -> tuple[Visit, ...]:
    return tuple(Visit(w, path, events) for w in who)


HX = {"HX-Request": "true"}
COPIED = E("note.read", "note", "previous_note", "casey", {"copied": ["plan", "practices"]})

# fmt: off
# Route name -> the visits that prove what it writes: every GET route that shows patient data, or lists it.
SHOWS_PHI: dict[str, tuple[Visit, ...]] = {
    "server:admin_users": each((ADMIN,), "/admin/users", clinic("user.list_viewed")),
    "care:calendar": (
        Visit(THERAPIST, "/calendar?date=2026-11-24", (clinic("calendar.viewed", lambda d: {"patients": [d.casey],
                                                                                             "view": "week"}),)),
        Visit(SUPERVISOR, "/calendar?view=day&date=2026-11-24",
              (clinic("calendar.viewed", lambda d: {"patients": sorted([d.casey, d.riley]), "view": "day"}),)),
    ),
    "care:booking": each((*CLINICIANS, MEDICAL), "/bookings/{booking}", mine("booking.viewed", "booking", "booking")),
    "care:booking_new": each((THERAPIST,), "/patients/{casey}/bookings/new", mine("booking.form_viewed", "patient")),
    "care:essentials": each((*CLINICIANS, MEDICAL), "/patients/{casey}/essentials",
                            mine("essentials.viewed", "patient")),
    "care:infusion_print": each((*CLINICIANS, MEDICAL), "/infusions/{infusion}/print",
                                mine("infusion.printed", "infusion", "infusion")),
    "care:summary_print": each((*CLINICIANS, MEDICAL), "/patients/{casey}/summary/print",
                               mine("patient.summary_printed", "patient")),
    "care:safety_plan": each(CLINICIANS, "/patients/{casey}/safety-plan",
                             mine("safety_plan.viewed", "safety_plan", "casey_plan")),
    "care:my_safety_plan": each((PATIENT,), "/me/safety-plan", mine("safety_plan.viewed", "safety_plan", "casey_plan")),
    "care:safety_plan_print": each(CLINICIANS[1:], "/patients/{riley}/safety-plan/print",
                                   E("safety_plan.printed", "safety_plan", "riley_plan", "riley", {})),
    "notes:print_note": each(CLINICIANS, "/notes/{signed_note}/print", mine("note.printed", "note", "signed_note")),
    "care:caseload": (
        Visit(THERAPIST, "/caseload", (E("caseload.viewed", "caseload"), E("dashboard.viewed", "dashboard"))),
        Visit(SUPERVISOR, "/caseload", (E("caseload.viewed", "caseload"),)),
        Visit(MEDICAL, "/caseload", (E("caseload.viewed", "caseload"),)),
    ),
    "care:chart": (
        *each(CLINICIANS, "/patients/{casey}", mine("patient.chart_viewed", "patient"), shared("chart_entries")),
        # medical staff read the chart but not the journal entries shared with the therapists
        Visit(MEDICAL, "/patients/{casey}", (mine("patient.chart_viewed", "patient"),)),
    ),
    "care:care_teams": each((ADMIN, SUPERVISOR), "/care-teams", clinic("care_teams.viewed")),
    "care:alerts": each(CLINICIANS, "/alerts", E("alerts.viewed", "alerts")),
    "care:infusion_new": each(
        (MEDICAL,), "/patients/{casey}/infusions/new", mine("infusion.form_viewed", "patient", form="new")
    ),
    "care:infusion": (
        Visit(THERAPIST, "/infusions/{infusion}", (mine("infusion.viewed", "infusion", "infusion"),)),
        Visit(MEDICAL, "/infusions/{infusion4}", (mine("infusion.viewed", "infusion", "infusion4"),)),
        Visit(SUPERVISOR, "/infusions/{infusion4}", (mine("infusion.viewed", "infusion", "infusion4"),
                                                     shared("infusion4_entries"))),
    ),
    "care:infusion_edit": each(
        (MEDICAL,), "/infusions/{infusion}/edit", mine("infusion.form_viewed", "infusion", "infusion", form="edit")
    ),
    "care:versions": each(
        CLINICIANS, "/infusions/{infusion}/versions", mine("infusion.viewed", "infusion", "infusion", versions=0)
    ),
    "care:measure": each((PATIENT, *CLINICIANS), "/measures/{measure}", mine("measure.viewed", "measure", "measure")),
    "care:paper_page": (
        *each((THERAPIST,), "/patients/{casey}/measures/new",
              mine("measure.form_viewed", "patient", instrument="PHQ9")),
        *each((THERAPIST,), "/patients/{casey}/measures/new?instrument=gad7",
              mine("measure.form_viewed", "patient", instrument="GAD7")),
    ),
    "care:cssrs_page": each(
        (THERAPIST,), "/patients/{casey}/cssrs/new", mine("measure.form_viewed", "patient", instrument="CSSRS")
    ),
    "care:my_progress": each((PATIENT,), "/me/progress", mine("progress.viewed", "patient"),
                             E("journal.scales_viewed", "journal", "", "casey")),
    "journal:print_page": each((PATIENT,), "/journal/print", E("journal.exported", "journal", patient="casey")),
    "journal:home": (
        Visit(PATIENT, "/journal", (E("journal.entries_listed", "journal", patient="casey"),
                                    E("note.summaries_read", "patient", "casey", "casey", ids("summaries", "notes")))),
        # htmx asks for older entries: the entries alone, never the panels a second time
        Visit(PATIENT, "/journal?before=2147483647", (E("journal.entries_listed", "journal", patient="casey"),), HX),
    ),
    "journal:show": each((PATIENT,), "/journal/{entry}", mine("journal.entry_read", "journal_entry", "entry")),
    "journal:edit_page": each(
        (PATIENT,), "/journal/{entry}/edit", mine("journal.entry_read", "journal_entry", "entry")
    ),
    "journal:history": each(
        (PATIENT,), "/journal/{entry}/history", mine("journal.entry_read", "journal_entry", "entry", history=True)
    ),
    "journal:version": each(
        (PATIENT,), "/journal/{entry}/history/{revision}",
        mine("journal.entry_read", "journal_entry", "entry", version=1),
    ),
    # Recently deleted: empty in the walk, and still a listing of the patient's journal
    "journal:deleted": each((PATIENT,), "/journal/deleted", E("journal.entries_listed", "journal", patient="casey")),
    "journal:export_md": each((PATIENT,), "/me/export.md", E("journal.exported", "journal", patient="casey")),
    "journal:export_json": each((PATIENT,), "/me/export.json", E("journal.exported", "journal", patient="casey")),
    "notes:new_page": (
        Visit(THERAPIST, "/infusions/{infusion}/notes/new",
              (mine("infusion.viewed", "infusion", "infusion"), shared("prefill_5"))),
        Visit(THERAPIST, "/infusions/{infusion}/notes/new?copy=previous",
              (mine("infusion.viewed", "infusion", "infusion"), shared("prefill_5"), COPIED)),
    ),
    "notes:show": (
        *each(CLINICIANS, "/notes/{signed_note}", mine("note.read", "note", "signed_note")),
        # the author's draft opens in the editor, beside its pre-fill (the session record and the shared entries)
        Visit(THERAPIST, "/notes/{draft_note}",
              (mine("note.read", "note", "draft_note"), mine("infusion.viewed", "infusion", "infusion4"),
               shared("prefill_4"))),
        Visit(SUPERVISOR, "/notes/{pending_note}", (E("note.read", "note", "pending_note", "riley", {}),)),
    ),
    "notes:reply_page": each(CLINICIANS, "/shared-entries/{entry}/replies",
                             E("journal.shared_viewed", "patient", "casey", "casey", lambda d: {"entries": [d.entry]})),
    "notes:process_list": (
        Visit(THERAPIST, "/patients/{casey}/process-notes", (mine("process_note.listed", "patient", count=1),)),
        Visit(SUPERVISOR, "/patients/{casey}/process-notes", (mine("process_note.listed", "patient", count=0),)),
    ),
    "oversight:home": each((SUPERVISOR,), "/oversight", clinic("quality.viewed")),
    "oversight:overdue": each((SUPERVISOR,), "/oversight/overdue-notes", E("quality.viewed", "list", "overdue_notes")),
    "oversight:audit_page": each(
        (SUPERVISOR,), "/oversight/audit", E("audit.viewed", "audit_log", detail={"filters": []})
    ),
    "oversight:audit_csv": each(
        (SUPERVISOR,), "/oversight/audit.csv", E("audit.exported", "audit_log", detail={"filters": []})
    ),
    "oversight:cosign_queue": each(
        (SUPERVISOR,), "/oversight/cosign", clinic("cosign.queue_viewed", lambda d: {"notes": [d.pending_note]})
    ),
    "oversight:review_list": each(
        (SUPERVISOR,), "/oversight/reviews", clinic("review.list_viewed", {"notes": []})
    ),
    "oversight:glass_list": each((SUPERVISOR,), "/oversight/break-glass", clinic("break_glass.list_viewed")),
    "oversight:me": each((PATIENT,), "/me", mine("access_log.viewed", "patient")),
    "interop:patient_export": (
        Visit(PATIENT, "/me/export.fhir.json", (E("fhir.patient_exported", "patient", "casey", "casey"),)),
        Visit(PATIENT, "/me/export.fhir.json?journal=all", (E("fhir.patient_exported", "patient", "casey", "casey"),)),
    ),
    "interop:read_patient": each(CLINICIANS, "/fhir/Patient/{casey}", mine("fhir.read", "patient", operation="read")),
    "interop:everything": each(
        CLINICIANS, "/fhir/Patient/{casey}/$everything", E("fhir.read", "patient", "casey", "casey")
    ),
    "interop:export_file": each(
        (SUPERVISOR,), "/oversight/exports/{export}/Patient.ndjson",
        E("fhir.export_downloaded", "fhir_export", "export", None, {"file": "Patient.ndjson", "lines": 1}),
    ),
}

# Route name -> why it writes no read event, and the visits that prove it writes none.
SHOWS_NO_PHI: dict[str, tuple[str, tuple[Visit, ...]]] = {
    "server:login": ("the sign-in form", each((None,), "/login")),  # type: ignore[arg-type]
    "server:home": ("a redirect to the role's home page", each(EVERYONE, "/")),
    "server:password": ("the user's own password form", each(EVERYONE, "/account/password")),
    "server:passkeys": ("the user's own passkeys (names and dates)", each(EVERYONE, "/account/passkeys")),
    "server:healthz": ("a health check", each((None,), "/healthz")),  # type: ignore[arg-type]
    "server:livez": ("a health check", each((None,), "/livez")),  # type: ignore[arg-type]
    "server:new_user_page": ("an empty account form", each((ADMIN,), "/admin/users/new")),
    "server:user_page": ("one account (name, email, role, state): account administration, no clinical record",
                         each((ADMIN,), "/admin/users/{casey_user}")),
    "oversight:settings_page": ("the clinic's settings", each((ADMIN,), "/admin/settings")),
    "interop:export_list": ("the clinic's exports: who started each, its status and counts, no record",
                            each((SUPERVISOR,), "/oversight/exports")),
    "server:approvals": ("accounts waiting for a supervisor (names, emails, roles): account administration",
                         each((SUPERVISOR,), "/approvals")),
    "server:reminders": ("one's own reminder settings", each(EVERYONE, "/me/reminders")),
    "server:security": ("one's own sessions, factors and sign-ins: no clinical record",
                        each(EVERYONE, "/account/security")),
    "server:login_code": ("the code step of a sign-in (a signed-in person is sent on)",
                          each(EVERYONE, "/login/code")),
    "server:reset_page": ("the forgotten-password form", each((None,), "/password-reset")),  # type: ignore[arg-type]
    "server:enrol_page": ("the form to choose one's own password on a one-time link",
                          each((None,), "/enrol/{enrol_token}")),  # type: ignore[arg-type]
    "care:new_patient_page": ("an empty patient form", each(CLINICIANS, "/patients/new")),
    "care:glass_form": ("an empty emergency-access form (a grant is audited)", each((THERAPIST,), "/break-glass")),
    "care:preview_flags": ("flags for the readings typed, nothing stored",
                           each(CLINICIANS, "/vitals/preview?systolic=190")),
    "care:preview_dose": ("the total of the dose typed, nothing stored",
                          each(CLINICIANS, "/dose/preview?dose_mg_per_kg=0.5&weight_kg=70")),
    "care:self_report_page": ("the patient's own empty questionnaire", each((PATIENT,), "/measures/phq9/new")),
    "journal:new_page": ("the patient's own empty editor, headed by their own session's number and date",
                         (*each((PATIENT,), "/journal/new"), *each((PATIENT,), "/journal/new?infusion={infusion}"))),
    "notes:supervision": ("who supervises whom (staff names, roles and dates): no clinical content",
                          each((SUPERVISOR, ADMIN), "/supervision")),
    "notes:process_gate": ("a process note's password gate: its date, no words (opening it is audited either way)",
                           each((THERAPIST,), "/process-notes/{process_note}")),
}
# fmt: on
