"""Bytes to text: the one charset decoder of every page, feed and file.

The charset a document is in is read, in order, from what the server says
(the Content-Type's `charset`), a byte-order mark, and what the document says
of itself (`<meta charset>`, `http-equiv`, the XML declaration: bs4's
`EncodingDetector`).  Undeclared bytes are UTF-8 when they decode as UTF-8,
else what charset-normalizer finds, corrected to windows-1256 for Arabic text
it mistakes for a Western or DOS code page (its usual guesses for short
Arabic windows-1256 text).  Pure functions over bytes: no I/O.
"""

from __future__ import annotations

import codecs
import logging
import re

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

__all__ = [
    "charset_of",
    "declared_charset",
    "decode",
    "detect_charset",
    "document_charset",
]

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_DETECT_BYTES = 65536
"""Bytes charset-normalizer looks at (a page's first 64 KB tell its charset)."""
_ARABIC_SHARE = 0.1
"""Share of Arabic letters that makes a windows-1256 reading the right one."""
ARABIC_MISGUESSES = frozenset(
    {"cp1252", "latin_1", "iso8859_1", "cp1250", "mac_arabic", "cp864", "cp720", "iso8859_6"}
)
"""charset-normalizer's guesses for Arabic text in windows-1256."""


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value."""
    if not content_type:
        return None
    m = _CHARSET.search(content_type)
    return m.group(1) if m else None


def bom_charset(data: bytes) -> str | None:
    """The charset a byte-order mark names (UTF-8, UTF-16, UTF-32)."""
    return EncodingDetector.strip_byte_order_mark(data)[1]


def document_charset(data: bytes, *, is_html: bool = True) -> str | None:
    """The charset a document declares near its start: the XML declaration,
    and for HTML also `<meta charset>` or `http-equiv`."""
    return EncodingDetector.find_declared_encoding(data, is_html=is_html)


def declared_charset(
    data: bytes, content_type: str | None = None, *, is_html: bool = True
) -> str | None:
    """The charset the bytes are said to be in: the Content-Type's, else a
    byte-order mark's, else the document's own; None when nothing says."""
    return charset_of(content_type) or bom_charset(data) or document_charset(data, is_html=is_html)


def codec(name: str | None) -> str | None:
    """Python's name for a charset (`windows-1256` -> `cp1256`), None if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_charset(data: bytes) -> str:
    """charset-normalizer's best guess, corrected to windows-1256 for Arabic
    text it mistakes for a Western or DOS code page."""
    head = data[:_DETECT_BYTES]
    best = from_bytes(head).best()
    charset = best.encoding if best is not None else "utf-8"
    if (charset in ARABIC_MISGUESSES or charset == "cp1256") and _is_arabic(
        head.decode("cp1256", errors="replace")
    ):
        return "cp1256"
    return charset


def decode(
    data: bytes,
    content_type: str | None = None,
    *,
    is_html: bool = True,
    strict: bool = False,
) -> str:
    """`data` as text, in the first charset that decodes it cleanly of: the
    Content-Type's, the byte-order mark's, the document's own declaration,
    UTF-8, windows-1256 when that reading is Arabic text, then the detected
    one (`detect_charset`; first, for bytes with NULs: UTF-16 or UTF-32
    without a mark).  A byte-order mark is never part of the text.  When none
    decodes cleanly: the detected charset with replacement characters, or
    with `strict` a ValueError (bytes that are not text)."""
    bom = bom_charset(data)
    declared = [charset_of(content_type), bom, document_charset(data, is_html=is_html)]
    tried: set[str] = set()
    for name in declared:
        python = codec(name)
        if python is None or python in tried:
            continue
        tried.add(python)
        try:
            return _without_bom(data, python, bom)
        except UnicodeDecodeError:
            continue
    wide = b"\0" in data[:_DETECT_BYTES]
    if wide:  # UTF-16/32 without a mark, or not text at all
        detected = detect_charset(data)
        try:
            text = _without_bom(data, detected, bom)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and "\0" not in text:
            return text
        if strict:
            raise ValueError("not text in any encoding recognised (NUL bytes)")
    try:
        return _without_bom(data, "utf-8", bom)
    except UnicodeDecodeError:
        pass
    if _is_arabic(data.decode("cp1256", errors="replace")):
        return data.decode("cp1256", errors="replace")
    detected = detect_charset(data)
    try:
        return _without_bom(data, detected, bom)
    except (UnicodeDecodeError, LookupError):
        if strict:
            raise ValueError("not text in any encoding recognised") from None
    return data.decode(codec(detected) or "utf-8", errors="replace")


def _is_arabic(text: str) -> bool:
    letters = sum(1 for ch in text[:_DETECT_BYTES] if "\u0621" <= ch <= "\u064a")
    return letters > min(len(text), _DETECT_BYTES) * _ARABIC_SHARE


def _without_bom(data: bytes, python: str, bom: str | None) -> str:
    if python == "utf-8" and bom is not None and codec(bom) == "utf-8":
        python = "utf-8-sig"
    text = data.decode(python)
    return text.removeprefix("\ufeff")
