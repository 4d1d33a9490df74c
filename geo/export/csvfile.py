"""CSV: one table for every chosen kind, Chinese headers, UTF-8 with BOM or GBK.

Kinds differ in their fields, so the table has the common columns plus the
fields of every kind present (empty where a kind has no such field) and a
点位类型 column. UTF-8 with BOM (``utf-8-sig``, the default) is what Excel
needs to show Chinese; GBK is for older systems. A character GBK cannot
encode stops the export with an error naming the row, the column and the
character — it is never dropped or replaced. Formula-looking text gets a
leading ``'`` (see :mod:`geo.export.safe`). Sample data carries a 数据性质
column reading 示例数据 on every row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from geo.errors import ValidationError
from geo.export.records import Column, text_of
from geo.export.safe import csv_text
from geo.export.selection import Selection
from layers import get_spec

KIND_COLUMN = Column("kind_zh", "点位类型", "Kind")
# Our own headers use a few characters GBK lacks (面积 (km²)); they get plain equivalents there.
_GBK_HEADER = str.maketrans({"²": "2", "³": "3"})


def table(sel: Selection) -> tuple[list[Column], list[dict[str, Any]]]:
    """The merged columns and all records of ``sel``.

    Order: 点位类型, the common leading columns (编号, 名称, 镇街 ...), the
    fields of every kind present (in kind order), then status, deadline, last
    change, coordinates and 数据性质.
    """
    head: list[Column] = [KIND_COLUMN]
    fields: list[Column] = []
    tail: list[Column] = []
    seen = {KIND_COLUMN.key}
    recs: list[dict[str, Any]] = []
    for kind in sel.kinds:
        sites = sel.sites_of(kind)
        if not sites:
            continue
        spec = get_spec(kind)
        own = {f.name for f in spec.fields}
        part = head
        for c in sel.columns(kind):
            if c.key in own:
                part = tail
                target = fields
            else:
                target = part
            if c.sheet and c.key not in seen:
                target.append(c)
                seen.add(c.key)
        recs += sel.records(kind)
    return head + fields + tail, recs


def _check_encodable(text: str, encoding: str, row: int, rec: dict, col: Column) -> None:
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        code = " ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise ValidationError(
            "export.csv_unencodable",
            en=(f"CSV row {row} (site {rec.get('site_id')}), column {col.zh!r} ({col.en}): the character "
                f"{bad!r} ({code}) cannot be written in {encoding.upper()}. Export as UTF-8 (the default), "
                "or change that text."),
            zh=(f"CSV 第 {row} 行（点位 {rec.get('site_id')}）“{col.zh}”列：字符“{bad}”（{code}）无法用 "
                f"{encoding.upper()} 编码保存。请改用 UTF-8（默认）导出，或修改该文字。"),
            row=row, site_id=rec.get("site_id"), field=col.key, value=bad,
        ) from None


def write_csv(sel: Selection, path: Path, **_: Any) -> None:
    """Write ``sel`` as one CSV file in ``sel.options.csv_encoding``.

    Raises
    ------
    ValidationError
        ``export.csv_unencodable`` (GBK only) naming the row (the header is
        row 1), the site, the column and the character.
    """
    encoding = sel.options.csv_encoding
    cols, recs = table(sel)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    strict = encoding != "utf-8-sig"
    header = [c.zh.translate(_GBK_HEADER) if strict else c.zh for c in cols]
    if strict:
        for c, h in zip(cols, header):
            _check_encodable(h, encoding, 1, {}, c)
    w.writerow(header)
    for n, rec in enumerate(recs, start=2):
        out = []
        for c in cols:
            v = rec.get(c.key)
            text = csv_text(v) if isinstance(v, str) else text_of(c, v)
            if strict:
                _check_encodable(text, encoding, n, rec, c)
            out.append(text)
        w.writerow(out)
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(buf.getvalue())
