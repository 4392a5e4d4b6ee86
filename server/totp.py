"""Authenticator-app codes (RFC 6238: six digits, 30-second steps, SHA-1, as every authenticator app expects) and
the QR code that carries the secret to the app, drawn as inline SVG.

The SVG comes from segno with no style attribute and no script (a path with a stroke colour), so it sits in the page
under the strict Content-Security-Policy; it is the only markup the page marks safe, and it holds only the secret
and the account's email, never text a person typed into a field.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup

ISSUER = "Afterglow"
STEP_SECONDS = 30
VALID_WINDOW = 1  # a code from the step before or after now is accepted too (a phone's clock a little off)


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, RFC 4226's recommended length


def uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(secret: str, email: str) -> Markup:
    """The QR code as an inline <svg> (dark modules on the page's light background, a quiet zone of four modules)."""
    svg = segno.make(uri(secret, email), error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr", lineclass=None, title="QR code for your authenticator app"
    )
    return Markup(svg)  # noqa: S704 - segno's own markup: a title we wrote and a path of coordinates


def grouped(secret: str) -> str:
    """The secret as typed into an app by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within ±VALID_WINDOW steps of now, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    app = pyotp.TOTP(secret)
    here = int(now.timestamp()) // STEP_SECONDS
    for step in range(here - VALID_WINDOW, here + VALID_WINDOW + 1):
        if hmac.compare_digest(app.generate_otp(step), code):
            return step
    return None
