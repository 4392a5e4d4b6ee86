"""The one permission policy: "may user U do action A (on object O)?".

Every action is registered here with a description (docs/permissions.md must list them all, tested). Rooms register
rules for their own objects with `@rule(...)`, because the shell may not import them; the question is always asked
through `can()` / `require()` so there is one place to read and one place to audit.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from server.errors import Forbidden
from server.models import Role, User

Check = Callable[[User, Any], bool | Awaitable[bool]]
C = TypeVar("C", bound=Check)

# Route-level declarations (server.web.route): who may reach a URL at all.
PUBLIC = frozenset({"public"})
PATIENT = frozenset({Role.PATIENT})
THERAPIST = frozenset({Role.THERAPIST})
SUPERVISOR = frozenset({Role.SUPERVISOR})
ADMIN = frozenset({Role.ADMIN})
CLINICIANS = frozenset({Role.THERAPIST, Role.SUPERVISOR})
ANY_USER = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    action: str
    description: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(action: str, description: str) -> Callable[[C], C]:
    def register(check: C) -> C:
        RULES[action] = Rule(action, description, check)
        return check

    return register


async def can(user: User | None, action: str, obj: Any = None) -> bool:
    if user is None or not user.is_active:
        return False
    result = RULES[action].check(user, obj)
    return await result if inspect.isawaitable(result) else bool(result)


async def require(user: User | None, action: str, obj: Any = None) -> None:
    if not await can(user, action, obj):
        raise Forbidden(action)


@rule("users.list", "See the accounts of one's own clinic (admins).")
def _list_users(user: User, _obj: Any) -> bool:
    return user.role == Role.ADMIN


@rule("users.manage", "Create, edit, disable, enable or reset the password of an account in one's own clinic (admins).")
def _manage_user(user: User, target: User | None) -> bool:
    return user.role == Role.ADMIN and (target is None or target.clinic_id == user.clinic_id)


@rule("users.disable", "Disable an account in one's own clinic, never one's own (admins).")
def _disable_user(user: User, target: User) -> bool:
    return _manage_user(user, target) and target.id != user.id
