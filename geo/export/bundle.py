"""Run an export: one file, or a ZIP with several formats and/or one folder per town.

:func:`export_to_path` is what the CLI and the page call. It reads the sites
once, refuses an export with no site, writes every file through
:func:`geo.export.atomic.atomic_target` (nothing half-written is ever left at
the target) and reports progress after each file.

Names: ``<town>_点位清单_<yyyymmdd>[_示例数据].<ext>``; with one folder per
town the ZIP holds ``<town>/<town>_点位清单_….<ext>`` (Shapefiles as a
``…_shp/`` folder) and a ``说明.txt`` listing every chosen town and its count.
"""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from geo.errors import OneMapError, ValidationError
from geo.export.atomic import atomic_target, check_target
from geo.export.csvfile import write_csv
from geo.export.formats import FORMATS, ZIP_MIME
from geo.export.geojson import write_geojson
from geo.export.gpkg import write_gpkg
from geo.export.kml import write_kml, write_kmz
from geo.export.options import ExportOptions
from geo.export.records import town_name
from geo.export.selection import Selection, load_selection, record_export
from geo.export.shp import write_shp, write_shp_dir
from geo.export.xlsx import write_xlsx

Progress = Callable[[float, str], None]

WRITERS = {
    "xlsx": write_xlsx,
    "csv": write_csv,
    "geojson": write_geojson,
    "gpkg": write_gpkg,
    "kml": write_kml,
    "kmz": write_kmz,
    "shp": write_shp,
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes
    ----------
    path : Path
        The file written.
    n_sites : int
        Sites exported.
    towns : tuple of str
        Town codes that got files (per-town bundles) or that the file covers.
    members : tuple of str
        Names inside the ZIP (empty for a single file).
    is_sample : bool
        The data is 示例数据.
    seconds : float
        Wall time.
    """

    path: Path
    n_sites: int
    towns: tuple[str, ...]
    members: tuple[str, ...] = field(default_factory=tuple)
    is_sample: bool = False
    seconds: float = 0.0


def base_name(sel: Selection, town_code: str | None = None) -> str:
    """``海口镇_点位清单_20251121_示例数据`` (the town part: one town, N towns, or 福清市)."""
    if town_code is not None:
        who = town_name(town_code)
    elif sel.town_codes is None:
        who = "福清市全部镇街"
    elif len(sel.town_codes) == 1:
        who = town_name(sel.town_codes[0])
    else:
        who = f"{town_name(sel.town_codes[0])}等{len(sel.town_codes)}个镇街"
    name = f"{who}_点位清单_{sel.generated_at:%Y%m%d}"
    return name + ("_示例数据" if sel.is_sample else "")


def output_suffix(options: ExportOptions) -> str:
    """The suffix the output file must have: ``.zip`` for bundles, else the format's."""
    return ".zip" if options.is_zip else FORMATS[options.formats[0]].suffix


def default_file_name(sel: Selection) -> str:
    """A file name for a download of ``sel``."""
    return base_name(sel) + output_suffix(sel.options)


def _nothing(sel: Selection) -> ValidationError:
    return ValidationError(
        "export.nothing",
        en=f"No site matches the filter ({sel.filter_text('en')}); nothing was exported. Widen the filter.",
        zh=f"没有符合条件的点位（{sel.filter_text('zh')}），未导出任何文件。请放宽筛选条件。",
    )


def check_suffix(target: Path, options: ExportOptions) -> None:
    """Refuse an output name whose suffix does not match what will be written."""
    want = output_suffix(options)
    if target.suffix.lower() != want:
        why_en = ("several formats or one folder per town give a ZIP" if options.is_zip
                  else f"format {options.formats[0]} writes {want}")
        why_zh = "多种格式或按镇街分文件夹时输出为ZIP" if options.is_zip else f"{options.formats[0]} 格式输出 {want} 文件"
        raise ValidationError(
            "export.bad_suffix",
            en=f"Output {target} should end in {want} ({why_en}); e.g. {target.with_suffix(want)}.",
            zh=f"输出文件 {target} 的扩展名应为 {want}（{why_zh}），例如 {target.with_suffix(want)}。",
            path=str(target), expected=want,
        )


def _write_one(fmt: str, sel: Selection, path: Path, file_name: str) -> None:
    WRITERS[fmt](sel, path, file_name=file_name)


def _readme(sel: Selection, towns: list[tuple[str, int]]) -> str:
    lines = ["福清生态环境一张图 · 点位清单（按镇街分文件夹）", ""]
    if sel.is_sample:
        lines += [sel.notice("zh"), sel.notice("en"), ""]
    lines += [f"导出时间（北京时间）：{sel.generated_at:%Y-%m-%d %H:%M}",
              f"筛选：{sel.filter_text('zh')}",
              f"Filter: {sel.filter_text('en')}",
              f"格式 Formats: {', '.join(sel.options.formats)}",
              "", "镇街 Town — 点位数 sites (0 = 无符合条件的点位，未建文件夹 / no folder):"]
    lines += [f"  {town_name(code)}（{code}）: {n}" for code, n in towns]
    return "\r\n".join(lines) + "\r\n"


def _bundle(sel: Selection, zip_path: Path, progress: Progress | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Write the ZIP: per town (when asked) × per format. Returns (members, town codes with files)."""
    opts = sel.options
    if opts.per_town:
        codes = sel.town_codes if sel.town_codes is not None else tuple(dict.fromkeys(
            _official_codes() + sorted({s.town_code for s in sel.sites})))
        groups = [(c, sel.for_town(c)) for c in codes]
        counts = [(c, len(g.sites)) for c, g in groups]
        groups = [(c, g) for c, g in groups if g.sites]
    else:
        groups, counts = [(None, sel)], []
    steps = max(len(groups) * len(opts.formats), 1)
    done = 0
    members: list[str] = []
    with tempfile.TemporaryDirectory(prefix="onemap-export-") as work, \
            zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        if opts.per_town:
            zf.writestr("说明.txt", ("\ufeff" + _readme(sel, counts)).encode("utf-8"))
            members.append("说明.txt")
        for code, group in groups:
            base = base_name(group, code) if code else base_name(group)
            folder = f"{town_name(code)}/" if code else ""
            for fmt in opts.formats:
                if progress:
                    progress(done / steps, f"{town_name(code) if code else ''} {fmt}".strip())
                if fmt == "shp":
                    sub = Path(work) / f"{len(members)}_shp"
                    sub.mkdir()
                    for f in write_shp_dir(group, sub, title=f"{base} (Shapefile)"):
                        arc = f"{folder}{base}_shp/{f.name}"
                        zf.write(f, arc)
                        members.append(arc)
                else:
                    name = base + FORMATS[fmt].suffix
                    tmp = Path(work) / f"{len(members)}{FORMATS[fmt].suffix}"
                    _write_one(fmt, group, tmp, name)
                    zf.write(tmp, folder + name)
                    members.append(folder + name)
                    tmp.unlink()
                done += 1
    return tuple(members), tuple(c for c, _ in groups if c)


def _official_codes() -> list[str]:
    from geo.towns import all_towns

    return [t.code for t in all_towns()]


def write_selection(sel: Selection, target: str | os.PathLike, *, progress: Progress | None = None,
                    check_name: bool = True) -> ExportResult:
    """Write an already-loaded selection to ``target`` atomically.

    Parameters
    ----------
    sel : Selection
    target : path-like
        Output file: ``.zip`` for bundles, else the format's suffix.
    progress : callable, optional
        Called as ``progress(fraction, label)`` before each file and with 1.0 at the end.
    check_name : bool
        Refuse a target whose suffix does not match (the CLI); the page passes False.

    Raises
    ------
    ValidationError
        ``export.nothing`` when no site matches; ``export.bad_suffix``;
        ``export.csv_unencodable`` / ``export.shp_unencodable`` for GBK.
    StoreError
        ``export.disk_full`` / ``export.write_failed`` naming the path; nothing
        is left at ``target``.
    """
    t0 = time.perf_counter()
    target = Path(target)
    check_target(target)
    if not sel.sites:
        raise _nothing(sel)
    if check_name:
        check_suffix(target, sel.options)
    opts = sel.options
    with atomic_target(target) as tmp:
        if opts.is_zip:
            members, towns = _bundle(sel, tmp, progress)
        else:
            if progress:
                progress(0.0, opts.formats[0])
            _write_one(opts.formats[0], sel, tmp, target.name)
            members = ()
            towns = sel.town_codes if sel.town_codes is not None else tuple(sorted({s.town_code for s in sel.sites}))
    if progress:
        progress(1.0, "")
    return ExportResult(path=target, n_sites=len(sel.sites), towns=tuple(towns), members=members,
                        is_sample=sel.is_sample, seconds=time.perf_counter() - t0)


def export_to_path(store, actor, options: ExportOptions, target: str | os.PathLike, *,
                   progress: Progress | None = None, check_name: bool = True) -> ExportResult:
    """Read the sites ``options`` asks for and write them to ``target``.

    Parameters
    ----------
    store : geo.store.SiteStore
    actor : geo.store.Actor
        The acting user (the store checks what they may read).
    options : ExportOptions
    target : path-like
    progress : callable, optional
        ``progress(fraction, label)``.
    check_name : bool
        See :func:`write_selection`.

    Returns
    -------
    ExportResult
    """
    sel = load_selection(store, actor, options)
    try:
        result = write_selection(sel, target, progress=progress, check_name=check_name)
    except OneMapError as exc:
        if exc.code.endswith((".disk_full", ".no_permission", ".write_failed")):
            record_export(store, actor, sel, file=str(target), error=exc.code)
        raise
    record_export(store, actor, sel, file=str(result.path))
    return result


def export_to_bytes(sel: Selection, *, progress: Progress | None = None) -> tuple[str, bytes, str]:
    """Write ``sel`` in a private temporary folder and return ``(file name, bytes, mime)`` for a download."""
    name = default_file_name(sel)
    with tempfile.TemporaryDirectory(prefix="onemap-dl-") as tmp:
        result = write_selection(sel, Path(tmp) / name, progress=progress, check_name=False)
        data = result.path.read_bytes()
    mime = ZIP_MIME if sel.options.is_zip else FORMATS[sel.options.formats[0]].mime
    return name, data, mime
