"""Settings read from the environment once, at start-up; every value has a safe default for `make run`."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://var/afterglow.sqlite3"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    web_concurrency: int = 1
    var_dir: Path = ROOT / "var"
    # Sessions end after 15 minutes idle and 12 hours absolute (HIPAA automatic logoff, 45 CFR 164.312(a)(2)(iii),
    # names no number; these are Afterglow's).
    session_idle_seconds: int = 15 * 60
    session_absolute_seconds: int = 12 * 60 * 60
    secure_cookies: bool = False
    # Templates are read and compiled once per worker; on, a changed template file is read again (editing them).
    template_reload: bool = False
    # argon2id cost; never below OWASP's Password Storage Cheat Sheet minimum of m=19 MiB, t=2, p=1 in production.
    # Tests lower it through the environment of the test run.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    # One lane and one hash at a time per worker: a burst of sign-ins then takes at most one core per worker and
    # pages keep the rest (benchmarks/RESULTS.md, sign-ins beside reads). Lanes add no strength, only speed.
    argon2_parallelism: int = 1
    argon2_max_concurrent: int = 1
    # Hashing threads run this much nicer than the pages (Linux thread nice value, 0-19; 0 = same priority).
    argon2_niceness: int = 10
    # Login throttling (per account and per client IP), counted in the database so every worker sees it.
    login_window_seconds: int = 15 * 60
    login_max_failures_account: int = 5
    login_max_failures_ip: int = 20
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed; none by default, so a forged
    # header changes nothing. Behind nginx on the same host: "127.0.0.1"; behind a load balancer: its addresses.
    trusted_proxies: tuple[str, ...] = ()
    # Mail (server/mail.py): unset SMTP_URL writes each message to var/mail/ as an .eml file instead of sending it.
    smtp_url: str = ""
    mail_from: str = "Afterglow <no-reply@afterglow.invalid>"
    public_url: str = ""  # links in messages start with it; unset, http://HOST:PORT
    # Passkeys (server/passkeys.py): the relying-party id is the registrable domain people see in the address bar,
    # the origin is the scheme and host (and port) their browser is on. Unset, both follow PUBLIC_URL, else localhost.
    webauthn_rp_id: str = ""
    webauthn_origin: str = ""
    # How often each worker delivers due messages from the outbox (0: only `python -m server notify` does).
    notify_interval_seconds: int = 30
    clock: Callable[[], datetime] = field(default=utcnow, compare=False)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def rp_id(self) -> str:
        """The WebAuthn relying-party id: WEBAUTHN_RP_ID, else PUBLIC_URL's host name, else "localhost"."""
        return self.webauthn_rp_id or urlsplit(self.public_url).hostname or "localhost"

    @property
    def rp_origin(self) -> str:
        """The origin browsers sign passkey ceremonies for: WEBAUTHN_ORIGIN, else PUBLIC_URL's, else
        http://localhost:PORT."""
        if self.webauthn_origin:
            return self.webauthn_origin.rstrip("/")
        if self.public_url:
            parts = urlsplit(self.public_url)
            return f"{parts.scheme}://{parts.netloc}"
        return f"http://localhost:{self.port}"

    @property
    def cookie_name(self) -> str:
        return "__Host-afterglow" if self.secure_cookies else "afterglow"

    @property
    def csrf_cookie_name(self) -> str:
        return "__Host-afterglow-csrf" if self.secure_cookies else "afterglow-csrf"

    @property
    def audit_key(self) -> bytes:
        import hashlib
        import hmac

        return hmac.new(self.secret_key.encode(), b"afterglow audit chain v1", hashlib.sha256).digest()


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret(var_dir: Path) -> str:
    """Read var/secret.key, creating it (0600) on first run."""
    path = var_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


# Environment variable -> Settings field. docs/settings.md documents every one (tested).
ENV_INTS = {
    "PORT": "port",
    "WEB_CONCURRENCY": "web_concurrency",
    "SESSION_IDLE_SECONDS": "session_idle_seconds",
    "SESSION_ABSOLUTE_SECONDS": "session_absolute_seconds",
    "ARGON2_TIME_COST": "argon2_time_cost",
    "ARGON2_MEMORY_KIB": "argon2_memory_kib",
    "ARGON2_PARALLELISM": "argon2_parallelism",
    "ARGON2_MAX_CONCURRENT": "argon2_max_concurrent",
    "ARGON2_NICENESS": "argon2_niceness",
    "LOGIN_WINDOW_SECONDS": "login_window_seconds",
    "LOGIN_MAX_FAILURES_ACCOUNT": "login_max_failures_account",
    "LOGIN_MAX_FAILURES_IP": "login_max_failures_ip",
    "NOTIFY_INTERVAL_SECONDS": "notify_interval_seconds",
}
ENV_STRINGS = {
    "SMTP_URL": "smtp_url",
    "MAIL_FROM": "mail_from",
    "PUBLIC_URL": "public_url",
    "WEBAUTHN_RP_ID": "webauthn_rp_id",
    "WEBAUTHN_ORIGIN": "webauthn_origin",
}
ENV_OTHER = (
    "DATABASE_URL",
    "SECRET_KEY",
    "HOST",
    "SECURE_COOKIES",
    "TEMPLATE_RELOAD",
    "AFTERGLOW_VAR_DIR",
    "TRUSTED_PROXIES",
    *ENV_STRINGS,
)


def _networks(raw: str) -> tuple[str, ...]:
    """TRUSTED_PROXIES as networks ("10.0.0.5", "10.0.0.0/24", "::1"); a malformed entry stops start-up, naming it."""
    found = []
    for entry in (e.strip() for e in raw.split(",")):
        if entry:
            try:
                found.append(str(ipaddress.ip_network(entry, strict=False)))
            except ValueError:
                raise SystemExit(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return tuple(found)


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    var_dir = Path(env.get("AFTERGLOW_VAR_DIR", str(ROOT / "var")))
    values: dict[str, object] = {name: int(env[key]) for key, name in ENV_INTS.items() if env.get(key)}
    values |= {name: env[key] for key, name in ENV_STRINGS.items() if env.get(key)}
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite://{var_dir / 'afterglow.sqlite3'}",
        secret_key=env.get("SECRET_KEY") or load_secret(var_dir),
        host=env.get("HOST", "127.0.0.1"),
        var_dir=var_dir,
        secure_cookies=_bool(env.get("SECURE_COOKIES", "")),
        template_reload=_bool(env.get("TEMPLATE_RELOAD", "")),
        trusted_proxies=_networks(env.get("TRUSTED_PROXIES", "")),
        **values,  # type: ignore[arg-type]
    )
