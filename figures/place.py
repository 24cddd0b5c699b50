"""Which place a figure is about (FIGURES.md, "Which place").

Pure: given the normalised text, the places named in it (`gazetteer.Mention`)
and where the figure, its clause and its sentence lie, `attribute` returns the
figure's place id and its ISO country and first-level division codes:

- the place the text ties the number to, read from the preposition before
  each name in the figure's clause (then its sentence): `من` is where people
  left, `إلى`/`نحو` where they went, `في`/`ب`/`داخل` where something is or
  happened;
- people who fled or left at the place they left, else where they went;
  refugees and camp residents where they are now (`لاجئ سوري في لبنان` is
  Lebanon: a nationality adjective on the counted noun is no place);
  returnees where they returned; tolls, detentions and areas where they
  happened or lie;
- country-wide wording (`في عموم سوريا`, `في كل أنحاء البلاد`) gives the
  country and no division; names joined as one place (`في حلب وإدلب`,
  `بين ميانمار وبنغلادش`) give their common country, or nothing when that is
  two countries;
- a sentence that names no place takes the article's place (`article_place`:
  the headline's, else the lead's, else the figure sentences').

A region with no ISO code of its own (Gaza Strip, West Bank, Darfur) keeps
its own id, so its series stay apart, with the country's code only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from figures import gazetteer
from figures.gazetteer import Mention
from figures.model import Metric


@dataclass(frozen=True, slots=True)
class Place:
    """Where a figure is: the gazetteer id that keys its series and its ISO codes."""

    id: str | None
    """Canonical gazetteer id (a town, a governorate, a region, a country), or None."""
    country: str | None
    """ISO 3166-1 alpha-2 code, or None."""
    admin1: str | None
    """ISO 3166-2 first-level code, or None."""


NOWHERE = Place(None, None, None)
"""No place (none named, or a figure over two countries)."""


class Role(IntEnum):
    """What the words before a name make of it."""

    AT = 0
    """في، ب، داخل، على: where something is or happened."""
    FROM = 1
    """من، عن: where people left."""
    TO = 2
    """إلى، نحو، باتجاه: where people went."""
    PLAIN = 3
    """Anything else (a subject, a genitive: سكان حلب، حكومة لبنان)."""
    AGENT = 4
    """من قبل، شنتها: who did it, never where."""


# ---------------------------------------------------------------- words (folded)

_ROLE_WORDS: dict[str, Role] = {
    "في": Role.AT,
    "داخل": Role.AT,
    "على": Role.AT,
    "علي": Role.AT,
    "بانحاء": Role.AT,
    "من": Role.FROM,
    "عن": Role.FROM,
    "الي": Role.TO,
    "نحو": Role.TO,
    "باتجاه": Role.TO,
    "صوب": Role.TO,
    "حتي": Role.TO,
    "لدي": Role.AT,
}
"""A preposition's role (normalised text folds إلى to الي)."""

_PLACE_NOUN = re.compile(
    r"(?:[وف]?[بل]?(?:ال)?)"
    r"(?:مدين[ةه]|مدينتي|مدن|بلد[ةه]|بلدتي|بلدات|قري[ةه]|قريتي|قري|محافظ[ةه]|محافظتي|محافظات|"
    r"ولاي[ةه]|ولايتي|ولايات|مخيم|مخيمي|مخيمات|ريف|ارياف|منطق[ةه]|منطقتي|مناطق|اقليم|اقليمي|"
    r"حي|احياء|قطاع|قضاء|ناحي[ةه]|شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي|وسط|اطراف|محيط|"
    r"داخل|خارج|مراكز|مركز|ملاجئ|مدارس|جميع|كل|كاف[ةه]|مختلف|عموم|انحاء|ارجاء|"
    r"سجون|سجن|معتقلات|مستشفيات|مستشفي|سد|مطار|معبر|جسر|سوق|اسواق|مسجد|مدرس[ةه]|"
    r"قاعد[ةه]|ميناء|طريق|حدود|الحدود|جزء|اجزاء|اطراف|شرقي|غربي|شمالي|جنوبي|"
    r"جانب|ايسر|ايمن|شطر)$"
)
"""Words that may stand between a preposition and the name (في مخيمات ريف حلب)."""

_TWO = re.compile(
    r"^(?:[وف]?[بل]?(?:ال)?)(?:مدينتي|بلدتي|قريتي|محافظتي|ولايتي|مخيمي|منطقتي|اقليمي)$"
)
"""A dual place noun: the names after it are one place (في محافظتي حلب وإدلب)."""

_WHOLE = re.compile(
    r"(?:في|علي|على)\s+(?:عموم|كل|كاف[ةه]|جميع|مختلف|سائر)\s+(?:(?:انحاء|ارجاء|مناطق|مدن|"
    r"محافظات|ولايات)\s+)?$|(?:عموم|انحاء|ارجاء|مستوي|مستوى)\s+$"
)
"""Country-wide wording just before a country's name: في عموم سوريا."""


_WHOLE_LAST = (
    *("عموم", "كل", "كافة", "كافه", "جميع", "مختلف", "سائر"),
    *("انحاء", "ارجاء", "مناطق", "مدن", "محافظات", "ولايات", "مستوي", "مستوى"),
)
"""The words a match of `_WHOLE` may end with before its closing white space."""


def _whole(before: str) -> bool:
    """Whether `before` ends with `_WHOLE`: both its branches end with one of
    `_WHOLE_LAST` and white space (`\\s+$`), so text that does not is not
    searched (the search tries every offset)."""
    if not before or not before[-1].isspace() or not before.rstrip().endswith(_WHOLE_LAST):
        return False
    return _WHOLE.search(before) is not None


_WHOLE_LAND = re.compile(
    r"(?:في|علي|على|داخل)\s+(?:(?:عموم|كل|كاف[ةه]|جميع|مختلف|سائر|عدد\s+من)\s+)?"
    r"(?:(?:انحاء|ارجاء|مناطق|مدن|محافظات|ولايات)\s+)?البلاد(?!\w)"
)
"""Country-wide wording with no name: في البلاد، في عموم البلاد، في عدد من مدن البلاد."""

_WHOLE_LAND_WORD = "البلاد"
"""What every match of `_WHOLE_LAND` holds: a clause without it is not searched."""

_ABROAD = re.compile(
    r"(?<!\w)(?:خارج\s+(?:البلاد|بلادهم|بلدهم|الوطن)|في\s+الخارج|بالخارج|المهجر|الشتات)(?!\w)"
)
"""Abroad with no country named: refugees there are in no place the text names."""

_REFUGEE = re.compile(r"(?<!\w)[وف]?[بل]?(?:ال|لل)?لاجئ(?:ا|ين|ون|ات|ة|و)?(?!\w)")
"""A refugee noun: refugees are counted where they are now."""
_REFUGEE_WORD = "لاجئ"
"""What every match of `_REFUGEE` holds."""

_NATIONALITY_LIST = re.compile(
    r"(?<!\w)[وف]?[بل]?(?:ال)?(?:جنسي[ةه]|جنسيات|جنسيتين|جنسيتي)(?:\s+(?:مختلف[ةه]|متعدد[ةه]|عد[ةه]))?"
    r"((?:[\s،,]+(?:و|من|او|غير)?\s*\w+(?:ي[ةه]|يين|يون|يات|ي)(?!\w))+)"
)
"""`جنسية` and the adjectives after it: nationalities (من جنسيات روسية وتركية)."""

_NATIONALITY_WORD = "جنسي"
"""What every match of `_NATIONALITY_LIST` holds, right after its clitics."""
_NATIONALITY_CLITICS = frozenset(
    a + b + c for a in ("", "و", "ف") for b in ("", "ب", "ل") for c in ("", "ال")
)
"""What may stand before `_NATIONALITY_WORD` in a match: `[وف]?[بل]?(?:ال)?`."""
_NATIONALITY_REACH = max(map(len, _NATIONALITY_CLITICS))


@lru_cache(maxsize=1 << 10)
def _nationality_lists(text: str, lo: int, hi: int) -> tuple[tuple[int, int], ...]:
    """The spans of group 1 of `_NATIONALITY_LIST.finditer(text, lo, hi)`:
    the pattern is tried only where a match may start, at the clitics before
    each `_NATIONALITY_WORD` (str.find), in order and not overlapping, as
    `finditer` would find them.  Cached: every figure of a sentence asks."""
    out: list[tuple[int, int]] = []
    done = lo
    k = text.find(_NATIONALITY_WORD, lo, hi)
    while k >= 0:
        for x in range(max(done, k - _NATIONALITY_REACH), k + 1):
            if text[x:k] not in _NATIONALITY_CLITICS:
                continue
            m = _NATIONALITY_LIST.match(text, x, hi)
            if m is not None:
                out.append(m.span(1))
                done = m.end()
                break
        k = text.find(_NATIONALITY_WORD, max(k + 1, done), hi)
    return tuple(out)


_JOIN = re.compile(r"^\s*(?:و|او|،|,|-|/)?\s*$")
"""The gap between two names read as one place (حلب وإدلب، سوريا/تركيا)."""

_BETWEEN = re.compile(r"(?:^|\s)(?:بين|الفاصل[ةه]?\s+بين|الحدود\s+بين)\s*$")
"""`بين` before the first of two joined names: a place between them."""

_WORD = re.compile(r"\w+")
_TWO_WORDS = re.compile(r"\w\W+\w")
"""Two runs of `_WORD` (a span holds two words or more iff it holds this)."""


# ---------------------------------------------------------------- codes


@lru_cache(maxsize=1 << 12)
def of(place_id: str | None) -> Place:
    """The Place of a gazetteer id, with its codes."""
    if place_id is None:
        return NOWHERE
    country, admin1 = gazetteer.codes(place_id)
    return Place(place_id, country, admin1)


@lru_cache(maxsize=1 << 12)
def country_of(place_id: str) -> str | None:
    """The id of the country a place lies in (itself for a country), if known."""
    return _enclosing(place_id, "country")


def _enclosing(place_id: str, kind: str) -> str | None:
    """The innermost place of `kind` enclosing `place_id` (itself included), if any."""
    for ident in gazetteer.ancestors(place_id):
        entry = gazetteer.place(ident)
        if entry is not None and entry.kind == kind:
            return ident
    return None


def whole_country(place_id: str | None) -> Place:
    """The country of a place as a whole: its country's id and code, no division."""
    if place_id is None:
        return NOWHERE
    ident = country_of(place_id)
    code = gazetteer.codes(place_id)[0]
    if code is None:
        return NOWHERE
    return Place(ident or place_id, code, None)


def common(places: Sequence[Place]) -> Place:
    """One place for names read as one (حلب وإدلب): itself when they agree on a
    division, else their country with no division, else nowhere."""
    if not places:
        return NOWHERE
    countries = {p.country for p in places}
    if len(countries) != 1 or None in countries:
        return NOWHERE
    if len({p.admin1 for p in places}) == 1:
        return places[0]
    return whole_country(places[0].id)


# ---------------------------------------------------------------- reading the text


@dataclass(frozen=True, slots=True)
class _Named:
    """A mention as the attribution reads it."""

    start: int
    end: int
    id: str
    role: Role
    demonym: bool


_AGENT = frozenset(
    {"قبل", "شنها", "شنتها", "نفذها", "نفذتها", "شنه", "شنته", "يد", "ايدي"}
    | {"بعد", "قرب", "بقرب", "بالقرب", "مقربة", "بمحاذاة", "محاذاة", "حدود", "الحدود"}
)
"""Words before a name that make it the doer (من قبل إسرائيل، على يد قوات…) or
a landmark (على بعد 20 كيلومترا من…، قرب الحدود…), never the place."""

_LANDMARK = re.compile(r"(?<!\w)(?:[وفبل]|ال|بال|لل)?(?:حدود|حدودها|الحدود)(?!\w)")
"""`الحدود العراقية`: a border is a landmark, its adjective no place."""

_HOST = re.compile(
    r"(?<!\w)[وف]?(?:تستضيف|يستضيف|استضافت|استضاف|تؤوي|يؤوي|تاوي|ياوي|تحتضن|يحتضن|يستقبل|"
    r"تستقبل|استقبلت|استقبل|لجوء|اللجوء)(?!\w)"
)
"""A host's verb or asylum: the people are counted where they are now."""
_HOST_WORDS = ("ستضيف", "ستضاف", "ؤوي", "اوي", "حتضن", "ستقبل", "لجوء")
"""One of these is in every match of `_HOST`."""


def _holds(text: str, word: str, lo: int, hi: int) -> bool:
    """Whether text[lo:hi] holds `word` (a pattern's search is skipped when not)."""
    return text.find(word, lo, hi) >= 0


def _hosted(text: str, lo: int, hi: int) -> bool:
    """Refugee or host wording in text[lo:hi] (`_REFUGEE`, `_HOST`)."""
    if _holds(text, _REFUGEE_WORD, lo, hi) and _REFUGEE.search(text, lo, hi):
        return True
    return any(_holds(text, w, lo, hi) for w in _HOST_WORDS) and bool(_HOST.search(text, lo, hi))


def _whole_land(text: str, lo: int, hi: int) -> bool:
    """Country-wide wording with no name in text[lo:hi] (`_WHOLE_LAND`)."""
    return _holds(text, _WHOLE_LAND_WORD, lo, hi) and bool(_WHOLE_LAND.search(text, lo, hi))


_CONNECTIVE_WORDS = ("حيث", "فيما", "بينما", "كما", "اذ", "حين", "عندما", "بعدما")
_CONNECTIVE = re.compile(r"(?<!\w)[و]?(?:" + "|".join(_CONNECTIVE_WORDS) + r")(?!\w)")
"""A connective that opens a new proposition: a name before it ties no
number after it (… إلى مخيمات الهول، حيث يرتفع إلى 1500 عدد الخارجين).
Every match holds one of `_CONNECTIVE_WORDS`: a span without any is not
searched (the pattern opens with a lookbehind, tried at every offset)."""


def _role(text: str, start: int) -> Role:
    """The role the words before a name give it: the preposition before it,
    past at most three place nouns (في مخيمات ريف حلب), or a proclitic ب."""
    if start > 0 and text[start - 1] == "ب" and (start < 2 or not text[start - 2].isalpha()):
        return Role.AT
    if start > 1 and text[start - 2 : start] in ("وب", "فب"):
        return Role.AT
    if start > 0 and text[start - 1] == "ل" and (start < 2 or not text[start - 2].isalpha()):
        return Role.TO
    words = _WORD.findall(text[max(0, start - 60) : start])
    for k in range(len(words) - 1, max(-1, len(words) - 5), -1):
        word = words[k]
        if word in _AGENT:
            return Role.AGENT
        role = _ROLE_WORDS.get(word)
        if word[:1] in "وف" and _ROLE_WORDS.get(word[1:]) is not None:
            word = word[1:]
            role = _ROLE_WORDS[word]
        if role is not None:
            if role is Role.FROM and k > 0 and _PLACE_NOUN.match(words[k - 1]):
                continue  # partitive: في القطاع الشرقي من ريف حلب
            return role
        if word[:1] == "ب" and _PLACE_NOUN.match(word):
            return Role.AT  # بمدينة، بمخيمات
        if word[:1] == "ل" and _PLACE_NOUN.match(word):
            return Role.TO  # لمدينة
        if not _PLACE_NOUN.match(word):
            return Role.PLAIN
    return Role.PLAIN


def names_in(text: str, mentions: Sequence[Mention], sentence: tuple[int, int]) -> list[_Named]:
    """The mentions inside `sentence` as `attribute` reads them, with their
    roles: what every figure of the sentence shares (`attribute`'s `named`)."""
    return _named(text, mentions, *sentence)


def _named(text: str, mentions: Sequence[Mention], lo: int, hi: int) -> list[_Named]:
    out: list[_Named] = []
    for m in mentions:
        if lo <= m.start and m.end <= hi:
            out.append(_read(text, m, out[-1] if out else None))
    return out


@lru_cache(maxsize=1 << 12)
def _read(text: str, m: Mention, previous: _Named | None) -> _Named:
    """A mention with its role (cached: the figures of a sentence share its names)."""
    name = text[m.start : m.end]
    demonym = gazetteer.is_demonym(name)
    head = name.split(" ", 1)[0]
    role = _ROLE_WORDS.get(head) if " " in name else None  # written with its preposition
    role = role or _role(text, m.start)
    if demonym and _LANDMARK.search(text, max(0, m.start - 24), m.start):
        role = Role.AGENT
    if previous is not None and _nested(
        text, previous, _Named(m.start, m.end, m.id, role, demonym)
    ):
        role = previous.role  # مخيم الهول في سوريا: where the camp is, in the camp's role
    return _Named(m.start, m.end, m.id, role, demonym)


_SINCE = re.compile(r"(?<!\w)منذ(?!\w)[^،,.:؛\n]*$")
"""`منذ` with no break before the name: the name belongs to the time anchor
(منذ قرار واشنطن الانسحاب من سوريا), unless it says where (منذ بدء الهجوم على عفرين)."""


def _framed(text: str, lo: int, hi: int) -> bool:
    """A speaker's frame in text[lo:hi], between a name and the number after
    it: an opening quote, or a colon not followed by a number (a label:
    `جنوب لبنان: 11 شهيدا`)."""
    if text.find("«", lo, hi) >= 0 or text.find("“", lo, hi) >= 0 or text.find('"', lo, hi) >= 0:
        return True  # an opening quote (three finds: the gaps are short)
    k = text.find(":", lo, hi)
    while k >= 0:
        if not _NUMBER_AFTER.match(text, k + 1):
            return True
        k = text.find(":", k + 1, hi)
    return False


_NUMBER_AFTER = re.compile(r"\s*\(?\d")

_LABEL = re.compile(r"\s*:\s*(?=\S|$)")
"""`جنوب لبنان: 11 شهيدا`: the name labels the number right after its colon."""


@lru_cache(maxsize=1 << 12)
def _in_since(text: str, start: int) -> bool:
    """Whether the name at `start` follows `منذ` with no break (`_SINCE`); cached,
    as every figure of a sentence asks of its names."""
    return bool(_SINCE.search(text, max(0, start - 80), start))


def _merged(numbers: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Number spans with those that touch merged (`(9600) الاف` is one number)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(numbers):
        if out and a - out[-1][1] <= 2:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _own_after(text: str, m: _Named, e: int, numbers: Sequence[tuple[int, int]]) -> bool:
    """A name after the figure, near it, with no other number between."""
    if m.start < e or m.start - e > SENTENCE_REACH or _LABEL.match(text, m.end):
        return False  # (a label, `النبطية: 6 شهداء`, is the next number's)
    return not any(e <= a < m.start for a, _ in numbers)


def _labels_another(text: str, m: _Named, numbers: Sequence[tuple[int, int]]) -> bool:
    """A name written right before another number, with nothing but a space, a
    colon or a bracket between (`… كالتالي: النبطية 22 شهيدا، بعلبك الهرمل 18
    شهيدا`): it labels that number, in an inline list, and no other."""
    for a, _ in numbers:
        if a >= m.end and a - m.end <= 3 and not text[m.end : a].strip(" :(\u00a0"):
            return True
    return False


_PART = re.compile(r"(?:بين|من)(?:هم|هن|ها|هما)\s*[:،,]?\s*$|:\s*$")
"""What opens a part of a figure, or an item of a list, right before its number."""


def _a_parts_place(text: str, m: _Named, e: int, numbers: Sequence[tuple[int, int]]) -> bool:
    """A name after the figure that follows a later number which is a part of
    it (`87 قتيلا، بينهم 34 في حمص`) or an item of a list the colon opens (`52
    قتيلا: 22 في النبطية`): that part's place, not the figure's."""
    if m.start < e or m.demonym:
        return False  # (a nationality on the part's people is no place: بينهم 32 سودانيا)
    later = [(a, b) for a, b in numbers if e <= a and b <= m.start]
    if not later:
        return False
    a, b = later[-1]
    gap = text[b : m.start]
    if len(gap) > 25 or any(ch in gap for ch in "،,.؛\n"):
        return False  # (من ضمنهم 30 …، تجري عملية نقلهم نحو …: the whole group's way)
    return bool(_PART.search(text, max(e, a - 12), a))


def _claimed(m: _Named, s: int, lo: int, numbers: Sequence[tuple[int, int]]) -> bool:
    """A name before the figure, in its sentence, that follows another number
    of that sentence: that number's place (… في صلاح الدين و(24624) عائلة في ديالى)."""
    if m.end > s:
        return False
    return any(lo <= a and b <= m.start for a, b in numbers)


def _reaches(text: str, m: _Named, s: int, e: int, clo: int, chi: int) -> bool:
    """Whether a name may tie the figure at [s, e): in its clause, or near it
    in its sentence with no speaker's frame or new proposition between."""
    if m.role is Role.AGENT or (m.role is not Role.AT and _in_since(text, m.start)):
        return False
    if _dateline(text, m.start, m.end):
        return False
    between = text[m.end : s] if m.end <= s else text[e : m.start]
    if m.end <= s and _framed(text, m.end, s):
        return False
    if clo <= m.start < chi:
        return True
    if len(between) > SENTENCE_REACH:
        return False
    return not (m.end <= s and _connective(text, m.end, s))


def _connective(text: str, lo: int, hi: int) -> bool:
    """Whether text[lo:hi] holds a `_CONNECTIVE`."""
    if not any(_holds(text, w, lo, hi) for w in _CONNECTIVE_WORDS):
        return False
    return _CONNECTIVE.search(text, lo, hi) is not None


def _nationality(text: str, m: _Named, s: int, e: int) -> bool:
    """A nationality adjective on the counted people (`30 لاجئاً سورياً`,
    `مواطنين لبنانيين`): inside the figure's words or right after them."""
    if not m.demonym:
        return False
    if s <= m.start < e:
        return True
    if m.start >= e and _TWO_WORDS.search(text, e, m.start) is None:
        return True  # at most one word between (no list of them made)
    return _after_refugee(text, m.start)


@lru_cache(maxsize=1 << 12)
def _after_refugee(text: str, start: int) -> bool:
    """Whether the last word before `start` is a refugee noun (`لاجئين سوريين`);
    cached, as every figure of a sentence asks of its names."""
    before = _WORD.findall(text[max(0, start - 40) : start])
    return bool(before) and bool(_REFUGEE.fullmatch(before[-1]))


def _without_nationalities(text: str, named: list[_Named], s: int, e: int) -> list[_Named]:
    """The names less nationalities: adjectives on the counted people, and
    the adjectives listed after `جنسية` (من جنسيات مختلفة سورية وعراقية وتركية)."""
    if not named:
        return named
    lo = max(0, named[0].start - 80)
    if text.find("جنسي", lo, named[-1].end + 1) < 0:
        return [m for m in named if not _nationality(text, m, s, e)]
    lists = _nationality_lists(text, lo, named[-1].end + 1)
    return [
        m
        for m in named
        if not _nationality(text, m, s, e) and not any(a <= m.start < b for a, b in lists)
    ]


_IN = re.compile(r"^\s*(?:في|ب|،|,|-|\()?\s*$")
"""The gap in `X في Y`, `X بY`, `X، Y`, `X (Y)`: Y says where X is."""


def _nested(text: str, inner: _Named, outer: _Named) -> bool:
    """Whether `inner` is named as lying in `outer` (جيب شرق الفرات في سورية)."""
    return (
        inner.id != outer.id
        and outer.id in gazetteer.ancestors(inner.id)
        and bool(_IN.match(text[inner.end : outer.start]))
    )


_AND_OTHERS = re.compile(
    r"\s*(?:و|او|،\s*و?)\s*(?:ال)?(?:محافظات|مدن|ولايات|مديريات|اقاليم|مقاطعات)(?!\w)"
    r"(?!\s+\w*(?:ها|ه)(?!\w))"
)
"""`بغداد ومحافظات الجنوب`، `الخرطوم وولايات أخرى`: a place and more divisions,
named by a plural place noun: the country, no single division (not `ومدن
ريفها`, the place's own towns)."""

_BELONGS = re.compile(
    r"^[\s،,]*(?:(?:ال)?(?:تابع[ةه]?|تابعين|تابعتين|واقع[ةه]?|واقعتين)\s*(?:ل|في|الي)?|(?:ضمن|من\s+اعمال))"
    r"\s*(?:(?:ال)?(?:محافظ[ةه]|ولاي[ةه]|اقليم)\s*)?$"
)
"""`التابعة لمحافظة`، `الواقعة في`: the division named next is where the places before lie."""


def _stated_division(text: str, pool: list[_Named], last: _Named) -> Place | None:
    """The division the text says the names end at `last` lie in, if it says."""
    after = [m for m in pool if m.start >= last.end]
    if not after:
        return None
    nxt = after[0]
    gap = text[last.end : nxt.start]
    if len(gap) > 40 or not _BELONGS.match(gap):
        return None
    place = of(nxt.id)
    return place if place.admin1 is not None else None


def _listed_nationality(text: str, start: int) -> bool:
    """Whether the name at `start` is listed after `جنسية` or follows a refugee noun."""
    if _after_refugee(text, start):
        return True
    return any(a <= start < b for a, b in _nationality_lists(text, max(0, start - 120), start + 40))


def _group(text: str, named: list[_Named], k: int) -> list[_Named]:
    """The names joined with `named[k]` as one place, itself included."""
    lo = hi = k
    while hi + 1 < len(named) and _joined(text, named[hi], named[hi + 1]):
        hi += 1
    while lo > 0 and _joined(text, named[lo - 1], named[lo]):
        lo -= 1
    return named[lo : hi + 1]


def _joined(text: str, a: _Named, b: _Named) -> bool:
    """Whether `a` and `b` are read together: joined, and `b` is not where
    `a` lies (`منطقة موبتي وسط مالي`: Mopti, located in Mali, not both)."""
    return bool(_JOIN.match(text[a.end : b.start])) and not _nested(text, a, b)


def _as_one(text: str, group: list[_Named]) -> Place:
    """The place of names read together."""
    if len(group) == 1:
        return of(group[0].id)
    return common([of(m.id) for m in group])


SENTENCE_REACH = 150
"""How far (in characters) from the figure a name outside its clause may stand
and still tie the figure to it: a long sentence of comma-chained clauses
names places that belong to the other clauses."""


_DIRECTION = re.compile(r"(?:[وفبل]|ال)?(?:شمال|جنوب|شرق|غرب|وسط)(?:ي|ى)?$")
"""A direction before a country's name: a part of the country (شرق سوريا)."""


def _vague(text: str, m: _Named) -> bool:
    """A part of a country named vaguely: a direction and the country
    (`شرق سوريا`), or a region with no code and no division under it
    (`شرق الفرات`); it restates, less precisely, a division named elsewhere."""
    entry = gazetteer.place(m.id)
    if entry is None:
        return False
    if entry.kind == "country":
        words = _WORD.findall(text[max(0, m.start - 12) : m.start])
        return bool(words) and bool(_DIRECTION.fullmatch(words[-1]))
    return entry.kind == "region" and entry.iso is None and not _has_children(m.id)


@lru_cache(maxsize=1 << 10)
def _has_children(place_id: str) -> bool:
    return any(e.parent == place_id for e in gazetteer.all_places())


_FRONT = re.compile(r"[\s.!?؟؛]*[وف]?(?:في|ب)?\s*$")
"""What may stand before a fronted place at the head of a sentence (وفي النيجر،)."""


def _fronted(text: str, m: _Named, slo: int, s: int) -> bool:
    """A place fronted at the head of the figure's sentence and set off by a
    comma (`وفي النيجر، يوجد حاليا 11400 طالب لجوء`): it frames the sentence."""
    if m.role is not Role.AT or m.end > s:
        return False
    if not _FRONT.match(text, slo, m.start):
        return False
    return text[m.end : m.end + 2].lstrip()[:1] in ("،", ",")


def _preference(metric: Metric, refugees: bool) -> dict[Role, int]:
    """The rank of each role in tying a number of this metric to a place
    (lower ties closer; equal ranks are decided by distance)."""
    if metric is Metric.DISPLACED and not refugees:
        ranks = (Role.FROM, Role.AT, Role.TO, Role.PLAIN, Role.AGENT)
        return {role: k for k, role in enumerate(ranks)}
    if metric in (Metric.DISPLACED, Metric.RETURNED):  # where they are, where they went back
        return {Role.AT: 0, Role.TO: 0, Role.PLAIN: 1, Role.FROM: 2, Role.AGENT: 3}
    return {Role.AT: 0, Role.PLAIN: 1, Role.TO: 2, Role.FROM: 3, Role.AGENT: 4}


FRONTED_PENALTY = 200
"""Cost of a place fronted at the head of the sentence (وفي النيجر، …): less
than a step of role, so it frames the sentence's numbers unless their own
clause names a place in as close a role (وفي العراق، … قتل 40 … قرب الموصل)."""

CLAUSE_PENALTY = 1600
"""Cost of a name outside the figure's clause (but in its sentence)."""

ROLE_COST = 400
"""Cost of each step down the metric's order of roles."""


def attribute(
    text: str,
    mentions: Sequence[Mention],
    figure: tuple[int, int],
    clause: tuple[int, int],
    sentence: tuple[int, int],
    metric: Metric,
    home: Place,
    numbers: Sequence[tuple[int, int]] = (),
    local: Callable[[], Place | None] | None = None,
    named: list[_Named] | None = None,
) -> Place:
    """The place of the figure at `figure` (offsets of its words in normalised
    `text`) whose clause and sentence are the given spans; `home` is the
    article's place (see `article_place`); `numbers` are the spans of the
    article's figures' numbers (in a list, `و(24624) عائلة في ديالى`, a name
    right after another number is that number's when this one has its own);
    `local` gives, when asked, the one division the text names in the
    article's country (see `local_division`): a vague part of the country is
    that division.  `named`: `names_in(text, mentions, sentence)`, when the
    caller has it (the figures of a sentence share it)."""
    s, e = figure
    slo, shi = sentence
    clo, chi = clause
    if named is None:
        named = _named(text, mentions, slo, shi)
    if not named:  # the common case: nothing to read but country-wide wording
        if _whole_land(text, clo, chi):
            return whole_country(home.id) if home.id else home
        return home
    if metric is Metric.DISPLACED and _RESIDENTS_OF_IT.match(text, e):
        left = _place_of_it(text, named, s)
        if left is not None:
            return left  # فر أكثر من 100 ألف من سكانها: its residents left it
    if metric is Metric.RETURNED:
        back = _returned_to(text, named, s, e, clo, chi, home)
        if back is not None:
            return back
    named = _without_nationalities(text, named, s, e)
    named = [m for m in named if _reaches(text, m, s, e, clo, chi)]
    refugees = _hosted(text, clo, chi)
    numbers = [(a, b) for a, b in _merged(numbers) if a > e + 1 or b < s - 1]  # the others
    if numbers:
        labels = [m for m in named if _labels_another(text, m, numbers)]
        parts = [m for m in named if _a_parts_place(text, m, e, numbers)]
        if labels or parts:
            named = [m for m in named if m not in labels and m not in parts]
            if not any(not m.demonym for m in named):
                if len(parts) == 1 and not labels:
                    return whole_country(parts[0].id)  # 87 قتيلا، بينهم 34 في حمص: wider
                # 52 شهيدا، موزعة كالتالي: النبطية 22، بعلبك الهرمل 18: the places' sum
                return common([of(m.id) for m in labels + parts])
    if any(_own_after(text, m, e, numbers) and not m.demonym for m in named):
        named = [m for m in named if not _claimed(m, s, slo, numbers)]
    proper = [m for m in named if not m.demonym]
    pool = proper or named
    if not proper and named and home.country in {of(m.id).country for m in named}:
        return home  # وزارة الصحة السورية in an article about Idlib: Idlib
    here = [m for m in proper if clo <= m.start < chi and m.role in (Role.AT, Role.TO)]
    if refugees and not here and _ABROAD.search(text, clo, chi):
        return NOWHERE  # اللاجئين السوريين الذين ما زالوا خارج البلاد: no host named
    if _whole_land(text, clo, chi) and not any(clo <= m.start < chi for m in proper):
        return whole_country(home.id) if home.id else home
    if not pool:
        return home
    order = _preference(metric, refugees)
    best: tuple[int, int] = (1 << 30, -1)
    for k, m in enumerate(pool):
        dist = s - m.end if m.end <= s else max(0, m.start - e)
        if clo <= m.start < chi:
            outside = 0
        elif _fronted(text, m, slo, s):
            outside = FRONTED_PENALTY
        else:
            outside = CLAUSE_PENALTY
        cost = order[m.role] * ROLE_COST + outside
        cost += min(dist, ROLE_COST - 1)
        if cost < best[0]:
            best = (cost, k)
    k = best[1]
    while k > 0 and _nested(text, pool[k - 1], pool[k]):
        k -= 1  # جيب شرق الفرات في سورية: the finer place, in the country
    anchor = pool[k]
    before = text[max(0, anchor.start - 40) : anchor.start]
    if gazetteer.place(anchor.id) is not None and _whole(before):
        return whole_country(anchor.id)
    group = _group(text, pool, k)
    place = _as_one(text, group)
    if place.admin1 is not None and _AND_OTHERS.match(text, group[-1].end):
        return whole_country(group[-1].id)  # بغداد ومحافظات الجنوب: several divisions
    stated = _stated_division(text, pool, group[-1])
    if stated is not None and stated.country == place.country:
        return stated  # قضائي مخمور وسنجار التابعة لمحافظة نينوى: Nineveh, as written
    if len(group) == 1 and _vague(text, anchor):
        # شرق سوريا، شرق الفرات in an article about Deir ez-Zor: Deir ez-Zor
        if home.admin1 and home.country == place.country:
            return home
        finer = local() if local is not None else None
        if finer is not None and finer.admin1 and finer.country == place.country:
            return finer
    if len(group) == 1:
        words = _WORD.findall(before)
        if words and _TWO.match(words[-1]):
            return whole_country(anchor.id)  # محافظتي حلب وإدلب with one name found
    elif _BETWEEN.search(text[max(0, group[0].start - 40) : group[0].start]):
        return common([of(m.id) for m in group])
    return place


_RESIDENTS_OF_IT = re.compile(r"\s*(?:\w+\s+)?من\s+(?:سكان|اهالي|اهل|قاطني|ابناء)(?:ها|ه)(?!\w)")
"""`… 100 ألف من سكانها`: the people are the residents of a place named before."""


def _place_of_it(text: str, named: list[_Named], s: int) -> Place | None:
    """The place `سكانها` points back to: the last proper name before the
    figure in its sentence, past a connective (`… في مدينة الجنينة …، فيما
    فر 100 ألف من سكانها`), not a doer's or a dateline's."""
    before = [
        m
        for m in named
        if m.end <= s and s - m.end <= 2 * SENTENCE_REACH
        if not m.demonym and m.role is not Role.AGENT and not _dateline(text, m.start, m.end)
    ]
    if not before:
        return None
    k = len(before) - 1
    while k > 0 and _nested(text, before[k - 1], before[k]):
        k -= 1  # الجنينة عاصمة ولاية غرب دارفور: the finer place
    return of(before[k].id)


def _returned_to(
    text: str, named: list[_Named], s: int, e: int, clo: int, chi: int, home: Place
) -> Place | None:
    """Returnees whose clause names only the place they came back from
    (`عاد 470 ألف أفغاني من باكستان`): that place is not where they returned.
    Their nationality is (`أفغاني` → Afghanistan); with none, the article's
    place unless it is the place they left (then nowhere the text names).
    None: the clause names a place of return, or no place they left."""
    left = [
        m
        for m in named
        if m.role is Role.FROM and not m.demonym and clo <= m.start < chi
        if _reaches(text, m, s, e, clo, chi)
    ]
    if not left:
        return None
    if any(
        not m.demonym
        and m.role is not Role.FROM
        and clo <= m.start < chi
        and _reaches(text, m, s, e, clo, chi)
        for m in named
    ):
        return None  # a place of return beside the one they left: the usual reading
    # (a name in another clause, `بينهم 1800 عبروا معبر تورخم`, is a part's, not theirs)
    nationals = [m for m in named if m.demonym and _nationality(text, m, s, e)]
    if nationals:
        return whole_country(nationals[0].id)
    if home.country in {of(m.id).country for m in left}:
        return NOWHERE
    return home


HEADLINE_WEIGHT = 3.0
"""Weight of a name in the headline when the article's place is chosen."""
LEAD_WEIGHT = 2.0
"""Weight of a name in the lead sentence."""
BODY_WEIGHT = 1.0
"""Weight of a name in a sentence that carries a figure."""
ADJECTIVE_SHARE = 0.5
"""A nationality adjective counts for this share of a name."""


def article_place(
    text: str,
    headline: Sequence[Mention],
    lead: Sequence[Mention],
    body: Sequence[Mention],
    everywhere: Callable[[], Sequence[Mention]],
) -> Place:
    """The place the article is about: the division (or place) that the
    headline, the lead sentence and the sentences carrying figures name most,
    a name in the headline counting three times and one in the lead twice
    (a dateline names where the report was filed, and a nationality adjective
    counts half); with none named there, the whole text's (`everywhere`,
    asked for only if need be).  A country is made finer when nearly all the
    text's divisions of it are one (see `_finer`)."""
    weight: dict[str, float] = {}
    first: dict[str, int] = {}
    members: dict[str, Counter[str]] = {}
    for pool, w in ((headline, HEADLINE_WEIGHT), (lead, LEAD_WEIGHT), (body, BODY_WEIGHT)):
        _tally(text, pool, w, weight, first, members)
    if not weight:
        _tally(text, everywhere(), BODY_WEIGHT, weight, first, members)
    if not weight:  # only a dateline: the country it was filed from, at most
        filed = [m for m in everywhere() if _dateline(text, m.start, m.end)]
        return whole_country(filed[0].id) if filed else NOWHERE
    key = min(weight, key=lambda k: (-weight[k], first[k]))
    if key == country_of(key):  # a country: a division of it named beside it is finer
        finer = [k for k in weight if k != key and country_of(k) == key]
        finer = [k for k in finer if weight[k] > weight[key]]
        if finer:
            key = min(finer, key=lambda k: (-weight[k], first[k]))
    named = members[key]
    home = of(key) if key in named else of(named.most_common(1)[0][0])
    if home.admin1 is not None:
        same = sum(w for k, w in weight.items() if of(k).admin1 and of(k).country == home.country)
        if weight[key] < SPREAD_SHARE * same:
            return whole_country(home.id)  # divisions all over the country: the country
    if home.admin1 is None and home.id is not None and country_of(home.id) == home.id:
        home = _finer(home, [m for m in everywhere() if _proper(text, m)])
    return home


def _tally(
    text: str,
    pool: Sequence[Mention],
    w: float,
    weight: dict[str, float],
    first: dict[str, int],
    members: dict[str, Counter[str]],
) -> None:
    for m in pool:
        if _dateline(text, m.start, m.end):
            continue
        adjective = gazetteer.is_demonym(text[m.start : m.end])
        if adjective and _listed_nationality(text, m.start):
            continue  # من الجنسية التركية: a nationality, no place
        share = ADJECTIVE_SHARE if adjective else 1.0
        key = _division_key(m.id)
        weight[key] = weight.get(key, 0.0) + w * share
        first.setdefault(key, m.start)
        members.setdefault(key, Counter())[m.id] += 1


_DATELINE = re.compile(r"\s*[-–—:]")


def _dateline(text: str, start: int, end: int) -> bool:
    """`دمشق - ` at the head of a paragraph: where the report was filed."""
    if not _DATELINE.match(text, end):  # the rare part first: no slice of the line
        return False
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def _proper(text: str, m: Mention) -> bool:
    """A proper name (no nationality adjective), and not a dateline."""
    return not gazetteer.is_demonym(text[m.start : m.end]) and not _dateline(text, m.start, m.end)


SPREAD_SHARE = 0.5
"""An article whose leading division holds less than this share of the
weight of its divisions of one country is about that country."""

DOMINANT_SHARE = 0.75
"""The share of a text's names of divisions of a country that must lie in
one division for an article tied only to the country to be about that division."""


def _finer(home: Place, body: Sequence[Mention]) -> Place:
    """A country-level article place made finer: the division that nearly all
    the text's names of divisions of that country lie in (named twice or more)."""
    if home.id is None or home.admin1 is not None or country_of(home.id) != home.id:
        return home
    divisions = [d for d in (_division_key(m.id) for m in body) if d != country_of(d)]
    divisions = [d for d in divisions if country_of(d) == home.id and of(d).admin1]
    if len(divisions) < 2:
        return home
    top, n = Counter(divisions).most_common(1)[0]
    return of(top) if n / len(divisions) >= DOMINANT_SHARE else home


def local_division(text: str, home: Place, everywhere: Sequence[Mention]) -> Place | None:
    """The division of the article's country that the whole text names, when
    it names one only (or nearly only): what a vague `شمال غرب سوريا` means."""
    if home.admin1 is not None:
        return home
    if home.id is None:
        return None
    country = country_of(home.id)
    divisions = [_division_key(m.id) for m in everywhere if _proper(text, m)]
    divisions = [d for d in divisions if country_of(d) == country and of(d).admin1]
    if not divisions:
        return None
    top, n = Counter(divisions).most_common(1)[0]
    return of(top) if n / len(divisions) >= DOMINANT_SHARE else None


@lru_cache(maxsize=1 << 12)
def _division_key(place_id: str) -> str:
    """The place's first-level division id (its governorate), else its own id."""
    return _enclosing(place_id, "governorate") or place_id
