"""Compiled queries put together (server/compiled_together.py) give each query's own result — models with their
select_related, dicts, tuples, dates, decimals, JSON and empty lists — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from care.models import Consent, Infusion, MeasureResponse, Patient
from server import compiled
from server.compiled import CompileError
from server.compiled_together import Batch, together

INFUSIONS = compiled.query(
    lambda patient_id, since: Infusion.filter(patient_id=patient_id, scheduled_at__gte=since).order_by("-id")
)
CONSENTS = compiled.query(
    lambda patient_id: Consent.filter(course__patient_id=patient_id).select_related("recorded_by").order_by("id")
)
MEASURES = compiled.query(
    lambda patient_id: (
        MeasureResponse.filter(patient_id=patient_id)
        .order_by("taken_at", "id")
        .values_list("id", "answers", "taken_at", "instrument")
    )
)
PATIENT = compiled.query(
    lambda patient_id: Patient.filter(id=patient_id).values("id", "mrn", "date_of_birth", "weight_kg", "user__name")
)
COUNT = compiled.query(lambda patient_id: Infusion.filter(patient_id=patient_id).count())
ALL = together(INFUSIONS, CONSENTS, MEASURES, PATIENT)


def _models(rows: list) -> list[dict]:
    return [
        dict(row.__dict__, **{k: v.__dict__ for k, v in row.__dict__.items() if hasattr(v, "_meta")}) for row in rows
    ]


async def test_each_query_gets_its_own_result(demo):
    patient = await Patient.get(mrn="DC-1001")
    for since in (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)):
        infusions, consents, measures, found = await ALL.run(patient_id=patient.id, since=since)
        assert _models(infusions) == _models(await INFUSIONS.all(patient_id=patient.id, since=since))
        assert _models(consents) == _models(await CONSENTS.all(patient_id=patient.id))
        assert [c.recorded_by.name for c in consents] == [
            c.recorded_by.name for c in await CONSENTS.all(patient_id=patient.id)
        ]
        assert measures == await MEASURES.all(patient_id=patient.id)
        assert found == await PATIENT.all(patient_id=patient.id)
    assert infusions == [] and consents and measures and found[0]["weight_kg"] is not None


async def test_an_unknown_patient_has_empty_lists(demo):
    assert await ALL.run(patient_id=-5, since=datetime(2000, 1, 1, tzinfo=UTC)) == [[], [], [], []]


async def test_it_is_one_statement(demo, queries, caplog):
    await ALL.run(patient_id=1, since=datetime(2000, 1, 1, tzinfo=UTC))  # the connection is open
    with queries.counting(caplog):
        await ALL.run(patient_id=1, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert queries.count == 1


async def test_only_rows_can_be_put_together(demo):
    with pytest.raises(CompileError):
        await together(COUNT, PATIENT).run(patient_id=1)


async def test_a_batch_gives_each_wanted_query_its_own_values(demo, queries, caplog):
    patient = await Patient.get(mrn="DC-1001")
    since = datetime(2000, 1, 1, tzinfo=UTC)
    await ALL.run(patient_id=patient.id, since=since)  # the connection is open
    batch = Batch()
    mine, nobody, found = (
        batch.want(INFUSIONS, patient_id=patient.id, since=since),
        batch.want(INFUSIONS, patient_id=-5, since=since),
        batch.want(PATIENT, patient_id=patient.id),
    )
    with queries.counting(caplog):
        await batch.run()
    assert queries.count == 1
    assert [i.id for i in batch.got(mine)] == [i.id for i in await INFUSIONS.all(patient_id=patient.id, since=since)]
    assert batch.got(nobody) == [] and batch.first(nobody) is None
    assert batch.first(found)["mrn"] == "DC-1001"


async def test_a_batch_with_nothing_wanted_runs_nothing(demo, queries, caplog):
    await ALL.run(patient_id=1, since=datetime(2000, 1, 1, tzinfo=UTC))  # the connection is open
    with queries.counting(caplog):
        await Batch().run()
    assert queries.count == 0
