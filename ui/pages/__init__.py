"""One module per page, each with a ``render()``; ``PAGES`` lists them in menu order.

``app.py`` builds ``st.navigation`` from this list and the page test runs
every entry, so a new page is wired and tested by adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ui.pages import about_page, map_page


@dataclass(frozen=True)
class PageSpec:
    render: Callable[[], None]
    title_key: str
    icon: str
    url_path: str
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(map_page.render, "page_map", ":material/map:", "map", default=True),
    PageSpec(about_page.render, "page_about", ":material/info:", "about"),
)


def page_by_path(url_path: str) -> PageSpec:
    return next(p for p in PAGES if p.url_path == url_path)
