"""Afterglow assembled: the shell and its rooms, set up in import order (server <- care <- journal <- notes <-
oversight <- interop). This is the only place that names every room; `python -m server`, uvicorn and the tests start
here."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from care import room as care
from interop import room as interop
from journal import room as journal
from notes import room as notes
from oversight import room as oversight
from server import cli, db
from server import room as shell
from server.app import build_app
from server.registry import Registry
from server.settings import Settings, from_env

ROOMS = (shell, care, journal, notes, oversight, interop)


def registry() -> Registry:
    """A registry filled by the shell and every room, in order."""
    filled = Registry()
    for room in ROOMS:
        room.setup(filled)
    return filled


def create_app(settings: Settings | None = None) -> Starlette:
    return build_app(settings or from_env(), registry())


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return db.tortoise_config(settings, registry().models)


def main(argv: list[str] | None = None) -> int:
    return cli.main(registry(), argv)


def __getattr__(name: str) -> Any:
    # `tortoise -c afterglow.TORTOISE_ORM makemigrations` reads this; computed lazily so importing has no side effect.
    if name == "TORTOISE_ORM":
        return tortoise_config(from_env())
    raise AttributeError(name)
