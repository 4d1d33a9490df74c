"""Layering rules: geo/ and layers/ are pure (no Streamlit); only geo/store touches the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


PURE = sorted(p for d in ("geo", "layers") for p in (ROOT / d).rglob("*.py"))


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_packages_do_not_import_streamlit(path):
    assert not imports(path) & {"streamlit", "streamlit_folium"}


@pytest.mark.parametrize("path", [p for p in PURE if "store" not in p.relative_to(ROOT).parts],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_store_touches_the_database(path):
    assert "sqlite3" not in imports(path)


def test_the_rule_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom streamlit import session_state\n")
    assert imports(bad) >= {"sqlite3", "streamlit"}


def test_no_public_cdn_in_shipped_code():
    code = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".html", ".js", ".toml"}
            and "tests" not in p.relative_to(ROOT).parts and ".git" not in p.parts]
    for p in code:
        text = p.read_text(encoding="utf-8", errors="ignore")
        for host in ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery.com", "bootstrapcdn", "unpkg.com"):
            assert host not in text, f"{p}: {host}"


def test_usage_statistics_are_off():
    assert "gatherUsageStats = false" in (ROOT / ".streamlit" / "config.toml").read_text()
