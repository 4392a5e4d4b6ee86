"""`python -m server serve | migrate | demo | create-user | audit verify | backup PATH`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import importlib.util
import logging
import sys
from collections.abc import Awaitable, Callable

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from server import accounts, audit_walk, demo
from server.actor import Actor
from server.db import ROOMS, tortoise_config
from server.errors import Invalid
from server.models import Clinic
from server.passwords import Passwords
from server.settings import Settings, from_env


async def with_db(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    await Tortoise.init(config=tortoise_config(settings))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


def cli_actor(settings: Settings) -> Actor:
    return Actor(user=None, now=settings.clock(), settings=settings, passwords=Passwords(settings), ip="cli")


async def migrate(settings: Settings) -> int:
    settings.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the SQLite file holds PHI
    try:
        await run_migrations(config=tortoise_config(settings))
    finally:
        await Tortoise.close_connections()  # an open connection's thread would keep a failed run alive
    print("Database is up to date.")
    return 0


async def create_user(settings: Settings, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("Password: ")

    async def work() -> int:
        clinic = await Clinic.get_or_none(slug=args.clinic)
        if clinic is None:
            print(f"No clinic with slug {args.clinic!r}.", file=sys.stderr)
            return 2
        try:
            user = await accounts.create_user(
                cli_actor(settings), clinic, email=args.email, name=args.name, role=args.role, password=password
            )
        except Invalid as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 2
        print(f"Created {user.role} {user.email} in {clinic.slug}.")
        return 0

    return await with_db(settings, work)


async def verify(settings: Settings) -> int:
    async def work() -> int:
        verdict = await audit_walk.verify_all(settings.database_url, settings.audit_key)
        if verdict.ok:
            print(f"Audit chain intact: {verdict.count} events verified.")
            return 0
        print(
            f"Audit chain BROKEN at seq {verdict.bad_seq}: {verdict.problem} ({verdict.count} events verified "
            "before it).",
            file=sys.stderr,
        )
        return 1

    return await with_db(settings, work)


async def run_demo(settings: Settings, password: str | None, only_if_empty: bool) -> int:
    async def work() -> int:
        if only_if_empty and await Clinic.exists():
            print("Database already has data; demo not loaded.")
            return 0
        lines = await demo.load(cli_actor(settings), password)
        print("\n".join(lines))
        return 0

    return await with_db(settings, work)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m server", description="Afterglow command line")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the web app (HOST, PORT, WEB_CONCURRENCY)")
    sub.add_parser("migrate", help="apply database migrations")
    d = sub.add_parser("demo", help="load the demo clinics and accounts")
    d.add_argument("--password", help="password for every demo account (default: generated and printed)")
    d.add_argument("--if-empty", action="store_true", help="do nothing when the database already has a clinic")
    c = sub.add_parser("create-user", help="create an account; the password is read from stdin")
    c.add_argument("--email", required=True)
    c.add_argument("--role", required=True, choices=["patient", "therapist", "supervisor", "admin"])
    c.add_argument("--name", required=True)
    c.add_argument("--clinic", default="demo.clinic", help="clinic slug")
    a = sub.add_parser("audit", help="audit log tools")
    a.add_argument("action", choices=["verify"])
    b = sub.add_parser("backup", help="write a consistent backup of the database to PATH")
    b.add_argument("path")
    for name, (text, _) in room_commands().items():
        command = sub.add_parser(name, help=text)
        if name == "seed":
            command.add_argument("--scale", type=float, default=1.0, help="1 = 20 therapists, 1,000 patients, ...")
    return p


RoomCommand = Callable[[Settings, argparse.Namespace], Awaitable[int]]


def room_commands() -> dict[str, tuple[str, RoomCommand]]:
    """Commands rooms add through an optional `<room>.commands.COMMANDS`, found by name (the shell imports no room)."""
    found: dict[str, tuple[str, RoomCommand]] = {}
    for room in ROOMS:
        if importlib.util.find_spec(f"{room}.commands"):
            found |= importlib.import_module(f"{room}.commands").COMMANDS
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = from_env()
    if args.command == "serve":
        from server.serve import serve

        serve(settings)
        return 0
    if args.command == "backup":
        from server.backup import backup

        return backup(settings, args.path)
    extra = room_commands()
    if args.command in extra:
        command = extra[args.command][1]
        return asyncio.run(with_db(settings, lambda: command(settings, args)))
    jobs = {
        "migrate": lambda: migrate(settings),
        "demo": lambda: run_demo(settings, args.password, args.if_empty),
        "create-user": lambda: create_user(settings, args),
        "audit": lambda: verify(settings),
    }
    return asyncio.run(jobs[args.command]())
