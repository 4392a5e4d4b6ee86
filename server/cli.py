"""`python -m server serve | migrate | demo | create-user | audit verify | backup PATH | notify`, plus the rooms'
commands."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from server import accounts, audit_walk, demo, outbox
from server.actor import Actor
from server.db import tortoise_config
from server.errors import Invalid
from server.models import Clinic
from server.passwords import Passwords
from server.registry import Registry
from server.settings import Settings, from_env


@dataclass(frozen=True)
class Context:
    settings: Settings
    registry: Registry


async def with_db(ctx: Context, work: Callable[[], Awaitable[int]]) -> int:
    await Tortoise.init(config=tortoise_config(ctx.settings, ctx.registry.models))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


def cli_actor(settings: Settings, registry: Registry) -> Actor:
    return Actor(
        user=None,
        now=settings.clock(),
        settings=settings,
        passwords=Passwords(settings),
        ip="cli",
        registry=registry,
    )


async def migrate(ctx: Context) -> int:
    ctx.settings.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the SQLite file holds PHI
    try:
        await run_migrations(config=tortoise_config(ctx.settings, ctx.registry.models))
    finally:
        await Tortoise.close_connections()  # an open connection's thread would keep a failed run alive
    print("Database is up to date.")
    return 0


async def create_user(ctx: Context, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")

    async def work() -> int:
        clinic = await Clinic.get_or_none(slug=args.clinic)
        if clinic is None:
            print(f"No clinic with slug {args.clinic!r}.", file=sys.stderr)
            return 2
        try:
            user = await accounts.create_user(
                cli_actor(ctx.settings, ctx.registry),
                clinic,
                email=args.email,
                name=args.name,
                role=args.role,
                password=password,
                credential=args.credential or "",
            )
        except Invalid as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 2
        print(f"Created {user.role} {user.email} in {clinic.slug}.")
        return 0

    return await with_db(ctx, work)


async def verify(ctx: Context) -> int:
    async def work() -> int:
        verdict = await audit_walk.verify_all(ctx.settings.database_url, ctx.settings.audit_key)
        if verdict.ok:
            print(f"Audit chain intact: {verdict.count} events verified.")
            return 0
        print(
            f"Audit chain BROKEN at seq {verdict.bad_seq}: {verdict.problem} ({verdict.count} events verified "
            "before it).",
            file=sys.stderr,
        )
        return 1

    return await with_db(ctx, work)


async def notify(ctx: Context) -> int:
    """Deliver every message due now, once, and exit (for cron; `serve` runs the same delivery in-process)."""

    async def work() -> int:
        done = await outbox.deliver_due(ctx.settings, ctx.registry)
        print(
            f"Queued {done.queued}, sent {done.sent}, waiting for quiet hours {done.waiting}, will retry"
            f" {done.retried}, gave up on {done.failed}, dropped {done.dropped}."
        )
        for line in done.errors:
            print(line, file=sys.stderr)
        return 1 if done.failed else 0

    return await with_db(ctx, work)


async def run_demo(ctx: Context, password: str | None, only_if_empty: bool) -> int:
    async def work() -> int:
        if only_if_empty and await Clinic.exists():
            print("Database already has data; demo not loaded.")
            return 0
        lines = await demo.load(cli_actor(ctx.settings, ctx.registry), password)
        print("\n".join(lines))
        return 0

    return await with_db(ctx, work)


def parser(registry: Registry) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m server", description="Afterglow command line")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the web app (HOST, PORT, WEB_CONCURRENCY)")
    sub.add_parser("migrate", help="apply database migrations")
    d = sub.add_parser("demo", help="load the demo clinics and accounts")
    d.add_argument("--password", help="password for every demo account (default: generated and printed)")
    d.add_argument("--if-empty", action="store_true", help="do nothing when the database already has a clinic")
    c = sub.add_parser("create-user", help="create an account; the password is read from stdin")
    c.add_argument("--email", required=True)
    c.add_argument("--role", required=True, choices=["patient", "therapist", "medical", "supervisor", "admin"])
    c.add_argument("--credential", choices=["MD", "DO", "NP", "PA", "CRNA", "RN"], help="medical staff's licence")
    c.add_argument("--name", required=True)
    c.add_argument("--clinic", default="demo.clinic", help="clinic slug")
    sub.add_parser("notify", help="deliver the messages that are due, once, and exit (cron-friendly)")
    a = sub.add_parser("audit", help="audit log tools")
    a.add_argument("action", choices=["verify"])
    b = sub.add_parser("backup", help="write a consistent backup of the database to PATH")
    b.add_argument("path")
    for name, spec in registry.commands.items():
        command = sub.add_parser(name, help=spec.help)
        if spec.arguments:
            spec.arguments(command)
    return p


def main(registry: Registry, argv: list[str] | None = None) -> int:
    """Run one command of the app the registry describes (`python -m server` passes the assembled one)."""
    args = parser(registry).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    ctx = Context(from_env(), registry)
    if args.command == "serve":
        from server.serve import serve

        serve(ctx.settings)
        return 0
    if args.command == "backup":
        from server.backup import backup

        return backup(ctx.settings, args.path)
    if args.command in registry.commands:
        run = registry.commands[args.command].run
        return asyncio.run(with_db(ctx, lambda: run(ctx.settings, args)))
    jobs = {
        "migrate": lambda: migrate(ctx),
        "demo": lambda: run_demo(ctx, args.password, args.if_empty),
        "create-user": lambda: create_user(ctx, args),
        "audit": lambda: verify(ctx),
        "notify": lambda: notify(ctx),
    }
    return asyncio.run(jobs[args.command]())
