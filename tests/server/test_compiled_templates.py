"""Templates are compiled once: no file checks per render outside TEMPLATE_RELOAD, and `serve` compiles every one
before the workers start so that each loads them instead of compiling."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import Environment

from afterglow import create_app
from server.settings import Settings
from server.templating import make_templates, precompile


def _env(settings: Settings) -> Environment:
    return create_app(settings).state.templates.env


def test_templates_are_not_checked_for_changes_unless_asked(settings):
    assert _env(settings).auto_reload is False
    assert _env(dataclasses.replace(settings, template_reload=True)).auto_reload is True


def test_serve_compiles_every_template_once_and_workers_load_them(tmp_path: Path, monkeypatch):
    compiled = tmp_path / "templates"
    count = precompile(compiled)
    assert count == len(list(compiled.iterdir())) > 50
    env = make_templates(compiled=compiled).env

    def never(source: str, filename: str) -> None:
        raise AssertionError(f"{filename} compiled again")

    monkeypatch.setattr(env, "_compile", never)
    for name in env.list_templates():
        assert env.get_template(name).name == name
