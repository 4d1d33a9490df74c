"""Monthly shore-power use per berth (岸电使用月报): ship calls, calls connected, hours and kWh.

The plans' second shore-power aim is that ships install and *use* shore power
(福清市方案 三(四)); a berth able to supply it says nothing about use. Port
operators report per berth and month how many ships called, how many of those
calls connected to shore power, for how many hours and how much energy was
delivered. One row per berth and month (a month is stored as its first day);
the usage rate (calls connected / ship calls) per berth, port area and month
is computed by :mod:`geo.domain.shore_power_usage`, never typed in.
"""

from layers.observation import ObservationSpec, ObsField

SPEC = ObservationSpec(
    key="shore_power_usage",
    zh="岸电使用月报",
    en="Shore-power monthly use",
    site_kind="shore_power_berths",
    cli_name="shore-power-usage",
    rules="shore_power",
    identity=(),  # one row per berth and month
    period="month",
    site_noun_zh="泊位",
    site_id_aliases=("泊位编号", "berth_id"),
    site_name_aliases=("泊位名称", "泊位", "berth", "berth_name"),
    date_aliases=("月份", "统计月份", "统计期", "年月", "month", "period"),
    fields=(
        ObsField("ship_calls", "靠泊艘次", "Ship calls", "int", required=True, unit="艘次", minimum=0, chart=True,
                 aliases=("靠港艘次", "到港艘次", "靠泊船舶艘次", "船舶艘次", "calls", "ship_calls_total")),
        ObsField("calls_connected", "使用岸电艘次", "Calls on shore power", "int", required=True, unit="艘次",
                 minimum=0, chart=True,
                 aliases=("接电艘次", "岸电使用艘次", "连接岸电艘次", "使用岸电船舶艘次", "connected", "connections")),
        ObsField("hours", "接电时长", "Hours connected", "float", unit="h", minimum=0,
                 aliases=("接电时间", "使用时长", "岸电使用时长", "connected_hours")),
        ObsField("energy_kwh", "用电量", "Energy delivered", "float", unit="kWh", minimum=0, chart=True,
                 aliases=("供电量", "岸电用电量", "岸电供电量", "用电量(kwh)", "供电量(kwh)", "kwh", "energy")),
        ObsField("remarks", "备注", "Remarks", "text", aliases=("说明", "notes", "note")),
    ),
    description_zh="每个泊位每月靠泊艘次、使用岸电艘次、接电时长、用电量；岸电使用率 = 使用岸电艘次 ÷ 靠泊艘次",
    description_en="Per berth and month: ship calls, calls on shore power, hours, kWh; usage rate = calls on shore "
                   "power / ship calls",
)
