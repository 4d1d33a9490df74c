"""Invariants every layer spec must meet; returns problems, raises nothing.

Used by the registry test over every kind, and by a guard test that feeds a
deliberately broken spec to prove these checks can fail.
"""

from __future__ import annotations

import re
from collections import deque

from layers.reference import REFERENCE_AREAS
from layers.spec import PLANS, LayerSpec

_CODE = re.compile(r"^[a-z][a-z0-9_]*$|^[IVX]+$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED = {"fid", "geom", "site_id", "name", "town_code", "responsible", "deadline",
             "status", "version", "is_sample", "updated_at", "updated_by", "kind"}


def check_spec(spec: LayerSpec) -> list[str]:
    """Return a list of human-readable problems with ``spec`` (empty = conforms)."""
    problems: list[str] = []
    p = problems.append
    if not _KEY.match(spec.key):
        p(f"key {spec.key!r} is not snake_case ASCII")
    if not spec.zh or not spec.en:
        p("missing zh or en label")
    if not re.match(r"^[A-Z]{2,4}$", spec.code_prefix):
        p(f"code_prefix {spec.code_prefix!r} must be 2-4 capital letters")

    # Fields.
    names = [f.name for f in spec.fields]
    if len(names) != len(set(names)):
        p(f"duplicate field names in {names}")
    for f in spec.fields:
        if not _KEY.match(f.name):
            p(f"field {f.name!r} is not snake_case ASCII")
        if f.name in _RESERVED:
            p(f"field {f.name!r} clashes with a common column")
        if not f.zh or not f.en:
            p(f"field {f.name!r} lacks a zh or en label")
        if (f.type == "choice") != bool(f.choices):
            p(f"field {f.name!r}: choices must be given exactly for type 'choice'")
        codes = [c.code for c in f.choices]
        if len(codes) != len(set(codes)):
            p(f"field {f.name!r}: duplicate choice codes")
        for c in f.choices:
            if not _CODE.match(c.code) or not c.zh or not c.en:
                p(f"field {f.name!r}: bad choice {c!r}")
        if f.depends_on:
            parent = spec.field(f.depends_on)
            if parent is None or parent.type != "choice" or f.type != "choice" or parent is f:
                p(f"field {f.name!r} depends on {f.depends_on!r}, which is not another choice field")
            else:
                known = {c.code for c in parent.choices}
                for c in f.choices:
                    if c.parent and c.parent not in known:
                        p(f"field {f.name!r}: choice {c.code!r} names unknown parent {c.parent!r}")
                for c in parent.choices:
                    if not f.choices_under(c.code):
                        p(f"field {f.name!r}: no choice fits under {f.depends_on}={c.code!r}")
        elif any(c.parent for c in f.choices):
            p(f"field {f.name!r}: choices name a parent but the field depends on nothing")
        if f.photo and f.type != "text":
            p(f"field {f.name!r}: a photo field must be of type 'text' (it holds a hash)")

    # Statuses.
    codes = [s.code for s in spec.statuses]
    if not codes:
        p("no statuses")
        return problems
    if len(codes) != len(set(codes)):
        p(f"duplicate status codes in {codes}")
    for s in spec.statuses:
        if not _CODE.match(s.code):
            p(f"status code {s.code!r} is not stable ASCII")
        if not s.zh or not s.en:
            p(f"status {s.code!r} lacks a label")
        if not _COLOR.match(s.color):
            p(f"status {s.code!r} colour {s.color!r} is not #rrggbb")
    colors = [s.color.lower() for s in spec.statuses]
    if len(colors) != len(set(colors)):
        p("two statuses share a colour: the legend could not tell them apart")
    steps = [s.step for s in spec.statuses]
    if sorted(steps) != list(range(1, len(steps) + 1)):
        p(f"status steps {steps} are not 1..{len(steps)}")
    if spec.initial_status not in codes:
        p(f"initial status {spec.initial_status!r} is not a status")
    if not any(s.done for s in spec.statuses):
        p("no status counts as done")
    for s in spec.statuses:
        if s.excluded and (s.done or not s.terminal):
            p(f"status {s.code!r} is excluded (closed apart): it must be terminal and not done")

    # Transitions.
    pairs = [(t.src, t.dst) for t in spec.transitions]
    if len(pairs) != len(set(pairs)):
        p("duplicate transitions")
    for t in spec.transitions:
        if t.src not in codes or t.dst not in codes:
            p(f"transition {t.src}->{t.dst} names an unknown status")
        if t.src == t.dst:
            p(f"transition {t.src}->{t.dst} goes nowhere")
        for r in t.requires + t.offers:
            if spec.field(r) is None:
                p(f"transition {t.src}->{t.dst} requires or offers unknown field {r!r}")
        for g in t.guards:
            for r in g.fields:
                if spec.field(r) is None:
                    p(f"guard {g.code!r} of {t.src}->{t.dst} names unknown field {r!r}")
    by_code = {s.code: s for s in spec.statuses}
    for t in spec.transitions:
        if t.src in by_code and by_code[t.src].terminal:
            p(f"terminal status {t.src!r} has an outgoing transition to {t.dst!r}")
    # Every status reachable from the initial one, and none a dead end: from every
    # status the work can still be finished (a done status) or closed (a terminal one).
    # A workflow may cycle (a capable berth breaks down and is repaired): no terminal
    # status is required (a water body can turn black again).
    reachable = _reach(spec, spec.initial_status)
    for c in codes:
        if c not in reachable:
            p(f"status {c!r} cannot be reached from {spec.initial_status!r}")
        ends = [r for r in _reach(spec, c) if r in by_code and (by_code[r].terminal or by_code[r].done)]
        if not ends:
            p(f"status {c!r} cannot reach a done or terminal status")

    # Evidence gates.
    for g in spec.gates:
        if g.status not in codes:
            p(f"gate {g.check!r} guards unknown status {g.status!r}")
        if not g.check or not g.zh or not g.en:
            p(f"gate on {g.status!r} lacks a check name or a zh/en text")
        if not g.clause:
            p(f"gate {g.check!r} does not cite its document")
        if g.automatic and not any(t.dst == g.status for t in spec.transitions):
            p(f"automatic gate {g.check!r}: no transition leads to {g.status!r}")

    # Rules.
    rule_codes = [r.code for r in spec.rules] + [g.code for t in spec.transitions for g in t.guards]
    for r in spec.rules:
        if r.severity not in ("error", "warning"):
            p(f"rule {r.code!r}: severity {r.severity!r} is not error/warning")
        for name in r.fields:
            if spec.field(name) is None:
                p(f"rule {r.code!r} names unknown field {name!r}")
    for r in list(spec.rules) + [g for t in spec.transitions for g in t.guards]:
        if not (r.zh and r.en and r.fix_zh and r.fix_en):
            p(f"rule {r.code!r} lacks a message or a fix in zh/en")
        if not re.match(r"^[a-z_]+(\.[a-z_]+)+$", r.code):
            p(f"rule code {r.code!r} is not a stable dotted code")
    dup = {c for c in rule_codes if rule_codes.count(c) > 1 and any(r.code == c for r in spec.rules)}
    if dup:
        p(f"rule codes used twice: {sorted(dup)}")

    # Targets.
    target_codes = [tg.code for tg in spec.targets]
    if len(target_codes) != len(set(target_codes)):
        p(f"duplicate target codes in {target_codes}")
    for tg in spec.targets:
        if not _KEY.match(tg.code):
            p(f"target code {tg.code!r} is not snake_case ASCII")
        for c in tg.done_statuses:
            if c not in codes:
                p(f"target {tg.code!r} counts unknown status {c!r}")
        if tg.done_field:
            fld = spec.field(tg.done_field)
            if fld is None:
                p(f"target {tg.code!r} counts by unknown field {tg.done_field!r}")
            elif not tg.done_values or any(fld.choice(v) is None for v in tg.done_values):
                p(f"target {tg.code!r}: done_values {tg.done_values} are not choices of {tg.done_field!r}")
        elif not tg.done_statuses:
            p(f"target {tg.code!r} counts nothing as done (no done_statuses, no done_field)")
        if tg.plan not in PLANS:
            p(f"target {tg.code!r} names unknown plan {tg.plan!r}")
        if tg.measure not in ("sites", "area"):
            p(f"target {tg.code!r} has unknown measure {tg.measure!r}")
        if tg.measure == "area" and (not tg.area_of or tg.done_field or tg.population or tg.within):
            p(f"target {tg.code!r}: an area target names its reference areas (area_of) and counts statuses only")
        if tg.measure == "area" and spec.geometry != "polygon":
            p(f"target {tg.code!r}: only polygon kinds can cover an area")
        for key in tuple(tg.area_of) + ((tg.within,) if tg.within else ()):
            if key not in REFERENCE_AREAS:
                p(f"target {tg.code!r} names unknown reference area {key!r}")
        if not tg.population_zh or not tg.population_en:
            p(f"target {tg.code!r} does not name its population")
        if tg.threshold is not None and not 0 < tg.threshold <= 1:
            p(f"target {tg.code!r} threshold {tg.threshold} not in (0, 1]")
        if not tg.clause:
            p(f"target {tg.code!r} does not cite its plan clause")
    if not spec.targets:
        p("no targets")
    if not spec.lead_departments:
        p("no lead departments")
    return problems


def check_observation_spec(spec, kinds) -> list[str]:
    """Problems of one monitoring table spec (empty = conforms).

    Parameters
    ----------
    spec : ObservationSpec
    kinds : mapping of str to LayerSpec
        The site kinds (the spec's ``site_kind`` must be one).
    """
    from layers.observation import COMMON_OBS_COLUMNS

    problems: list[str] = []
    p = problems.append
    if not _KEY.match(spec.key):
        p(f"observation key {spec.key!r} is not snake_case ASCII")
    if spec.key in kinds:
        p(f"observation key {spec.key!r} clashes with a site kind's table")
    if spec.site_kind not in kinds:
        p(f"observation {spec.key!r}: unknown site kind {spec.site_kind!r}")
    if not spec.zh or not spec.en or not spec.rules or not re.match(r"^[a-z][a-z0-9-]*$", spec.cli_name):
        p(f"observation {spec.key!r}: labels, rules and a lower-case cli_name are required")
    names = [f.name for f in spec.fields]
    if len(names) != len(set(names)):
        p(f"observation {spec.key!r}: duplicate field names in {names}")
    for f in spec.fields:
        if not _KEY.match(f.name) or f.name in COMMON_OBS_COLUMNS:
            p(f"observation {spec.key!r}: field {f.name!r} is not snake_case or clashes with a common column")
        if not f.zh or not f.en:
            p(f"observation {spec.key!r}: field {f.name!r} lacks a zh or en label")
        if (f.type == "choice") != bool(f.choices):
            p(f"observation {spec.key!r}: field {f.name!r}: choices must be given exactly for type 'choice'")
        if f.chart and f.type not in ("int", "float"):
            p(f"observation {spec.key!r}: field {f.name!r} is charted but not a number")
    for name in spec.identity:
        if name not in names:
            p(f"observation {spec.key!r}: identity names unknown field {name!r}")
    # One header may name one target only.
    seen: dict[str, str] = {}
    for target, headers in spec.headers().items():
        for h in headers:
            key = "".join(str(h).split()).lower()
            if key in seen and seen[key] != target:
                p(f"observation {spec.key!r}: header {h!r} names both {seen[key]} and {target}")
            seen.setdefault(key, target)
    return problems


def check_registry(specs) -> list[str]:
    """Invariants across kinds: unique keys, prefixes and drawing orders; points above areas."""
    specs = list(specs)
    problems: list[str] = []
    for attr in ("key", "code_prefix"):
        values = [getattr(s, attr) for s in specs]
        if len(values) != len(set(values)):
            problems.append(f"duplicate {attr} across kinds: {values}")
    orders = [s.style.z_order for s in specs]
    if len(orders) != len(set(orders)):
        problems.append(f"two kinds share a drawing order: {orders}")
    areas = [s.style.z_order for s in specs if s.geometry != "point"]
    points = [s.style.z_order for s in specs if s.geometry == "point"]
    if areas and points and min(points) < max(areas):
        problems.append("a point kind is drawn under an area kind: a polygon would hide it from taps")
    return problems


def _reach(spec: LayerSpec, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        cur = queue.popleft()
        for t in spec.allowed_next(cur):
            if t.dst not in seen:
                seen.add(t.dst)
                queue.append(t.dst)
    return seen
