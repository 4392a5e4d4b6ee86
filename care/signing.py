"""The infusion record's lifecycle: the clinician who gave the dose signs it (step-up), which locks it; a signed
record changes only by an amendment with a reason, and every version is kept with who, when and why; a wrong vital
sign is struck through with a reason, never deleted."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from care import access
from care import infusion_forms as forms
from care.infusions import keep_version, view_infusion
from care.models import Infusion, InfusionVersion, VitalSign
from server import audit, step_up
from server.actor import Actor
from server.errors import Invalid
from server.models import User

SIGNED = "Signed"
WRONG_PASSWORD = "That password is wrong. Re-enter the password you sign in with."  # noqa: S105 - a message


async def sign(actor: Actor, infusion_id: int, version: int | None, password: step_up.Proof | str) -> Infusion:
    """Sign and lock the record as the clinician who gave the dose; Invalid (with the infusion page) otherwise."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=access.MAY_INFUSION_RECORD)
    if _signed_as_asked(actor, infusion, version):  # a repeat (double click, retry): the record is signed as asked
        return infusion
    problem = _why_not(actor, infusion, version)
    check = await step_up.verify(actor, password) if not problem else None
    if check is not None and not check:
        async with in_transaction():
            await _audit(actor, access.INFUSION_STEP_UP_FAILED, infusion, outcome="denied", **check.refusal_detail)
        with audit.shown_again():  # that event names the record: the page shown again records no reads on top
            page = await view_infusion(actor, infusion.id, actor.today)
        raise Invalid(check.errors(WRONG_PASSWORD), page=page, audited=True)
    if problem:
        status = 409 if problem.get("form") == STALE else 400
        raise Invalid(problem, page=await view_infusion(actor, infusion.id, actor.today), status=status)
    async with in_transaction():
        locked = await Infusion.filter(id=infusion.id, version=version, signed_at__isnull=True).update(
            signed_at=actor.now, signed_by_id=actor.user_id
        )
        if locked:
            await keep_version(actor, infusion.id, infusion.version, SIGNED)
            await _audit(actor, access.INFUSION_SIGNED, infusion, detail={"version": infusion.version})
    if not locked:
        fresh = await Infusion.get(id=infusion.id)
        if _signed_as_asked(actor, fresh, version):  # a concurrent repeat of this same signature won the race
            return fresh
        raise Invalid({"form": STALE}, page=await view_infusion(actor, infusion.id, actor.today), status=409)
    return infusion


def _signed_as_asked(actor: Actor, infusion: Infusion, version: int | None) -> bool:
    return infusion.signed_at is not None and infusion.signed_by_id == actor.user_id and infusion.version == version


STALE = "This record changed, or was signed, while the page was open. Nothing was signed: read it again, then sign."


def _why_not(actor: Actor, infusion: Infusion, version: int | None) -> dict[str, str]:
    if infusion.signed_at is not None or infusion.version != version:
        return {"form": STALE}
    if infusion.started_at is None:
        return {"form": "Record the dose (its start time) before signing the record."}
    if infusion.administered_by_id != actor.user_id:
        who = infusion.administered_by.name if infusion.administered_by else "the clinician who gave the dose"
        return {"form": f"Only {who}, who gave the dose, signs this record."}
    return {}


async def _audit(actor: Actor, action: str, infusion: Infusion, **fields: object) -> None:
    where = {"object_type": "infusion", "object_id": infusion.id, "patient_id": infusion.patient_id}
    await audit.record(actor, action, **where, **fields)


@dataclass(frozen=True)
class Version:
    """One kept version: who saved it, when, why, and what changed from the one before (label, before, after)."""

    row: InfusionVersion
    by: str
    changes: list[tuple[str, str, str]]


async def versions(actor: Actor, infusion_id: int) -> tuple[Infusion, list[Version]]:
    """A signed record's versions, newest first, each with its changes from the one before; read and audited."""
    infusion = await access.get_infusion_for(actor, infusion_id)
    rows = await InfusionVersion.filter(infusion_id=infusion.id).order_by("version")
    names = {u.id: u.name for u in await User.filter(id__in={r.saved_by_id for r in rows})}
    kept: list[Version] = []
    for before, row in zip([None, *rows], rows, strict=False):
        changes = _changes(before.content, row.content) if before else []
        kept.append(Version(row, names.get(row.saved_by_id, "someone"), changes))
    where = {"object_type": "infusion", "object_id": infusion.id, "patient_id": infusion.patient_id}
    await audit.record_read(actor, access.INFUSION_VIEWED, detail={"versions": len(rows)}, **where)
    return infusion, list(reversed(kept))


def _changes(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    keys = [k for k in after if before.get(k, "") != after.get(k, "")]
    label = forms.LABELS.get
    return [(label(k, k.replace("_", " ").capitalize()), before.get(k) or "—", after[k] or "—") for k in keys]


async def strike(actor: Actor, infusion_id: int, vital_id: int | None, reason: str) -> Infusion:
    """Strike one of the record's readings through with a reason (it stays on the record, and raises no flag);
    Invalid (with the infusion page) without a reading or a reason, and 409 when someone struck it first."""
    infusion = await access.get_infusion_for(actor, infusion_id, write=access.MAY_VITALS_RECORD)
    row = await VitalSign.get_or_none(id=vital_id, infusion_id=infusion.id) if vital_id else None
    reason = reason.strip()
    errors = {} if row else {"vital_id": "Choose the reading that is wrong."}
    if (row is None or row.struck_at is None) and (not reason or len(reason) > 300):
        errors["strike_reason"] = "Say why this reading is wrong (up to 300 characters)."
    if errors or row is None:
        raise Invalid(errors, page=await view_infusion(actor, infusion.id, actor.today))
    if _struck_as_asked(actor, row, reason):  # a repeat (double click, retry): the reading is struck as asked
        return infusion
    async with in_transaction():
        struck = await VitalSign.filter(id=row.id, struck_at__isnull=True).update(
            struck_at=actor.now, struck_by_id=actor.user_id, struck_reason=reason
        )
        if struck:
            where = {"object_type": "vital_sign", "object_id": row.id, "patient_id": infusion.patient_id}
            await audit.record(actor, access.VITALS_STRUCK, **where)
    if not struck:  # struck first: by this same request's repeat, or by someone else (say so, keep their reason)
        earlier = await VitalSign.get(id=row.id)
        if _struck_as_asked(actor, earlier, reason):
            return infusion
        message = f"Someone else struck this reading through first: {earlier.struck_reason}"
        raise Invalid({"vital_id": message}, page=await view_infusion(actor, infusion.id, actor.today), status=409)
    return infusion


def _struck_as_asked(actor: Actor, row: VitalSign, reason: str) -> bool:
    return row.struck_at is not None and row.struck_by_id == actor.user_id and row.struck_reason == reason
