"""Every message the import package gives, in one table keyed by problem code (pure data + three helpers).

A key is the problem ``code`` (``"town.unknown"``), or ``code|variant`` where
one code is said in more than one way (``"coord.missing|xy"``); the code the
user sees is always the part before ``|``. Each entry has the message and the
fix, in Chinese and in English, as :meth:`str.format` templates over named
values the caller passes (``{name}`` is always the file's name, ``{value}``
the offending value as one short line). ``tests/test_ingest_messages.py``
checks that every entry has all four texts with the same placeholders in
both languages, and that every code the package raises or adds is here.

Helpers: :func:`text` (the four filled texts), :func:`ingest_error` (a
whole-file :class:`~geo.ingest.problems.IngestError`), :func:`invalid` (a
:class:`~geo.errors.ValidationError` for one value). Row and file problems
are built by :class:`geo.ingest.collect.RowProblems` and
:func:`geo.ingest.collect.file_problem` from the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from geo.errors import ValidationError

__all__ = ["MESSAGES", "Message", "code_of", "ingest_error", "invalid", "text"]


@dataclass(frozen=True)
class Message:
    """The message and the fix of one problem code, each in Chinese and in English (templates)."""

    zh: str
    en: str
    fix_zh: str
    fix_en: str


def _m(*, zh: str, en: str, fix_zh: str, fix_en: str) -> Message:
    return Message(zh=zh, en=en, fix_zh=fix_zh, fix_en=fix_en)


_REEXPORT_FIX_ZH = "请用 QGIS 等软件重新导出为 GeoJSON。"
_REEXPORT_FIX_EN = "Export it again as GeoJSON (e.g. from QGIS)."
_ZIP_FIX_ZH = "请上传只包含台账文件的普通压缩包（不要嵌套压缩包、链接或加密）。"
_ZIP_FIX_EN = "Upload a plain ZIP holding only the ledger files (no nested archives, links or encryption)."
_KML_FIX_ZH = "用奥维地图或 Google Earth 重新导出 KML/KMZ。"
_KML_FIX_EN = "Export it again from Ovi or Google Earth."
_GIS_FIX_ZH = "用 QGIS 打开检查后重新导出。"
_GIS_FIX_EN = "Open it in QGIS, check it and export it again."
_SPLIT_FIX_ZH = "按点位类型或镇街拆分为多个文件分别导入。"
_SPLIT_FIX_EN = "Split the file by kind or by town."
_XLSX_FIX_ZH = "在 Excel/WPS 中打开并另存为 .xlsx 后重新上传。"
_XLSX_FIX_EN = "Open it in Excel or WPS, save as .xlsx and upload again."
_FQ_GK_ZH = "坐标系请选择“CGCS2000 高斯-克吕格 3° 分带”（福清为第 40 带）。"
_FQ_GK_EN = "Choose CGCS2000 Gauss-Krüger 3° (Fuqing: zone 40)."
_ACCEPTED_ZH = "如 119.3958、119°23′45.6″、119度23分45.6秒、119 23 45.6"
_ACCEPTED_EN = "e.g. 119.3958, 119°23′45.6″, 119度23分45.6秒 or 119 23 45.6"
_AXIS_FIX_ZH = "检查导出软件的坐标轴顺序设置。"
_AXIS_FIX_EN = "Check the axis order setting of the software that wrote the file."
_NOTHING_ZH = "无需处理；如读取结果不对，请检查文件后重新导入。"
_NOTHING_EN = "Nothing to do; if what was read looks wrong, check the file and import again."

#: code (or ``code|variant``) -> texts. Grouped as the pipeline meets them.
MESSAGES: dict[str, Message] = {
    # -- the file as a whole: size, format, archives, encodings ---------------------------------------------------
    "file.empty": _m(
        zh="文件“{name}”为空（0 字节）：请选择台账文件本身。", en="{name} is empty (0 bytes): choose the ledger file itself.",
        fix_zh="重新导出或保存台账后再上传。", fix_en="Save or export the ledger again and upload it."),
    "file.too_large": _m(
        zh="文件“{name}”大小为 {size}，超过上限 {limit}。请按类型或镇街拆分台账。",
        en="{name} is {size}; the limit is {limit}. Split the ledger by kind or town.",
        fix_zh=_SPLIT_FIX_ZH, fix_en=_SPLIT_FIX_EN),
    "file.too_many_rows": _m(
        zh="“{name}”有 {n} 行（要素），超过上限 {limit}。请拆分后导入。",
        en="{name} has {n} rows or features; the limit is {limit}. Split it.",
        fix_zh=_SPLIT_FIX_ZH, fix_en=_SPLIT_FIX_EN),
    "file.too_many_columns": _m(
        zh="“{name}”有 {n} 列，超过上限 {limit} 列。", en="{name} has {n} columns; the limit is {limit}.",
        fix_zh="删除无关的列后再导入。", fix_en="Delete the columns that do not belong to the ledger."),
    "file.no_rows": _m(
        zh="“{name}”没有任何数据行。", en="{name} has no rows.",
        fix_zh="确认选择了正确的文件或工作表。", fix_en="Check you chose the right file or sheet."),
    "file.no_data_rows": _m(
        zh="“{name}”只有表头，没有数据行：没有可导入的内容。",
        en="{name} has a header but no data rows: there is nothing to import.",
        fix_zh="确认选择了正确的文件或工作表，且台账已填写。", fix_en="Check you chose the right file or sheet and that the ledger is filled in."),
    "file.not_zip": _m(
        zh="“{name}”不是可读取的压缩文件（{detail}）。", en="{name} is not a readable ZIP file ({detail}).",
        fix_zh="请重新导出或压缩后再上传。", fix_en="Export or zip the files again and upload."),
    "format.unsupported": _m(
        zh="“{name}”：不支持导入 {suffix} 文件。", en="{name}: files of type {suffix} cannot be imported.",
        fix_zh="支持 xlsx、CSV、GeoJSON、KML/KMZ、Shapefile ZIP、GeoPackage。",
        fix_en="Use xlsx, CSV, GeoJSON, KML/KMZ, a Shapefile ZIP or GeoPackage."),
    "format.unsupported|xls": _m(
        zh="“{name}”：不支持导入 {suffix} 文件。在 Excel/WPS 中“另存为 .xlsx”后上传。",
        en="{name}: files of type {suffix} cannot be imported. Save it as .xlsx in Excel or WPS, then upload.",
        fix_zh="在 Excel/WPS 中“另存为 .xlsx”后上传。", fix_en="Save it as .xlsx in Excel or WPS, then upload."),
    "format.unsupported|shp_part": _m(
        zh="“{name}”：不能单独导入 {suffix} 文件。把 .shp、.shx、.dbf（及 .prj、.cpg）一起压缩成 ZIP 后上传。",
        en="{name}: a {suffix} file cannot be imported alone. Zip the .shp, .shx and .dbf (and .prj, .cpg) together "
           "and upload the ZIP.",
        fix_zh="把 .shp、.shx、.dbf（及 .prj、.cpg）一起压缩成 ZIP 后上传。",
        fix_en="Zip the .shp, .shx and .dbf (and .prj, .cpg) together and upload the ZIP."),
    "format.mismatch": _m(
        zh="“{name}”的内容不是 {what}（文件名与内容不符）。", en="{name} does not contain a {what} (the name and the content disagree).",
        fix_zh="检查文件是否损坏或扩展名是否被改过，重新导出后上传。",
        fix_en="Check the file is not damaged or renamed; export it again and upload."),
    "zip.too_many": _m(
        zh="“{name}”：包含 {n} 个文件，超过上限 {limit} 个。", en="{name}: {n} members; at most {limit} are accepted.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.unsafe_name": _m(
        zh="“{name}”：包含不安全的路径“{member}”（绝对路径或 ..）。", en="{name}: member {member!r} has an absolute or parent path.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.link": _m(
        zh="“{name}”：包含符号链接“{member}”。", en="{name}: member {member!r} is a symbolic link.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.encrypted": _m(
        zh="“{name}”：“{member}”已加密。", en="{name}: member {member!r} is encrypted.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.nested": _m(
        zh="“{name}”：内含压缩包“{member}”：请先解压，只上传台账文件。",
        en="{name}: member {member!r} is itself an archive; unpack it first.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.too_large": _m(
        zh="“{name}”：解压后超过 {limit}。", en="{name}: unpacks to more than {limit}.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.bomb": _m(
        zh="“{name}”：“{member}”声称可膨胀 {ratio} 倍（上限 {limit} 倍），按压缩炸弹拒绝。",
        en="{name}: member {member!r} claims to expand {ratio} times (limit {limit}); refused as a ZIP bomb.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.bomb|overrun": _m(
        zh="“{name}”：“{member}”解压后超过其声明的大小。", en="{name}: member {member!r} expands beyond its declared size.",
        fix_zh=_ZIP_FIX_ZH, fix_en=_ZIP_FIX_EN),
    "zip.corrupt": _m(
        zh="“{name}”：其中的“{member}”已损坏（{detail}）。", en="{name}: member {member!r} is damaged ({detail}).",
        fix_zh="重新压缩或导出后再上传。", fix_en="Zip or export the files again and upload."),
    "encoding.unknown": _m(
        zh="“{name}”既不是 UTF-8 也不是 GBK/GB18030 编码（第 {where} 字节处无法解码）；未做任何猜测或删减。",
        en="{name} is neither UTF-8 nor GBK/GB18030 (undecodable bytes at position {where}); nothing was guessed or dropped.",
        fix_zh="请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接上传 xlsx 文件。",
        fix_en="In Excel use Save As → CSV UTF-8 (comma delimited), or upload the xlsx file itself."),
    "encoding.unknown|dbf": _m(
        zh="“{name}”：{layer} 的属性表既不是 UTF-8 也不是 GBK 编码；未做任何猜测。",
        en="{name}: the attribute table of {layer} is neither UTF-8 nor GBK; nothing was guessed.",
        fix_zh="在 QGIS 中以正确编码打开后另存为 UTF-8 的 Shapefile 或 GeoPackage。",
        fix_en="Open it in QGIS with the right encoding and save as UTF-8 Shapefile or GeoPackage."),
    "encoding.gbk": _m(
        zh="文件编码识别为 GBK/GB18030（Excel 中文版保存的 CSV）。", en="The file is GBK/GB18030 (CSV saved by Chinese Excel).",
        fix_zh="无需处理；以后可在 Excel 中“另存为 → CSV UTF-8”。", fix_en="Nothing to do; next time Save As → CSV UTF-8 in Excel."),
    # -- tables (CSV, xlsx) ------------------------------------------------------------------------------------------
    "csv.invalid": _m(
        zh="“{name}”不是可读取的 CSV 表格（{detail}）。", en="{name} is not a readable CSV table ({detail}).",
        fix_zh="在 Excel 中打开后另存为 CSV，或直接上传 xlsx。", fix_en="Save it again as CSV from Excel, or upload the xlsx."),
    "csv.line_too_long": _m(
        zh="“{name}”第 {line} 行长 {n} 个字符，超过每行上限 {limit} 个字符：这不是正常的台账行。",
        en="{name}: line {line} is {n} characters long, over the limit of {limit} per line: not a ledger row.",
        fix_zh="在 Excel 中打开检查该行（可能缺少换行或引号未闭合），另存后重新导入。",
        fix_en="Open it in Excel and check that line (a missing line break or an unclosed quote), save and import again."),
    "table.header_too_long": _m(
        zh="“{name}”的表头“{value}”长 {n} 个字符，超过上限 {limit}：表头应是简短的列名。",
        en="{name}: the header {value!r} is {n} characters long, over the limit of {limit}: a header is a short column name.",
        fix_zh="确认第一行（表头行）是列名，删除上方的说明文字后重新导入。",
        fix_en="Make sure the header row holds the column names; delete notes above it and import again."),
    "table.title_rows_skipped": _m(
        zh="表头位于第 {row} 行；其上方 {n} 行（标题等）未作为数据读取。",
        en="The header is row {row}; the {n} row(s) above it (titles) were not read as data.",
        fix_zh="如表头识别有误，请删除表头上方的标题行后重新导入。", fix_en="If the header is wrong, delete the title rows above it and import again."),
    "table.blank_rows_skipped": _m(
        zh="跳过了 {n} 个空行。", en="{n} blank row(s) skipped.", fix_zh=_NOTHING_ZH, fix_en=_NOTHING_EN),
    "xlsx.no_sheet": _m(
        zh="“{name}”中没有工作表“{value}”；现有：{sheets_zh}。", en="{name} has no sheet {value!r}; it has: {sheets_en}.",
        fix_zh="选择一个存在的工作表。", fix_en="Choose one of the sheets listed."),
    "xlsx.unreadable": _m(
        zh="“{name}”无法作为 Excel 工作簿读取（{detail}）。", en="{name} cannot be read as an Excel workbook ({detail}).",
        fix_zh=_XLSX_FIX_ZH, fix_en=_XLSX_FIX_EN),
    "xlsx.doctype": _m(
        zh="“{name}”的内部文件“{member}”含有 DOCTYPE/ENTITY 声明；Excel 从不写入此类声明，出于安全考虑拒绝读取。",
        en="{name}: its part {member!r} declares a DOCTYPE/ENTITY; Excel never writes one and it is refused for safety.",
        fix_zh=_XLSX_FIX_ZH, fix_en=_XLSX_FIX_EN),
    "xlsx.too_far": _m(
        zh="“{name}”工作表“{sheet}”的单元格 {cell} 有内容，超出可导入范围（最多 {max_rows} 行、{max_cols} 列，即 {last}）。",
        en="{name}: sheet {sheet!r} has a value in cell {cell}, beyond what can be imported "
           "(at most {max_rows} rows and {max_cols} columns, i.e. up to {last}).",
        fix_zh="在 Excel 中按 Ctrl+End 找到该单元格，删除台账范围以外的内容后保存，再重新导入。",
        fix_en="In Excel press Ctrl+End to find that cell, delete what lies outside the ledger, save and import again."),
    "xlsx.too_many_cells": _m(
        zh="“{name}”工作表“{sheet}”的单元格内容超过 {limit} 个，超出可导入范围。",
        en="{name}: sheet {sheet!r} holds more than {limit} values, more than can be imported.",
        fix_zh=_SPLIT_FIX_ZH, fix_en=_SPLIT_FIX_EN),
    "xlsx.merged_too_large": _m(
        zh="“{name}”工作表“{sheet}”的合并单元格 {range} 超出可导入范围（最多 {max_rows} 行、{max_cols} 列）。",
        en="{name}: sheet {sheet!r} merges {range}, beyond what can be imported (at most {max_rows} rows and {max_cols} columns).",
        fix_zh="在 Excel 中取消该合并（开始 → 合并后居中 → 取消单元格合并），只合并台账内的单元格，保存后重新导入。",
        fix_en="Unmerge it in Excel (Home → Merge & Center → Unmerge Cells), merge only cells inside the ledger, save and import again."),
    "xlsx.used_range_large": _m(
        zh="工作表“{sheet}”声明的使用范围为 {dimension}，但内容只到第 {rows} 行、第 {cols} 列：其余的空单元格（仅有格式）未读取。",
        en="Sheet {sheet!r} declares the used range {dimension}, but its values end at row {rows}, column {cols}: "
           "the empty (formatted only) cells beyond were not read.",
        fix_zh="无需处理；可在 Excel 中删除台账下方和右侧多余的行列以缩小文件。",
        fix_en="Nothing to do; deleting the extra rows and columns below and right of the ledger in Excel makes the file smaller."),
    "xlsx.merged_filled": _m(
        zh="合并单元格已按其左上角的值填充（{n} 个单元格）。", en="Merged cells were filled with their top-left value ({n} cells).",
        fix_zh="核对预览中这些单元格的值。", fix_en="Check the values of these cells in the preview."),
    "xlsx.sheet_chosen": _m(
        zh="读取工作表“{sheet}”（共 {n} 个：{sheets_zh}）。", en="Read sheet {sheet!r} of {n}: {sheets_en}.",
        fix_zh="如需读取其他工作表，请在导入页选择，或命令行加 --sheet 名称。",
        fix_en="To read another sheet, choose it on the import page, or add --sheet NAME."),
    # -- GIS formats ----------------------------------------------------------------------------------------------------
    "json.too_deep": _m(
        zh="“{name}”嵌套超过 {limit} 层，不是正常的 GeoJSON。", en="{name} is nested more than {limit} levels deep; GeoJSON never needs that.",
        fix_zh=_REEXPORT_FIX_ZH, fix_en=_REEXPORT_FIX_EN),
    "json.invalid": _m(
        zh="“{name}”不是有效的 JSON（{detail}）。", en="{name} is not valid JSON ({detail}).",
        fix_zh=_REEXPORT_FIX_ZH, fix_en=_REEXPORT_FIX_EN),
    "geojson.no_features": _m(
        zh="“{name}”是 JSON，但不是 GeoJSON 要素集合。", en="{name} is JSON but not GeoJSON features.",
        fix_zh="上传 FeatureCollection 格式的 GeoJSON。", fix_en="Upload a GeoJSON FeatureCollection."),
    "kml.doctype": _m(
        zh="“{name}”包含 DOCTYPE/ENTITY 声明；KML 不需要此类声明，出于安全考虑拒绝读取。",
        en="{name} declares a DOCTYPE/ENTITY; KML never needs one and it is refused for safety.",
        fix_zh="请用奥维地图或 Google Earth 重新导出 KML。", fix_en="Export the KML again from Ovi or Google Earth."),
    "kml.too_deep": _m(
        zh="“{name}”的元素嵌套超过 {limit} 层（文件夹或多几何套得太深），不是正常的 KML。",
        en="{name} nests elements more than {limit} levels deep (folders or MultiGeometry); KML never needs that.",
        fix_zh="在奥维地图或 Google Earth 中减少文件夹层级后重新导出。",
        fix_en="Flatten the folders in Ovi or Google Earth and export again."),
    "kml.invalid": _m(
        zh="“{name}”不是有效的 KML（{detail}）。", en="{name} is not valid KML/XML ({detail}).",
        fix_zh=_KML_FIX_ZH, fix_en=_KML_FIX_EN),
    "kml.no_folder": _m(
        zh="“{name}”中没有文件夹“{value}”；现有：{folders_zh}。", en="{name} has no folder {value!r}; it has: {folders_en}.",
        fix_zh="选择一个存在的文件夹。", fix_en="Choose one of the folders listed."),
    "kmz.no_kml": _m(
        zh="“{name}”中没有 .kml 文件。", en="{name} holds no .kml file.",
        fix_zh="用奥维地图或 Google Earth 重新导出 KMZ。", fix_en="Export the KMZ again."),
    "gis.unreadable": _m(
        zh="“{name}”无法读取（{detail}）。", en="{name} cannot be read by GDAL ({detail}).",
        fix_zh=_GIS_FIX_ZH, fix_en=_GIS_FIX_EN),
    "gis.unreadable|gpkg": _m(
        zh="“{name}”无法作为 GeoPackage 读取（{detail}）。", en="{name} cannot be read as a GeoPackage ({detail}).",
        fix_zh=_GIS_FIX_ZH, fix_en=_GIS_FIX_EN),
    "gis.no_layer": _m(
        zh="“{name}”中没有图层“{value}”；现有：{layers_zh}。", en="{name} has no layer {value!r}; it has: {layers_en}.",
        fix_zh="选择一个存在的图层。", fix_en="Choose one of the layers listed."),
    "gis.ambiguous_layer": _m(
        zh="“{name}”包含 {n} 个图层（{layers_zh}），没有以所选类型 {kind} 命名的：请选择其一。",
        en="{name} has {n} layers ({layers_en}) and none is named after the kind {kind}: choose one.",
        fix_zh="在导入页选择图层，或命令行加 --sheet 名称。", fix_en="Choose the layer on the import page, or add --sheet NAME."),
    "shp.none": _m(
        zh="“{name}”中没有 .shp 文件。", en="{name} holds no .shp file.",
        fix_zh="把 .shp、.shx、.dbf（及 .prj、.cpg）一起压缩后上传。", fix_en="Zip the .shp, .shx, .dbf (.prj, .cpg) together."),
    "shp.incomplete": _m(
        zh="“{name}”：{layer}.shp 缺少 {missing_zh} 文件。", en="{name}: {layer}.shp lacks {missing_en}.",
        fix_zh="把同名的 .shp、.shx、.dbf 一起压缩后上传。", fix_en="Zip the .shp, .shx and .dbf of the same name together."),
    "shp.field_names_cut": _m(
        zh="{layer}.dbf 的字段名被截断在汉字中间（dBASE 字段名最多 10 字节），按 {names_zh} 读取。",
        en="Field names of {layer}.dbf were cut inside a character (dBASE allows 10 bytes); read as {names_en}.",
        fix_zh="在列对应中核对这些列；改用 GeoPackage 可保留完整字段名。",
        fix_en="Check these columns in the mapping; GeoPackage keeps full field names."),
    "shp.gbk_detected": _m(
        zh="{layer}.dbf 没有 .cpg 编码说明，按内容识别为 GBK 读取（未按 Latin-1 误读）。",
        en="{layer}.dbf has no .cpg; its bytes are GBK and were read as such (not as Latin-1 mojibake).",
        fix_zh="无需处理；可在 Shapefile 旁加一个内容为 936 的 .cpg 文件。", fix_en="Nothing to do; a .cpg file saying 936 beside the Shapefile says so."),
    "shp.cpg_wrong": _m(
        zh="{layer}.cpg 声明的编码（{declared}）与内容不符，按内容识别为 {found} 读取。",
        en="{layer}.cpg says {declared!r} but the bytes are {found}; read as that.",
        fix_zh="修正 .cpg 文件内容（GBK 写 936，UTF-8 写 UTF-8）。", fix_en="Fix the .cpg (936 for GBK, UTF-8 for UTF-8)."),
    "shp.no_prj": _m(
        zh="{layer} 没有 .prj 坐标系文件：按所选坐标系读取坐标。", en="{layer} has no .prj: coordinates are read in the system you chose.",
        fix_zh="确认所选坐标系与数据一致；导出时带上 .prj 文件。", fix_en="Make sure the system chosen is right; export with the .prj next time."),
    # -- columns and the file's coordinate system ----------------------------------------------------------------------
    "column.duplicate": _m(
        zh="列 {headers_zh} 都对应“{target}”，无法确定以哪一列为准。", en="Columns {headers_en} all map to {target!r}; it is unclear which one counts.",
        fix_zh="在列对应中把其中一列设为“忽略”。", fix_en="Set all but one of them to 'ignore' in the column mapping."),
    "column.no_coordinates": _m(
        zh="文件中没有经纬度（或 X/Y、WKT）列：只能更新已有点位的属性，新点位无法定位。",
        en="The file has no longitude/latitude (or X/Y, WKT) column: only existing sites can be updated.",
        fix_zh="如需新增点位，请加入经度、纬度两列，或在列对应中指定坐标列。",
        fix_en="To add sites, add longitude and latitude columns, or map the coordinate columns."),
    "column.unmapped": _m(
        zh="以下列未对应到任何字段，导入时忽略：{headers_zh}。", en="These columns map to no field and are ignored: {headers_en}.",
        fix_zh="如需导入这些列，请在列对应中选择字段。", fix_en="Map them in the column mapping if they should be imported."),
    "source.sample_data": _m(
        zh="文件中的数据标注为“示例数据”（本系统导出的示例数据）：导入后将作为正式数据保存。",
        en="The file's rows are marked 示例数据 (sample data exported by this app): imported, they count as real data.",
        fix_zh="确认这确实是要导入的正式台账。", fix_en="Make sure this is the real ledger you mean to import."),
    "crs.unknown": _m(
        zh="未知坐标系“{value}”：请使用 wgs84、cgcs2000、gcj02、bd09，或 gk3:带号（25–45，福清为 gk3:40）/ gk3:中央经线（75–135，如 gk3:120）。",
        en="Unknown coordinate system {value!r}: use wgs84, cgcs2000, gcj02, bd09, or gk3:ZONE (zones 25–45; "
           "Fuqing is gk3:40) / gk3:CM (central meridian 75–135, e.g. gk3:120).",
        fix_zh="选择台账坐标实际所用的坐标系。", fix_en="Choose the system the ledger's coordinates are really in."),
    "crs.header_conflict": _m(
        zh="列“{column}”注明的坐标系与所选坐标系（{crs_zh}）不一致。",
        en="Column {column!r} names a different coordinate system than the one chosen ({crs_en}).",
        fix_zh="确认坐标实际所用的坐标系并重新选择。", fix_en="Check which system the coordinates are really in and choose it."),
    "crs.conflict|geographic": _m(
        zh="文件声明的坐标系为经纬度（{declared}），但所选为高斯-克吕格投影。",
        en="The file declares geographic coordinates ({declared}), but Gauss-Krüger was chosen.",
        fix_zh="坐标系改选 WGS84/CGCS2000（若数据来自高德/百度，选 GCJ-02/BD-09）。",
        fix_en="Choose WGS84/CGCS2000 (or GCJ-02/BD-09 for Gaode/Baidu data)."),
    "crs.conflict|zone": _m(
        zh="文件声明的坐标系为 {declared}（第 {zone} 带），与所选（{crs_zh}）不一致。",
        en="The file declares {declared} (zone {zone}), not {crs_en}.",
        fix_zh="坐标系改选“CGCS2000 高斯-克吕格 3° 分带”第 {zone} 带。", fix_en="Choose Gauss-Krüger 3° zone {zone}."),
    "crs.declared_differs": _m(
        zh="文件声明为 {declared}，所选为 {crs_zh}：将按所选坐标系转换。",
        en="The file declares {declared}; converting from {crs_en} as chosen.",
        fix_zh="确认数据确实来自高德/腾讯或百度（这类数据常被错误标注为 WGS84）。",
        fix_en="Make sure the data really comes from Gaode/Tencent or Baidu (often mislabelled WGS84)."),
    "crs.unsupported_declared": _m(
        zh="文件声明的坐标系为 {declared}，本系统不直接支持。", en="The file declares {declared}, which is not supported here.",
        fix_zh="在 QGIS 中将其转换为 WGS84（EPSG:4326）或 CGCS2000 高斯-克吕格 3° 分带后再导入。",
        fix_en="Reproject it to WGS84 (EPSG:4326) or CGCS2000 Gauss-Krüger 3° in QGIS, then import."),
    # -- one value: coordinates -----------------------------------------------------------------------------------------
    "coord.unreadable": _m(
        zh="无法将“{value}”识别为{axis_zh}（" + _ACCEPTED_ZH + "）。",
        en="Cannot read {value!r} as a {axis_en} (" + _ACCEPTED_EN + ").",
        fix_zh="把{axis_zh}改为十进制度或度分秒，" + _ACCEPTED_ZH + "。",
        fix_en="Write the {axis_en} as decimal degrees or DMS, " + _ACCEPTED_EN + "."),
    "coord.unreadable|pair": _m(
        zh="无法将“{value}”识别为坐标对：请写成“119.3958, 25.7210”（经度, 纬度）。",
        en="Cannot read {value!r} as a coordinate pair: write \"119.3958, 25.7210\" (longitude, latitude).",
        fix_zh="分成经度、纬度两列，或写成“经度, 纬度”。", fix_en="Split into longitude and latitude columns, or write \"lon, lat\"."),
    "coord.bad_dms": _m(
        zh="“{value}”：分、秒须小于 60（只有最后一部分可以带小数）。",
        en="{value!r}: minutes and seconds must be below 60 (and only the last part may have decimals).",
        fix_zh="核对度分秒的写法，例如 119°23′45.6″。", fix_en="Check the DMS value, e.g. 119°23′45.6″."),
    "gk.not_metres": _m(
        zh="无法将“{value}”识别为高斯-克吕格{axis_zh}（米）。", en="Cannot read {value!r} as a Gauss-Krüger {axis_en} in metres.",
        fix_zh="填写以米为单位的数值，如 2822000.50。", fix_en="Enter metres, e.g. 2822000.50."),
    "gk.not_metres|easting": _m(
        zh="东坐标 {value} 不是有效的高斯-克吕格东坐标（0–1000000 米，或带带号）。",
        en="Easting {value} is not a Gauss-Krüger easting (0–1 000 000 m, or zone-prefixed).",
        fix_zh="核对 X/Y 列及坐标系。", fix_en="Check the X/Y columns and the coordinate system."),
    "gk.zone_mismatch": _m(
        zh="东坐标 {value} 带号为 {prefix}，但所选为第 {zone} 带（中央经线 {cm}°E）。",
        en="Easting {value} carries zone {prefix}, but zone {zone} (CM {cm}°E) was chosen.",
        fix_zh="核对坐标系：选择第 {prefix} 带，或检查东坐标（福清为第 {fuqing} 带）。",
        fix_en="Choose zone {prefix}, or check the easting (Fuqing is zone {fuqing})."),
    "gk.mixed_eastings": _m(
        zh="部分东坐标带有带号、部分没有；同一文件请使用同一种写法。",
        en="Some eastings carry a zone prefix and some do not; use one form throughout the file.",
        fix_zh="统一东坐标写法后重新导入。", fix_en="Use one easting form throughout, then import again."),
    "coord.missing|xy": _m(
        zh="X/Y 坐标只填了一个。", en="Only one of X/Y is filled in.",
        fix_zh="同时填写 X（北坐标）和 Y（东坐标）。", fix_en="Fill in both X (northing) and Y (easting)."),
    "coord.missing|lonlat": _m(
        zh="经度、纬度只填了一个。", en="Only one of longitude/latitude is filled in.",
        fix_zh="同时填写经度和纬度。", fix_en="Fill in both longitude and latitude."),
    "coord.looks_geographic": _m(
        zh="坐标 {value} 像经纬度（度），但所选坐标系为高斯-克吕格（米）。",
        en="Coordinates {value} look like degrees, but a Gauss-Krüger system (metres) was chosen.",
        fix_zh="重新选择坐标系（WGS84/CGCS2000/GCJ-02/BD-09）。", fix_en="Choose a geographic system instead."),
    "coord.looks_geographic|geometry": _m(
        zh="几何坐标像经纬度（度），但所选坐标系为高斯-克吕格（米）。",
        en="The coordinates look like degrees, but a Gauss-Krüger system (metres) was chosen.",
        fix_zh="重新选择坐标系。", fix_en="Choose a geographic system."),
    "coord.looks_projected": _m(
        zh="坐标 {value} 是以米为单位的平面坐标，不是经纬度。", en="Coordinates {value} are metres, not degrees.",
        fix_zh=_FQ_GK_ZH, fix_en=_FQ_GK_EN),
    "coord.looks_projected|geometry": _m(
        zh="几何坐标是以米为单位的平面坐标，不是经纬度。", en="The geometry's coordinates are metres, not degrees.",
        fix_zh=_FQ_GK_ZH, fix_en=_FQ_GK_EN),
    "coord.swapped|xy": _m(
        zh="X、Y 两列填反了（X 应为北坐标），已自动更正。",
        en="X and Y were swapped (X is the northing by the Chinese convention); corrected.",
        fix_zh="下次请把北坐标填在 X 列、东坐标填在 Y 列。", fix_en="Put the northing in X and the easting in Y next time."),
    "coord.swapped|lonlat": _m(
        zh="经度、纬度填反了，已自动更正。", en="Longitude and latitude were swapped; corrected.",
        fix_zh="下次请把经度（约 119）填在经度列、纬度（约 25）填在纬度列。",
        fix_en="Put the longitude (~119) in the longitude column and the latitude (~25) in the latitude column."),
    "coord.swapped|gk_geometry": _m(
        zh="几何的 X、Y 坐标顺序颠倒，已自动更正。", en="The geometry's X/Y order was swapped; corrected.",
        fix_zh=_AXIS_FIX_ZH, fix_en=_AXIS_FIX_EN),
    "coord.swapped|geometry": _m(
        zh="几何的经纬度顺序颠倒（纬度在前），已自动更正。", en="The geometry has latitude first; corrected.",
        fix_zh=_AXIS_FIX_ZH, fix_en=_AXIS_FIX_EN),
    "coord.out_of_range": _m(
        zh="坐标 ({value}) 超出经纬度范围。", en="Coordinate ({value}) is outside ±180/±90.",
        fix_zh="核对经纬度数值。", fix_en="Check the values."),
    "coord.outside_fuqing": _m(
        zh="位置 ({value}) 不在福清市范围内。", en="The position ({value}) is outside Fuqing.",
        fix_zh="检查所选坐标系（高德为 GCJ-02、百度为 BD-09）、经纬度是否填反或数字是否有误。",
        fix_en="Check the coordinate system chosen (Gaode: GCJ-02, Baidu: BD-09), swapped columns, typos."),
    "coord.outside_county": _m(
        zh="位置 ({value}) 在福清市界外约 {km} 公里。", en="The position ({value}) is about {km} km outside the county line.",
        fix_zh="确认位置无误（海上排口可忽略此提示）。", fix_en="Make sure the position is right (fine for an outfall at sea)."),
    # -- geometry -------------------------------------------------------------------------------------------------------
    "geometry.unreadable": _m(
        zh="几何无法读取：{detail}。", en="The geometry cannot be read: {detail}.",
        fix_zh="在 GIS 软件中检查该要素的坐标（例如多边形未闭合、坐标缺失）。",
        fix_en="Check the feature's coordinates in a GIS (unclosed ring, missing coordinates)."),
    "geometry.unreadable|wkt": _m(
        zh="WKT 无法读取：{detail}。", en="The WKT cannot be read: {detail}.",
        fix_zh="检查 WKT 文本（如 POLYGON((经度 纬度, …))）。", fix_en="Check the WKT text."),
    "geometry.not_finite": _m(
        zh="几何中有无效坐标（NaN 或无穷大）。", en="The geometry has NaN or infinite coordinates.",
        fix_zh="在 GIS 软件中修复该要素。", fix_en="Fix the feature in a GIS."),
    "geometry.empty": _m(
        zh="此要素没有几何（空几何）。", en="The feature has no geometry (empty).",
        fix_zh="在 GIS 软件中为该要素绘制几何，或删除该要素。", fix_en="Draw the feature's geometry in a GIS, or delete it."),
    "geometry.empty|wkt": _m(
        zh="WKT 为空几何。", en="The WKT is an empty geometry.", fix_zh="填写有坐标的 WKT。", fix_en="Give a WKT with coordinates."),
    "geometry.empty|row": _m(
        zh="此行没有填写坐标。", en="The row has no coordinates.",
        fix_zh="填写经度、纬度（或 X、Y）。", fix_en="Fill in longitude and latitude (or X, Y)."),
    "geometry.empty|town": _m(
        zh="此要素没有几何。", en="The feature has no geometry.", fix_zh="为该镇街绘制边界面。", fix_en="Draw the town's boundary polygon."),
    "geometry.empty|check": _m(
        zh="{detail_zh}", en="{detail_en}", fix_zh="为该要素提供坐标。", fix_en="Give the feature coordinates."),
    "geometry.missing": _m(
        zh="新点位需要坐标，但文件中没有坐标列。", en="A new site needs coordinates but the file has no coordinate column.",
        fix_zh="加入经度、纬度两列（或 X、Y 列）。", fix_en="Add longitude and latitude (or X, Y) columns."),
    "geometry.needs_shape": _m(
        zh="{kind_zh}需要线或面几何，表格中的一个点无法表示{tail_zh}。",
        en="{kind_en} needs a line or polygon; a point in a table cannot give it{tail_en}.",
        fix_zh="用 Shapefile、GeoPackage、GeoJSON 或 KML 导入几何，或在表格中加一列 WKT。",
        fix_en="Import the shapes from a Shapefile, GeoPackage, GeoJSON or KML, or add a WKT column."),
    "geometry.invalid": _m(
        zh="{detail_zh}", en="{detail_en}",
        fix_zh="在 QGIS 中用“修复几何”（Fix geometries）修正后重新导入。", fix_en="Repair it in QGIS (Fix geometries) and import again."),
    "geometry.invalid|town": _m(
        zh="边界几何无效（{detail}）。", en="Invalid boundary ({detail}).",
        fix_zh="在 QGIS 中用“修复几何”修正后重新导入。", fix_en="Repair it in QGIS (Fix geometries) and import again."),
    "geometry.wrong_type": _m(
        zh="{detail_zh}", en="{detail_en}",
        fix_zh="{kind_zh}需要 {types}，请检查所选类型或文件。", fix_en="{kind_en} needs {types}: check the kind or the file."),
    "geometry.wrong_type|town": _m(
        zh="镇街边界需要面几何，收到 {value}。", en="A town boundary needs a polygon, got {value}.",
        fix_zh="导入面图层。", fix_en="Import a polygon layer."),
    "geometry.empty|area": _m(
        zh="此要素的几何为空。", en="The feature's geometry is empty.",
        fix_zh="在 GIS 软件中为该要素绘制范围面，或删除该要素。", fix_en="Draw the polygon in a GIS, or delete the feature."),
    "geometry.empty|no_area": _m(
        zh="此要素没有几何：参考范围需要面。", en="The feature has no geometry: a reference area needs polygons.",
        fix_zh="用 Shapefile、GeoPackage、GeoJSON 或 KML 导入范围面，或在表格中加一列 WKT。",
        fix_en="Import the polygons from a Shapefile, GeoPackage, GeoJSON or KML, or add a WKT column."),
    "geometry.invalid|area": _m(
        zh="范围几何无效（{detail}）。", en="Invalid polygon ({detail}).",
        fix_zh="在 QGIS 中用“修复几何”修正后重新导入。", fix_en="Repair it in QGIS (Fix geometries) and import again."),
    "geometry.wrong_type|area": _m(
        zh="{kind_zh}需要面几何，收到 {value}。", en="{kind_en} needs polygons, got {value}.",
        fix_zh="导入面图层（多边形）。", fix_en="Import a polygon layer."),
    "geometry.not_lonlat": _m(
        zh="{detail_zh}", en="{detail_en}",
        fix_zh="检查所选坐标系后重新导入。", fix_en="Check the coordinate system chosen and import again."),
    # -- one row: kind, id, text, town, status, fields -----------------------------------------------------------------
    "row.other_kind": _m(
        zh="此行属于“{other_zh}”，不是所选的“{kind_zh}”。", en="This row is a {other_en} site, not {kind_en}.",
        fix_zh="以“{other_zh}”类型单独导入这些行，或从文件中删除。", fix_en="Import these rows as {other_en}, or delete them from the file."),
    "site_id.number_precision": _m(
        zh="编号 {value} 以数字保存，Excel 只保留 15 位有效数字，可能已失真。",
        en="The id {value} is stored as a number; Excel keeps only 15 digits.",
        fix_zh="在 Excel 中把编号列设为“文本”格式后重新填写。", fix_en="Format the id column as text in Excel and retype it."),
    "site_id.invalid": _m(
        zh="编号“{value}”无效：不能含空白或控制字符，且不超过 {limit} 个字符。",
        en="Id {value!r} is invalid: no spaces or control characters, at most {limit} characters.",
        fix_zh="改用不含空格的编号，如 PWK-001。", fix_en="Use an id without spaces, e.g. PWK-001."),
    "site_id.other_kind|stored": _m(
        zh="编号“{value}”已被{other_zh}使用。", en="Id {value!r} already belongs to a {other_en} site.",
        fix_zh="核对所选类型（{kind_zh}）或改用新编号。", fix_en="Check the kind chosen ({kind_en}) or use a new id."),
    "site_id.other_kind|prefix": _m(
        zh="编号“{value}”的前缀 {prefix} 属于“{other_zh}”，不是“{kind_zh}”（前缀 {own_prefix}）。",
        en="Id {value!r} has the prefix of {other_en} ({prefix}), not {kind_en} ({own_prefix}).",
        fix_zh="核对所选类型或编号。", fix_en="Check the kind chosen or the id."),
    "site_id.duplicate_in_file": _m(
        zh="编号“{value}”在文件中重复出现（另见第 {others} 行）。", en="Id {value!r} appears more than once in the file (also row(s) {others}).",
        fix_zh="每个点位只保留一行，或改正重复的编号。", fix_en="Keep one row per site, or correct the duplicated id."),
    "site_id.generated": _m(
        zh="此行没有编号，已分配新编号 {value}。", en="The row has no id; it gets the new id {value}.",
        fix_zh="把编号列补进台账：下次导入才会更新这些点位，而不是重复新增。",
        fix_en="Add the id column to the ledger so that the next import updates these sites instead of adding them again."),
    "field.required|missing_column": _m(
        zh="{kind_zh}的“{field_zh}”为必填项，但文件中没有对应的列。", en="{kind_en}: {field_en} is required but the file has no column for it.",
        fix_zh="在台账中加入“{field_zh}”列，或在列对应中指定。", fix_en="Add a {field_en} column, or map one in the column mapping."),
    "field.required": _m(
        zh="“{field_zh}”为必填项，此行为空。", en="{field_en} is required and is empty here.",
        fix_zh="填写“{field_zh}”。", fix_en="Fill in {field_en}."),
    "field.required|town_column": _m(
        zh="所属镇街为必填项，但文件中没有对应的列。", en="The town/street is required but the file has no column for it.",
        fix_zh="加入“所属镇街”列，或在列对应中指定。", fix_en="Add a 所属镇街 (town) column, or map one."),
    "field.required|town": _m(
        zh="“所属镇街”为必填项，此行为空。", en="The town/street is required and is empty here.",
        fix_zh="填写镇街名称，如 海口镇。", fix_en="Fill in the town, e.g. 海口镇."),
    "field.required|town_boundary": _m(
        zh="无法确定此要素是哪个镇街：没有镇街名称或代码。", en="Cannot tell which town this feature is: no town name or code.",
        fix_zh="在属性表中加入镇街名称或统计用区划代码列。", fix_en="Add a town name or statistics-code column."),
    "text.formula_like": _m(
        zh="文字“{value}”以 {first} 开头：按文字原样保存，不会作为公式执行。",
        en="Text {value!r} starts with {first}: stored as text, unchanged, never run as a formula.",
        fix_zh="确认这是想要的内容。", fix_en="Make sure this is what was meant."),
    "text.control_removed": _m(
        zh="“{field_zh}”中含有 {n} 个控制字符或隐藏的方向控制符（{chars}），已删除。",
        en="{field_en} held {n} control or hidden direction character(s) ({chars}); they were removed.",
        fix_zh="在台账中删除这些不可见字符（常见于从网页或聊天软件复制的文字）。",
        fix_en="Remove these invisible characters from the ledger (they come with text copied from web pages or chats)."),
    "text.too_long": _m(
        zh="“{field_zh}”长 {n} 个字符，超过上限 {limit} 个字符。", en="{field_en} is {n} characters long; the limit is {limit}.",
        fix_zh="把“{field_zh}”缩短到 {limit} 个字符以内，详细说明可放在备注或附件中。",
        fix_en="Shorten {field_en} to at most {limit} characters; keep long explanations in notes or attachments."),
    "cell.formula_no_value": _m(
        zh="该单元格是公式，但文件中没有保存计算结果。", en="The cell is a formula whose result was not saved in the file.",
        fix_zh="在 Excel 中打开文件、保存一次（或把公式改为数值）后重新导入。",
        fix_en="Open the file in Excel and save it once (or paste values), then import again."),
    "cell.excel_error": _m(
        zh="单元格为 Excel 错误值 {value}：其公式计算失败。", en="The cell holds the Excel error {value}: the formula behind it failed.",
        fix_zh="在 Excel 中修正公式或改填数值后重新导入。", fix_en="Fix the formula in Excel, or type the value, and import again."),
    "town.unknown": _m(
        zh="镇街“{value}”不在福清市的镇街名录中。", en="{value!r} is not one of Fuqing's towns or streets.",
        fix_zh="{hint_zh}", fix_en="{hint_en}"),
    "town.conflict": _m(
        zh="“{a}”与“{b}”指向不同的镇街（{town_a_zh} / {town_b_zh}）。",
        en="{a!r} and {b!r} name different towns ({town_a_en} / {town_b_en}).",
        fix_zh="改正其中一列，使两者一致。", fix_en="Make the two columns agree."),
    "town.boundary_mismatch": _m(
        zh="记录的镇街为“{value}”，但位置在“{found}”的官方边界内。",
        en="The recorded town is {value}, but the position lies inside the official boundary of {found}.",
        fix_zh="核对所属镇街或坐标。", fix_en="Check the town or the coordinates."),
    "town.duplicate_in_file": _m(
        zh="镇街“{town_zh}”在文件中出现多次（另见第 {others} 个要素）。",
        en="The town {town_en} appears more than once (also feature(s) {others}).",
        fix_zh="每个镇街只保留一个要素（多个部分请合并为一个多面）。", fix_en="Keep one feature per town (merge parts into one multipolygon)."),
    "status.unknown": _m(
        zh="{kind_zh}没有“{value}”这一状态；流程为：{allowed_zh}。", en="{kind_en}: status {value!r} is unknown; the workflow is {allowed_en}.",
        fix_zh="改为以下状态之一：{allowed_zh}。", fix_en="Use one of: {allowed_en}."),
    "status.conflict": _m(
        zh="“{a}”（{status_a_zh}）与“{b}”（{status_b_zh}）不一致。",
        en="{a!r} ({status_a_en}) and {b!r} ({status_b_en}) give different statuses.",
        fix_zh="改正其中一列，使两者一致。", fix_en="Make the two columns agree."),
    "status.backwards": _m(
        zh="状态将从“{old_zh}”退回“{new_zh}”。", en="The status goes back from {old_en!r} to {new_en!r}.",
        fix_zh="确认台账无误（导入不受流程顺序限制）。", fix_en="Make sure the ledger is right (imports are not bound by the workflow)."),
    "status.defaulted": _m(
        zh="未填写状态，按流程第一步“{status_zh}”导入。", en="No status given: imported as the first step, {status_en!r}.",
        fix_zh="如不正确，请在台账中填写状态。", fix_en="Fill in the status in the ledger if that is not right."),
    "status.read_as|remediating": _m(
        zh="“{value}”按整治阶段“整治中”导入。", en="{value!r} is read as the remediation step, 整治中 (remediating).",
        fix_zh="如该排口已整治完成，请写“整治完成”（或“已取缔”“已合并”“已规范”）；已销号写“销号”。",
        fix_en="If the remediation is finished, write 整治完成 (or 已取缔 / 已合并 / 已规范); if the case is closed, 销号."),
    "status.read_as|surveyed": _m(
        zh="“{value}”只说明尚未整治，按“已排查”导入。", en="{value!r} only says it is not remediated yet: read as 已排查 (surveyed).",
        fix_zh="如已完成监测或溯源，请写“已监测”或“已溯源”。", fix_en="If monitoring or tracing is done, write 已监测 or 已溯源."),
    "status.implies_conflict": _m(
        zh="状态“{status}”表明{field_zh}为“{implied_zh}”，与“{other}”列的“{given}”不一致。",
        en="The status {status!r} means {field_en} {implied_en!r}, but {other!r} says {given!r}.",
        fix_zh="改正其中一列，使两者一致。", fix_en="Make the two columns agree."),
    "field.dependent_cleared": _m(
        zh="{parent_zh}改变后，原{field_zh}“{old_zh}”不再适用，已清空。",
        en="With the new {parent_en}, the stored {field_en} {old_en!r} no longer fits: it is cleared.",
        fix_zh="如需保留，请在台账中填写“{field_zh}”。", fix_en="Give the {field_en} in the ledger to keep one."),
    "field.bad_number": _m(
        zh="“{field_zh}”的值“{value}”无效；{hint_zh}。", en="{field_en}: {value!r} is not valid; {hint_en}.",
        fix_zh="{hint_zh}。", fix_en="{hint_en}."),
    "field.bad_date": _m(
        zh="“{field_zh}”的值“{value}”无效；请按 YYYY-MM-DD 填写日期，如 2025-12-31。",
        en="{field_en}: {value!r} is not valid; enter a date as YYYY-MM-DD, e.g. 2025-12-31.",
        fix_zh="请按 YYYY-MM-DD 填写日期，如 2025-12-31。", fix_en="Enter a date as YYYY-MM-DD, e.g. 2025-12-31."),
    "field.bad_bool": _m(
        zh="“{field_zh}”的值“{value}”无效；请填写“是”或“否”。", en="{field_en}: {value!r} is not valid; enter 是/否 (yes/no).",
        fix_zh="请填写“是”或“否”。", fix_en="Enter 是/否 (yes/no)."),
    "field.bad_choice": _m(
        zh="“{field_zh}”的值“{value}”不在可选范围内：{allowed_zh}。", en="{field_en}: {value!r} is not one of the allowed values: {allowed_en}.",
        fix_zh="改为以下之一：{allowed_zh}。", fix_en="Use one of: {allowed_en}."),
    "kind.unknown": _m(
        zh="未知的导入类型“{value}”；可用：{allowed}。", en="Unknown kind {value!r}; use one of: {allowed}.",
        fix_zh="从以上类型中选择一个。", fix_en="Pick one of the kinds listed."),
    # -- monitoring tables (observations): the file, its columns, one row ------------------------------------------------
    # ``{noun_zh}`` is the spec's word for its sites (水体, 排污口 ...); English says ``site`` for every kind.
    "format.not_a_table": _m(
        zh="“{name}”不是表格文件；监测数据请用 xlsx 或 CSV。", en="{name} is not a table; monitoring data comes as xlsx or CSV.",
        fix_zh="另存为 xlsx 或 CSV 后导入。", fix_en="Save it as xlsx or CSV and import that."),
    "table.header_found": _m(
        zh="表头位于第 {row} 行，其上方各行未作为数据读取。", en="The header is row {row}; the rows above it were not read as data.",
        fix_zh="如表头识别有误，请删除表头上方的各行后重新导入。", fix_en="If the header is wrong, delete the rows above it and import again."),
    "columns.duplicate": _m(
        zh="列“{headers_zh}”都表示{target_zh}。", en="columns {headers_en} all hold {target_en}.",
        fix_zh="只保留其中一列。", fix_en="Keep one of them."),
    "columns.missing": _m(
        zh="缺少{what_zh}列；现有表头：{headers_zh}。", en="no column for {what_en}; the headers are: {headers_en}.",
        fix_zh="添加该列，表头可写：{names_zh}。", fix_en="Add the column, headed one of: {names_en}."),
    "columns.missing|site": _m(
        zh="缺少{noun_zh}（编号或名称）列；现有表头：{headers_zh}。",
        en="no column for the {noun_en} (id or name); the headers are: {headers_en}.",
        fix_zh="添加该列，表头可写：{names_zh}。", fix_en="Add the column, headed one of: {names_en}."),
    "obs.bad_time": _m(
        zh="“{value}”不是时刻；请写成 时:分，如 09:30。", en="{value!r} is not a time of day; write it as HH:MM, e.g. 09:30.",
        fix_zh="按 HH:MM 填写，如 09:30。", fix_en="Write HH:MM, e.g. 09:30."),
    "cell.formula_no_value|obs": _m(
        zh="公式单元格没有保存计算结果。", en="a formula cell without its computed value.",
        fix_zh="在 Excel 中打开并保存（或把公式改为数值）后重新导入。",
        fix_en="Open and save it in Excel (or paste values), then import again."),
    "obs.date_missing": _m(
        zh="缺少日期。", en="the date is missing.",
        fix_zh="填写采样日期，如 2025-03-01。", fix_en="Enter the date, e.g. 2025-03-01."),
    "obs.required": _m(
        zh="缺少“{field_zh}”。", en="{field_en} is missing.", fix_zh="填写“{field_zh}”。", fix_en="Fill in {field_en}."),
    "obs.nothing_measured": _m(
        zh="该行没有任何监测值（{fields_zh}）。", en="the row holds no measured value ({fields_en}).",
        fix_zh="至少填写一项监测值，或删除该行。", fix_en="Enter at least one measured value, or delete the row."),
    "obs.duplicate_in_file": _m(
        zh="与第 {first} 行重复（同一{what_zh}）。", en="repeats row {first} (the same {what_en}).",
        fix_zh="删除重复行，或更正{fields_zh}。", fix_en="Delete the repeated row, or correct its {fields_en}."),
    "obs.already_recorded": _m(
        zh="{what_zh} 已有不同数值的记录（#{obs_id}，{by} 录入）。",
        en="{what_en} is already recorded with other values (#{obs_id}, by {by}).",
        fix_zh="如需改正已保存的数据，请更正第 {obs_id} 号记录（写明理由），不要重复导入。",
        fix_en="To change the stored values, correct row #{obs_id} (with a reason) instead of importing it again."),
    "site.not_found": _m(
        zh="不存在编号为“{value}”的{kind_zh}。", en="no {kind_en} site has the id {value!r}.",
        fix_zh="核对编号（地图详情或导出表中可查），或改写{noun_zh}名称。",
        fix_en="Check the id (map panel or an export), or give the {noun_en}'s name."),
    "obs.wrong_kind": _m(
        zh="“{value}”是{other_zh}，不是{kind_zh}。", en="{value} is a {other_en} site, not {kind_en}.",
        fix_zh="填写{kind_zh}的编号。", fix_en="Give the id of a {kind_en} site."),
    "site.name_differs": _m(
        zh="编号 {id} 的名称为“{stored}”，表中写作“{value}”；按编号导入。",
        en="{id} is named {stored!r}, the row says {value!r}; imported by id.",
        fix_zh="核对编号与名称：导入以编号为准；如编号有误请改正，否则无需处理。",
        fix_en="Check the id and the name: the import goes by the id; correct the id if it is wrong, else nothing to do."),
    "site.name_unknown": _m(
        zh="没有名为“{value}”的{kind_zh}。", en="no {kind_en} site is named {value!r}.",
        fix_zh="核对名称，或填写{noun_zh}编号。", fix_en="Check the name, or give the {noun_en} id."),
    "site.name_ambiguous": _m(
        zh="名为“{value}”的{kind_zh}有多个：{ids}。", en="several {kind_en} sites are named {value!r}: {ids}.",
        fix_zh="填写{noun_zh}编号以区分。", fix_en="Give the {noun_en} id instead."),
    "site.missing": _m(
        zh="缺少{noun_zh}编号或名称。", en="neither a {noun_en} id nor a name.",
        fix_zh="填写{noun_zh}编号（或名称）。", fix_en="Enter the {noun_en} id (or its name)."),
    # -- monitoring tables: what the file adds to each site's campaigns (warnings) -------------------------------------
    "assessment.grade": _m(
        zh="{site} {period_zh}：{grade_zh}（{rule_zh}）", en="{site} {period_en}: {grade_en} ({rule_en})",
        fix_zh="无需处理：这是该点位加上本次导入数据后的评估，供核对。",
        fix_en="Nothing to do: this is the site's assessment with the imported rows, for checking."),
    # A finding of the domain's rules (its own code and words), said of one site: the problem keeps that code.
    "obs.site_finding": _m(
        zh="{site}：{detail_zh}", en="{site}: {detail_en}",
        fix_zh="按提示核对该点位的监测数据（不影响导入）。",
        fix_en="Check the site's readings as the warning says (the import is not affected)."),
    # -- a table of readings to grade (cli.py grade): the first bad cell stops the file --------------------------------
    "grading.duplicate_column": _m(
        zh="“{first}”与“{second}”两列含义相同（均为 {target}）；请只保留一列。",
        en="Columns {first!r} and {second!r} both hold {target}; keep one.",
        fix_zh="删除其中一列，只保留一列。", fix_en="Delete one of the two columns."),
    "grading.missing_column": _m(
        zh="表头缺少列：{missing_zh}；现有表头：{headers}。"
           "列名应为 水体、点位、轮次、透明度、水深、溶解氧、氧化还原电位、氨氮（或英文 water_body, point, round …）。",
        en="Header row: missing column(s) {missing_en}; the header has: {headers}. "
           "Name the columns water_body, point, round, transparency_cm, depth_cm, do_mg_l, orp_mv, nh3n_mg_l "
           "(or 水体, 点位, 轮次, 透明度, 水深, 溶解氧, 氧化还原电位, 氨氮).",
        fix_zh="在表头中加入缺少的列：{missing_zh}。", fix_en="Add the missing column(s) to the header: {missing_en}."),
    # A cell's error, worded by the check that found it (its own code and fix), said with the row and the column.
    "grading.cell": _m(
        zh="第 {row} 行“{column}”列：{detail_zh}", en="row {row}, column {column}: {detail_en}",
        fix_zh="{detail_fix_zh}", fix_en="{detail_fix_en}"),
    "grading.water_body_missing": _m(
        zh="第 {row} 行“{column}”列：缺少水体名称；请填写。", en="row {row}, column {column}: the water body is missing; enter it.",
        fix_zh="在第 {row} 行“{column}”列填写水体名称。", fix_en="Enter the water body in row {row}, column {column}."),
    "grading.no_readings": _m(
        zh="文件只有表头，没有数据行；请填写监测数据。", en="The file has a header but no data rows; add the readings.",
        fix_zh="在表头下方填写监测数据。", fix_en="Add the readings below the header."),
    # -- a ledger status its site's evidence does not support --------------------------------------------------------
    "status.evidence_missing": _m(
        zh="{site} 不能记为该状态：{missing_zh}", en="{site} cannot take this status: {missing_en}",
        fix_zh="需要：{needed_zh}。请先导入监测数据，或把状态改为当前证据支持的状态。",
        fix_en="Needed: {needed_en}. Import the readings first, or give the status the evidence supports."),
    "status.evidence_override": _m(
        zh="{site} 的状态缺少证据（{missing_zh}），将按越过理由“{reason}”导入并记录。",
        en="{site}: the status lacks its evidence ({missing_en}); imported under the override {reason!r}, which is recorded.",
        fix_zh="无需处理：越过理由随导入记录；如不应越过，请去掉越过理由后重新导入。",
        fix_en="Nothing to do: the override reason is recorded with the import; if it is not meant, import again without it."),
}


def code_of(key: str) -> str:
    """The problem code of a table key (``"coord.missing|xy"`` -> ``"coord.missing"``)."""
    return key.split("|", 1)[0]


def text(key: str, **params: Any) -> dict[str, str]:
    """The four texts of ``key`` (``zh``, ``en``, ``fix_zh``, ``fix_en``), filled with ``params``.

    Raises
    ------
    KeyError
        ``key`` is not in :data:`MESSAGES` (a test keeps that from happening).
    """
    m = MESSAGES[key]
    return {"zh": m.zh.format_map(params), "en": m.en.format_map(params),
            "fix_zh": m.fix_zh.format_map(params), "fix_en": m.fix_en.format_map(params)}


def ingest_error(key: str, *, value: Any = None, **params: Any):
    """A whole-file :class:`~geo.ingest.problems.IngestError` for ``key``; ``value`` is what the report shows."""
    from geo.ingest.problems import IngestError

    from geo.ingest.problems import short

    ctx = {k: v for k, v in params.items() if k == "choices"}
    if value is not None:
        value = short(value, 80)
        params["value"] = value
    return IngestError(code_of(key), value=params.get("name") if value is None else value, **ctx, **text(key, **params))


def invalid(key: str, *, value: Any = None, code: str | None = None, context: dict[str, Any] | None = None,
            **params: Any) -> ValidationError:
    """A :class:`~geo.errors.ValidationError` for one bad value, worded by the entry ``key``.

    Parameters
    ----------
    key : str
        The table key; its code is the error's code unless ``code`` is given.
    value : optional
        The bad value: shortened to one line, it goes into the message as ``{value}``.
    code : str, optional
        The code to raise instead of the key's: for a finding another check worded, which the entry
        only frames (e.g. says with its row and column).
    context : dict, optional
        The error's context (row, column ...) instead of ``{"value": value}``.
    **params
        The other values the templates name.
    """
    from geo.ingest.problems import short

    shown = "" if value is None else short(value, 80)
    ctx = {"value": shown} if context is None else context
    return ValidationError(code or code_of(key), **ctx, **text(key, value=shown, **params))
