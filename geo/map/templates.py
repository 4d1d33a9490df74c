"""Templates for folium and branca without compiling the same text again and again (pure: no Streamlit).

branca's ``Element(text)`` compiles ``text`` as a new jinja2 template every
time, and folium makes such elements while it renders: every element's
rendered script is wrapped in one (the site layer's, with its JavaScript
and payload, is tens of kilobytes), and a class's ``includes`` once per
feature group and control. A map rerun (a click, a filter) renders the base
map and the site groups again: at 10,000 sites three quarters of its
server time went into compiling. :func:`install` makes branca's
``Template`` return, for a text without template syntax, a literal that
renders to that text (as jinja2 would: without one trailing newline), and
remember compiled templates by their text (bounded, least recently used
out; a compiled template is immutable and renders thread-safely).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import branca.element
import jinja2

__all__ = ["Literal", "cached_template", "install", "CACHE_SIZE"]

#: Distinct template texts kept.
CACHE_SIZE = 512
_LOCK = threading.Lock()
_CACHE: "OrderedDict[str, jinja2.Template]" = OrderedDict()


class Literal:
    """A text without template syntax: renders to itself (one trailing newline dropped, as jinja2 does)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args, **kwargs) -> str:
        return self.text


def cached_template(source, *args, **kwargs):
    """``jinja2.Template(source)``, compiled once per distinct ``source``; a :class:`Literal` for plain text."""
    if args or kwargs or not isinstance(source, str):
        return jinja2.Template(source, *args, **kwargs)
    if "{{" not in source and "{%" not in source and "{#" not in source:
        return Literal(source)
    with _LOCK:
        found = _CACHE.get(source)
        if found is not None:
            _CACHE.move_to_end(source)
            return found
    made = jinja2.Template(source)
    with _LOCK:
        _CACHE[source] = made
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return made


def install() -> None:
    """Make branca's elements (and so folium's) use :func:`cached_template` (idempotent)."""
    branca.element.Template = cached_template
