"""Layering rules the tree promises, checked on every module's imports.

- ``geo/`` and ``layers/`` are pure: no Streamlit; only ``geo/store`` touches a database driver.
- ``layers/`` declares data: it imports only itself and the error root ``geo.errors``.
- ``geo.errors`` imports nothing of the project (everyone may import it at module level).
- Rules over sites (``geo.domain``) never import what draws, serves, reads or writes files, or the UI.
- What the browser draws (``geo.map``) never reads the store or files of users.
- The store never imports what draws, serves, reads uploads or writes exports.
- The offline field client's logic (``geo.field``) never imports what serves it, the UI, imports or exports.
- Nothing under ``geo/`` or ``layers/`` imports ``ui``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, as full dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py"))


def _id(p: Path) -> str:
    return str(p.relative_to(ROOT))


PURE = modules("geo", "layers")
DRIVERS = ("sqlite3", "psycopg", "psycopg_pool")
#: (package, what it must never import, exceptions allowed by name)
RULES = [
    ("geo.domain", ("geo.map", "geo.web", "geo.report", "geo.ingest", "geo.export", "geo.raster", "geo.store", "ui"),
     ("geo.store.base",)),
    ("geo.map", ("geo.store", "geo.ingest", "geo.export", "geo.report", "geo.web", "ui"), ()),
    ("geo.store", ("geo.map", "geo.ingest", "geo.export", "geo.report", "geo.web", "ui"), ()),
    ("geo.field", ("geo.web", "geo.ingest", "geo.export", "geo.report", "ui"), ()),
    ("geo", ("ui", "streamlit", "streamlit_folium"), ()),
    ("layers", ("geo", "ui", "streamlit"), ("geo.errors",)),
]


def violations(path: Path) -> list[str]:
    name = module_name(path)
    found = []
    for package, banned, allowed in RULES:
        if not within(name, (package,)):
            continue
        for imp in sorted(imports(path)):
            if within(imp, banned) and not within(imp, allowed) and not within(imp, (package,) if package != "geo" else ()):
                found.append(f"{name} imports {imp} ({package} must not import {', '.join(banned)})")
    if not within(name, ("geo.store",)):
        found += [f"{name} imports the database driver {imp}" for imp in imports(path) if within(imp, DRIVERS)]
    if name == "geo.errors":
        found += [f"geo.errors imports {imp}" for imp in imports(path) if within(imp, ("geo", "layers", "ui"))]
    return found


@pytest.mark.parametrize("path", PURE, ids=_id)
def test_layering(path):
    assert violations(path) == []


@pytest.mark.parametrize("source, name, expected", [
    ("import sqlite3\n", "geo/map/bad.py", "database driver sqlite3"),
    ("from streamlit import session_state\n", "geo/bad.py", "must not import ui, streamlit"),
    ("from geo.map.build import build_map\n", "geo/domain/bad.py", "geo.domain.bad imports geo.map"),
    ("from geo.store.gpkg import GpkgStore\n", "geo/domain/bad.py", "imports geo.store.gpkg"),
    ("from geo.store.base import Site\n", "geo/domain/ok.py", None),
    ("from geo.store import open_store\n", "geo/map/bad.py", "geo.map.bad imports geo.store"),
    ("from geo.export import write_export\n", "geo/store/bad.py", "imports geo.export"),
    ("from geo.web.access import Access\n", "geo/field/bad.py", "geo.field.bad imports geo.web"),
    ("from geo import towns\n", "layers/bad.py", "layers.bad imports geo.towns"),
    ("from geo.errors import NotFoundError\n", "layers/ok.py", None),
    ("from ..map import build\n", "geo/domain/bad.py", "imports geo.map"),
    ("from . import status\n", "geo/domain/ok.py", None),
])
def test_the_rules_can_fail(tmp_path, source, name, expected):
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        found = violations(path)
    finally:
        ROOT = saved
    if expected is None:
        assert found == []
    else:
        assert any(expected in f for f in found), found


def test_no_public_cdn_in_shipped_code():
    code = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".html", ".js", ".css", ".toml"}
            and "tests" not in p.relative_to(ROOT).parts and ".git" not in p.parts]
    for p in code:
        text = p.read_text(encoding="utf-8", errors="ignore")
        for host in ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery.com", "bootstrapcdn", "unpkg.com"):
            assert host not in text, f"{p}: {host}"


def test_usage_statistics_are_off():
    assert "gatherUsageStats = false" in (ROOT / ".streamlit" / "config.toml").read_text()
