"""Conditions across a site's fields and status, from the layer spec (pure).

Two kinds of condition are checked here:

* **dependent choices** — a field declared with ``depends_on`` (a second-level
  class under its first level, a receiving water under 入河/入海) must hold a
  choice that fits under the parent's value;
* **rules** — :attr:`layers.spec.LayerSpec.rules` (every state) and
  :attr:`layers.spec.Transition.guards` (the state a change leads to).

:func:`state_problems` lists everything (errors and warnings) for an import
preview or a site's file; :func:`check_state` and :func:`check_guards` raise
the first error as a :class:`~geo.errors.ValidationError` for the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from geo.errors import ValidationError
from layers.spec import LayerSpec, Rule, Transition

__all__ = ["StateProblem", "state_problems", "check_state", "check_guards", "dependent_problems", "stale_dependents"]


@dataclass(frozen=True)
class StateProblem:
    """One condition a site does not meet.

    Attributes
    ----------
    code : str
        Stable dotted code (the rule's, or ``field.dependent_mismatch``).
    severity : {"error", "warning"}
    zh, en, fix_zh, fix_en : str
        What is wrong and how to fix it.
    fields : tuple of str
        The fields it is about (first one: where an import points).
    value : str
        The offending value, when there is one.
    """

    code: str
    severity: str
    zh: str
    en: str
    fix_zh: str
    fix_en: str
    fields: tuple[str, ...] = ()
    value: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def error(self) -> ValidationError:
        """As an error whose message carries the fix too (pages show the message alone)."""
        return ValidationError(self.code, zh=f"{self.zh}{self.fix_zh}", en=f"{self.en} {self.fix_en}",
                               fix_zh=self.fix_zh, fix_en=self.fix_en,
                               field=self.fields[0] if self.fields else None, value=self.value or None)


def dependent_problems(spec: LayerSpec, attrs: Mapping[str, object]) -> list[StateProblem]:
    """Dependent choice fields whose value does not fit under their parent's value."""
    out = []
    for fld in spec.fields:
        if not fld.depends_on:
            continue
        value = attrs.get(fld.name)
        parent_value = attrs.get(fld.depends_on)
        if value in (None, "") or parent_value in (None, ""):
            continue
        choice = fld.choice(str(value))
        if choice is None or choice.parent in ("", parent_value):
            continue
        parent = spec.field(fld.depends_on)
        pc = parent.choice(str(parent_value)) if parent else None
        p_zh = pc.zh if pc else str(parent_value)
        p_en = pc.en if pc else str(parent_value)
        fits = fld.choices_under(str(parent_value))
        out.append(StateProblem(
            "field.dependent_mismatch", "error",
            zh=f"{fld.zh}“{choice.zh}”不属于{parent.zh if parent else fld.depends_on}“{p_zh}”。",
            en=f"{fld.en} {choice.en!r} does not belong under {parent.en if parent else fld.depends_on} {p_en!r}.",
            fix_zh=f"改为以下之一：{'、'.join(c.zh for c in fits)}；或改正“{parent.zh if parent else fld.depends_on}”。",
            fix_en=f"Use one of: {', '.join(c.en for c in fits)}; or correct {parent.en if parent else fld.depends_on}.",
            fields=(fld.name, fld.depends_on), value=choice.zh,
        ))
    return out


def stale_dependents(spec: LayerSpec, stored: Mapping[str, object], given: Mapping[str, object]) -> list[str]:
    """Dependent fields ``given`` leaves as stored whose stored value no longer fits under the parent ``given`` sets.

    An update that changes a first-level class without saying the second level: the stored second level
    belongs to the old class and is stale (the caller clears it, and says so).
    """
    out = []
    for fld in spec.fields:
        if not fld.depends_on or fld.name in given or fld.depends_on not in given:
            continue
        value, parent = stored.get(fld.name), given.get(fld.depends_on)
        choice = fld.choice(str(value)) if value not in (None, "") else None
        if choice is not None and parent not in (None, "") and choice.parent not in ("", parent):
            out.append(fld.name)
    return out


def _rule_problem(rule: Rule) -> StateProblem:
    return StateProblem(rule.code, rule.severity, rule.zh, rule.en, rule.fix_zh, rule.fix_en, rule.fields)


def state_problems(spec: LayerSpec, status: str, attrs: Mapping[str, object]) -> list[StateProblem]:
    """Every dependent-choice mismatch and every spec rule ``(status, attrs)`` breaks, errors first."""
    out = dependent_problems(spec, attrs)
    out += [_rule_problem(r) for r in spec.rules if not r.holds(status, attrs)]
    return sorted(out, key=lambda p: not p.is_error)


def check_state(spec: LayerSpec, status: str, attrs: Mapping[str, object]) -> None:
    """Raise the first error-level problem of :func:`state_problems` as a ValidationError."""
    for problem in state_problems(spec, status, attrs):
        if problem.is_error:
            raise problem.error()


def check_guards(transition: Transition, attrs: Mapping[str, object]) -> None:
    """Raise a ValidationError for the first guard of ``transition`` the resulting state breaks."""
    for guard in transition.guards:
        if not guard.holds(transition.dst, attrs):
            raise _rule_problem(guard).error()


def problems_for_fields(problems: Iterable[StateProblem], names: Iterable[str]) -> list[StateProblem]:
    """The problems about any of ``names``."""
    wanted = set(names)
    return [p for p in problems if wanted & set(p.fields)]
