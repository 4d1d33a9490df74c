"""The storage interface is complete: every store method a page, the CLI or another package calls is declared on
``SiteStore``, and both backends implement every declared one."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from geo.store.base import SiteStore
from geo.store.gpkg import GpkgStore
from geo.store.postgis import PgStore

ROOT = Path(__file__).resolve().parents[1]
CALLERS = [ROOT / "cli.py", *(ROOT / "ui").rglob("*.py"), *(p for d in ("domain", "export", "report", "raster", "map",
                                                                         "ingest") for p in (ROOT / "geo" / d).rglob("*.py"))]
STORE_NAMES = {"store", "_store"}


def store_calls(path: Path) -> set[str]:
    """Attributes used on something called ``store`` (or on ``get_store()``) in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            base = node.value
            if (isinstance(base, ast.Name) and base.id in STORE_NAMES) or (
                    isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "get_store"):
                found.add(node.attr)
    return found


def declared() -> set[str]:
    return {n for n in dir(SiteStore) if not n.startswith("_")}


def test_every_store_method_the_app_uses_is_declared():
    used = set().union(*(store_calls(p) for p in CALLERS))
    assert sorted(used - declared() - {"path", "enable_wal"}) == []  # GeoPackage-only helpers of the CLI's init


def test_both_backends_implement_the_whole_interface():
    for cls in (GpkgStore, PgStore):
        assert not getattr(cls, "__abstractmethods__", None), (cls.__name__, cls.__abstractmethods__)
        for name in declared():
            assert hasattr(cls, name), (cls.__name__, name)


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "page.py"
    bad.write_text("def f(store):\n    return store.secret_backdoor(1)\n")
    assert "secret_backdoor" in store_calls(bad) and "secret_backdoor" not in declared()
    assert inspect.isabstract(SiteStore)
