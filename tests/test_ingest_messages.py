"""The import package's message table: complete, consistent, and the only place its texts live."""

from __future__ import annotations

import re
import string
from collections import defaultdict
from pathlib import Path

import pytest

from geo.ingest import CrsChoice, prepare_import
from geo.ingest.messages import MESSAGES, code_of

INGEST = Path(__file__).resolve().parents[1] / "geo" / "ingest"
#: How a module of geo/ingest names a message: the helpers that take a table key as first argument.
_USES = re.compile(r"\b(?:add|ingest_error|invalid|file_problem|note|_bad)\(\s*\"([a-z0-9_.|]+)\"")
#: Any string literal shaped like a key (keys chosen in a conditional or passed on as a default).
_KEYISH = re.compile(r"\"([a-z0-9_]+\.[a-z0-9_]+(?:\|[a-z0-9_]+)?)\"")
_INLINE = re.compile(r"\b(?:zh|en|fix_zh|fix_en|message_zh|message_en)\s*=\s*f?[\"']")


def _fields(template: str) -> set[str]:
    """Placeholder names, with a language suffix dropped (``sheets_zh`` and ``sheets_en`` are one fact)."""
    out = set()
    for _lit, name, _spec, _conv in string.Formatter().parse(template):
        if name:
            out.add(re.sub(r"_(zh|en)$", "", name))
    return out


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_entry_has_both_languages_and_a_fix_saying_the_same_facts(key):
    m = MESSAGES[key]
    assert m.zh.strip() and m.en.strip() and m.fix_zh.strip() and m.fix_en.strip(), key
    assert _fields(m.zh) == _fields(m.en), f"{key}: the two messages name different facts"
    assert _fields(m.fix_zh) == _fields(m.fix_en), f"{key}: the two fixes name different facts"
    assert re.search(r"[\u4e00-\u9fff]", m.zh + m.fix_zh), f"{key}: the Chinese text has no Chinese"
    for template in (m.zh, m.en, m.fix_zh, m.fix_en):  # every template formats (no stray braces)
        assert template.format_map(_Anything())


class _Anything(dict):
    def __missing__(self, key):
        return "X"


def _keys_used() -> dict[str, list[str]]:
    used: dict[str, list[str]] = defaultdict(list)
    for path in sorted(INGEST.glob("*.py")):
        if path.name == "messages.py":
            continue
        for key in _USES.findall(path.read_text(encoding="utf-8")):
            used[key].append(path.name)
    return used


def test_every_key_the_package_uses_is_in_the_table():
    used = _keys_used()
    assert len(used) > 60, "the scan found too few uses: the pattern no longer matches the code"
    missing = {k: v for k, v in used.items() if k not in MESSAGES}
    assert not missing, missing


def test_no_bilingual_text_is_written_outside_the_table():
    offenders = []
    for path in sorted(INGEST.glob("*.py")):
        if path.name == "messages.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _INLINE.search(line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_inline_text_check_can_fail():
    assert _INLINE.search('rp.add("x", "", zh=f"坏", en="bad")')
    assert _USES.findall('rp.add("coord.missing|xy", col)') == ["coord.missing|xy"]


def test_every_table_key_is_used_somewhere():
    used = set(_keys_used())
    for path in INGEST.glob("*.py"):
        if path.name != "messages.py":
            used |= set(_KEYISH.findall(path.read_text(encoding="utf-8")))
    # Keys reached through an error raised elsewhere (the domain's geometry checks) by its code + "|check"
    # or the bare code: RowProblems.error looks them up.
    via_errors = {"geometry.invalid", "geometry.wrong_type", "geometry.not_lonlat", "geometry.empty|check"}
    unused = set(MESSAGES) - used - via_errors
    assert not unused, sorted(unused)


def test_every_problem_the_malformed_and_hostile_tables_produce_has_an_entry():
    from tests import test_hostile, test_ingest_malformed

    from layers import REGISTRY

    codes = {code_of(k) for k in MESSAGES}
    # The layer specs' own rules (geo.domain.rules) come worded by their declaration, which carries both
    # languages and a fix (Rule's fields; the conformance checks hold them); dependent choices likewise.
    codes |= {r.code for spec in REGISTRY.values() for r in spec.rules} | {"field.dependent_mismatch"}
    seen = set()
    cases = [(c[1], c[2], c[3], c[4]) for c in test_ingest_malformed.CASES]
    cases += [(c.make, c.name, c.kind, "wgs84") for c in test_hostile.INGEST_CASES]
    for make, name, kind, crs in cases:
        plan = prepare_import(make(), name, kind=kind, crs=CrsChoice.parse(crs),
                              existing=test_ingest_malformed.EXISTING)
        for p in plan.problems:
            seen.add(p.code)
            assert p.code in codes, f"{p.code} ({name}) has no entry in geo/ingest/messages.py"
            assert p.fix_zh and p.fix_en, f"{p.code} has no fix"
    assert len(seen) > 40
