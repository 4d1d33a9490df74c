"""The monitoring rules of black-odorous water readings: stored rows to readings, campaigns, chart limits (pure).

Registered in :mod:`geo.domain.monitoring` under the key ``black_odorous``
(the ``rules`` of :mod:`layers.black_odorous_readings`). A body is graded by
its own rule: urban bodies by the national urban guideline, rural bodies by
the rural guideline (``water_kind`` of the site).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from geo.domain import bands, rural
from geo.domain.bands import Reading
from geo.domain.campaigns import CampaignGrade, grade_campaigns, rule_sources
from geo.domain.grading import Notice
from geo.domain.monitoring import Limit, MonitoringRules
from geo.domain.sources import RURAL_INDICATORS, URBAN_SHALLOW_NOTE, URBAN_TABLE

__all__ = ["RULES", "readings_from_observations", "campaign_grades", "chart_limits", "row_notices"]


def readings_from_observations(observations: Sequence[Any], *, body: str | None = None) -> list[Reading]:
    """Stored rows (current ones) as dated :class:`~geo.domain.bands.Reading` objects, in row order.

    Rows that cannot be a reading (a stored value the rule refuses) raise
    :class:`~geo.errors.ValidationError` naming the record (记录 #id).
    """
    out = []
    for o in observations:
        v = o.values
        out.append(Reading(v.get("point"), v.get("round"), transparency_cm=v.get("transparency_cm"),
                           depth_cm=v.get("depth_cm"), do_mg_l=v.get("do_mg_l"), orp_mv=v.get("orp_mv"),
                           nh3n_mg_l=v.get("nh3n_mg_l"), water_body=body or o.site_id,
                           sampled_on=date.fromisoformat(str(o.observed_on)[:10]), sampled_time=o.observed_time,
                           # A stored row is named by its record id (记录 #12), not as a row of a file; rows
                           # not stored yet (the entry's preview: ids below 1) by the point and round.
                           obs_id=o.obs_id))
    return out


def campaign_grades(site: Any, observations: Sequence[Any], *, since: date | None = None) -> list[CampaignGrade]:
    """The body's campaigns graded by its rule, oldest first; only readings sampled on/after ``since`` if given."""
    readings = readings_from_observations(observations, body=site.site_id)
    if since is not None:
        readings = [r for r in readings if r.sampled_on >= since]
    return grade_campaigns(readings, site.attrs.get("water_kind"))


def chart_limits(site: Any) -> tuple[Limit, ...]:
    """The limit lines of each charted indicator for this body's rule (deep water; shallow limits move with depth)."""
    if site.attrs.get("water_kind") == "rural":
        src = RURAL_INDICATORS.cite()
        return (
            Limit("transparency_cm", float(rural.RURAL_TRANSPARENCY_BELOW_CM), "农村限值 <25", "rural limit < 25",
                  "limit", src, depends="水深不足25cm时为水深的40% / 40 % of the depth under 25 cm of water"),
            Limit("do_mg_l", float(rural.RURAL_DO_BELOW_MG_L), "农村限值 <2", "rural limit < 2", "limit", src),
            Limit("nh3n_mg_l", float(rural.RURAL_NH3N_ABOVE_MG_L), "农村限值 >15", "rural limit > 15", "limit", src),
        )
    src = URBAN_TABLE.cite()
    shallow = f"{URBAN_SHALLOW_NOTE.clause}：水深不足25cm时两限值均为水深的40%"
    return (
        Limit("transparency_cm", float(bands.TRANSPARENCY_LIGHT_MAX_CM), "轻度上限 25", "light band up to 25",
              "light", src, depends=shallow),
        Limit("transparency_cm", float(bands.TRANSPARENCY_HEAVY_BELOW_CM), "重度 <10", "heavy below 10", "heavy", src,
              depends=shallow),
        Limit("do_mg_l", float(bands.DO_LIGHT_MAX_MG_L), "轻度上限 2.0", "light band up to 2.0", "light", src),
        Limit("do_mg_l", float(bands.DO_HEAVY_BELOW_MG_L), "重度 <0.2", "heavy below 0.2", "heavy", src),
        Limit("orp_mv", float(bands.ORP_LIGHT_MAX_MV), "轻度上限 50", "light band up to 50", "light", src),
        Limit("orp_mv", float(bands.ORP_HEAVY_BELOW_MV), "重度 <-200", "heavy below -200", "heavy", src),
        Limit("nh3n_mg_l", float(bands.NH3N_LIGHT_MIN_MG_L), "轻度下限 8.0", "light band from 8.0", "light", src),
        Limit("nh3n_mg_l", float(bands.NH3N_HEAVY_ABOVE_MG_L), "重度 >15", "heavy above 15", "heavy", src),
    )


def row_notices(values: Mapping[str, Any]) -> list[Notice]:
    """Warnings about one row: transparency deeper than the water, transparency without a depth."""
    t, d = values.get("transparency_cm"), values.get("depth_cm")
    out = []
    if t is not None and d is not None and t > d:
        out.append(Notice("transparency.exceeds_depth", f"透明度 {t:g} cm 大于水深 {d:g} cm，请检查两列是否填反。",
                          f"transparency {t:g} cm is greater than the depth {d:g} cm; check the columns are not "
                          f"swapped."))
    if t is not None and d is None:
        out.append(Notice("transparency.depth_missing", "有透明度无水深：按水深≥25 cm 判定；水深不足 25 cm 时请填写水深。",
                          "transparency without depth: judged as water 25 cm deep or more; enter the depth where "
                          "the water is shallower."))
    return out


RULES = MonitoringRules(
    key="black_odorous",
    limits=chart_limits,
    assess=lambda site, observations: campaign_grades(site, observations),
    row_notices=row_notices,
    sources=lambda site: rule_sources(site.attrs.get("water_kind")),
)
