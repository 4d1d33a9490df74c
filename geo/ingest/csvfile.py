"""CSV and tab-separated text (pure).

UTF-8 / UTF-8 with BOM / UTF-16 / GBK-GB18030, decided strictly
(:mod:`geo.ingest.encoding`); a line longer than
:data:`~geo.ingest.safety.MAX_LINE_CHARS` is refused before the text is
split into cells; the delimiter is sniffed among ``, ; tab |``. Row = the
line as Excel numbers it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from geo.ingest import encoding as enc
from geo.ingest import safety
from geo.ingest.collect import note
from geo.ingest.messages import ingest_error
from geo.ingest.problems import Problem
from geo.ingest.table import HEADER_SCAN, RawTable, table_from_rows

__all__ = ["read_csv"]


def read_csv(data: bytes, name: str, *, kind: str, sheet: str | None = None) -> RawTable:
    """Read a CSV (or tab-separated text) file; see the module notes."""
    text, encoding = enc.decode_text(data, name)
    safety.check_lines(text, name)
    notes: list[Problem] = []
    if encoding == "gb18030":
        notes.append(note("encoding.gbk"))
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    old = csv.field_size_limit()
    csv.field_size_limit(safety.MAX_LINE_CHARS)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        rows: list[list[Any]] = []
        for record in reader:
            rows.append(record)
            if len(rows) > safety.MAX_ROWS + HEADER_SCAN:
                safety.check_rows(len(rows), name)
    except csv.Error as exc:
        raise ingest_error("csv.invalid", name=name, detail=str(exc)[:200]) from exc
    finally:
        csv.field_size_limit(old)
    table = table_from_rows("csv", name, kind, rows, list(range(1, len(rows) + 1)), notes)
    table.encoding = encoding
    return table
