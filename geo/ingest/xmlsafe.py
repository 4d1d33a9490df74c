"""XML from uploads, parsed safely: defusedxml with DTDs forbidden, whatever the encoding, nesting bounded.

Why not a byte search for ``<!DOCTYPE``: a UTF-16 file spells it
``<\\0!\\0D\\0…`` and slips through (measured: nested entities were expanded
into a site name). Here the parser itself refuses any DTD, entity
declaration or external reference, in every encoding it reads; encodings it
cannot read natively (UTF-32, GBK/GB18030 declared in the prolog) are
decoded strictly by Python first and handed over as UTF-8, so the same rule
applies to them. Nesting is counted while parsing (``iterparse`` events), so
a file of 5,000 nested folders is refused before any code walks the tree.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO, Callable
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from geo.errors import OneMapError
from geo.ingest.messages import ingest_error
from geo.ingest.safety import MAX_XML_DEPTH

__all__ = ["check_prolog", "parse_xml", "sax_parse", "to_parser_bytes"]

_DECL = re.compile(rb"^<\?xml[^>]*?\?>")
_DECL_ENCODING = re.compile(r"""(encoding\s*=\s*)(["'])[^"']*\2""")
_GBK_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "x-gbk", "gb_2312-80"}


def _declared_encoding(data: bytes) -> str | None:
    m = _DECL.match(data[:200])
    if not m:
        return None
    found = re.search(rb"""encoding\s*=\s*["']([^"']+)["']""", m.group(0))
    return found.group(1).decode("ascii", "replace").strip().lower() if found else None


def to_parser_bytes(data: bytes) -> bytes:
    """``data`` as bytes expat can read: unchanged for UTF-8/UTF-16/Latin-1, else strictly decoded to UTF-8.

    Raises
    ------
    UnicodeDecodeError
        The bytes are not in the encoding they announce (the caller refuses the file).
    """
    text = None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = data.decode("utf-32")
    elif data.startswith(b"<\x00\x00\x00"):
        text = data.decode("utf-32-le")
    elif data.startswith(b"\x00\x00\x00<"):
        text = data.decode("utf-32-be")
    elif (_declared_encoding(data) or "") in _GBK_NAMES:
        text = data.decode("gb18030")
    if text is None:
        return data
    text = text.lstrip("\ufeff")
    head, sep, rest = text.partition("?>")
    if head.startswith("<?xml") and sep:
        head = _DECL_ENCODING.sub(lambda m: f"{m.group(1)}{m.group(2)}UTF-8{m.group(2)}", head)
        text = head + sep + rest
    return text.encode("utf-8")


def parse_xml(data: bytes, name: str, *, doctype_key: str = "kml.doctype", invalid_key: str = "kml.invalid",
              deep_key: str = "kml.too_deep", max_depth: int = MAX_XML_DEPTH) -> Element:
    """The root element of ``data``; DTDs, entities and external references refused, depth bounded.

    Raises
    ------
    IngestError
        ``doctype_key`` (a DTD/entity/external reference), ``deep_key``
        (nested deeper than ``max_depth``) or ``invalid_key`` (not
        well-formed, or not in the encoding it claims).
    """
    try:
        source = to_parser_bytes(data)
        depth = 0
        root = None
        for event, elem in iterparse(io.BytesIO(source), events=("start", "end"), forbid_dtd=True,
                                     forbid_entities=True, forbid_external=True):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                if depth > max_depth:
                    raise ingest_error(deep_key, name=name, limit=max_depth)
            else:
                depth -= 1
    except OneMapError:
        raise
    except DefusedXmlException as exc:
        raise ingest_error(doctype_key, name=name) from exc
    except (ParseError, UnicodeError, ValueError) as exc:
        raise ingest_error(invalid_key, name=name, detail=str(exc)[:200]) from exc
    if root is None:
        raise ingest_error(invalid_key, name=name, detail="no root element")
    return root


class _RootSeen(Exception):
    """Raised by the prolog check's target at the first element: the prolog is over."""


class _StopAtRoot:
    def start(self, tag, attrib):
        raise _RootSeen

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        return None


def check_prolog(stream: BinaryIO, name: str, member: str, *, doctype_key: str = "xlsx.doctype",
                 chunk: int = 64 * 1024) -> None:
    """Refuse an XML part that declares a DTD; read only up to its root element (a DTD can only come before it).

    ``stream`` is read in chunks (a ZIP member is decompressed as far as needed, no further).
    A part that is not well-formed is left to the reader that needs it.
    """
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        while True:
            block = stream.read(chunk)
            if not block:
                return
            parser.feed(block)
    except _RootSeen:
        return
    except DefusedXmlException as exc:
        raise ingest_error(doctype_key, name=name, member=member) from exc
    except (ParseError, ValueError):
        return


def sax_parse(data: bytes, handler, name: str, member: str, *, on_error: Callable[[Exception], Exception]) -> None:
    """Stream ``data`` through a SAX ``handler`` with defusedxml (DTDs forbidden); no tree is built.

    ``on_error`` turns a parse error into the exception to raise.
    """
    import xml.sax

    import defusedxml.sax

    try:
        defusedxml.sax.parseString(to_parser_bytes(data), handler, forbid_dtd=True, forbid_entities=True,
                                   forbid_external=True)
    except OneMapError:
        raise
    except DefusedXmlException as exc:
        raise ingest_error("xlsx.doctype", name=name, member=member) from exc
    except (xml.sax.SAXException, UnicodeError, ValueError) as exc:
        raise on_error(exc) from exc
