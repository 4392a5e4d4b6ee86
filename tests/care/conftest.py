from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from care.models import Infusion, Patient
from tests.conftest import login, token


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def counting(self, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            yield
        self.count = sum(1 for r in caplog.records if r.name == "tortoise.db_client")


@pytest.fixture
def queries() -> QueryCounter:
    return QueryCounter()


async def sign_in(client, email: str) -> str:
    """Sign in and return the session's CSRF token."""
    assert (await login(client, email)).status_code == 303
    return await token(client)


async def casey() -> Patient:
    return await Patient.get(mrn="DC-1001").select_related("user")


async def last_infusion(patient: Patient) -> Infusion:
    return await Infusion.filter(patient_id=patient.id, started_at__not_isnull=True).order_by("-number").first()
