"""Jinja2 templates and the filters that mark placeholders and search hits (escaping first)."""

from __future__ import annotations

import html
import re
from typing import Mapping

from markupsafe import Markup, escape

from callvault.formats import clock

HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"  # private-use marks around a search hit, never in a transcript
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)\]")


def environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("callvault.web", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["clock"] = lambda seconds: clock(seconds or 0.0)
    env.filters["redacted"] = redacted
    env.filters["snippet"] = snippet
    env.filters["turns"] = turns_html
    return env


def turns_html(turns, classes: Mapping[str, str]) -> Markup:
    """The transcript's list items in one pass: a 1-hour call has about a thousand turns, and a
    template loop over them costs most of the page's time budget."""
    parts = []
    for t in turns:
        start = f"{t.start:.2f}"
        role = html.escape(t.role)
        parts.append(
            f'<li class="turn r-{role}" id="turn-{t.index}" data-start="{start}" data-end="{t.end:.2f}">'
            f'<button type="button" class="seek" data-seek="{start}">{clock(t.start)}</button> '
            f'<span class="role">{role}</span> <span class="text">{_marked(html.escape(t.text), classes)}</span></li>'
        )
    return Markup("\n".join(parts))


def redacted(text: str, classes: Mapping[str, str] | None = None) -> Markup:
    """Redacted text, escaped, each [ENTITY] placeholder marked with its class (CPNI, PII, PCI)."""
    return Markup(_marked(html.escape(text or ""), classes or {}))


def _marked(escaped: str, classes: Mapping[str, str]) -> str:
    if "[" not in escaped:
        return escaped

    def mark(match: re.Match) -> str:
        entity = match.group(1)
        category = classes.get(entity, "other")
        return f'<mark class="ent ent-{category.lower()}" title="{category} {entity}">[{entity}]</mark>'

    return _PLACEHOLDER.sub(mark, escaped)


def snippet(text: str) -> Markup:
    """A search snippet, escaped, the hit between the private marks shown as <mark>."""
    safe = str(escape(text or "")).replace(HIT_OPEN, '<mark class="hit">').replace(HIT_CLOSE, "</mark>")
    return redacted_marks(safe)


def redacted_marks(safe_html: str) -> Markup:
    return Markup(_PLACEHOLDER.sub(lambda m: f'<span class="ph">[{m.group(1)}]</span>', safe_html))
