"""The demo clinics and accounts the README lists. Rooms add their demo content through an optional `<room>.demo.seed`
hook."""

from __future__ import annotations

import importlib
import importlib.util

from server import accounts
from server.actor import Actor
from server.db import ROOMS
from server.models import Clinic, User

DEFAULT_PASSWORD = "quiet-harbor-lantern"  # noqa: S105 - the documented demo password

CLINICS = {
    "demo.clinic": ("Demo Clinic", "America/New_York"),
    "other.clinic": ("Other Clinic", "America/Chicago"),
}
# email, name, role, clinic slug — stable interface: tests and the README rely on these addresses.
ACCOUNTS = [
    ("admin@demo.clinic", "Dana Whitfield", "admin", "demo.clinic"),
    ("supervisor@demo.clinic", "Priya Raman", "supervisor", "demo.clinic"),
    ("therapist@demo.clinic", "Sam Okafor", "therapist", "demo.clinic"),
    ("therapist2@demo.clinic", "Jordan Lee", "therapist", "demo.clinic"),
    ("patient@demo.clinic", "Casey Morgan", "patient", "demo.clinic"),
    ("patient2@demo.clinic", "Riley Chen", "patient", "demo.clinic"),
    ("therapist@other.clinic", "Taylor Brooks", "therapist", "other.clinic"),
    ("patient@other.clinic", "Jamie Fox", "patient", "other.clinic"),
]


async def load(actor: Actor, password: str | None = None) -> list[str]:
    """Create the demo clinics and accounts, then let each room add its content. Returns lines to print."""
    password = password or DEFAULT_PASSWORD
    clinics = {slug: await Clinic.create(name=name, slug=slug, timezone=tz) for slug, (name, tz) in CLINICS.items()}
    users: dict[str, User] = {}
    for email, name, role, slug in ACCOUNTS:
        users[email] = await accounts.create_user(
            actor, clinics[slug], email=email, name=name, role=role, password=password
        )
    lines = ["Demo clinics loaded. Sign in at /login with any of these (password: " + password + "):"]
    lines += [f"  {email:<26} {role:<10} {slug}" for email, _, role, slug in ACCOUNTS]
    for room in ROOMS:
        if importlib.util.find_spec(f"{room}.demo"):
            lines += await importlib.import_module(f"{room}.demo").seed(actor, clinics, users)
    return lines
