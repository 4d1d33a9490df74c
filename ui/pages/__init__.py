"""One module per page, each with a ``render()``; ``PAGES`` lists them in menu order.

``ui.shell`` builds ``st.navigation`` from this list and the page test runs
every entry, so a new page is wired and tested by adding one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ui.pages import about_page, account_page, audit_page, dashboard_page, inspect_page, map_page, users_page
from ui.pages import export_page
from ui.pages import import_page
from ui.pages import rasters_page
from ui.pages import readings_import_page

EVERYONE = frozenset({"guest", "reviewer", "inspector", "admin"})
SIGNED_IN = frozenset({"reviewer", "inspector", "admin"})
ADMINS = frozenset({"admin"})


@dataclass(frozen=True)
class PageSpec:
    """A page: its render function, title (i18n key), icon, URL and who sees it in the menu.

    Hiding a page is only convenience: the store checks every call itself.
    """

    render: Callable[[], None]
    title_key: str
    icon: str
    url_path: str
    default: bool = False
    roles: frozenset[str] = EVERYONE


PAGES: tuple[PageSpec, ...] = (
    PageSpec(map_page.render, "page_map", ":material/map:", "map", default=True),
    PageSpec(inspect_page.render, "page_inspect", ":material/my_location:", "inspect"),
    PageSpec(dashboard_page.render, "page_dashboard", ":material/monitoring:", "dashboard"),
    PageSpec(about_page.render, "page_about", ":material/info:", "about"),
    PageSpec(export_page.render, "page_export", ":material/download:", "export", roles=SIGNED_IN),
    PageSpec(import_page.render, "page_import", ":material/upload:", "import", roles=ADMINS),
    PageSpec(readings_import_page.render, "page_readings_import", ":material/science:", "readings-import",
             roles=ADMINS),
    PageSpec(rasters_page.render, "page_rasters", ":material/layers:", "rasters", roles=ADMINS),
    PageSpec(users_page.render, "page_users", ":material/group:", "users", roles=ADMINS),
    PageSpec(audit_page.render, "page_audit", ":material/policy:", "audit", roles=ADMINS),
    PageSpec(account_page.render, "page_account", ":material/account_circle:", "account"),
)


def pages_for(role: str) -> list[PageSpec]:
    """The pages shown in the menu for ``role``."""
    return [p for p in PAGES if role in p.roles]


def page_by_path(url_path: str) -> PageSpec:
    return next(p for p in PAGES if p.url_path == url_path)
