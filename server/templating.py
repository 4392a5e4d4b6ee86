"""The Jinja environment: filters, `url()`, and templates compiled once (server/serve.py compiles every one before
the workers start; TEMPLATE_RELOAD re-reads a changed file while editing)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, pass_context
from jinja2_fragments.starlette import Jinja2Blocks

from server.filters import clock, day, when
from server.forms import local_input
from server.markdown import render as render_markdown
from server.settings import ROOT


def make_templates(reload: bool = False, compiled: Path | None = None) -> Jinja2Blocks:
    """The templates; `reload` re-reads a changed file (TEMPLATE_RELOAD), `compiled` is a directory of compiled
    templates (each checked against its source's checksum) that precompile() fills."""
    env = Environment(
        loader=FileSystemLoader(Path(ROOT, "templates")),
        auto_reload=reload,
        bytecode_cache=FileSystemBytecodeCache(str(compiled)) if compiled else None,
        cache_size=-1,  # every template stays compiled in the worker (there are about a hundred)
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, day=day, clock=clock, local_input=local_input, markdown=render_markdown)
    env.globals["url"] = _template_url
    env.globals["new_form_key"] = secrets.token_urlsafe  # the hidden `form_key` of a create form (server/once.py)
    return Jinja2Blocks(env=env)


def precompile(compiled: Path) -> int:
    """Compile every template into `compiled` once, before the workers start: each worker then loads them instead
    of compiling them itself. Returns how many."""
    compiled.mkdir(mode=0o700, exist_ok=True)
    env = make_templates(reload=False, compiled=compiled).env
    names = env.list_templates(filter_func=lambda name: not name.startswith("."))
    for name in names:
        env.get_template(name)
    return len(names)


@pass_context
def _template_url(context: Mapping[str, Any], name: str, /, **params: Any) -> str:
    return context["urls"](name, **params)
