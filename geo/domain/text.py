"""User text (names, bodies, notes) as the store keeps it: NFC, no control characters, within its length (pure).

Text arrives from ledgers, forms and the CLI. What the app accepts:

* Unicode NFC (a name typed on two systems compares equal);
* no control characters: C0 (NUL, BEL, ESC …) and C1 codes, DEL, and the
  invisible direction controls (U+202A–U+202E, U+2066–U+2069, U+200E/F,
  U+061C) that make ``排口`` display as ``口排``. A NUL cut names short in the
  Shapefile export; ESC sequences recolour a terminal. Line breaks and tabs
  are kept only in multi-line text (notes) and become spaces elsewhere;
* at most the field's length (:attr:`layers.spec.Field.limit`; the limits are
  in ``layers/spec.py``).

An import removes what it must with a warning (:func:`normalise`); a store
write refuses text that still breaks a rule (:func:`check_text`).
"""

from __future__ import annotations

import re
import unicodedata

from geo.errors import ValidationError

__all__ = ["CONTROL", "check_text", "describe", "normalise"]

#: Characters refused in stored text (tab, line feed and carriage return are handled apart).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\r\n]")
_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BS", "\x1b": "ESC", "\x7f": "DEL"}


def describe(chars: str | list[str]) -> str:
    """``NUL, ESC, U+202E`` for the characters found (each once, in order)."""
    seen: list[str] = []
    for ch in chars:
        if ch not in seen:
            seen.append(ch)
    return ", ".join(_NAMES.get(ch, f"U+{ord(ch):04X}") for ch in seen)


def normalise(text: str, *, multiline: bool = False) -> tuple[str, list[str]]:
    """(``text`` in NFC without control characters, the characters removed).

    Line breaks and tabs become spaces unless ``multiline`` (then a CR LF or
    CR becomes LF and tabs stay); they are not counted as removed.
    """
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = _BREAKS.sub(" ", text)
    removed = CONTROL.findall(text)
    if removed:
        text = CONTROL.sub("", text)
    return text, removed


def check_text(value: str | None, *, field_zh: str, field_en: str, limit: int | None,
               multiline: bool = False) -> str | None:
    """``value`` as the store keeps it (NFC; line breaks as spaces unless ``multiline``).

    Raises
    ------
    ValidationError
        ``text.control_chars`` naming the characters, ``text.too_long`` naming
        the length and the limit.
    """
    if value is None:
        return None
    text, removed = normalise(str(value), multiline=multiline)
    if removed:
        chars = describe(removed)
        raise ValidationError(
            "text.control_chars",
            zh=f"“{field_zh}”含有控制字符或隐藏的方向控制符（{chars}），不能保存。",
            en=f"{field_en} holds control or hidden direction characters ({chars}); it cannot be saved.",
            fix_zh="删除这些不可见字符后重试（常见于从网页或聊天软件复制的文字）。",
            fix_en="Remove these invisible characters and retry (they come with text copied from web pages or chats).",
            field=field_en, value=chars)
    if limit is not None and len(text) > limit:
        raise ValidationError(
            "text.too_long",
            zh=f"“{field_zh}”长 {len(text)} 个字符，超过上限 {limit} 个字符。",
            en=f"{field_en} is {len(text)} characters long; the limit is {limit}.",
            fix_zh=f"把“{field_zh}”缩短到 {limit} 个字符以内。", fix_en=f"Shorten {field_en} to at most {limit} characters.",
            field=field_en, value=f"{len(text)} > {limit}")
    return text
