"""Arabic text normalisation that remembers where every character came from.

The extractor matches its lexicon and numeral grammar against normalised text
but must quote the article as written, so `normalize` returns the normalised
string together with a map from each normalised offset back to the original.

What is folded (all one character to one character, or dropped):

- tatweel, harakat and other combining marks, bidi and zero-width controls:
  dropped;
- Arabic-Indic and Persian digits: ASCII digits; `٬` (Arabic thousands
  separator): `,`; `٫` (Arabic decimal separator) is kept as is, because it is
  never a thousands separator;
- hamzated and madda alef forms (أ إ آ ٱ): bare alef ا; alef maqsura ى: ي;
  Persian yeh and kaf: Arabic yeh and kaf;
- every kind of white space: a plain space; NBSP and friends too;
- Arabic presentation forms (`ﻧﺰﺡ`, the ligature `ﻻ`): their NFKC letters, first
  (a ligature becomes two or more letters, which the offset map points back to
  the one character written);
- the Arabic comma `،` between digits, before a group of exactly three digits
  (`2،450`): `,`, a thousands separator (`2، 450` and `3،45` keep it).

Case-free scripts need no case folding; Latin letters are lowered so that
`km2` and `KM2` read the same.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

_DROP = frozenset(
    [chr(0x0640)]  # tatweel
    + [chr(c) for c in range(0x0610, 0x061B)]  # Quranic signs
    + [chr(c) for c in range(0x064B, 0x0660)]  # harakat, shadda, sukun…
    + [chr(0x0670)]  # superscript alef
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # small high signs
    + [chr(c) for c in range(0x200B, 0x2010)]  # zero-width, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings
    + [chr(c) for c in range(0x2066, 0x206A)]  # bidi isolates
    + ["\ufeff", "\u061c", "\u00ad"]  # BOM, Arabic letter mark, soft hyphen
)

_FOLD: dict[str, str] = {
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
    "\u066c": ",",  # Arabic thousands separator
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ی": "ي",  # Persian yeh
    "ک": "ك",  # Persian kaf
    "\u066a": "%",  # Arabic percent sign
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\t": " ",
    "\r": " ",
    "\u2028": "\n",
    "\u2029": "\n",
}


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and the way back to the original."""

    text: str
    """The normalised text."""
    dropped_at: tuple[int, ...] = ()
    """Normalised offsets where original characters were dropped, ascending
    (the map is sparse: text with nothing dropped has none)."""
    dropped_before: tuple[int, ...] = ()
    """dropped_before[k]: how many original characters were dropped before
    normalised offset dropped_at[k] (inclusive of the run there)."""
    tanween: frozenset[int] = frozenset()
    """Normalised offsets just after a dropped run that held a tanween fatha
    (`ألفاً` ends at one): the numeral reader tells the accusative singular
    from the dual construct by it."""

    def offset(self, i: int) -> int:
        """Original offset of normalised character i (i == len(text): the
        original length)."""
        k = bisect_right(self.dropped_at, i)
        return i + self.dropped_before[k - 1] if k else i

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice [start, end)."""
        if end <= start:
            first = self.offset(start)
            return first, first
        return self.offset(start), self.offset(end - 1) + 1


_TABLE: dict[int, str | None] = {ord(c): None for c in _DROP}
_TABLE.update({ord(k): v for k, v in _FOLD.items()})
_TABLE.update({c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


def _presentation_folds() -> dict[int, str]:
    """Each Arabic presentation form (A: U+FB50–FDFF, B: U+FE70–FEFC; not the
    BOM) that NFKC changes, to its NFKC letters folded in turn (`ﺃ` to `ا`)."""
    folds: dict[int, str] = {}
    for c in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD)):
        letters = unicodedata.normalize("NFKC", chr(c))
        if letters != chr(c):
            folds[c] = letters.translate(_TABLE)
    return folds


_BASE = sorted(_TABLE)
_PRESENTED = _presentation_folds()
_TABLE.update(_PRESENTED)
_DROPPED = re.compile("[" + "".join(re.escape(c) for c in sorted(_DROP)) + "]+")
_FOLDING = "[" + "".join(re.escape(chr(c)) for c in _BASE) + "\ufb50-\ufdff\ufe70-\ufefc]"
_FOLDED = re.compile(f"({_FOLDING}{_FOLDING}*)")
"""Runs of characters that fold (captured, so a split keeps them): `str.translate`
with a dict costs a lookup per character, so only these runs are translated.
Written `[…][…]*`, not `[…]+`: a pattern that opens with a character set lets
`re` skip to the next such character in one tight loop, where a repeat is
tried at every offset (the split took twice as long)."""
_COMMON = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"))
"""The folds most Arabic text needs many times over (their targets fold to
themselves), replaced before the rest is split into runs."""
_RUNS: dict[str, str] = {}
"""Folded form of each distinct run seen (most are one hamzated alef or one
mark), bounded by `_RUNS_SIZE`."""
_RUNS_SIZE = 1 << 14

_ARABIC_COMMA = re.compile("\u060c(?=[0-9]{3}(?![0-9]))")
"""An Arabic comma before exactly three digits (after folding digits): a
thousands separator when a digit stands before it too (`2،450`)."""
_TANWEEN_FATH = "\u064b"


def _thousands_commas(folded: str) -> str:
    """`folded` with each Arabic comma between digits that groups thousands
    replaced by `,` (the same length: the offset map is unchanged)."""
    if "\u060c" not in folded:
        return folded
    cuts = [
        m.start()
        for m in _ARABIC_COMMA.finditer(folded)
        if m.start() and "0" <= folded[m.start() - 1] <= "9"
    ]
    if not cuts:
        return folded
    chars = list(folded)
    for i in cuts:
        chars[i] = ","
    return "".join(chars)


_FOLDS: dict[str, str] = {}
"""The folded form of each short text `fold` was asked for (the same tokens
are folded over and over: a table lookup is cheaper than a translate, which
costs a lookup per character), bounded by `_RUNS_SIZE`."""


def fold(text: str) -> str:
    """Normalised text alone (for lexicon entries and comparisons)."""
    if len(text) < 64:  # a word or a name: one translate is cheaper than a search
        folds = _FOLDS
        folded = folds.get(text)
        if folded is None:
            if len(folds) >= _RUNS_SIZE:
                folds.clear()
            folded = folds[text] = _thousands_commas(text.translate(_TABLE))
        return folded
    return _thousands_commas("".join(_folded_parts(text)[1]))


def _folded_parts(text: str) -> tuple[list[str], list[str]]:
    """The text split into runs of characters that fold (odd indices) and the
    rest, before and after folding (one search of the text)."""
    for letter, bare in _COMMON:  # one pass in C each, so that few runs are left to split
        if letter in text:
            text = text.replace(letter, bare)
    parts = _FOLDED.split(text)
    if len(_RUNS) > _RUNS_SIZE:
        _RUNS.clear()
    get = _RUNS.get
    folded = parts.copy()
    folded[1::2] = [get(r) or _fold_run(r) for r in parts[1::2]]
    return parts, folded


def _fold_run(run: str) -> str:
    folded = _RUNS[run] = run.translate(_TABLE)
    return folded


def normalize(text: str) -> Normalized:
    """Normalise `text`, keeping a map back to the original offsets."""
    if len(text) < 64:
        folded = text.translate(_TABLE)
        if len(folded) == len(text):
            return Normalized(_thousands_commas(folded))
        return _mapped(text, folded, [text[:0], text], [folded[:0], folded])
    parts, folded_parts = _folded_parts(text)
    folded = "".join(folded_parts)
    if len(folded) == len(text):
        return Normalized(_thousands_commas(folded))
    return _mapped(text, folded, parts, folded_parts)


def _mapped(text: str, folded: str, parts: list[str], folded_parts: list[str]) -> Normalized:
    """`folded` with the offsets of the characters dropped from `parts` (the
    text split as by `_folded_parts`: a run of dropped characters lies in one
    run of characters that fold), and where a tanween fatha was dropped."""
    at: list[int] = []
    before: list[int] = []
    tanween: list[int] = []
    marked = _TANWEEN_FATH in text
    dropped = 0
    pos = 0  # offset in the original text
    for k, part in enumerate(parts):
        if k % 2 and len(folded_parts[k]) != len(part):
            for m in _DROPPED.finditer(part):
                dropped += m.end() - m.start()
                at.append(pos + m.end() - dropped)
                before.append(dropped)
                if marked and _TANWEEN_FATH in m.group():
                    tanween.append(at[-1])
        pos += len(part)
    if dropped != len(text) - len(folded):  # a ligature (`ﻻ`) changed the length too
        return _mapped_chars(text, folded)
    return Normalized(_thousands_commas(folded), tuple(at), tuple(before), frozenset(tanween))


def _mapped_chars(text: str, folded: str) -> Normalized:
    """The map of a text with a presentation form that folds to more or fewer
    than one character, character by character (rare text): a dropped
    character shifts the rest back; each letter past the first of a ligature
    points at the ligature itself."""
    at: list[int] = []
    before: list[int] = []
    tanween: list[int] = []
    shift = 0  # original offset - normalised offset, so far
    for i, ch in enumerate(text):
        out = ch.translate(_TABLE)
        here = i - shift  # normalised offset of this character's first letter
        if not out:
            shift += 1
            at.append(here)
            before.append(shift)
            if ch == _TANWEEN_FATH:
                tanween.append(here)
            continue
        for extra in range(1, len(out)):
            at.append(here + extra)
            before.append(shift - extra)
        shift -= len(out) - 1
    return Normalized(_thousands_commas(folded), tuple(at), tuple(before), frozenset(tanween))
