"""Who is asking, from where, and when — plus the app's settings and registry: passed into every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from server.models import Clinic, Role, Session, User
from server.registry import Registry
from server.settings import Settings

if TYPE_CHECKING:
    from server.passwords import Passwords


@dataclass(frozen=True)
class Actor:
    user: User | None
    now: datetime
    settings: Settings
    passwords: Passwords
    ip: str = ""
    request_id: str = ""
    session: Session | None = None
    # What the rooms registered (panels, badges, nav): services that show other rooms' panels read it here.
    registry: Registry = field(default_factory=Registry, compare=False, repr=False)

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    @property
    def user_id(self) -> int:
        """The signed-in user's id (services behind a role-checked route always have one)."""
        if self.user is None:
            raise PermissionError("a signed-in user is required")
        return self.user.id

    @property
    def clinic(self) -> Clinic:
        """The signed-in user's clinic, loaded with the session (no query)."""
        if self.user is None:
            raise PermissionError("a signed-in user is required")
        return self.user.clinic

    @property
    def tz(self) -> str:
        """The clinic's time zone: times are stored in UTC and shown, and "today" is reckoned, in this zone."""
        return self.user.clinic.timezone if self.user else "UTC"

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.tz)).date()

    @property
    def clinic_id(self) -> int | None:
        return self.user.clinic_id if self.user else None
