"""No per-row queries (N+1) on the shell's list page: the admin's account list runs the same SQL statements however
many accounts the clinic has."""

from __future__ import annotations

from server.models import Role, User
from tests.conftest import login


async def test_it_lists_accounts_in_constant_queries(client, demo, queries, caplog):
    await login(client, "admin@demo.clinic")
    before = await queries.page(client, "/admin/users", caplog)
    admin = await User.get(email="admin@demo.clinic")
    for n in range(15):
        role = (Role.THERAPIST, Role.SUPERVISOR, Role.PATIENT)[n % 3]
        await User.create(
            clinic_id=admin.clinic_id, email=f"grown{n}@demo.clinic", name=f"Grown {n}", role=role, password_hash="!"
        )
    assert await queries.page(client, "/admin/users", caplog) == before
    assert "grown14@demo.clinic" in queries.text
