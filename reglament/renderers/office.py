"""The office page (``/ui``) written out: server-rendered HTML from plain view-model dicts
(``reglament/service/ui/views.py``), one Jinja template per page under
``templates/office/``, no script and no external asset.

Every value is escaped (autoescape, ``StrictUndefined``: a name a template reads that the view
does not give fails loudly). The one value inserted as it is, ``diagram_svg``, comes from the
diagrams renderer (Graphviz's SVG of our own DOT, every label escaped there), never from a
request. Instants arrive as ISO 8601 text with their offset and are written in that offset (the
case's region) as the notifications write them (``renderers/dates.py``); the interface words
come from the one catalogue, ``renderers/office_text.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reglament.renderers.dates import format_datetime, format_duration
from reglament.renderers.office_text import allowed_text, late_text, words
from reglament.schemas import Language

TEMPLATES = Path(__file__).parent / "templates" / "office"
PAGES = ("sign_in", "inbox", "case", "reglament", "problem")

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(page: str, view: Mapping[str, Any], chrome: Mapping[str, Any]) -> str:
    """Page ``page`` (one of :data:`PAGES`) of ``view``. ``chrome`` is what every page shows
    around it: ``language`` (kk, ru or en), ``principal`` (``None`` before sign-in, else a dict
    with name, role, region), ``csrf`` (the session's token every form carries), ``notice``
    (``None`` or a dict with ``kind``, ok or error, and ``text``) and ``here`` (the page's path,
    for the language links)."""
    if page not in PAGES:
        raise ValueError(f"unknown office page {page!r}; pages: {', '.join(PAGES)}")
    language = Language(chrome["language"])

    def when(value: str | None) -> str:
        if value is None:
            return "—"
        return format_datetime(dt.datetime.fromisoformat(value), language)

    def late(days: int | None) -> str:
        return late_text(days, language)

    def duration(value: int, unit: str) -> str:
        return format_duration(value, unit, language)

    def allowed(amount: Mapping[str, Any] | None, missing: str) -> str:
        return allowed_text(amount, missing, language)

    diagram = view.get("diagram_svg")
    return _ENV.get_template(f"{page}.html").render(
        view=view,
        diagram=Markup(diagram) if diagram else None,
        t=words(language),
        lang=language.value,
        languages=[lang.value for lang in Language],
        principal=chrome["principal"],
        csrf=chrome["csrf"],
        notice=chrome["notice"],
        here=chrome["here"],
        when=when,
        late=late,
        duration=duration,
        allowed=allowed,
        segment=_segment,
    )


def _segment(value: str) -> str:
    """``value`` as one segment of a path: every reserved character quoted, ``/`` too."""
    return quote(value, safe="")
