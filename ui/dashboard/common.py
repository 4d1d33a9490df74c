"""Labels and formats the dashboard's parts share (thin: the figures come from ``geo/``)."""

from __future__ import annotations

from geo.errors import OneMapError
from geo.domain.targets import town_name
from layers import REGISTRY
from ui.i18n import STRINGS, lang, t


def pct(x: float | None) -> str:
    """``0.3636`` -> ``36.4%``; None -> ``—``."""
    return "—" if x is None else f"{x * 100:.1f}%"


def town_label(code: str) -> str:
    """The town's name in the session's language (Chinese name kept in English for clarity)."""
    zh = town_name(code, "zh")
    return zh if lang() == "zh" or zh == code else f"{town_name(code, 'en')} {zh}"


def kind_label(kind: str) -> str:
    return REGISTRY[kind].label(lang())


def status_label(kind: str, code: str | None) -> str:
    if not code:
        return "—"
    try:
        return REGISTRY[kind].status(code).label(lang())
    except (KeyError, OneMapError):  # an unknown kind or status is shown as it is
        return str(code)


def choice_label(kind: str, field: str, code) -> str:
    if code in (None, "", "unset"):
        return "—"
    fld = REGISTRY[kind].field(field)
    ch = fld.choice(str(code)) if fld else None
    return ch.label(lang()) if ch else str(code)


def plan_tag(target: dict) -> str:
    """``〔省〕`` after a province figure (its own entry, its own population); nothing for Fuqing's."""
    return t("dash_plan_province_tag") if target.get("plan") == "province" else ""


def target_label(kind: str, target: dict) -> str:
    return f"{kind_label(kind)} · {target['zh'] if lang() == 'zh' else target['en']}{plan_tag(target)}"


def goal_text(target: dict, t) -> str:
    if target.get("threshold") is None:  # the documents give no figure: no pass mark
        return t("dash_goal_none")
    return t("dash_goal", v=f"{target['threshold']:.0%}", day=target["deadline"])


def target_line(target: dict) -> str:
    """The target's plan, population, numerator, denominator, share, goal, deadline and clause in one line."""
    return target["line_zh"] if lang() == "zh" else target["line_en"]


def figure_text(target: dict) -> str:
    """``3/6``, ``38.45/151.51 km²``, or why there is no figure."""
    if target.get("missing_reference"):
        return t("dash_missing_reference")
    if not target["denominator"]:
        return t("dash_none_in_scope")
    if target["measure"] == "area":
        return f"{target['numerator']:.2f}/{target['denominator']:.2f} km²"
    return f"{target['numerator']}/{target['denominator']}"


def action_label(action: str) -> str:
    """``status`` -> 状态变更, ``import`` -> 台账导入 ...; an unknown action as it is."""
    key = f"dash_action_{action}"
    return t(key) if key in STRINGS else str(action)
