"""Compiled queries (server/compiled.py) give the same rows as the plain queryset for the same values — None, lists
(IN), dates and datetimes included — on whichever database the run uses (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from care.models import Infusion, MeasureResponse, Patient
from server import compiled
from server.models import AuditChainHead, Role, Session, User

INFUSIONS = compiled.query(
    lambda patient_id, since: Infusion.filter(patient_id=patient_id, scheduled_at__gte=since).order_by("id")
)
BY_IDS = compiled.query(lambda ids: Infusion.filter(id__in=ids).order_by("id").values_list("id", "number"))
ENDED = compiled.query(
    lambda patient_id, ended_at: Infusion.filter(patient_id=patient_id, ended_at=ended_at).values_list("id", flat=True)
)
PATIENTS_BORN = compiled.query(
    lambda born: Patient.filter(date_of_birth__lte=born).order_by("id").values("id", "mrn", "date_of_birth")
)
MEASURES = compiled.query(
    lambda patient_id: (
        MeasureResponse.filter(patient_id=patient_id)
        .order_by("taken_at", "id")
        .values_list("id", "answers", "taken_at")
    )
)
USERS_BY_ROLE = compiled.query(lambda role: User.filter(role=role).order_by("id").values_list("email", flat=True))
SESSION_USER = compiled.query(lambda user_id: User.filter(id=user_id).select_related("clinic"))
COUNT = compiled.query(lambda patient_id: Infusion.filter(patient_id=patient_id).count())
EXISTS = compiled.query(lambda email: User.filter(email=email).exists())
BUMP = compiled.query(lambda user_id, name: User.filter(id=user_id).update(name=name))

# A correlated subquery (each patient's infusions) and text joined from a constant and a column.
PER_PATIENT = compiled.query(
    lambda clinic_id: (
        Patient.filter(clinic_id=clinic_id)
        .annotate(
            n=Subquery(Infusion.filter(patient_id=compiled.column(Patient, "id")).annotate(c=Count("id")).values("c")),
            label=compiled.text("mrn:", compiled.column(Patient, "mrn"), ":", compiled.column(Patient, "id")),
        )
        .order_by("id")
        .values_list("id", "n", "label")
    )
)


async def casey() -> Patient:
    return await Patient.get(mrn="DC-1001")


async def test_it_returns_the_querysets_models_for_new_values(demo):
    patient = await casey()
    for since in (
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
    ):
        plain = await Infusion.filter(patient_id=patient.id, scheduled_at__gte=since).order_by("id")
        fast = await INFUSIONS.all(patient_id=patient.id, since=since)
        assert [(i.id, i.scheduled_at, i.started_at, i.rems) for i in fast] == [
            (i.id, i.scheduled_at, i.started_at, i.rems) for i in plain
        ]
    assert await INFUSIONS.all(patient_id=-5, since=datetime(2000, 1, 1, tzinfo=UTC)) == []


async def test_a_naive_datetime_is_taken_as_tortoise_takes_it(demo):
    patient = await casey()
    naive = datetime(2026, 11, 1)
    with pytest.warns(RuntimeWarning):
        plain = await Infusion.filter(patient_id=patient.id, scheduled_at__gte=naive).values_list("id", flat=True)
    fast = await INFUSIONS.all(patient_id=patient.id, since=naive)
    assert [i.id for i in fast] == sorted(plain)


async def test_it_compiles_a_list_per_length_for_in(demo):
    ids = sorted(await Infusion.all().values_list("id", flat=True))
    for chosen in ([ids[0]], ids[:3], ids[1:4], ids, [], [-1, ids[-1]]):
        plain = await Infusion.filter(id__in=chosen).order_by("id").values_list("id", "number")
        assert await BY_IDS.all(ids=chosen) == plain
    assert BY_IDS.sql(ids=[1, 2]) == BY_IDS.sql(ids=[7, 9]) != BY_IDS.sql(ids=[1, 2, 3])


async def test_none_compiles_as_is_null(demo):
    patient = await casey()
    ended = await Infusion.filter(patient_id=patient.id, ended_at__not_isnull=True).first()
    for value in (None, ended.ended_at, None):
        plain = await Infusion.filter(patient_id=patient.id, ended_at=value).values_list("id", flat=True)
        assert sorted(await ENDED.all(patient_id=patient.id, ended_at=value)) == sorted(plain)
    assert "IS NULL" in ENDED.sql(patient_id=1, ended_at=None)
    assert "IS NULL" not in ENDED.sql(patient_id=1, ended_at=ended.ended_at)


async def test_dates_json_and_datetimes_come_back_converted(demo):
    for born in (date(1900, 1, 1), date(1990, 6, 1), date(2010, 1, 1)):
        plain = await Patient.filter(date_of_birth__lte=born).order_by("id").values("id", "mrn", "date_of_birth")
        assert await PATIENTS_BORN.all(born=born) == plain
    patient = await casey()
    plain = (
        await MeasureResponse.filter(patient_id=patient.id)
        .order_by("taken_at", "id")
        .values_list("id", "answers", "taken_at")
    )
    fast = await MEASURES.all(patient_id=patient.id)
    assert fast == plain and fast and isinstance(fast[0][1], dict) and isinstance(fast[0][2], datetime)


async def test_enums_and_bools_are_compiled_in_per_value(demo):
    for role in (Role.THERAPIST, Role.PATIENT, Role.THERAPIST):
        assert await USERS_BY_ROLE.all(role=role) == await User.filter(role=role).order_by("id").values_list(
            "email", flat=True
        )
    assert len({key for key in USERS_BY_ROLE._plans if "role" in str(key)}) == 2  # one plan per role given


async def test_select_related_counts_exists_and_updates(demo):
    user = await User.get(email="therapist@demo.clinic")
    found = await SESSION_USER.first(user_id=user.id)
    assert found.email == user.email and found.clinic.slug == (await user.clinic).slug
    assert await SESSION_USER.first(user_id=-1) is None
    patient = await casey()
    assert await COUNT.run(patient_id=patient.id) == await Infusion.filter(patient_id=patient.id).count() > 0
    assert await EXISTS.run(email=user.email) is True and await EXISTS.run(email="nobody@x") is False
    async with in_transaction() as conn:
        assert await BUMP.run(conn, user_id=user.id, name="Renamed") == 1
    assert (await User.get(id=user.id)).name == "Renamed"


async def test_the_sql_is_built_once_per_shape(demo):
    since = datetime(2026, 1, 1, tzinfo=UTC)
    first = INFUSIONS.sql(patient_id=1, since=since)
    assert INFUSIONS.sql(patient_id=2, since=since + timedelta(days=3)) is first


async def test_a_value_its_lookup_rewrites_cannot_be_compiled(demo):
    contains = compiled.query(lambda text: User.filter(name__icontains=text))
    with pytest.raises(compiled.CompileError):
        await contains.all(text="casey")


async def test_insert_writes_what_tortoise_writes(demo):
    head = await AuditChainHead.get(id=1)
    users = await User.filter(email="therapist@demo.clinic").values_list("id", flat=True)
    now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    fields = ["token_hash", "user_id", "csrf_token", "created_at", "last_seen_at", "ip", "user_agent"]
    insert = compiled.Insert(Session, fields)
    rows = [["a" * 64, users[0], "c", now, now, "1.2.3.4", ""], ["b" * 64, users[0], "d", now, now, "", "x"]]
    async with in_transaction() as conn:
        await insert.run(rows, conn)
    stored = await Session.filter(token_hash__in=["a" * 64, "b" * 64]).order_by("token_hash")
    assert [(s.csrf_token, s.created_at, s.ip) for s in stored] == [("c", now, "1.2.3.4"), ("d", now, "")]
    assert (await AuditChainHead.get(id=1)).seq == head.seq


async def test_past_its_plan_limit_a_query_is_built_each_time_and_still_right(demo, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_PLANS", 1)
    by_ids = compiled.query(lambda ids: Infusion.filter(id__in=ids).order_by("id").values_list("id", flat=True))
    ids = sorted(await Infusion.all().values_list("id", flat=True))
    for n in range(1, 5):
        assert await by_ids.all(ids=ids[:n]) == ids[:n]
    assert len(by_ids._plans) == 1


async def test_a_column_of_the_outer_row_and_text_from_parts(demo):
    patient = await casey()
    rows = await PER_PATIENT.all(clinic_id=patient.clinic_id)
    expected = [
        (p.id, await Infusion.filter(patient_id=p.id).count(), f"mrn:{p.mrn}:{p.id}")
        for p in await Patient.filter(clinic_id=patient.clinic_id).order_by("id")
    ]
    assert rows == expected and any(n for _, n, _ in rows)
