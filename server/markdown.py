"""Markdown for people's own words: markdown-it-py with raw HTML off, then nh3 sanitising, so nothing a patient or
clinician types can run as script in someone else's browser."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "h1", "h2", "h3", "h4", "hr", "a"}


def render(text: str) -> Markup:
    """Safe HTML for display. Raw HTML in the text shows as text; scripts, handlers and javascript: links are gone."""
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
