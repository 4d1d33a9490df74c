"""UI text: every key the code asks for exists in both languages, and every key in the dictionary is used."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from geo.domain.review import MODES
from geo.store.policy import ROLES
from layers import REGISTRY
from ui.i18n import STRINGS

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted(p for p in (ROOT / "ui").rglob("*.py")) + [ROOT / "main_page.py", ROOT / "app.py"]


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in CODE if p.exists()}


def literal_t_keys(source: str) -> set[str]:
    """Keys passed to ``t("…")`` as a plain string literal."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            keys.add(node.args[0].value)
    return keys


def string_literals(source: str) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def dynamic_keys() -> set[str]:
    """Keys the code builds from a prefix and a list of values (``t("role_" + role)`` ...)."""
    from geo.store.base import NewSite
    from ui.dashboard.review_map import SHOW_OPTIONS
    from ui.pages import PAGES
    from ui.pages.dashboard_page import SECTIONS

    keys = {f"role_{r}" for r in ROLES}
    keys |= {f"origin_{o}" for o in ("sample", "imported", "empty")}
    keys |= {f"export_scope_{s}" for s in ("towns", "all")}
    keys |= {f"imp_how_{h}" for h in ("auto", "none", "remembered", "user")}
    # Common attributes of a site shown in an import preview (kind fields are labelled by their spec).
    keys |= {f"imp_f_{f}" for f in NewSite.__dataclass_fields__ if f not in ("kind", "site_id", "attrs")}
    keys |= {"imp_f_geometry"}
    from layers import OBSERVATIONS

    # The readings grid has short column names of its own; other tables' grids use their spec's labels.
    keys |= {f"rd_{f.name}" for f in OBSERVATIONS["black_odorous_readings"].row_fields()}
    keys |= {f"dash_mismatch_{k}" for k in ("done_but_black", "clean_not_yet_recorded")}
    keys |= {f"dash_mode_{m}" for m in MODES} | {f"dash_show_{s}" for s in SHOW_OPTIONS}
    keys |= {f"dash_sec_{s}" for s in SECTIONS} | {p.title_key for p in PAGES}
    from geo.store.sync import OUTCOMES

    keys |= {f"off_out_{o}" for o in OUTCOMES} | {f"off_res_{r}" for r in ("reapplied", "discarded")}
    return keys


#: Prefixes looked up only when present (``t(key) if key in STRINGS``): any key with them counts as used.
OPTIONAL_PREFIXES = ("dash_action_", "dash_short_")


def test_every_key_has_both_languages():
    for key, pair in STRINGS.items():
        assert isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(s, str) and s.strip() for s in pair), key
        placeholders = [set(re.findall(r"{(\w+)", s)) for s in pair]
        assert placeholders[0] == placeholders[1], f"{key}: {placeholders}"


def test_every_key_the_code_asks_for_exists():
    asked = set().union(*(literal_t_keys(src) for src in _sources().values())) | dynamic_keys()
    assert sorted(asked - set(STRINGS)) == []


def test_every_key_in_the_dictionary_is_used():
    i18n = (ROOT / "ui" / "i18n.py").read_text(encoding="utf-8")
    literals = set()
    for path, src in _sources().items():
        if path.name not in ("i18n.py", "i18n_monitoring.py"):  # the files defining the strings
            literals |= string_literals(src)
    used = literals | dynamic_keys()
    unused = sorted(k for k in STRINGS if k not in used and not k.startswith(OPTIONAL_PREFIXES)
                    and not re.search(rf"\bt\(\s*['\"]{k}['\"]", i18n))
    assert unused == []


def test_target_short_labels_name_real_targets():
    codes = {tg.code for spec in REGISTRY.values() for tg in spec.targets}
    stale = sorted(k for k in STRINGS if k.startswith("dash_short_") and k[len("dash_short_"):] not in codes)
    assert stale == []


def test_the_checks_can_fail():
    assert literal_t_keys('t("no_such_key")\nt(f"x_{y}")') == {"no_such_key"}
    assert "no_such_key" not in STRINGS
