"""Mail: how a rendered message becomes an email and leaves the building.

Without `SMTP_URL` every message is written to `var/mail/` as an `.eml` file (and a line is logged), so `make run`
needs no mail server and a newcomer can read what would have been sent. With it, messages go through aiosmtplib:
`smtp://` upgrades with STARTTLS when the server offers it, `smtps://` speaks TLS from the start. A refusal the
server calls permanent (5xx) is `Permanent`; anything else (a dropped connection, a 4xx) is worth retrying.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from server.settings import Settings

log = logging.getLogger("afterglow.mail")


@dataclass(frozen=True)
class Rendered:
    """A message's words. Never clinical content: no name, diagnosis, drug, dose, score or journal words."""

    subject: str
    text: str
    html: str = ""
    ics: bytes = b""  # a calendar invitation (RFC 5545), attached as text/calendar
    unsubscribe: str = ""  # a link to the page where the person turns these messages off


class Transient(Exception):
    """Delivery failed in a way worth retrying later."""


class Permanent(Exception):
    """The mail server refused the message for good (5xx)."""


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def build(settings: Settings, message_id: int, to: str, rendered: Rendered) -> EmailMessage:
    """The email for one outbox row: plain text and HTML parts, a stable Message-ID (a resend after a crash can be
    recognised as the same message), the calendar invitation attached."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "afterglow.invalid"
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = to
    email["Subject"] = rendered.subject
    email["Date"] = formatdate(settings.clock().timestamp())
    email["Message-ID"] = f"<outbox-{message_id}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    if rendered.unsubscribe:
        email["List-Unsubscribe"] = f"<{rendered.unsubscribe}>"
    email.set_content(rendered.text)
    if rendered.html:
        email.add_alternative(rendered.html, subtype="html")
    if rendered.ics:
        email.add_attachment(rendered.ics, maintype="text", subtype="calendar", filename="session.ics")
    return email


@dataclass(frozen=True)
class FileTransport:
    """Writes each message to a directory as `<outbox id>.eml` (atomically: a reader never sees half a file)."""

    directory: Path

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").partition("@")[0] + ".eml"
        path = self.directory / name
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        os.replace(temporary, path)
        log.info("mail written to %s (SMTP_URL is unset, so nothing was sent)", path)


@dataclass(frozen=True)
class SmtpTransport:
    url: str

    async def send(self, message: EmailMessage) -> None:
        parts = urlsplit(self.url)
        tls = parts.scheme == "smtps"
        options = {
            "hostname": parts.hostname or "localhost",
            "port": parts.port or (465 if tls else 587),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": tls,
            "start_tls": None if not tls else False,  # None: upgrade when the server offers STARTTLS
            "timeout": 30,
        }
        try:
            await aiosmtplib.send(message, **options)  # type: ignore[arg-type]
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise (Permanent if all(c >= 500 for c in codes) else Transient)(f"recipient refused {codes}") from None
        except aiosmtplib.SMTPResponseException as exc:
            raise (Permanent if exc.code >= 500 else Transient)(f"server answered {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Transient(type(exc).__name__) from None


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return FileTransport(settings.var_dir / "mail")
