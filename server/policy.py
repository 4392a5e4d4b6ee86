"""The one permission policy: "may user U do action A (on object O)?".

Every rule is a `Rule` value with a description. Rooms define rules for their own objects next to their lookups and
hand them to the registry in `setup` (docs/permissions.md must list every registered rule, tested); the question is
always asked through `can()` / `require()` so there is one place to read and one place to audit.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from server.errors import Forbidden
from server.models import Role, User

Check = Callable[[User, Any], bool | Awaitable[bool]]

# Route-level declarations (server.web.route): who may reach a URL at all.
PUBLIC = frozenset({"public"})
PATIENT = frozenset({Role.PATIENT})
THERAPIST = frozenset({Role.THERAPIST})
SUPERVISOR = frozenset({Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
MEDICAL = frozenset({Role.MEDICAL})
CLINICIANS = frozenset({Role.THERAPIST, Role.SUPERVISOR})
CARE_STAFF = CLINICIANS | MEDICAL  # everyone who works with patients' care records (services check the record)
ANY_USER = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    """One permission: its name, what it allows (docs/permissions.md lists every registered rule, tested) and the
    check. Rules are module constants; services ask `can(user, RULE, obj)` with the rule itself, so a check never
    depends on which modules happen to be imported."""

    action: str
    description: str
    check: Check

    def __str__(self) -> str:
        return self.action


def rules_in(*modules: ModuleType) -> list[Rule]:
    """The rules a module defines as constants, for a room's `setup`."""
    return [value for module in modules for value in vars(module).values() if isinstance(value, Rule)]


async def can(user: User | None, rule: Rule, obj: Any = None) -> bool:
    if user is None or not user.is_active:
        return False
    result = rule.check(user, obj)
    return await result if inspect.isawaitable(result) else bool(result)


async def require(user: User | None, rule: Rule, obj: Any = None) -> None:
    if not await can(user, rule, obj):
        raise Forbidden(rule.action)


def _list_users(user: User, _obj: Any) -> bool:
    return user.role == Role.ADMIN


def _manage_user(user: User, target: User | None) -> bool:
    return user.role == Role.ADMIN and (target is None or target.clinic_id == user.clinic_id)


def _disable_user(user: User, target: User) -> bool:
    return _manage_user(user, target) and target.id != user.id


USERS_LIST = Rule("users.list", "See the accounts of one's own clinic (admins).", _list_users)
USERS_MANAGE = Rule(
    "users.manage",
    "Create, edit, disable, enable or reset the password of an account in one's own clinic (admins).",
    _manage_user,
)
USERS_DISABLE = Rule(
    "users.disable", "Disable an account in one's own clinic, never one's own (admins).", _disable_user
)


def _approve_access(user: User, approval: Any) -> bool:
    if user.role != Role.SUPERVISOR:
        return False
    return approval is None or (approval.clinic_id == user.clinic_id and approval.user_id != user.id)


ACCESS_APPROVE = Rule(
    "users.approve_access",
    "Approve or decline an admin's request that an account read clinical content (a new patient, therapist,"
    " medical or supervisor account, a wider role, or a reset sign-in), in one's own clinic and never for one's own"
    " account (supervisors).",
    _approve_access,
)
