"""Water-quality readings of black-odorous water bodies (黑臭水体水质监测): one row per point, round and date.

The four indicators of the national urban guideline (transparency, dissolved
oxygen, ORP, ammonia nitrogen) plus the water depth its shallow-water note
needs, the sampling point and round, who sampled and which laboratory
measured. The rules that read them are :mod:`geo.domain.black_odorous_rules`.
"""

from layers.observation import ObservationSpec, ObsField

SPEC = ObservationSpec(
    key="black_odorous_readings",
    zh="黑臭水体水质监测",
    en="Black-odorous water readings",
    site_kind="black_odorous",
    cli_name="readings",
    rules="black_odorous",
    identity=("point", "round"),
    series="point",
    site_noun_zh="水体",
    period="day",
    has_time=True,
    site_id_aliases=("水体编号", "水体代码", "water_body_id", "body_id"),
    site_name_aliases=("水体", "水体名称", "河流名称", "河道名称", "河段名称", "water_body", "body"),
    date_aliases=("采样日期", "监测日期", "检测日期", "取样日期", "sampling_date", "sampled_on"),
    time_aliases=("采样时间", "监测时间", "取样时间", "sampling_time"),
    fields=(
        ObsField("point", "采样点位", "Sampling point", "text", required=True,
                 aliases=("点位", "采样点", "监测点", "检测点", "监测点位", "点位名称", "点位编号", "采样点位编号",
                          "point_id", "station")),
        ObsField("round", "轮次", "Round", "int", required=True, minimum=1,
                 aliases=("监测轮次", "采样轮次", "检测轮次", "第几轮", "round_no")),
        ObsField("depth_cm", "水深", "Water depth", "float", unit="cm", minimum=0, minimum_inclusive=False,
                 aliases=("水深(cm)", "水位深度", "depth")),
        ObsField("transparency_cm", "透明度", "Transparency", "float", unit="cm", minimum=0, chart=True,
                 aliases=("透明度(cm)", "sd", "secchi", "transparency")),
        ObsField("do_mg_l", "溶解氧", "Dissolved oxygen", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("溶解氧(mg/l)", "do", "dissolved_oxygen")),
        ObsField("orp_mv", "氧化还原电位", "ORP", "float", unit="mV", chart=True,
                 aliases=("氧化还原电位(mv)", "orp", "redox")),
        ObsField("nh3n_mg_l", "氨氮", "Ammonia nitrogen", "float", unit="mg/L", minimum=0, chart=True,
                 aliases=("氨氮(mg/l)", "nh3-n", "nh3n", "氨氮(nh3-n)", "ammonia", "ammonia_nitrogen")),
        ObsField("sampler", "采样人", "Sampled by", "text", aliases=("采样人员", "采样员", "监测人员", "sampled_by")),
        ObsField("lab", "检测单位", "Laboratory", "text",
                 aliases=("检测机构", "监测单位", "监测机构", "实验室", "化验单位", "laboratory")),
        ObsField("remarks", "备注", "Remarks", "text", aliases=("说明", "notes", "note")),
    ),
    description_zh="透明度、溶解氧、氧化还原电位、氨氮（城市黑臭水体整治工作指南）；农村水体按农村指南判定",
    description_en="Transparency, DO, ORP, NH3-N (urban guideline); rural bodies judged by the rural guideline",
)
