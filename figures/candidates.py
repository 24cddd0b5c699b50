"""Candidates, and the classification of one candidate by its neighbours.

Stages 2 and 3 of the extractor (`figures.extract`).  A candidate (`_Cand`)
is every number the numeral scanner (`figures.numbers`) finds in the token
document, plus what only the extractor knows: unambiguous dual nouns
(`سيدتان` = 2), a bare `كيلومتر مربع` (= 1 km2), fractions and quantity words
the scanner left alone (`_candidates`).  Each candidate is then classified by
the tokens around it: the counted noun after it gives the unit (`_unit_after`:
people, families, km2, percent, places); a date, a year, an age, an
identifier, money, weight, vehicles, strikes… are not figures
(`_not_a_figure`); a stated duration (`خلال 24 ساعة`, a month range) becomes a
window cue (`_duration`).  A candidate so read is a `_Reading`; a hedge stated
once for two numbers joined by `و` is shared between them (`_share_hedges`).
"""

from __future__ import annotations

import math

from figures import lexicon as lx
from figures import nouns, scope
from figures.document import _SENTENCE_END, _bare, _definite, _Doc, _has, _is, _match_words, _Word
from figures.hedges import (
    _COMMAS,
    _comma_hedge,
    _may_hedge_after,
    _qualifier_before,
    _skip_qualifier_after,
    _trailing_hedge,
)
from figures.lexicon import Strength, Tag
from figures.model import Metric, Qualifier
from figures.numbers import number_spans
from figures.scope import Frame
from figures.text import fold

_QUOTES = frozenset({'"', "“", "”", "«", "»", "'", "‘", "’"})


# ---------------------------------------------------------------------------
# Candidates.
# ---------------------------------------------------------------------------


class _Cand:
    __slots__ = ("end", "kind", "range_low", "start", "t0", "t1", "unit_hint", "vague", "value")

    start: int
    end: int
    t0: int
    t1: int
    value: float
    vague: bool
    kind: str  # number, dual, bare_area, vague
    unit_hint: str  # dual: person/household; bare_area: km2
    range_low: bool

    def __init__(
        self,
        start: int,
        end: int,
        t0: int,
        t1: int,
        value: float,
        vague: bool,
        kind: str = "number",
        unit_hint: str = "",
        range_low: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.t0 = t0
        self.t1 = t1
        self.value = value
        self.vague = vague
        self.kind = kind
        self.unit_hint = unit_hint
        self.range_low = range_low


def _candidates(
    doc: _Doc,
    scan_text: str,
    words: list[_Word],
    flagged: list[int],
    regions: list[tuple[int, int]],
    tanween: frozenset[int] = frozenset(),
) -> list[_Cand]:
    cands: list[_Cand] = []
    starts = doc.starts
    numerals = [starts[i] for i in flagged if words[i].numeral]
    digits = [starts[i] + at for i in flagged for at in words[i].digit_at]
    for start, end, value, vague, _ in number_spans(scan_text, numerals, regions, digits, tanween):
        t0 = doc.index_at(start)
        if t0 > 0 and doc.ends[t0 - 1] > start:  # الثلاثة: the number inside a token
            t0 -= 1
        t1 = t0
        while t1 < len(doc.toks) and doc.starts[t1] < end:
            t1 += 1
        if t1 == t0 or not math.isfinite(value):  # no whole token, or NaN
            continue
        if _unit_exponent(doc, t0, value):
            continue
        cands.append(_Cand(start, end, t0, t1, float(value), vague))
    taken = [False] * len(doc.toks)
    for c in cands:
        for i in range(c.t0, c.t1):
            taken[i] = True
    extra: list[_Cand] = []
    for i in (i for i in flagged if words[i].extra):
        if taken[i]:
            continue
        found = _bare_area(doc, i) or _vague_word(doc, i) or _dual(doc, i) or _fraction(doc, i)
        if found is None:
            continue
        if found.kind == "bare_area" and i > 0 and taken[i - 1]:
            continue  # 12 ألف كلم مربع: the unit of the number before, not 1 km2
        if found.kind == "bare_area" or not any(taken[k] for k in range(found.t0, found.t1)):
            extra.append(found)
            for k in range(found.t0, found.t1):
                taken[k] = True
    if extra:
        # a number inside a bare area (كيلومتر واحد مربع) belongs to it
        spans = [(c.t0, c.t1) for c in extra if c.kind == "bare_area"]
        cands = [c for c in cands if not any(a <= c.t0 < b for a, b in spans)]
        cands.extend(extra)
        cands.sort(key=lambda c: c.start)
    return cands


def _unit_exponent(doc: _Doc, t0: int, value: float) -> bool:
    """The 2 of a glued `كم2`/`km2`/`م2`."""
    if value != 2 or t0 == 0:
        return False
    prev = doc.toks[t0 - 1]
    glued = doc.ends[t0 - 1] == doc.starts[t0]
    return glued and prev in {"كم", "كلم", "km", "م", "m"}


def _match_around_number(doc: _Doc, i: int, words: tuple[str, ...]) -> int:
    """A phrase split by its subject: `سلم 60 مسلحا أنفسهم`, `لقي 5 أشخاص حتفهم`,
    the number hedged too (`سلم نحو 400 مسلح أنفسهم`)."""
    if i >= len(doc.toks):
        return -1
    if doc.covered[i] < 0:  # a hedge may stand before the number
        number = next(
            (j for j in range(i + 1, min(i + 5, len(doc.toks))) if doc.covered[j] >= 0), -1
        )
        if number < 0 or _qualifier_before(doc, number)[0] != i:
            return -1
        if doc.toks[i][:1] == "و" and doc.words[i].bare != doc.toks[i]:
            return -1  # 812 قتيلا وأكثر من 2800 جريح: a second, hedged item
        i = number
    if doc.toks[i][:1] == "و" and not doc.toks[i].startswith("واحد"):
        return -1  # 9 قتلى وعشرات الجرحى: a second item, not the phrase's subject
    k = doc.covered[i]
    j = i
    while j < len(doc.toks) and doc.covered[j] == k:
        j += 1
    for skip in range(_SPLIT_REACH):
        if j + skip < len(doc.toks) and doc.words[j + skip].conjoined:
            return -1  # مقتل 10 أشخاص وإصابة 30: a second item, not the phrase's end
        if j + skip < len(doc.toks) and (
            doc.toks[j + skip] in _SENTENCE_END or doc.toks[j + skip] in {"،", ","}
        ):
            break  # (an aside between commas: _match_after_aside)
        end = _match_words(doc, j + skip, words)
        if end > 0:
            return end
    return _match_after_aside(doc, j, words)


_SPLIT_REACH = 5
"""Words between a split phrase's number and its end: the counted noun and a
short complement (`سلم 27 عنصرا من حركة الشباب أنفسهم`)."""


_ASIDE_REACH = 10
"""Tokens an aside between a split phrase's number and its end may span."""


def _match_after_aside(doc: _Doc, j: int, words: tuple[str, ...]) -> int:
    """`سلّم قرابة 300 مسلح، معظمهم من الأجانب، أنفسهم`: the phrase's end past an
    aside between commas or brackets that opens within two words of the
    number."""
    n = len(doc.toks)
    for k in range(j, min(j + 3, n)):
        if doc.toks[k] in {"،", ",", "("}:
            break
        if doc.covered[k] >= 0 or doc.toks[k] in _SENTENCE_END:
            return -1
    else:
        return -1
    for m in range(k + 1, min(k + 1 + _ASIDE_REACH, n)):
        tok = doc.toks[m]
        if tok in _SENTENCE_END or doc.covered[m] >= 0:
            return -1
        if tok in {"،", ",", ")"}:
            return _match_words(doc, m + 1, words)
    return -1


def _bare_area(doc: _Doc, i: int) -> _Cand | None:
    """`كيلومتر مربع` or `كيلومتر واحد مربع` with no number before: 1 km2."""
    tok = doc.toks[i]
    if not (lx.matches(tok, "كيلومتر") or lx.matches(tok, "كلم") or lx.matches(tok, "كم")):
        return None
    if i > 0 and _is_numberish(doc, i - 1):
        return None
    j = i + 1
    if j < len(doc.toks) and doc.toks[j] in {"واحد", "1"}:
        j += 1
    if j < len(doc.toks) and lx.matches(doc.toks[j], "مربع"):
        return _Cand(doc.starts[i], doc.ends[j], i, j + 1, 1.0, False, "bare_area", "km2")
    return None


def _fraction(doc: _Doc, i: int) -> _Cand | None:
    """`ربع مساحة البلاد`: a fraction of a territory, as a percentage."""
    share = nouns.fraction_share(doc.toks, i)
    if share is None:
        return None
    return _Cand(doc.starts[i], doc.ends[i + 1], i, i + 1, share, False, "fraction", "percent")


def _is_numberish(doc: _Doc, i: int) -> bool:
    tok = doc.toks[i]
    return tok.isdigit() or bool(lx.lookup(lx.VAGUE_BY_FIRST, tok))


def _vague_word(doc: _Doc, i: int) -> _Cand | None:
    for words, value in lx.lookup(lx.VAGUE_BY_FIRST, doc.toks[i]):
        j = _match_words(doc, i, words)
        if j > 0:
            return _Cand(doc.starts[i], doc.ends[j - 1], i, j, value, True, "vague")
    return None


def _dual(doc: _Doc, i: int) -> _Cand | None:
    tok = doc.toks[i]
    if lx.bare(tok).startswith("ال") or (i > 0 and doc.toks[i - 1].isdigit()):
        return None
    unit = lx.dual_of(tok)
    if unit is None or (unit != "place" and nouns.name_dual(doc.toks, i)):
        return None  # قضاء شيخان: a place name, not two sheikhs
    return _Cand(doc.starts[i], doc.ends[i], i, i + 1, 2.0, False, "dual", unit)


# ---------------------------------------------------------------------------
# Classification of one candidate by its neighbours.
# ---------------------------------------------------------------------------


class _Unit:
    __slots__ = ("end", "factor", "kind", "metric", "noun")

    kind: str  # person, household, square, linear, percent, place, none
    factor: float
    metric: Metric | None  # a metric noun as the counted noun
    end: int  # token index just past the unit words
    noun: int  # token index of the counted noun

    def __init__(
        self,
        kind: str,
        factor: float = 1.0,
        metric: Metric | None = None,
        end: int = -1,
        noun: int = -1,
    ) -> None:
        self.kind = kind
        self.factor = factor
        self.metric = metric
        self.end = end
        self.noun = noun


class _Duration:
    __slots__ = ("token", "window")

    token: int
    window: str | None

    def __init__(self, token: int, window: str | None) -> None:
        self.token = token
        self.window = window


def _origin_site(doc: _Doc, k: int) -> bool:
    """`من مخيمات مأرب`، `من مدن الساحل`: an indefinite place noun in construct
    after `من` names where people came from; `من القرى` (definite) is a part of
    the places counted (`20 من القرى`)."""
    if k + 1 >= len(doc.toks) or _definite(doc.toks[k]):
        return False
    return bool(doc.words[k].scope & Frame.SITE) or Tag.PLACE in doc.words[k].tags


def _unit_after(doc: _Doc, c: _Cand) -> tuple[_Unit, Qualifier | None, int]:
    """The unit words after a number, any hedge between, and where they end."""
    j, post = _skip_qualifier_after(doc, c.t1) if _may_hedge_after(doc, c.t1) else (c.t1, None)
    if c.kind == "bare_area":
        return _Unit("square", 1.0, end=c.t1), post, j
    if c.kind == "dual":
        return _Unit(c.unit_hint, end=c.t1, noun=c.t0), post, j
    if c.kind == "fraction":
        return _Unit("percent", end=c.t1 + 1), post, c.t1 + 1
    unit = _noun_unit(doc, j)
    if doc.tok(j) in _CLOSERS and doc.tok(c.t0 - 1) == _CLOSERS[doc.tok(j)]:
        inside = _noun_unit(doc, j + 1)
        if inside.kind != "none":  # (412) أسرة: the number in brackets, its noun after them
            j, unit = j + 1, inside
    if 0 <= j < len(doc.toks) and unit.kind != "none" and _new_item(doc, j):
        unit = _Unit("none", end=j)  # 3715 وأسر: a new item (و), not this number's noun
    if unit.kind == "linear" and nouns.length_after(doc.toks, unit.end):
        return _Unit("block", end=unit.end), post, unit.end  # 600 كم من الطرق: a length
    if unit.kind == "none" and doc.tok(j) == "من":
        k = j + 1
        if _is(doc, k, "بين") or _is(doc, k, "اصل"):
            k += 1
        if _is(doc, k - 1, "اصل") and k < len(doc.toks) and doc.covered[k] >= 0:
            m = k
            while m < len(doc.toks) and doc.covered[m] == doc.covered[k]:
                m += 1
            k = m  # 14 من أصل 17 بلدة: the noun after the whole counts the part too
            inner = _noun_unit(doc, k)
            if inner.kind == "place":
                unit = inner
        inner = _noun_unit(doc, k)
        if inner.kind == "block" and _members(doc, k):
            inner = _Unit("person", end=inner.end, noun=k)  # 5 من الفصائل: five of their men
        if inner.kind == "block" and _origin_site(doc, k):
            inner = _Unit("none", end=j)  # نزح عشرات الآلاف من مخيمات مأرب: whence, not what
        if inner.kind in {"person", "household", "block"}:
            unit = inner
    if unit.kind == "none" and _plain_noun(doc, j):
        if not doc.words[j].name and nouns.unknown_noun_blocks(doc.toks[j]):
            return _Unit("block", end=j + 1), post, j + 1  # 300 شقة: things, not people
        unit = _Unit("person", end=j + 1)  # 1300 إسرائيلي، شخض: a nisba, a typo, a name
    if unit.noun >= 0 and nouns.cases_of_things(doc.toks, unit.noun):
        return _Unit("block", end=unit.end), post, unit.end  # حالات التحقيق: cases of things
    if unit.kind == "none" and unit.end <= j:
        before = nouns.noun_before(doc.toks, c.t0, _definite_number(doc, c))
        if before is not None:  # المحافظات الثلاث، الأشخاص الـ12: a postposed cardinal
            unit = _Unit(before, end=j)
    if unit.end > j:
        hedge, post2 = _trailing_hedge(doc, unit.end)
        if post2 is None and doc.tok(unit.end) in _COMMAS:
            hedge, post2 = _comma_hedge(doc, unit.end)
        if post2 is not None:
            post = post2 if post is None else post
            return unit, post, hedge
    elif post is None and doc.tok(j) in _COMMAS:
        hedge, post = _comma_hedge(doc, j)
        if post is not None:
            return unit, post, hedge
    return unit, post, max(j, unit.end)


def _new_item(doc: _Doc, j: int) -> bool:
    """A word carrying و that opens a new item: a conjoined lexicon word, or a
    verb written with its و (`وأسر`, "and captured")."""
    word = doc.words[j]
    if word.conjoined:
        return True
    return doc.toks[j][:1] == "و" and any(
        s.tag is Tag.TRIGGER and s.strength is Strength.VERB for s in word.senses
    )


def _definite_number(doc: _Doc, c: _Cand) -> bool:
    """A number with the article: `الثلاث`, `الـ 12`."""
    if c.kind != "number":
        return False
    return doc.toks[c.t0].startswith("ال") or doc.tok(c.t0 - 1) in {"ال", "الـ"}


_THEIR_NUMBER = frozenset(fold(w) for w in ("عددهم", "عددهن", "عددها", "أعدادهم"))
_REFERENT_GAP = frozenset(
    fold(w)
    for w in (
        "البالغ",
        "البالغة",
        "البالغين",
        "الذين",
        "اللواتي",
        "التي",
        "الذي",
        "ممن",
        "بلغ",
        "يبلغ",
        "تبلغ",
        "بلغت",
        "وصل",
        "يصل",
        "يقدر",
        "المقدر",
        "قد",
    )
)
"""Words between a noun and "their number" (`البالغ عددهم`, `الذين بلغ عددهم`)."""

_ONE_OF_A = frozenset({Tag.BLOCK, Tag.DUR_WORD, Tag.GROUP})
"""Nouns that a `واحد` after them describes (`بصاروخ واحد`, `في يوم واحد`, `دفعة واحدة`)."""

_OF_THEM = frozenset({"منهم", "منهن"})
"""After a number: "of them", a part of the people just counted."""

_ELLIPSIS_REACH = 6
"""Tokens from a number of things to a coordinated number that counts them too."""


def _lost_something(doc: _Doc, verb: int, j: int) -> bool:
    """`فقدوا كل شيء`: the verb "lost" (`فقد`, transitive, unlike `اختفوا`) with
    an object at token j."""
    return "فقد" in doc.toks[verb] and _has_object(doc, j)


def _has_object(doc: _Doc, j: int) -> bool:
    """Whether token j, right after a verb, begins its object: a word that is
    no function word (`فقدوا كل شيء`, `فقدوا منازلهم`; not `فقدوا في البحر`)."""
    tok = doc.tok(j)
    if not tok.isalpha() or tok in lx.NOT_NOUNS or lx.bare(tok) in lx.NOT_NOUNS:
        return tok in {"كل", "جميع"}
    return not doc.words[j].tags & {Tag.DUR_OPEN, Tag.CLAUSE, Tag.MONTH}


def _coordinated(doc: _Doc, t0: int) -> bool:
    """A number carrying or right after the conjunction و (`و6`, `و 6`)."""
    return doc.text[doc.starts[t0]] == "و" or doc.tok(t0 - 1) == "و"


_CLOSERS = {")": "(", "»": "«", "]": "[", '"': '"', "”": "“"}
"""A closing bracket or quote after a number and the opener before it."""


def _members(doc: _Doc, k: int) -> bool:
    """Whether token k, after a number and `من`, names a group whose members
    the number counts: a definite group noun (`من الفصائل`, `من الميليشيات`)."""
    sense = lx.first(doc.toks[k], Tag.BLOCK)
    return sense is not None and sense.arg == "group" and _definite(doc.toks[k])


def _plain_noun(doc: _Doc, j: int) -> bool:
    """Whether token j, right after a number, reads as an indefinite noun the
    lexicon does not know (its counted noun): an Arabic word, no article, no
    conjunction, not a function word, not a verb form, no lexicon sense but a
    noun's."""
    tok = doc.tok(j)
    if len(tok) < 3 or not tok.isalpha() or not ("\u0621" <= tok[0] <= "\u064a"):
        return False
    if tok.startswith(("ال", "و", "ف", "ي")) or tok in lx.NOT_NOUNS or lx.phrases_for(tok):
        return False  # the article, a conjunction, a present verb, a phrase
    if tok.endswith("وا") or (tok[0] in "يت" and tok.endswith("ون")):
        return False  # قتلوا، يعيشون: a verb
    if j == 0 or doc.clause[j] != doc.clause[j - 1]:
        return False
    return all(s.tag is Tag.TRIGGER and s.strength is not Strength.VERB for s in lx.senses(tok))


def _noun_unit(doc: _Doc, j: int) -> _Unit:
    if not 0 <= j < len(doc.toks):
        return _Unit("none", end=j)
    if doc.toks[j] == "%":
        return _Unit("percent", end=j + 1)
    word = doc.words[j]
    for kind, words, factor in word.units:
        end = _match_words(doc, j, words)
        if end > 0:
            return _Unit(kind, factor, end=end)
    if word.noun == "none":
        return _Unit("none", end=j)
    return _Unit(word.noun, metric=word.noun_metric, end=j + 1, noun=j)


def _prev_word(doc: _Doc, i: int) -> int:
    """Index of the word before token i, skipping a lone `ال` (from `الـ`) and quotes."""
    k = i - 1
    while k >= 0 and (doc.toks[k] in {"ال", "الـ"} or doc.toks[k] in _QUOTES):
        k -= 1
    return k


def _word_before_bracket(doc: _Doc, i: int) -> int:
    """`_prev_word`, past an opening bracket (`ما بين ( 60 إلى 70 )`)."""
    k = _prev_word(doc, i)
    return _prev_word(doc, k) if k >= 0 and doc.toks[k] in {"(", "["} else k


def _not_a_figure(doc: _Doc, c: _Cand) -> bool:
    """Dates, years, ages, identifiers, times, lone numbers on a line."""
    if c.kind != "number":
        return False
    text = doc.text
    s, e = c.start, c.end
    if e + 1 < len(text) and text[e] in "/-:" and text[e + 1].isdigit():
        return True
    if s >= 2 and text[s - 1] in "/-:" and text[s - 2].isdigit():
        return True
    n = len(doc.toks)
    if (c.t0 == 0 or doc.toks[c.t0 - 1] == "\n") and (c.t1 >= n or doc.toks[c.t1] == "\n"):
        return True  # a view counter or a page number on its own line
    k = _prev_word(doc, c.t0)
    if (
        k >= 0
        and doc.clause[k] == doc.clause[c.t0]
        and Tag.BLOCK_BEFORE in doc.words[k].tags
        and not _not_a_year(doc, k, c.value)
    ):
        return True
    if k >= 0 and Tag.MONTH in doc.words[k].tags and c.value >= 1000:
        return True
    j = c.t1
    for _ in range(3):
        if 0 <= j < len(doc.toks) and (doc.toks[j] in {"من", "/"} or _is(doc, j, "شهر")):
            j += 1
            continue
        break
    if _month_at(doc, j) is not None:
        return True
    if (
        c.value == 1
        and not doc.toks[c.t0].isdigit()
        and k >= 0
        and not doc.words[k].tags.isdisjoint(_ONE_OF_A)
    ):
        return True  # في يوم واحد، بصاروخ واحد: "one" describes the noun before
    if (
        c.value == 1
        and not doc.toks[c.t0].isdigit()
        and k > 0
        and Tag.HOUSEHOLD in doc.words[k].tags
        and _bare(doc, k - 1) == "من"
    ):
        return True  # 5 أشخاص من عائلة واحدة: "from one family" describes them
    if nouns.ratio_or_one_of(doc.toks, c.t0, c.t1, c.value):
        return True  # سبعة من كل عشرة، واحد من: a ratio or "one of", not a count
    if k >= 0 and _definite_number(doc, c) and nouns.name_number(doc.toks, c.t0, True):
        return True  # جبل الأربعين: a name
    if k >= 0 and doc.toks[c.t0].isdigit() and nouns.letter_name(doc.toks[k]):
        return True  # حركة إم 23، طائرات إف 16: a Latin letter and a number, a name
    if c.vague:
        return False
    value = c.value
    if value.is_integer() and 1900 <= value <= 2100:
        unit = _noun_unit(doc, c.t1)
        if unit.kind not in {"person", "household"}:
            return True
    return False


def _not_a_year(doc: _Doc, k: int, value: float) -> bool:
    """A number after a year word (token k) that cannot be a year: `منذ مطلع
    العام 2400 شخص` counts 2400 people (a year is two digits, or 1300–2100,
    Hijri or Gregorian)."""
    sense = lx.first(doc.toks[k], Tag.BLOCK_BEFORE)
    if sense is None or sense.arg != "year":
        return False
    return not value.is_integer() or (100 <= value < 1300 or value > 2100)


def _month_at(doc: _Doc, j: int) -> tuple[int, int] | None:
    """(month, end token) if a month name starts at token j."""
    if not 0 <= j < len(doc.toks) or not doc.words[j].month:
        return None
    tok = doc.toks[j]
    for form in lx.forms(tok):
        for phrase in lx.PHRASES.get(form, ()):
            if phrase.sense.tag is Tag.MONTH:
                end = _match_words(doc, j + 1, phrase.words[1:])
                if end > 0:
                    return phrase.sense.num, end
    sense = lx.first(tok, Tag.MONTH)
    if sense is not None and sense.num:
        if tok in {"اب", "ماي", "مارس"} and not _datey(doc, j):
            return None
        return sense.num, j + 1
    return None


def _month_after(doc: _Doc, j: int) -> tuple[int, int] | None:
    """(month, end token) of the month named after a day at token j
    (`5 شباط`, `5 من شهر شباط`, `25 كانون الأول/ديسمبر`: the second name of
    a pair is taken in too)."""
    while j < len(doc.toks) and (doc.toks[j] in {"من", "/"} or _is(doc, j, "شهر")):
        j += 1
    month = _month_at(doc, j)
    if month is not None and doc.tok(month[1]) == "/":
        other = _month_at(doc, month[1] + 1)
        if other is not None:
            return month[0], other[1]
    return month


def _is_year(tok: str) -> bool:
    return len(tok) == 4 and tok.isdigit() and 1900 <= int(tok) <= 2100


def _month_range(doc: _Doc, i: int) -> tuple[str, int] | None:
    """`بين كانون الثاني/يناير وآذار/مارس`, `من يناير إلى مارس`: a range of
    whole months starting at token i, both counted (`3m`), and its end token."""
    if _bare(doc, _prev_word(doc, i)) not in {"بين", "مابين", "من"}:
        return None
    first = _month_after(doc, i)
    if first is None:
        return None
    j = first[1] + (1 if _is_year(doc.tok(first[1])) else 0)
    if doc.tok(j) in _RANGE_GAPS:
        j += 1
    elif not (j < len(doc.toks) and doc.words[j].conjoined):  # وآذار: the و on the month
        return None
    second = _month_after(doc, j)
    if second is None:
        return None
    return f"{(second[0] - first[0]) % 12 + 1}m", second[1]


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_RANGE_GAPS = frozenset(fold(w) for w in ("و", "-", "–", "إلى", "حتى", "لغاية", "ولغاية"))
"""What stands between the two ends of a range (`بين 10 و20`, `من 10 إلى 20`)."""


def _may_be_day(c: _Cand) -> bool:
    """Whether a candidate may be a day of a month (a whole number 1-31)."""
    return c.kind == "number" and not c.vague and c.value.is_integer() and 1 <= c.value <= 31


def _days_between(start: tuple[int, int], end: tuple[int, int]) -> int | None:
    """Days from (month, day) to (month, day), both counted; a range that
    ends in an earlier month runs into the next year (Dec. to Jan.).  A
    year without 29 February: the range's year is rarely stated."""
    (m1, d1), (m2, d2) = start, end
    if d1 > _MONTH_DAYS[m1 - 1] + (m1 == 2) or d2 > _MONTH_DAYS[m2 - 1] + (m2 == 2):
        return None
    first = sum(_MONTH_DAYS[: m1 - 1]) + min(d1, _MONTH_DAYS[m1 - 1])
    last = sum(_MONTH_DAYS[: m2 - 1]) + min(d2, _MONTH_DAYS[m2 - 1])
    if last < first:
        last += 365
    return last - first + 1


def _datey(doc: _Doc, j: int) -> bool:
    prev = doc.tok(j - 1)
    return (
        prev.isdigit()
        or prev in {"من", "/", "شهر", "في"}
        or (prev in _RANGE_GAPS and prev != "و")  # من يناير إلى مارس
        or lx.has(prev, Tag.MONTH)
    )


def _duration(doc: _Doc, c: _Cand, unit: _Unit) -> _Duration | None:
    """A number of hours, days… : not a figure, but a window if it reads as one
    (`خلال 24 ساعة`, `آخر 48 ساعة`, `الساعات الـ48 الأخيرة`, `منذ أكثر من ثلاثة أشهر`)."""
    suffix = ""
    after = -1
    first_tok = c.t0
    if unit.kind == "block" and unit.noun >= 0:
        s = lx.first(doc.toks[unit.noun], Tag.DUR_UNIT)
        if s is not None:
            suffix, after = s.arg, unit.end
    if not suffix and (unit.kind not in {"person", "household"} or unit.noun < 0):
        # الساعات الـ48 الأخيرة; but people after it are counted (العام 2400 شخص),
        # and a word the lexicon does not know is no such noun (الساعات الـ 48 تنقضي)
        k = _prev_word(doc, c.t0)
        if k >= 0 and doc.toks[k].startswith("ال"):
            s = lx.first(doc.toks[k], Tag.DUR_UNIT)
            if s is not None:
                suffix, after, first_tok = s.arg, c.t1, k
    if not suffix and doc.tok(c.t1) == ")" and doc.tok(c.t0 - 1) == "(":
        s = lx.first(doc.tok(c.t1 + 1), Tag.DUR_UNIT)  # خلال الـ(6) أشهر، بعد ( 4 ) أيام
        if s is not None:
            suffix, after, first_tok = s.arg, c.t1 + 2, c.t0 - 1
            if doc.tok(first_tok - 1) in {"ال", "الـ"}:
                first_tok -= 1
    if not suffix:
        return None
    window = None if c.vague else f"{c.value:g}{suffix}"
    q0, _ = _qualifier_before(doc, first_tok)
    opener = _prev_word(doc, q0)
    opened = opener >= 0 and Tag.DUR_OPEN in doc.words[opener].tags
    closed = _has(doc, after, Tag.DUR_CLOSE)
    if scope.not_a_window(doc.toks, opener, after if after >= 0 else c.t1):
        return _Duration(-1, None)  # منذ سبع سنوات of a war, خلال الأيام المقبلة
    if opened or closed:
        return _Duration(c.t0, window)
    return _Duration(-1, None)


# ---------------------------------------------------------------------------
# Readings: a classified candidate; a hedge shared by coordinated numbers.
# ---------------------------------------------------------------------------


class _Reading:
    __slots__ = ("cand", "end_tok", "q0", "qual", "unit")

    cand: _Cand
    unit: _Unit
    q0: int
    qual: Qualifier
    end_tok: int

    def __init__(self, cand: _Cand, unit: _Unit, q0: int, qual: Qualifier, end_tok: int) -> None:
        self.cand = cand
        self.unit = unit
        self.q0 = q0
        self.qual = qual
        self.end_tok = end_tok


def _joined_by_and(doc: _Doc, a: _Reading, b: _Reading) -> bool:
    """Reading b's number is joined to a's words by `و` alone (`أكثر من 4800
    قتيل و20 ألف مصاب`)."""
    j = a.end_tok
    return (
        j < len(doc.toks)
        and doc.toks[j] == "و"
        and b.q0 == b.cand.t0 == j + 1
        and doc.sent[b.cand.t0] == doc.sent[a.cand.t0]
    )


def _share_hedges(
    doc: _Doc, readings: list[_Reading], hedges: list[tuple[Qualifier | None, Qualifier | None]]
) -> None:
    """A hedge written once over coordinated numbers hedges each: one before
    the first reaches the unhedged numbers after it, one after the last the
    unhedged numbers before it (`3381 قتيلاً و20483 جريحاً على الأقل`)."""
    for i in range(1, len(readings)):
        (pre, _), (own_pre, own_post) = hedges[i - 1], hedges[i]
        b = readings[i]
        unhedged = own_pre is None and own_post is None and not b.cand.range_low
        if pre is not None and unhedged and _joined_by_and(doc, readings[i - 1], b):
            b.qual = pre
            hedges[i] = (pre, None)
    for i in range(len(readings) - 2, -1, -1):
        (own_pre, own_post), (_, post) = hedges[i], hedges[i + 1]
        a = readings[i]
        unhedged = own_pre is None and own_post is None and not a.cand.range_low
        if post is not None and unhedged and _joined_by_and(doc, a, readings[i + 1]):
            a.qual = post
            hedges[i] = (None, post)
