"""The demo clinics and accounts (the README lists them); rooms add their demo content through the demo loaders they
register in `setup`."""

from __future__ import annotations

from server import accounts
from server.actor import Actor
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
    ("nurse@demo.clinic", "Avery Santos", "medical", "demo.clinic"),
    ("physician@demo.clinic", "Noor Haddad", "medical", "demo.clinic"),
    ("patient@demo.clinic", "Casey Morgan", "patient", "demo.clinic"),
    ("patient2@demo.clinic", "Riley Chen", "patient", "demo.clinic"),
    ("therapist@other.clinic", "Taylor Brooks", "therapist", "other.clinic"),
    ("patient@other.clinic", "Jamie Fox", "patient", "other.clinic"),
]

CREDENTIALS = {"nurse@demo.clinic": "RN", "physician@demo.clinic": "MD"}


async def load(actor: Actor, password: str | None = None) -> list[str]:
    """Create the demo clinics and accounts, then let each room add its content. Returns lines to print."""
    password = password or DEFAULT_PASSWORD
    clinics = {slug: await Clinic.create(name=name, slug=slug, timezone=tz) for slug, (name, tz) in CLINICS.items()}
    users: dict[str, User] = {}
    for email, name, role, slug in ACCOUNTS:
        users[email] = await accounts.create_user(
            actor,
            clinics[slug],
            email=email,
            name=name,
            role=role,
            password=password,
            credential=CREDENTIALS.get(email, ""),
        )
    lines = ["Demo clinics loaded. Sign in at /login with any of these (password: " + password + "):"]
    lines += [f"  {email:<26} {role:<10} {slug}" for email, _, role, slug in ACCOUNTS]
    for loader in actor.registry.demo_loaders:
        lines += await loader(actor, clinics, users)
    return lines
