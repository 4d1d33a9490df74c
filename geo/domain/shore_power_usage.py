"""Shore-power use: usage rate per berth, port area and month from the monthly rows (pure).

The usage rate is ``calls connected / ship calls`` (使用岸电艘次 ÷ 靠泊艘次),
summed over the berths and months asked for — never the mean of rates, so a
berth with two calls does not weigh as much as one with two hundred. A month
with no ship call has no rate (shown as —), not 0 %. The plans ask for ships'
shore-power installation and use to rise (福清市方案 三(四) 交通物流节能减排工程)
but give no usage figure: the rate is shown with no pass mark.

Rows are the current ones (:func:`geo.domain.monitoring.current_rows`), one
per berth and month.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping, Sequence

from geo.clock import CST
from geo.domain.monitoring import MonitoringRules, PeriodAssessment, RowError, current_rows

__all__ = ["RULES", "usage_rate", "usage_figures", "assess_months", "row_errors"]

CLAUSE = "福清市方案 三(四)：推动船舶岸电设施安装和使用（方案未给出使用率数值，故不设达标线）"
SPEC_KEY = "shore_power_usage"


def usage_rate(calls: int, connected: int) -> float | None:
    """``connected / calls``; None when no ship called."""
    return None if not calls else connected / calls


def row_errors(values: Mapping[str, Any]) -> list[RowError]:
    """A month cannot have more calls on shore power than ship calls."""
    calls, connected = values.get("ship_calls"), values.get("calls_connected")
    if calls is not None and connected is not None and connected > calls:
        return [RowError("shore_usage.connected_over_calls", "calls_connected",
                         f"使用岸电艘次 {connected} 多于靠泊艘次 {calls}。",
                         f"calls on shore power ({connected}) exceed ship calls ({calls}).",
                         "使用岸电艘次不能多于当月靠泊艘次；请核对两列是否填反。",
                         "Calls on shore power cannot exceed the month's ship calls; check the two columns.")]
    return []


def _sum(rows: Iterable[Any]) -> dict:
    rows = list(rows)
    calls = sum(int(r.values.get("ship_calls") or 0) for r in rows)
    connected = sum(int(r.values.get("calls_connected") or 0) for r in rows)
    hours = sum(float(r.values.get("hours") or 0) for r in rows)
    kwh = sum(float(r.values.get("energy_kwh") or 0) for r in rows)
    return {"ship_calls": calls, "calls_connected": connected, "hours": round(hours, 1), "energy_kwh": round(kwh, 1),
            "rate": usage_rate(calls, connected), "rows": len(rows)}


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def assess_months(site: Any, observations: Sequence[Any]) -> list[PeriodAssessment]:
    """One assessment per month of the berth, oldest first: its usage rate and the figures behind it."""
    out = []
    for o in sorted(observations, key=lambda o: str(o.observed_on)):
        day = date.fromisoformat(str(o.observed_on)[:10])
        f = _sum([o])
        text = _pct(f["rate"])
        rule_zh = f"{f['calls_connected']}/{f['ship_calls']} 艘次；{f['hours']:g} h；{f['energy_kwh']:g} kWh"
        rule_en = f"{f['calls_connected']}/{f['ship_calls']} calls; {f['hours']:g} h; {f['energy_kwh']:g} kWh"
        out.append(PeriodAssessment(day, day, day.strftime("%Y-%m"), "no_calls" if f["rate"] is None else "rate",
                                    False, f"使用率 {text}", f"usage {text}", rule_zh, rule_en, (), f))
    return out


def usage_figures(sites: Sequence[Any], observations: Mapping[str, Sequence[Any]] | None,
                  today: date | None = None, months: int = 12) -> dict:
    """The dashboard's shore-power use: rate per berth, per port area and month, and over all berths.

    Parameters
    ----------
    sites : sequence of Site
        Every berth (any status).
    observations : mapping of str to sequence of Observation
        Stored rows by spec key (corrections and voids included; current rows are taken here).
    today : date, optional
        Only rows recorded by the end of this day (China Standard Time) count: the as-of replay.
    months : int
        How many of the latest reported months the per-month tables cover.

    Returns
    -------
    dict
        ``months`` (ISO month starts, newest first), ``by_berth``, ``by_area`` (per area and month),
        ``by_month`` (all berths), ``total`` (over the months covered), ``clause``, ``sample``.
    """
    until = None if today is None else datetime.combine(today + timedelta(days=1), time(0), tzinfo=CST)
    rows = current_rows((observations or {}).get(SPEC_KEY, ()), until=until)
    by_id = {s.site_id: s for s in sites}
    rows = [r for r in rows if r.site_id in by_id]
    all_months = sorted({str(r.observed_on)[:10] for r in rows}, reverse=True)[:months]
    keep = set(all_months)
    rows = [r for r in rows if str(r.observed_on)[:10] in keep]
    area = {sid: str(s.attrs.get("port_area") or "—") for sid, s in by_id.items()}
    per_berth: dict[str, list] = {}
    per_area: dict[str, list] = {}
    per_area_month: dict[tuple[str, str], list] = {}
    per_month: dict[str, list] = {}
    for r in rows:
        m = str(r.observed_on)[:10]
        per_berth.setdefault(r.site_id, []).append(r)
        per_area.setdefault(area[r.site_id], []).append(r)
        per_area_month.setdefault((area[r.site_id], m), []).append(r)
        per_month.setdefault(m, []).append(r)
    by_berth = [{"site_id": sid, "name": by_id[sid].name, "port_area": area[sid],
                 "berth_no": by_id[sid].attrs.get("berth_no"),
                 "months": {str(r.observed_on)[:7]: _sum([r]) for r in mine}, **_sum(mine)}
                for sid, mine in sorted(per_berth.items())]
    by_area = [{"port_area": a, **_sum(mine),
                "months": {m[:7]: _sum(per_area_month.get((a, m), ())) for m in all_months}}
               for a, mine in sorted(per_area.items())]
    by_month = [{"month": m[:7], **_sum(per_month.get(m, ()))} for m in all_months]
    return {"months": [m[:7] for m in all_months], "by_berth": by_berth, "by_area": by_area, "by_month": by_month,
            "total": _sum(rows), "clause": CLAUSE, "sample": any(r.is_sample for r in rows)}


RULES = MonitoringRules(
    key="shore_power",
    limits=lambda site: (),  # the plans give no usage figure
    assess=assess_months,
    row_errors=row_errors,
    sources=lambda site: [CLAUSE, "使用率 = 使用岸电艘次 ÷ 靠泊艘次（按泊位、港区、月份合计后相除）"],
)
