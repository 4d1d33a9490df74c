"""Outfall monitoring results (排污口监测): each sample's result as the laboratory judged it (pure).

The limits an outfall's sample is judged against depend on the outfall (its
discharge permit, GB 8978-1996, GB 18918-2002, a sector or a local standard)
and are named on the laboratory's report; the rows carry that judgement
(``compliant``) and the standard used. So the app draws no limit line and
invents no threshold: each sample is 达标, 不达标 or 未判定 (no judgement
recorded), and the panel shows them over time. Legal basis of keeping the
results in the outfall's file: 国办函〔2022〕17号《关于加强入河入海排污口监督
管理工作的实施意见》 (排污口监测 and 一口一档).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from geo.domain.grading import Notice
from geo.domain.monitoring import MonitoringRules, PeriodAssessment

__all__ = ["RULES", "assess_samples", "latest_result", "row_notices"]

SOURCE = "国办函〔2022〕17号《关于加强入河入海排污口监督管理工作的实施意见》（排污口监测、一口一档）"

_GRADES = {
    True: ("compliant", "达标", "meets the standard"),
    False: ("exceeds", "不达标", "does not meet the standard"),
    None: ("unknown", "未判定", "not judged"),
}


def _rule(values: Mapping[str, Any], lang: str) -> str:
    std = values.get("standard")
    over = values.get("exceeded")
    parts = []
    if std:
        parts.append(("执行 " if lang == "zh" else "standard: ") + str(std))
    if over:
        parts.append(("超标：" if lang == "zh" else "over the limit: ") + str(over))
    lab = values.get("lab")
    if lab:
        parts.append(("检测：" if lang == "zh" else "lab: ") + str(lab))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def row_notices(values: Mapping[str, Any]) -> list[Notice]:
    """Warnings about one sample (written anyway): no judgement recorded; indicators over without 不达标."""
    out = []
    if values.get("compliant") is None:
        out.append(Notice("outfall_obs.not_judged", "未填写是否达标：该次监测计为“未判定”。",
                          "whether the sample met the standard is not given: counted as not judged."))
    if values.get("compliant") is True and values.get("exceeded"):
        out.append(Notice("outfall_obs.exceeded_but_compliant",
                          f"填写了超标因子（{values['exceeded']}），但标为达标；请核对。",
                          f"indicators over the limit are named ({values['exceeded']}) but the sample is marked as "
                          "meeting the standard; check the row."))
    if values.get("compliant") is not None and not values.get("standard"):
        out.append(Notice("outfall_obs.standard_missing", "未填写执行标准：请注明判定达标所依据的排放标准。",
                          "no standard named: give the discharge standard the judgement used."))
    return out


def assess_samples(site: Any, observations: Sequence[Any]) -> list[PeriodAssessment]:
    """One assessment per current sample, oldest first: 达标 / 不达标 / 未判定 as the laboratory recorded it."""
    out = []
    for o in sorted(observations, key=lambda o: (str(o.observed_on), o.observed_time or "", o.obs_id)):
        code, zh, en = _GRADES[o.values.get("compliant")]
        day = date.fromisoformat(str(o.observed_on)[:10])
        label = day.isoformat() + (f" {o.observed_time}" if o.observed_time else "")
        out.append(PeriodAssessment(day, day, label, code, code == "exceeds", zh, en, _rule(o.values, "zh"),
                                    _rule(o.values, "en"), tuple(row_notices(o.values)),
                                    {k: o.values.get(k) for k in ("cod_mg_l", "nh3n_mg_l", "tn_mg_l", "tp_mg_l",
                                                                  "flow_m3_d")}))
    return out


def latest_result(site: Any, observations: Sequence[Any]) -> PeriodAssessment | None:
    """The newest sample's assessment (None without samples)."""
    assessed = assess_samples(site, observations)
    return assessed[-1] if assessed else None


RULES = MonitoringRules(
    key="outfalls",
    limits=lambda site: (),  # the applicable limits depend on the outfall's standard: see the module notes
    assess=assess_samples,
    row_notices=row_notices,
    sources=lambda site: [SOURCE, "达标判定：按该排口适用的排放标准（排污许可证或相应国家/地方标准），以检测报告为准"],
)
