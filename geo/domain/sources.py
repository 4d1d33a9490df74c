"""Where each rule's figures come from: the national documents, clause by clause (pure data).

Every threshold in :mod:`geo.domain.bands`, :mod:`geo.domain.grading`,
:mod:`geo.domain.campaigns`, :mod:`geo.domain.rural` and
:mod:`geo.domain.gates` names one of these sources. ``verified`` says whether
the figure was checked against a copy of the text while writing the rule; an
unverified figure is one the bureau should confirm against the document before
relying on it — the panel and ``cli.py readings list`` show it as such. The
domain brief the team works from lives outside this repository; the documents
below are the primary sources.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Source", "URBAN_GUIDELINE", "URBAN_TABLE", "URBAN_SHALLOW_NOTE", "URBAN_SAMPLING", "URBAN_POINT_RULE",
           "URBAN_BODY_RULE", "URBAN_ACCEPTANCE", "RURAL_GUIDELINE", "RURAL_INDICATORS", "NATIONAL_2022",
           "APP_RULE", "ALL"]

URBAN_GUIDELINE = "《城市黑臭水体整治工作指南》（住房城乡建设部、环境保护部，建城〔2015〕130号，2015年8月）"
RURAL_GUIDELINE = ("《农村黑臭水体治理工作指南》（生态环境部办公厅、水利部办公厅、农业农村部办公厅；"
                   "2019年试行 环办土壤函〔2019〕826号，2024年1月修订）")
NATIONAL_2022 = "《深入打好城市黑臭水体治理攻坚战实施方案》（住房和城乡建设部等，建城〔2022〕29号）"


@dataclass(frozen=True)
class Source:
    """A document and clause a figure comes from.

    Attributes
    ----------
    code : str
        Stable key.
    document : str
    clause : str
    text_zh : str
        What the clause says, as the rule uses it.
    verified : bool
        The figure was checked against a copy of the text.
    note_en : str
        How the app reads it, or what could not be checked.
    """

    code: str
    document: str
    clause: str
    text_zh: str
    verified: bool
    note_en: str = ""

    def cite(self) -> str:
        """``document clause`` for messages and the panel."""
        return f"{self.document} {self.clause}"

    def to_dict(self) -> dict:
        return {"code": self.code, "document": self.document, "clause": self.clause, "text_zh": self.text_zh,
                "verified": self.verified, "note_en": self.note_en}


URBAN_TABLE = Source(
    "urban.table", URBAN_GUIDELINE, "2.2 表2-1 城市黑臭水体污染程度分级标准",
    "透明度 轻度 25~10 cm、重度 <10 cm；溶解氧 轻度 0.2~2.0 mg/L、重度 <0.2；"
    "氧化还原电位 轻度 -200~50 mV、重度 <-200；氨氮 轻度 8.0~15 mg/L、重度 >15",
    True,
    "The table writes the light band as a closed range '25~10' and the heavy band with a strict sign; the app "
    "reads both ends of each light range as light (25 cm and 10 cm are light, 9.99 cm is heavy).",
)
URBAN_SHALLOW_NOTE = Source(
    "urban.shallow", URBAN_GUIDELINE, "表2-1 注（透明度两栏均标*）",
    "水深不足25cm时，该指标按水深的40%取值",
    True,
    "Read literally: below 25 cm of water both transparency limits (25 and 10 cm) become 40 % of the depth, so "
    "t < 0.4 x depth is heavy, t = 0.4 x depth light, t > 0.4 x depth not black-odorous. No second scaled limit "
    "is made up.",
)
URBAN_SAMPLING = Source(
    "urban.sampling", URBAN_GUIDELINE, "2.2 检测要求",
    "原则上可沿黑臭水体每200~600m间距设置检测点，但每个水体的检测点不少于3个；"
    "原则上间隔1~7日检测1次，至少检测3次以上",
    True,
    "Checked per campaign and shown as warnings: at least 3 points per body, at least 3 rounds per point, "
    "1 to 7 days between rounds. Point spacing needs the points' positions, which readings do not carry.",
)
URBAN_POINT_RULE = Source(
    "urban.point", URBAN_GUIDELINE, "2.2 分级判定",
    "某检测点4项理化指标中，1项指标60%以上数据或不少于2项指标30%以上数据达到“重度黑臭”级别的，"
    "该检测点应认定为“重度黑臭”，否则可认定为“轻度黑臭”",
    True, "以上 includes the number itself (60 % and 30 % count).",
)
URBAN_BODY_RULE = Source(
    "urban.body", URBAN_GUIDELINE, "2.2 分级判定",
    "连续3个以上检测点认定为“重度黑臭”的，检测点之间的区域应认定为“重度黑臭”；"
    "水体60%以上的检测点被认定为“重度黑臭”的，整个水体应认定为“重度黑臭”",
    True,
)
URBAN_ACCEPTANCE = Source(
    "urban.acceptance", URBAN_GUIDELINE, "第五章 城市黑臭水体整治效果评估",
    "整治效果评估以公众评议和水质检测为依据；公众满意度不低于90%",
    False,
    "The 90 % public-satisfaction figure is the one commonly cited for acceptance; the chapter's text could not be "
    "retrieved to confirm it, nor the length of the post-remediation monitoring period. The app requires one year "
    "of clean campaigns after 初见成效 (LONG_TERM_MONITORING_DAYS) pending that check.",
)
NATIONAL_TARGET = Source(
    "national.2022", NATIONAL_2022, "二、工作目标",
    "到2025年年底前，县级城市建成区黑臭水体消除比例达到90%",
    False,
    "The 90 % reading of 基本消除 for county-level cities is the team's reading of this scheme; the People's Daily "
    "report of the companion 《“十四五”城市黑臭水体整治环境保护行动方案》 (2022-04) confirms 县级城市建成区黑臭水体"
    "基本消除 by 2025, the 90 % figure itself was not retrieved here.",
)
RURAL_INDICATORS = Source(
    "rural.indicators", RURAL_GUIDELINE, "农村黑臭水体识别 水质指标",
    "透明度 <25 cm（水深不足25cm时按水深的40%取值）、溶解氧 <2 mg/L、氨氮 >15 mg/L",
    False,
    "Figures as published in the 2019 trial guideline's identification table; the 2024 revision's text could not be "
    "retrieved to confirm them unchanged. No light/heavy split: a rural body is black-odorous or not. How readings "
    "of several points and rounds combine is not in the retrieved text; the app calls a campaign clean only when "
    "no reading breaches any limit (the same strictness as its urban 'none' rule).",
)
APP_RULE = Source(
    "app.none", "本系统规则 (the app's own rule)", "整治复核",
    "各指标全部读数均未达到轻度黑臭范围的点位视为不黑臭",
    True,
    "The guideline grades bodies already identified as black-odorous (light or heavy); to check remediation the app "
    "calls a point none when no reading of any indicator reaches the light band. Stated so that it can be tested.",
)

ALL: tuple[Source, ...] = (URBAN_TABLE, URBAN_SHALLOW_NOTE, URBAN_SAMPLING, URBAN_POINT_RULE, URBAN_BODY_RULE,
                           URBAN_ACCEPTANCE, NATIONAL_TARGET, RURAL_INDICATORS, APP_RULE)
