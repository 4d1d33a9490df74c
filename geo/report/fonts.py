"""The Simplified Chinese font for PDFs and map images, from a pip package (no internet, no system font).

NotoSansSC-Regular.otf (SIL Open Font License 1.1) ships in the package
``pylopdf-fonts-zh-cn``. The report embeds a TrueType subset of it
(:func:`truetype_subset`), so its text renders everywhere and can be searched
and copied; matplotlib draws the map image's labels with the font itself.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from geo.errors import StoreError

__all__ = ["FONT_FAMILY", "cjk_font_path", "cjk_font_properties", "truetype_subset"]

#: The family name the report registers the font under.
FONT_FAMILY = "NotoSansSC"
_INSTALL = "pip install pylopdf-fonts-zh-cn"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of NotoSansSC-Regular.otf.

    Raises
    ------
    StoreError
        ``report.font_missing`` when the package or its file is missing.
    """
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError as exc:
        raise StoreError(
            "report.font_missing",
            en=f"The Chinese font for reports is not installed: run `{_INSTALL}` (see requirements.txt).",
            zh=f"未安装报告所需的中文字体：请运行 `{_INSTALL}`（见 requirements.txt）。",
        ) from exc
    path = Path(sans_path())
    if not path.is_file():
        raise StoreError(
            "report.font_missing",
            en=f"The Chinese font file {path} is missing: reinstall it with `{_INSTALL} --force-reinstall`.",
            zh=f"中文字体文件 {path} 缺失：请运行 `{_INSTALL} --force-reinstall` 重新安装。",
            path=str(path),
        )
    return path


@lru_cache(maxsize=1)
def cjk_font_properties():
    """A matplotlib ``FontProperties`` for the font (thread-safe to share: it is only read)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(cjk_font_path()))


#: Characters every subset carries, whatever the text: ASCII and common CJK punctuation.
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！“”‘’（）《》【】—…·　≥≤％×→"


def truetype_subset(chars: Iterable[str]) -> bytes:
    """NotoSansSC cut down to ``chars`` (plus ASCII), with its outlines converted to TrueType.

    Why: fpdf2 embeds a CFF (OpenType/PostScript) font through its own
    encoding CMap, which some PDF readers (pypdf among them) decode byte by
    byte, so the text of a document using more than 255 distinct characters
    comes out garbled there. A TrueType font is embedded with the standard
    Identity-H encoding, which every reader decodes. Converting a few hundred
    glyphs takes a fraction of a second; curves are approximated to within
    one font unit (1/1000 em).

    Parameters
    ----------
    chars : iterable of str
        The characters the document uses.

    Returns
    -------
    bytes
        A TrueType font file.
    """
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.desubroutinize = True
    opts.drop_tables += ["VORG", "vhea", "vmtx", "GPOS", "GSUB", "GDEF", "BASE"]
    font = TTFont(str(cjk_font_path()), lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(set("".join(chars)) | set(_ALWAYS))))
    sub.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name in order:
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyf[name], "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for key in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, key, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()
