"""Arabic numerals: digits of every script, number words, composites, vague
quantities.

The grammar, in the order `scan_numbers` tries it at each word:

    number  := term ("و" term)* ["و" fraction [scale]]
               each added term smaller than the scale of the term before it
               (`مليون و150 ألف`, `ثلاثة آلاف وخمسمائة`); nothing adds to a
               group below a thousand, so `18 و20 ألفاً` is two numbers
    term    := small [scale]          `خمسة عشر ألفا`, `1.5 مليون`, `13ألف`
             | scale                  `ألف`, `ألفين`, `مليون`
             | fraction scale         `نصف مليون`, `ربع المليون`
    small   := digits | hundreds ["و" below100] | below100
    below100:= unit "و" tens | unit teen-tail | tens | unit
    vague   := [بضع|بضعة|عدة] (عشرات|مئات|آلاف|ملايين…) [(ال)plural-scale]

Digit literals (after `figures.text.normalize`, so every script is ASCII):

- `,` followed by exactly three digits is a thousands separator
  (`11,500`, `1,500,000`; the Arabic comma `2،450` too, which normalisation
  turns into `,` there); a single `,` followed by one or two digits is a
  decimal comma (`2,5`); a single `,` followed by four digits after one to
  three is a misplaced separator (`68,7235` is 687235); any other use of `,`
  (`12,34,5`) is not one number;
- `٫` is always a decimal separator, after an integer part of any length
  (`١٠٠٠٠٫٠٠`);
- `.` followed by exactly three digits, after one to three digits that are not
  a lone `0`, is a thousands separator (`12.500` is 12500, `1.500.000` is
  1500000) unless a scale word follows (`2.500 مليون` is 2.5 million); any
  other single `.` is a decimal point (`2.5`, `12.50`, `0.500`);
- a literal with more than 15 integer or decimal digits is not a number.

A digit literal in brackets or quotes takes the scale word after the closing
one (`(12) ألف` 12000, `«300» ألف`); a whole number of four digits or more
followed by a thousand word is that number, the word a stray (`(86616)الف`
86616, `(9600) الاف` 9600).  `نصف مئة` is 50.

Words are matched in folded spelling with the proclitics `و ف` + `ب ل ك` and
the article; a match's span starts after them (`بالمئات` spans `مئات`).
Definite singular scale words (`المئة`, `الألف`, `المليون`) are not numbers,
so `95 في المئة` and `95 بالمئة` give 95 alone; `الاثنين` and `الواحد` alone are
a weekday and "per one"; `أحد`/`إحدى` alone mean "one of"; ordinals are not in
the lexicon.  A standalone `ألفا`/`مليونا`/`مئتا` is the dual construct (2000,
2 million, 200) unless it was written with a tanween (`ألفاً`: 1000, the
accusative singular; the caller passes where normalisation dropped one);
after a multiplier `ألفا` is the accusative singular.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter

from figures.text import fold

log = logging.getLogger(__name__)

Num = int | Fraction
"""An exact value: digits and words are read without float rounding."""


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One number (or vague quantity) found in normalised text."""

    start: int
    """Offset of the first character in the normalised text (after any
    proclitic or article: `بالمئات` starts at `مئات`)."""
    end: int
    """Offset just past the last character in the normalised text."""
    value: float
    """The value; for a vague quantity, its floor (عشرات 10, آلاف 1000…)."""
    vague: bool
    """True for a quantity word rather than a number."""
    scale: float = 1
    """The scale word the phrase's leading term is multiplied by (1000 for
    `20 ألفاً`, 1000000 for `مليون و150 ألف`), 1 when none: a reader of the
    range `18 و20 ألفاً` scales the bare first bound by the second's scale."""


# ---------------------------------------------------------------------------
# The lexicon (natural spelling; folded at import)


class _Kind(enum.Enum):
    """What part a word plays in the grammar."""

    ZERO = "zero"
    UNIT = "unit"  # 1..10, may stand alone
    TEEN_HEAD = "teen_head"  # أحد، إحدى، اثنا، اثني…: only before عشر or و+tens
    TENS = "tens"
    HUNDRED = "hundred"
    SCALE = "scale"
    VAGUE = "vague"  # عشرات، مئات
    FEW = "few"  # بضع، بضعة، عدة: only before a plural quantity word
    FRACTION = "fraction"
    ORDINAL = "ordinal"  # حادي، ثالث…: never a number; swallows a following عشر


class _Form(enum.Enum):
    """The grammatical number of a scale word."""

    SINGULAR = "singular"  # ألف، مليون، مئة
    ACCUSATIVE = "accusative"  # ألفا: accusative singular, or dual construct alone
    DUAL = "dual"  # ألفان، ألفين، ألفي
    PLURAL = "plural"  # آلاف، ملايين


@dataclass(frozen=True, slots=True)
class _Word:
    """One lexicon entry."""

    kind: _Kind
    """Its part in the grammar."""
    value: Num
    """Its value (for a scale word, the scale; for FEW, unused)."""
    form: _Form = _Form.SINGULAR
    """Grammatical number of a scale or hundred word."""
    teen_tail: bool = False
    """عشر/عشرة: completes a teen after a unit."""
    definite_alone: bool = True
    """False where the word with the article alone is not a number
    (`الاثنين` Monday, `الواحد` "per one")."""


_UNITS: dict[int, tuple[str, ...]] = {
    1: ("واحد", "واحدة", "واحداً"),
    2: ("اثنان", "اثنين", "اثنتان", "اثنتين", "ثنتان", "ثنتين"),
    3: ("ثلاثة", "ثلاث"),
    4: ("أربعة", "أربع"),
    5: ("خمسة", "خمس"),
    6: ("ستة", "ست"),
    7: ("سبعة", "سبع"),
    8: ("ثمانية", "ثماني", "ثمان"),
    9: ("تسعة", "تسع"),
    10: ("عشرة", "عشر"),
}
_TEEN_HEADS: dict[int, tuple[str, ...]] = {
    1: ("أحد", "إحدى"),
    2: ("اثنا", "اثني", "اثنتا", "اثنتي"),
}
_TENS: dict[int, tuple[str, ...]] = {
    20: ("عشرون", "عشرين"),
    30: ("ثلاثون", "ثلاثين"),
    40: ("أربعون", "أربعين"),
    50: ("خمسون", "خمسين"),
    60: ("ستون", "ستين"),
    70: ("سبعون", "سبعين"),
    80: ("ثمانون", "ثمانين"),
    90: ("تسعون", "تسعين"),
}
_HUNDRED_SINGULAR = ("مئة", "مائة")
_HUNDRED_DUAL = ("مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين", "مائتا", "مائتي")
_HUNDRED_STEMS: dict[int, tuple[str, ...]] = {
    3: ("ثلاث", "ثلث"),
    4: ("أربع",),
    5: ("خمس",),
    6: ("ست",),
    7: ("سبع",),
    8: ("ثمان", "ثماني"),
    9: ("تسع",),
}
_SCALES: dict[int, dict[_Form, tuple[str, ...]]] = {
    1000: {
        _Form.SINGULAR: ("ألف",),
        _Form.ACCUSATIVE: ("ألفاً",),
        _Form.DUAL: ("ألفان", "ألفين", "ألفي"),
        _Form.PLURAL: ("آلاف", "ألوف"),
    },
    1_000_000: {
        _Form.SINGULAR: ("مليون",),
        _Form.ACCUSATIVE: ("مليوناً",),
        _Form.DUAL: ("مليونان", "مليونين", "مليوني"),
        _Form.PLURAL: ("ملايين",),
    },
    1_000_000_000: {
        _Form.SINGULAR: ("مليار", "بليون"),
        _Form.ACCUSATIVE: ("ملياراً", "بليوناً"),
        _Form.DUAL: ("ملياران", "مليارين", "مملياري", "مليارى", "بليونان", "بليونين"),
        _Form.PLURAL: ("مليارات", "بلايين"),
    },
    1_000_000_000_000: {
        _Form.SINGULAR: ("تريليون",),
        _Form.ACCUSATIVE: ("تريليوناً",),
        _Form.DUAL: ("تريليونان", "تريليونين"),
        _Form.PLURAL: ("تريليونات",),
    },
}
_VAGUE: dict[int, tuple[str, ...]] = {10: ("عشرات",), 100: ("مئات", "مئآت")}
_FEW = ("بضع", "بضعة", "عدة")
_FRACTIONS: dict[Fraction, tuple[str, ...]] = {
    Fraction(1, 2): ("نصف",),
    Fraction(1, 4): ("ربع",),
    Fraction(1, 3): ("ثلث",),
}
_ORDINALS = (
    "أول", "حادي", "حادية", "ثاني", "ثانية", "ثالث", "ثالثة", "رابع", "رابعة", "خامس",
    "خامسة", "سادس", "سادسة", "سابع", "سابعة", "ثامن", "ثامنة", "تاسع", "تاسعة", "عاشر",
    "عاشرة",
)  # fmt: skip
"""Ordinal heads: `الحادي عشر` and `الخامس والعشرين` are not numbers."""
_NO_DEFINITE_ALONE = frozenset(fold(w) for w in ("واحد", "واحدة", "واحداً", "اثنين"))
_NO_DEFINITE = frozenset(fold(w) for w in ("أحد", "إحدى"))
"""Never with the article: `الأحد` is Sunday."""

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_EXCLUDED = frozenset(fold(w) for w in ("لست", "ولست", "فلست"))
"""Surface forms that are common words ("I am not"), never numbers."""

_EXPONENT_UNITS = frozenset(fold(w) for w in ("كم", "م", "كلم", "سم", "ملم", "km", "m", "cm"))
"""Letters after which a glued digit is an exponent (`كم2`), not a number."""


_HUNDRED_WORD = _Word(_Kind.HUNDRED, 100, _Form.SINGULAR)


def _entries() -> Iterator[tuple[str, _Word]]:
    """Every base spelling in the lexicon with its entry."""
    for value, words in _UNITS.items():
        for w in words:
            alone = fold(w) not in _NO_DEFINITE_ALONE
            yield w, _Word(_Kind.UNIT, value, teen_tail=value == 10, definite_alone=alone)
    for value, words in _TEEN_HEADS.items():
        for w in words:
            yield w, _Word(_Kind.TEEN_HEAD, value)
    for value, words in _TENS.items():
        for w in words:
            yield w, _Word(_Kind.TENS, value)
    for w in _HUNDRED_SINGULAR:
        yield w, _HUNDRED_WORD
    for w in _HUNDRED_DUAL:
        yield w, _Word(_Kind.HUNDRED, 200, _Form.DUAL)
    for value, stems in _HUNDRED_STEMS.items():
        for stem in stems:
            for hundred in _HUNDRED_SINGULAR:
                yield stem + hundred, _Word(_Kind.HUNDRED, value * 100, _Form.PLURAL)
    for scale, forms in _SCALES.items():
        for form, words in forms.items():
            for w in words:
                yield w, _Word(_Kind.SCALE, scale, form)
    for value, words in _VAGUE.items():
        for w in words:
            yield w, _Word(_Kind.VAGUE, value, _Form.PLURAL)
    for w in _FEW:
        yield w, _Word(_Kind.FEW, 0)
    for frac, words in _FRACTIONS.items():
        for w in words:
            yield w, _Word(_Kind.FRACTION, frac)
    yield "صفر", _Word(_Kind.ZERO, 0)
    for w in _ORDINALS:
        yield w, _Word(_Kind.ORDINAL, 0)


@dataclass(frozen=True, slots=True)
class _Surface:
    """A spelling as it appears in text: a lexicon entry behind its clitics."""

    word: _Word
    """The entry."""
    prefix: str
    """The proclitics and article before it, folded (`وبال`)."""
    definite: bool
    """The article is among the prefixes."""


def _build_lexicon() -> dict[str, _Surface]:
    """Every folded surface form: base spellings × proclitics × article."""
    bases: list[tuple[str, _Word]] = []
    for spelling, word in _entries():
        folded = fold(spelling)
        bases.append((folded, word))
        if folded.endswith("ة"):  # a common misspelling: خمسه for خمسة
            bases.append((folded[:-1] + "ه", word))
    lexicon: dict[str, _Surface] = {}
    for base, word in bases:  # bare spellings first: they win every clash
        lexicon.setdefault(base, _Surface(word, "", False))
    for conj in _CONJUNCTIONS:
        for prep in _PREPOSITIONS:
            for article in ("", "ال"):
                prefix = conj + prep + ("ل" if prep == "ل" and article else article)
                if not prefix:
                    continue
                for base, word in bases:
                    if article and base in _NO_DEFINITE:
                        continue
                    surface = prefix + base
                    if surface not in _EXCLUDED:
                        lexicon.setdefault(surface, _Surface(word, prefix, bool(article)))
    return lexicon


_LEXICON = _build_lexicon()
_SCALE_FIRST = frozenset(
    spelling[0]
    for spelling, surface in _LEXICON.items()
    if not surface.prefix and surface.word.kind is _Kind.SCALE
)
"""The letters a scale word written bare begins with."""
_AFTER_AND = {
    surface: _Surface(_LEXICON[surface[1:]].word, "و", False)
    for surface, analysis in _LEXICON.items()
    if not analysis.prefix and surface.startswith("و") and surface[1:] in _LEXICON
}
"""Bare spellings that read as و + a bare lexicon word after a number."""
_PREFIXES = frozenset(
    c + p + a for c in _CONJUNCTIONS for p in _PREPOSITIONS for a in ("", "ال", "ل")
) - {""}
"""Clitic clusters that may be glued to (or stand before) digits: `ال48`, `و150`."""

# ---------------------------------------------------------------------------
# Tokens

_TOKEN = re.compile(r" *+(?:([0-9]++(?:[.,٫][0-9]++)*+)|([^\W\d_]++))")
_MAX_DIGITS = 15


class _Lit:
    """A digit literal read by the separator rules."""

    __slots__ = ("before_scale", "integral", "value")

    value: Num
    """Its value."""
    integral: bool
    """No decimal part was written."""
    before_scale: Num | None
    """The value to use when a scale word follows, if different (`2.500`)."""

    def __init__(self, value: Num, integral: bool, before_scale: Num | None = None) -> None:
        self.value = value
        self.integral = integral
        self.before_scale = before_scale


class _Tok:
    """One token: a digit literal, a lexicon word (after its clitics), or a
    lone joining `و` (neither).  Tokens and parses are plain classes with
    their own `__init__` (not named tuples or dataclasses, whose constructors
    run as interpreted Python even in the compiled build) because the scanner
    makes one per word of a number."""

    __slots__ = ("end", "lit", "start", "surface")

    start: int
    """Start of the number part (after clitics)."""
    end: int
    """End of the token."""
    lit: _Lit | None
    """The literal, for digits."""
    surface: _Surface | None
    """The lexicon analysis, for a word."""

    def __init__(self, start: int, end: int, lit: _Lit | None, surface: _Surface | None) -> None:
        self.start = start
        self.end = end
        self.lit = lit
        self.surface = surface


def _read_literal(raw: str) -> _Lit | None:
    """A digit run with separators, by the rules in the module docstring."""
    if len(raw) > 2 * _MAX_DIGITS + 8:  # too long for any reading: don't split it
        return None
    if raw.isdigit():  # no separator: the common case, no split
        return _int_lit(raw)
    parts = _SEPARATOR.split(raw)
    groups, seps = parts[0::2], parts[1::2]
    if not seps:
        return _int_lit(raw)
    head, tails = groups[0], groups[1:]
    if seps == ["٫"]:  # the Arabic decimal separator, after an integer part of any length
        return _decimal_lit(head, tails[0])
    if seps[-1] == "٫" or (seps[-1] == "." and seps.count(".") == 1 and "," in seps):
        # thousands groups with `,` then a decimal part
        if not _thousands(head, tails[:-1], seps[:-1], ","):
            return None
        return _decimal_lit("".join(groups[:-1]), groups[-1])
    if all(s == "," for s in seps):
        if _thousands(head, tails, seps, ","):
            return _int_lit("".join(groups))
        if len(seps) == 1 and len(tails[0]) <= 2:
            return _decimal_lit(head, tails[0])
        if len(seps) == 1 and len(head) <= 3 and len(tails[0]) == 4:
            return _int_lit(head + tails[0])  # a misplaced separator: `68,7235`
        return None
    if all(s == "." for s in seps):
        if len(seps) == 1:
            decimal = _decimal_lit(head, tails[0])
            if decimal is not None and _thousands(head, tails, seps, ".") and head != "0":
                whole = _int_lit(head + tails[0])
                if whole is None:
                    return None
                return _Lit(whole.value, True, before_scale=decimal.value)
            return decimal
        return _int_lit("".join(groups)) if _thousands(head, tails, seps, ".") else None
    return None


_SEPARATOR = re.compile(r"([.,٫])")
"""A digit literal's separators (kept by a split)."""


def _thousands(head: str, tails: list[str], seps: list[str], sep: str) -> bool:
    """Groups that read as thousands: 1–3 digits, then groups of exactly 3."""
    return 1 <= len(head) <= 3 and all(s == sep for s in seps) and all(len(t) == 3 for t in tails)


def _int_lit(digits: str) -> _Lit | None:
    if len(digits) > _MAX_DIGITS:
        return None
    return _Lit(int(digits), True)


def _decimal_lit(whole: str, frac: str) -> _Lit | None:
    if len(whole) > _MAX_DIGITS or len(frac) > _MAX_DIGITS:
        return None
    value = Fraction(int(whole + frac), 10 ** len(frac))
    return _Lit(value.numerator if value.denominator == 1 else value, False)


def _token(m: re.Match[str]) -> _Tok | None:
    """The token of a `_TOKEN` match, or None if it is not part
    of the grammar."""
    digits, word = m.groups()
    end = m.end()
    if digits is not None:
        lit = _read_literal(digits)
        return None if lit is None else _Tok(end - len(digits), end, lit, None)
    surface = _LEXICON.get(word)
    if surface is None:
        return _Tok(end - 1, end, None, None) if word == "و" else None
    return _Tok(end - len(word) + len(surface.prefix), end, None, surface)


def _glued_exponent(text: str, start: int) -> bool:
    """Digits glued to letters that are not clitics (`كم2`, `f16`)."""
    if not text[start - 1].isalpha():
        return False
    begin = start - 1
    while begin > 0 and text[begin - 1].isalpha():
        begin -= 1
    letters = text[begin:start]
    return letters.isascii() or letters in _EXPONENT_UNITS


class _Reader:
    """Reads grammar tokens from one normalised text, remembering the token
    after each position so that no lookahead is read twice."""

    __slots__ = ("_after", "tanween", "text")

    def __init__(self, text: str, tanween: frozenset[int] = frozenset()) -> None:
        self.text = text
        self.tanween = tanween
        """Offsets where a tanween fatha was written (dropped by normalisation)."""
        self._after: dict[int, _Tok | None] = {}

    def next(self, pos: int) -> _Tok | None:
        """The grammar token after spaces at `pos`, if any."""
        after = self._after
        tok = after.get(pos, _UNREAD)
        if tok is not _UNREAD:
            return tok
        m = _TOKEN.match(self.text, pos)
        if len(after) > 4096:  # only the lookahead of the last number matters
            after.clear()
        if m is None:
            after[pos] = None
            return None
        tok = _token(m)
        after[pos] = tok
        digits, word = m.groups()
        after[m.end() - len(digits or word)] = tok  # the scanner asks from there
        return tok

    def literal(self, pos: int, raw: str) -> _Tok | None:
        """`next(pos)` where the digit literal `raw` starts at `pos` (the scanner
        found it already: no match to repeat)."""
        tok = self._after.get(pos, _UNREAD)
        if tok is _UNREAD:
            if len(self._after) > 4096:
                self._after.clear()
            lit = _read_literal(raw)
            tok = self._after[pos] = None if lit is None else _Tok(pos, pos + len(raw), lit, None)
        return tok


_UNREAD = _Tok(-1, -1, None, None)
"""Marks a position the reader has not read yet."""


def _bare(tok: _Tok | None) -> _Surface | None:
    """The analysis of a word token written without clitics."""
    if tok is None or tok.surface is None or tok.surface.prefix:
        return None
    return tok.surface


def _kind(tok: _Tok) -> _Kind | None:
    """The grammatical kind of a word token, None for digits."""
    return tok.surface.word.kind if tok.surface is not None else None


def _after_and(r: _Reader, pos: int) -> _Tok | None:
    """The element after a joining `و` at `pos` (`وخمسين`, `و 150`, `و150`,
    `والعشرين`), else None."""
    tok = r.next(pos)
    if tok is None:
        return None
    if tok.lit is None and tok.surface is None:  # a lone و
        tok = r.next(tok.end)
        if tok is None or (tok.lit is None and tok.surface is None):
            return None
        if tok.surface is not None and tok.surface.prefix not in ("", "ال"):
            return None
        return tok
    if tok.surface is None:
        return None
    if tok.surface.prefix not in ("و", "وال"):
        # a bare spelling that also reads as و + a word: `واحد` is `وأحد` folded
        alt = _AFTER_AND.get(r.text[tok.start : tok.end])
        return None if alt is None else _Tok(tok.start + 1, tok.end, None, alt)
    return tok


# ---------------------------------------------------------------------------
# The grammar


class _Parse:
    """A phrase read from a start token."""

    __slots__ = ("end", "scale", "vague", "value")

    end: int
    """End offset of the phrase."""
    value: Num
    """Its value (for a vague quantity, the floor)."""
    scale: int
    """The scale word of its leading term, 1 if none."""
    vague: bool
    """A quantity word rather than a number."""

    def __init__(self, end: int, value: Num, scale: int = 1, vague: bool = False) -> None:
        self.end = end
        self.value = value
        self.scale = scale
        self.vague = vague


def _below_hundred(r: _Reader, tok: _Tok) -> _Parse | None:
    """1–99: a unit, a teen, tens, or unit و tens (or, after hundreds, digits)."""
    if tok.lit is not None:
        value = tok.lit.value
        return _Parse(tok.end, value) if isinstance(value, int) and value < 100 else None
    assert tok.surface is not None
    word = tok.surface.word
    if word.kind is _Kind.TENS or (word.kind is _Kind.UNIT and word.value == 10):
        return _Parse(tok.end, word.value)
    if word.kind not in (_Kind.UNIT, _Kind.TEEN_HEAD):
        return None
    nxt = r.next(tok.end)
    tail = _bare(nxt)
    # `واحد عشر` too (folded `وأحد عشر`), but not `الاثنين عشرة` (Monday, ten)
    teen = not (tok.surface.definite and not word.definite_alone)
    if nxt is not None and tail is not None and tail.word.teen_tail and teen:
        return _Parse(nxt.end, 10 + word.value)
    tens = _after_and(r, tok.end)
    tens_ok = word.kind is _Kind.UNIT or word.value == 1
    if tens_ok and tens is not None and _kind(tens) is _Kind.TENS:
        assert tens.surface is not None
        return _Parse(tens.end, word.value + tens.surface.word.value)
    if word.kind is _Kind.TEEN_HEAD:
        return None
    return _Parse(tok.end, word.value)


def _small(r: _Reader, tok: _Tok) -> _Parse | None:
    """A group below a thousand (or any digit literal)."""
    if tok.lit is not None:
        return _Parse(tok.end, tok.lit.value)
    assert tok.surface is not None
    word = tok.surface.word
    if word.kind is _Kind.ZERO:
        return _Parse(tok.end, 0)
    hundreds: Num | None = None
    end = tok.end
    if word.kind is _Kind.HUNDRED:
        hundreds = word.value
    elif word.kind is _Kind.UNIT and 1 <= word.value <= 9:
        nxt = r.next(tok.end)
        hundred = _bare(nxt)
        if nxt is not None and hundred is not None and hundred.word == _HUNDRED_WORD:
            hundreds, end = word.value * 100, nxt.end
    if hundreds is None:
        return _below_hundred(r, tok) if word.kind is not _Kind.HUNDRED else None
    rest_tok = _after_and(r, end)
    if rest_tok is not None:
        rest = _below_hundred(r, rest_tok)
        if rest is not None:
            return _Parse(rest.end, hundreds + rest.value)
    return _Parse(end, hundreds)


def _scale_may_follow(text: str, pos: int) -> bool:
    """Whether the word after `pos` (past spaces and a closing bracket) may be
    a scale word written bare: it begins with a letter one begins with."""
    at = pos
    n = len(text)
    while at < n and (text[at] == " " or text[at] in _OPENER_OF):
        at += 1
    return at < n and text[at] in _SCALE_FIRST


_OPENER_OF = {")": "(", "»": "«", '"': '"', "”": "“", "]": "["}
"""Closing brackets and quotes around digits, with their openers."""


def opener_before(text: str, start: int, end: int) -> int:
    """Where a number [start, end) read past a closing bracket (`12) ألف` in
    `(12) ألف`) begins with its opening one, for a quote; else `start`."""
    if not _opened(text, start):
        return start
    at = start
    while at < end and text[at].isdigit():
        at += 1
    closed = _past_closer(text, start, at)
    if closed == at or closed > end:
        return start
    return text.rindex(_OPENER_OF[text[closed - 1]], 0, start)


def _opened(text: str, start: int) -> bool:
    """An opening bracket or quote right before `start` (a space between)."""
    if start > 0 and text[start - 1] in _OPENERS:
        return True
    return start > 1 and text[start - 1] == " " and text[start - 2] in _OPENERS


_OPENERS = frozenset(_OPENER_OF.values())


def _past_closer(text: str, start: int, end: int) -> int:
    """Past the closing bracket after a digit literal [start, end) that an
    opening one precedes (`(12)`, `( 12 )`, `«300»`), else `end`."""
    at = end
    n = len(text)
    while at < n and text[at] == " ":
        at += 1
    if at >= n or text[at] not in _OPENER_OF:
        return end
    before = start - 1
    while before >= 0 and text[before] == " ":
        before -= 1
    return at + 1 if before >= 0 and text[before] == _OPENER_OF[text[at]] else end


def _scale_after(r: _Reader, pos: int) -> _Tok | None:
    """A scale word written bare right after a multiplier."""
    if not _scale_may_follow(r.text, pos):
        return None  # what follows cannot be a bare scale word (the common case)
    tok = r.next(pos)
    surface = _bare(tok)
    if surface is None or surface.word.kind is not _Kind.SCALE:
        return None
    if surface.word.form is _Form.DUAL:
        return None
    return tok


def _term(r: _Reader, tok: _Tok) -> _Parse | None:
    """One term: a scaled group, a scale word alone, or a fraction of a scale."""
    surface = tok.surface
    if surface is not None:
        word = surface.word
        if word.kind in (_Kind.VAGUE, _Kind.FEW) or (
            word.kind is _Kind.SCALE and word.form is _Form.PLURAL
        ):
            return _vague(r, tok)
        if word.kind is _Kind.SCALE:
            if word.form is _Form.SINGULAR:
                return None if surface.definite else _Parse(tok.end, word.value, int(word.value))
            if word.form is _Form.ACCUSATIVE and surface.definite:
                return None
            if (
                word.form is _Form.ACCUSATIVE
                and r.tanween
                and (tok.end in r.tanween or tok.end - 1 in r.tanween)
            ):  # `ألفاً` with its tanween: one thousand, never the dual construct
                return _Parse(tok.end, word.value, int(word.value))
            return _Parse(tok.end, 2 * word.value, int(word.value))
        if word.kind is _Kind.FRACTION:
            nxt = r.next(tok.end)
            if nxt is None or nxt.surface is None or nxt.surface.prefix not in ("", "ال"):
                return None
            of = nxt.surface.word
            if of == _HUNDRED_WORD:  # `نصف مئة`
                return _Parse(nxt.end, word.value * of.value)
            if of.kind is not _Kind.SCALE or of.form is not _Form.SINGULAR:
                return None
            return _Parse(nxt.end, word.value * of.value, int(of.value))
        if word.kind is _Kind.HUNDRED and word.form is _Form.SINGULAR and surface.definite:
            return None
    small = _small(r, tok)
    if small is None:
        return None
    after = small.end
    if tok.lit is not None and after == tok.end and _opened(r.text, tok.start):
        after = _past_closer(r.text, tok.start, after)  # `(12) ألف`, `«300» ألف`
    scale_tok = _scale_after(r, after)
    if scale_tok is not None and small.value > 0:
        assert scale_tok.surface is not None
        multiplier = int(scale_tok.surface.word.value)
        if (
            multiplier == 1000
            and scale_tok.surface.word.form in (_Form.SINGULAR, _Form.PLURAL)
            and tok.lit is not None
            and isinstance(small.value, int)
            and small.value >= 1000
            and r.text[tok.start : tok.end].isdigit()
        ):  # a whole number with a stray thousand word after it: `(86616)الف`, `(9600) الاف`
            return _Parse(scale_tok.end, small.value)
        mantissa = small.value
        if tok.lit is not None and small.end == tok.end and tok.lit.before_scale is not None:
            mantissa = tok.lit.before_scale
        return _Parse(scale_tok.end, mantissa * multiplier, multiplier)
    if (
        surface is not None
        and surface.definite
        and small.end == tok.end
        and not surface.word.definite_alone
    ):
        return None
    return small


def _vague(r: _Reader, tok: _Tok) -> _Parse | None:
    """A vague quantity: `عشرات`, `آلاف`, `عشرات الآلاف`, `بضعة آلاف`."""
    assert tok.surface is not None
    base = tok
    if tok.surface.word.kind is _Kind.FEW:
        nxt = r.next(tok.end)
        surface = _bare(nxt)
        if nxt is None or surface is None or not _is_plural(surface.word):
            return None
        base = nxt
    assert base.surface is not None
    value = base.surface.word.value
    end = base.end
    nxt = r.next(end)
    if nxt is not None and nxt.surface is not None and nxt.surface.prefix in ("", "ال"):
        word = nxt.surface.word
        if word.kind is _Kind.SCALE and word.form is _Form.PLURAL and word.value > value:
            value, end = value * word.value, nxt.end
    return _Parse(end, value, vague=True)


def _is_plural(word: _Word) -> bool:
    return word.kind is _Kind.VAGUE or (word.kind is _Kind.SCALE and word.form is _Form.PLURAL)


def _number(r: _Reader, tok: _Tok) -> _Parse | None:
    """The longest phrase from `tok` that reads as one number."""
    first = _term(r, tok)
    if first is None or first.vague:
        return first
    total, end, last_scale = first.value, first.end, first.scale
    while last_scale > 1:
        nxt = _after_and(r, end)
        if nxt is None:
            break
        if nxt.surface is not None and nxt.surface.word.kind is _Kind.FRACTION:
            total += nxt.surface.word.value * last_scale
            end = nxt.end
            same = r.next(end)
            if (
                same is not None
                and same.surface is not None
                and same.surface.prefix in ("", "ال")
                and same.surface.word.kind is _Kind.SCALE
                and same.surface.word.form is _Form.SINGULAR
                and same.surface.word.value == last_scale
            ):
                end = same.end
            break
        term = _term(r, nxt)
        if term is None or term.vague or term.scale >= last_scale or term.value >= last_scale:
            break
        if term.scale == 1 and not isinstance(term.value, int):
            break  # `ألف و2.5` is not a sum
        total += term.value
        end, last_scale = term.end, term.scale
    return _Parse(end, total, first.scale)


# ---------------------------------------------------------------------------
# Public API


def scan_numbers(
    text: str,
    words: Iterable[int] | None = None,
    spans: Iterable[tuple[int, int]] | None = None,
    digits: Iterable[int] | None = None,
    tanween: frozenset[int] = frozenset(),
) -> Iterator[NumberMatch]:
    """Every number and vague quantity in normalised `text`, left to right,
    each the longest phrase that reads as one number.

    `words`, if given, are the offsets of the letter runs of `text` that are
    numeral words (`is_numeral_word`), in ascending order: a caller that has
    split the text into words already passes them, else they are found here.
    `spans`, if given, are ascending, disjoint (start, end) slices of the text
    that hold every number the caller wants (whole sentences: a number never
    crosses a sentence end); digits outside them are not read.  `digits`, if
    given (a caller that has split the text into digit runs), are the offsets
    of every run of ASCII digits in those slices, ascending: a digit literal
    is read from each that no literal before it took in (`1,500` from `1`, not
    `500`), and the slices are not searched.  `tanween`: where normalisation
    dropped a tanween fatha (`Normalized.tanween`), so that a lone `ألفاً`
    reads 1000 and a lone `ألفا` the dual construct 2000."""
    for start, end, value, vague, scale in number_spans(text, words, spans, digits, tanween):
        yield NumberMatch(start, end, value, vague, scale)


_Span = tuple[int, int, float, bool, float]
"""A `NumberMatch` as a plain tuple: (start, end, value, vague, scale)."""


def number_spans(
    text: str,
    words: Iterable[int] | None = None,
    spans: Iterable[tuple[int, int]] | None = None,
    digits: Iterable[int] | None = None,
    tanween: frozenset[int] = frozenset(),
) -> Iterator[_Span]:
    """`scan_numbers` with each match a plain tuple (start, end, value, vague,
    scale): the extractor's scan, which makes no `NumberMatch` (a frozen
    dataclass, whose constructor runs as interpreted Python even in the
    compiled build, and cost more than the rest of the scan on number-dense
    text)."""
    if words is None:
        words = (m.start() for m in _word_candidate().finditer(text))
    starts: list[tuple[int, str | None]] = []
    if digits is None:
        starts += [
            (m.start(), m.group())
            for lo, hi in ([(0, len(text))] if spans is None else spans)
            for m in _DIGITS.finditer(text, lo, hi)
        ]
    else:
        taken = -1
        literal = _DIGITS.match
        for at in digits:
            if at >= taken and (m := literal(text, at)) is not None:
                starts.append((at, m.group()))
                taken = m.end()
    starts += [(w, None) for w in words]
    starts.sort(key=itemgetter(0))  # two ascending runs: a linear merge
    r = _Reader(text, tanween)
    pos = 0
    for start, raw in starts:
        if start < pos:
            continue
        if raw is not None:
            if start > 0 and _glued_exponent(text, start):
                continue
            end = start + len(raw)
            if raw.isdigit() and len(raw) <= _MAX_DIGITS and not _scale_may_follow(text, end):
                # plain digits and no scale word after: the number is the literal
                pos = end
                yield start, end, float(raw), False, 1
                continue
        tok = r.next(start) if raw is None else r.literal(start, raw)
        if tok is None:
            if raw is not None:
                yield from _split_literal(start, raw)
            continue
        if tok.surface is not None and tok.surface.word.kind is _Kind.ORDINAL:
            pos = _ordinal_end(r, tok)
            continue
        parsed = _number(r, tok)
        if parsed is None:
            continue
        pos = parsed.end
        yield tok.start, parsed.end, float(parsed.value), parsed.vague, parsed.scale


def is_numeral_word(word: str) -> bool:
    """Whether a whole run of letters of normalised text is a word of the
    numeral lexicon (with its clitics): where `scan_numbers` may start."""
    return word in _LEXICON


def _ordinal_end(r: _Reader, tok: _Tok) -> int:
    """The end of an ordinal with its teen or tens part (`الحادي عشر`,
    `الخامس والعشرين`), which the scanner skips."""
    tail = r.next(tok.end)
    if _bare(tail) is not None and tail is not None and _kind(tail) is _Kind.UNIT:
        assert tail.surface is not None
        if tail.surface.word.teen_tail:
            return tail.end
    tens = _after_and(r, tok.end)
    if tens is not None and _kind(tens) is _Kind.TENS:
        return tens.end
    return tok.end


_TrieNode = dict[str, "_TrieNode"]


def trie_regex(words: list[str]) -> str:
    """A regular expression matching exactly `words`, as a character trie,
    so that the scanner finds lexicon words in C rather than word by word."""
    root: _TrieNode = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _TrieNode) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return emit(root)


_DIGITS = re.compile(r"[0-9]++(?:[.,٫][0-9]++)*+")
"""Digit literals: where a number may start."""
WORD_PATTERN = r"(?<![^\W\d_])(?:" + trie_regex(sorted(_LEXICON)) + r")(?![^\W\d_])"
"""A regular expression of the whole lexicon words (with their clitics): where
a number spelled in words may start."""
_WORD_CANDIDATE: list[re.Pattern[str]] = []
"""`WORD_PATTERN` compiled, once asked for (`_word_candidate`)."""


def _word_candidate() -> re.Pattern[str]:
    """`WORD_PATTERN`, compiled on first use: only a caller of `scan_numbers`
    that passes no `words` searches with it, and its compile is the largest
    of the engine's start-up (about 50 ms); the extractor never does."""
    if not _WORD_CANDIDATE:
        _WORD_CANDIDATE.append(re.compile(WORD_PATTERN))
    return _WORD_CANDIDATE[0]


_MAX_SPLIT_GROUPS = 4
"""A malformed literal of up to this many groups (`12,34,5`, `12.5.2023`)
gives each group as a number; a longer one (`1,1,1,1,1…`) gives none."""


def _split_literal(start: int, raw: str) -> Iterator[_Span]:
    """The digit groups of a literal that is not one number, each its own."""
    if len(raw) > 4 * (_MAX_DIGITS + 1):
        return
    groups = list(re.finditer(r"[0-9]+", raw))
    if len(groups) > _MAX_SPLIT_GROUPS:
        return
    for group in groups:
        if group.end() - group.start() <= _MAX_DIGITS:
            yield start + group.start(), start + group.end(), float(group.group()), False, 1


def parse_number(phrase: str) -> int | float | None:
    """The value of a phrase that is exactly one number, else None (vague
    quantities, ordinals, two numbers, a number and another word…)."""
    text, tanween = _fold_phrase(phrase)
    negative = False
    for word in _NEGATIVE:
        if text.startswith(word + " "):
            text, negative = text[len(word) + 1 :], True
            break
    m = _TOKEN.match(text)
    if m is None:
        return None
    if m.group(2) in _PREFIXES:  # `الـ 10`, `ال48`, `و150`
        m = _TOKEN.match(text, m.end())
        if m is None or m.group(1) is None:
            return None
    tok = _token(m)
    if tok is None or (tok.lit is None and tok.surface is None):
        return None
    parsed = _number(_Reader(text, tanween), tok)
    if parsed is None or parsed.vague or parsed.end != len(text):
        return None
    value = -parsed.value if negative else parsed.value
    if isinstance(value, int):
        return value
    return value.numerator if value.denominator == 1 else float(value)


_TANWEEN_FATH = "\u064b"
_BRACKETED = re.compile(r"[(«\[“\"] *([0-9][0-9.,٫]*) *[)»\]”\"]")


def _fold_phrase(phrase: str) -> tuple[str, frozenset[int]]:
    """A phrase folded, spaces collapsed and brackets around digits dropped
    (`(12) ألف`), with the offsets where a tanween fatha was written."""
    text = " ".join(fold(phrase).split())
    if "(" in text or "«" in text or "[" in text or '"' in text or "“" in text:
        text = _BRACKETED.sub(r" \1 ", text)
        text = " ".join(text.split())
    if _TANWEEN_FATH not in phrase:
        return text, frozenset()
    marks = {fold(word) for word in phrase.split() if _TANWEEN_FATH in word}
    return text, frozenset(_word_ends(text, marks))


def _word_ends(text: str, words: set[str]) -> Iterator[int]:
    """End offsets in `text` of the whole words in `words`."""
    pos = 0
    for word in text.split(" "):
        pos += len(word)
        if word in words:
            yield pos
        pos += 1


_NEGATIVE = (fold("سالب"), fold("ناقص"))
"""Words that make a number negative (num2words writes `سالب`)."""
