"""Saving a patient's one row of a kind (the chart profile, the safety plan) from the version its form showed."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from care.models import Patient
from server.actor import Actor

M = TypeVar("M", bound=Model)


class Stale(Exception):
    """Someone saved the row meanwhile (or created the first one at the same moment)."""


async def save(model: type[M], actor: Actor, patient: Patient, version: int | None, columns: dict[str, Any]) -> M:
    """Inside the caller's transaction: create the row from version 0, or update it if still at `version`; Stale
    otherwise (two first saves at once meet at the unique patient index)."""
    stamp: dict[str, Any] = {"updated_at": actor.now, "updated_by_id": actor.user_id}
    before = await model.get_or_none(patient_id=patient.id)
    if before is None and not version:
        try:
            return await model.create(clinic_id=patient.clinic_id, patient_id=patient.id, **columns, **stamp)
        except IntegrityError:
            raise Stale from None
    if before is None or not await model.filter(pk=before.pk, version=version or 0).update(
        **columns, **stamp, version=(version or 0) + 1
    ):
        raise Stale
    return before


def changed(before: Model | None, columns: dict[str, Any]) -> list[str]:
    return sorted(k for k, v in columns.items() if before is None or getattr(before, k) != v)
