"""Domain errors raised by services; the web layer turns each into the right status and page."""

from __future__ import annotations

from typing import Any


class NotFound(Exception):
    """The object does not exist, or the caller may not know it exists (strangers get 404, never 403)."""


class Forbidden(Exception):
    """The caller may see the object but may not do this to it."""


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class Invalid(Exception):
    """Input failed validation: one message per field, shown next to the field with the user's input kept.

    `page` carries what the refused form's page needs to show again (the patient, the note, the list the form was
    on), so a handler renders it from the one service call it made. `status` is 409 when the input was fine but lost
    a race (someone saved the same thing at the same moment), 400 otherwise. `audited` says the refusal was recorded
    in the audit log itself (a wrong step-up password): the page shown again then records no reads of its own
    (server.audit.shown_again)."""

    def __init__(self, errors: dict[str, str], page: Any = None, status: int = 400, *, audited: bool = False) -> None:
        super().__init__(errors)
        self.errors = errors
        self.page = page
        self.status = status
        self.audited = audited
