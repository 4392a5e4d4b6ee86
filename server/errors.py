"""Domain errors raised by services; the web layer turns each into the right status and page."""

from __future__ import annotations


class NotFound(Exception):
    """The object does not exist, or the caller may not know it exists (strangers get 404, never 403)."""


class Forbidden(Exception):
    """The caller may see the object but may not do this to it."""


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class Invalid(Exception):
    """Input failed validation: one message per field, shown next to the field with the user's input kept."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors
