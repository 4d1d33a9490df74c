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


def target_label(kind: str, target: dict) -> str:
    return f"{kind_label(kind)} · {target['zh'] if lang() == 'zh' else target['en']}"


def goal_text(target: dict, t) -> str:
    if target.get("threshold") is None:
        return t("dash_goal_none")
    text = t("dash_goal", v=f"{target['threshold']:.0%}")
    if target.get("province_threshold") is not None:
        text += t("dash_goal_province", v=f"{target['province_threshold']:.0%}")
    return text


def action_label(action: str) -> str:
    """``status`` -> 状态变更, ``import`` -> 台账导入 ...; an unknown action as it is."""
    key = f"dash_action_{action}"
    return t(key) if key in STRINGS else str(action)
