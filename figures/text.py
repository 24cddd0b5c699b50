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
- every kind of white space: a plain space; NBSP and friends too.

Case-free scripts need no case folding; Latin letters are lowered so that
`km2` and `KM2` read the same.
"""

from __future__ import annotations

import re
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
    offsets: tuple[int, ...]
    """offsets[i] is the original offset of normalised character i; one extra
    entry at the end holds the original length."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


_TABLE: dict[int, str | None] = {ord(c): None for c in _DROP}
_TABLE.update({ord(k): v for k, v in _FOLD.items()})
_TABLE.update({c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})
_DROPPED = re.compile("[" + "".join(re.escape(c) for c in sorted(_DROP)) + "]+")


def fold(text: str) -> str:
    """Normalised text alone (for lexicon entries and comparisons)."""
    return text.translate(_TABLE)


def normalize(text: str) -> Normalized:
    """Normalise `text`, keeping a map back to the original offsets."""
    folded = text.translate(_TABLE)
    if len(folded) == len(text):
        return Normalized(folded, tuple(range(len(text) + 1)))
    offsets: list[int] = []
    pos = 0
    for m in _DROPPED.finditer(text):
        offsets.extend(range(pos, m.start()))
        pos = m.end()
    offsets.extend(range(pos, len(text) + 1))
    return Normalized(folded, tuple(offsets))
