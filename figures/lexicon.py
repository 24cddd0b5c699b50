"""The extractor's lexicon, loaded once from `figures/data/lexicon.toml`.

Every word is folded the way `figures.text.normalize` folds article text, and
indexed by form: `senses(token)` answers "what can this token mean?" for a
token of normalised text, after stripping the clitics Arabic glues on
(`و ف ب ل ك ال` before, `ه ها هم هن كم نا` after, the accusative alef)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from figures.dates import MONTHS
from figures.model import Metric, Qualifier
from figures.text import fold


class Tag(StrEnum):
    """What a word can mean to the extractor."""

    TRIGGER = "trigger"  # a metric word
    CONTROL = "control"  # territory held, taken, lost
    PLACE = "place"  # a town, village, area (places_controlled)
    PERSON = "person"  # a counted noun: people
    HOUSEHOLD = "household"  # a counted noun: families
    BLOCK = "block"  # after a number: not a figure (time, money, vehicles…)
    BLOCK_BEFORE = "block_before"  # before a number: a year, age or identifier
    NOT_COUNT = "not_count"  # people in need, affected, populations
    FORECAST = "forecast"  # a projection or a release: what follows is not a count
    SUBSET = "subset"  # "among them"
    CLAUSE = "clause"  # a word that opens a new clause
    BATCH = "batch"  # one event or group
    TOTAL = "total"  # a standing or running total
    DUR_UNIT = "dur_unit"  # ساعة، يوم… after a number
    DUR_WORD = "dur_word"  # يومين، الأسبوع… a duration by itself
    UNSTATED = "unstated"  # الساعات الماضية: a window of unstated length
    DUR_OPEN = "dur_open"  # خلال، في، آخر… before a duration
    DUR_CLOSE = "dur_close"  # الماضية، الأخيرة… after a duration
    DIST_CUE = "dist_cue"  # على بعد، مسافة: a distance
    SINCE_EVENT = "since_event"  # منذ بدء…
    MONTH = "month"  # a month name
    DUAL = "dual"  # a dual noun: counts 2
    GROUP = "group"  # دفعة، قافلة: a group the article has described
    SIZE = "size"  # مساحة: size of a place (control unless an object follows)
    RELATIVE = "relative"  # ممن، الذين: a clause that describes the counted people


class Strength(StrEnum):
    """How strongly a trigger word points at its metric."""

    VERB = "verb"
    NOUN = "noun"
    WEAK = "weak"


@dataclass(frozen=True, slots=True)
class Sense:
    """One meaning of one word."""

    tag: Tag
    """The kind of meaning."""
    metric: Metric | None = None
    """With TRIGGER: the metric."""
    strength: Strength = Strength.NOUN
    """With TRIGGER: verb, noun or weak."""
    arg: str = ""
    """BLOCK: the kind; DUR_UNIT: h/d/w/m/y; DUR_WORD: the window; DUAL: the unit."""
    num: int = 0
    """MONTH: the month number."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A multi-word entry: each word folded, clitics stripped per word."""

    words: tuple[str, ...]
    """The words in order."""
    sense: Sense
    """What the phrase means."""


_CLITIC_BEFORE = ("و", "ف")
_PREP = ("ب", "ل", "ك")
_SUFFIXES = ("هما", "هم", "هن", "ها", "كم", "نا", "ه")


def _fold(word: str) -> str:
    return " ".join(fold(word).split())


def _with_variants(word: str) -> list[str]:
    """A folded word and the spellings careful readers accept for it."""
    out = [word]
    if word.endswith("ة"):
        out.append(word[:-1] + "ه")
    return out


@lru_cache(maxsize=1 << 16)
def forms(token: str) -> tuple[str, ...]:
    """Every reading of a normalised token with its clitics stripped."""
    seen: dict[str, None] = {token: None}
    stems = [token]
    for conj in _CLITIC_BEFORE:
        if token.startswith(conj) and len(token) > len(conj) + 1:
            stems.append(token[len(conj) :])
    level2: list[str] = []
    for stem in stems:
        level2.append(stem)
        for prep in _PREP:
            if stem.startswith(prep) and len(stem) > 2:
                rest = stem[1:]
                level2.append(rest)
                if prep == "ل" and rest.startswith("ل") and len(rest) > 2:
                    level2.append("ال" + rest[1:])
                    level2.append(rest[1:])
    level3: list[str] = []
    for stem in level2:
        level3.append(stem)
        if stem.startswith("ال") and len(stem) > 3:
            level3.append(stem[2:])
    for stem in level3:
        seen.setdefault(stem, None)
        for suffix in _SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
                seen.setdefault(stem[: -len(suffix)], None)
        if stem.endswith("ا") and len(stem) > 2:
            seen.setdefault(stem[:-1], None)
        if stem.endswith("ا") and len(stem) > 3 and stem[-2] == "ة":  # شخصاً typed ةا
            seen.setdefault(stem[:-2] + "ة", None)
    return tuple(seen)


def bare(token: str) -> str:
    """A token with only a leading و/ف removed (for function words)."""
    if len(token) > 2 and token[0] in "وف":
        return token[1:]
    return token


class _Builder:
    def __init__(self) -> None:
        self.words: dict[str, list[Sense]] = {}
        self.phrases: dict[str, list[Phrase]] = {}

    def add(self, text: str, sense: Sense) -> None:
        folded = _fold(text)
        parts = folded.split()
        if not parts:
            return
        if len(parts) == 1:
            for variant in _with_variants(parts[0]):
                bucket = self.words.setdefault(variant, [])
                if sense not in bucket:
                    bucket.append(sense)
        else:
            self.phrases.setdefault(parts[0], []).append(Phrase(tuple(parts), sense))

    def add_all(self, texts: Iterable[str], sense: Sense) -> None:
        """`add` each of `texts` with the one sense."""
        for text in texts:
            self.add(text, sense)

    def add_phrases(self, phrases: Iterable[Iterable[str]], sense: Sense) -> None:
        """`add` each phrase, given as its words, with the one sense."""
        for words in phrases:
            self.add(" ".join(words), sense)


def _load() -> dict[str, Any]:
    data = resources.files("figures").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


_DATA = _load()


def _build() -> _Builder:
    b = _Builder()
    for name, table in _DATA["metric"].items():
        metric = Metric(name)
        for key, strength in (
            ("verbs", Strength.VERB),
            ("nouns", Strength.NOUN),
            ("weak", Strength.WEAK),
        ):
            b.add_all(table.get(key, []), Sense(Tag.TRIGGER, metric, strength))
        b.add_phrases(table.get("phrases", []), Sense(Tag.TRIGGER, metric, Strength.VERB))
    territory = _DATA["territory"]
    b.add_all(territory["control"], Sense(Tag.CONTROL))
    b.add_all(_DATA["nouns"]["lost"], Sense(Tag.CONTROL, arg="lost"))
    b.add_all(_DATA["nouns"]["place_duals"], Sense(Tag.DUAL, arg="place"))
    b.add_all(territory["size"], Sense(Tag.SIZE))
    b.add_all(_DATA["group"]["words"], Sense(Tag.GROUP))
    b.add_all(territory["place_nouns"], Sense(Tag.PLACE))
    b.add_all(territory["distance_cues"], Sense(Tag.DIST_CUE))
    b.add_all(_DATA["counted"]["person"], Sense(Tag.PERSON))
    b.add_all(_DATA["counted"]["household"], Sense(Tag.HOUSEHOLD))
    for kind, words in _DATA["not_figure"].items():
        b.add_all(words, Sense(Tag.BLOCK, arg=kind))
    for kind, words in _DATA["not_figure_before"].items():
        b.add_all(words, Sense(Tag.BLOCK_BEFORE, arg=kind))
    for kind, words in _DATA["not_a_count"].items():
        tag = Tag.FORECAST if kind in {"forecast", "release"} else Tag.NOT_COUNT
        b.add_all(words, Sense(tag, arg=kind))
    scope = _DATA["scope"]
    b.add_all(scope["batch"], Sense(Tag.BATCH))
    b.add_all(scope["total"], Sense(Tag.TOTAL))
    b.add_all(scope["total_rise"], Sense(Tag.TOTAL, arg="rise"))
    b.add_phrases(scope["total_phrases"], Sense(Tag.TOTAL))
    b.add_all(scope["since_events"], Sense(Tag.SINCE_EVENT))
    duration = _DATA["duration"]
    for word, suffix in duration["units"].items():
        b.add(word, Sense(Tag.DUR_UNIT, arg=suffix))
    for word, window in duration["words"].items():
        b.add(word, Sense(Tag.DUR_WORD, arg=window))
    b.add_all(duration["unstated"]["words"], Sense(Tag.UNSTATED))
    b.add_all(duration["context"]["open"], Sense(Tag.DUR_OPEN))
    b.add_all(duration["context"]["close"], Sense(Tag.DUR_CLOSE))
    b.add_all(_DATA["subset"]["words"], Sense(Tag.SUBSET))
    b.add_all(_DATA["structure"]["clause_words"], Sense(Tag.CLAUSE))
    b.add_all(_DATA["structure"]["relative"], Sense(Tag.RELATIVE))
    for unit, words in _DATA["duals"].items():
        b.add_all(words, Sense(Tag.DUAL, arg=unit))
    for name, number in MONTHS.items():
        b.add(name, Sense(Tag.MONTH, num=number))
    return b


_BUILT = _build()
NOUNS: dict[str, Any] = _DATA["nouns"]
"""The counted-noun and territory-numeral words `figures.nouns` reads."""
WORDS: dict[str, tuple[Sense, ...]] = {k: tuple(v) for k, v in _BUILT.words.items()}
"""Single words by folded form."""
PHRASES: dict[str, tuple[Phrase, ...]] = {k: tuple(v) for k, v in _BUILT.phrases.items()}
"""Multi-word entries by their first word."""


NOT_NOUNS: frozenset[str] = frozenset(_fold(w) for w in _DATA["counted"]["not_nouns"])
"""Function words that may follow a number but are never its counted noun."""


def _word_tuples(words: list[str]) -> tuple[tuple[str, ...], ...]:
    out = {tuple(_fold(w).split()) for w in words}
    return tuple(sorted((t for t in out if t), key=len, reverse=True))


def _qualifiers(side: str) -> tuple[tuple[tuple[str, ...], Qualifier], ...]:
    pairs = [
        (words, Qualifier(name))
        for name, table in _DATA["qualifier"][side].items()
        for words in _word_tuples(table)
    ]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


QUALIFIERS_BEFORE = _qualifiers("before")
"""Hedges that stand before a number, longest first."""
QUALIFIERS_AFTER = _qualifiers("after")
"""Hedges that stand after a number (or its noun), longest first."""
ESTIMATE_WORDS = frozenset(_fold(w) for w in _DATA["qualifier"]["estimate"]["words"])
"""Estimate wording: a number later in its sentence is `approx`."""


def _factors(table: dict[str, float]) -> tuple[tuple[tuple[str, ...], float], ...]:
    pairs = [(tuple(_fold(k).split()), float(v)) for k, v in table.items()]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


AREA_SQUARE = _factors(_DATA["area"]["square"])
"""Square area units (words) and their size in km2, longest first."""
AREA_LINEAR = _factors(_DATA["area"]["linear"])
"""Linear units that read as area only right beside a control word."""
PERCENT = _word_tuples(_DATA["percent"]["words"])
"""The words after a number that make it a percentage."""
PERCENT_OF = _word_tuples(_DATA["percent"]["of"])
"""`من مساحة`…: what a percentage of territory is a share of."""
VAGUE = _factors({k: float(v) for k, v in _DATA["vague"].items()})
"""Quantity words and their floor, longest first (fallback for the scanner)."""


Entry = tuple[tuple[str, ...], Any]


def _index(pairs: tuple[Entry, ...], last: bool = False) -> dict[str, tuple[Entry, ...]]:
    """Entries keyed by their first (or last) word, longest first."""
    out: dict[str, list[Entry]] = {}
    for words, value in pairs:
        out.setdefault(words[-1] if last else words[0], []).append((words, value))
    return {k: tuple(sorted(v, key=lambda e: len(e[0]), reverse=True)) for k, v in out.items()}


QUAL_BEFORE_BY_LAST = _index(QUALIFIERS_BEFORE, last=True)
"""Hedges before a number, keyed by their last word."""
QUAL_AFTER_BY_FIRST = _index(QUALIFIERS_AFTER)
"""Hedges after a number, keyed by their first word."""
SQUARE_BY_FIRST = _index(AREA_SQUARE)
"""Square area units keyed by their first word."""
LINEAR_BY_FIRST = _index(AREA_LINEAR)
"""Linear units keyed by their first word."""
PERCENT_BY_FIRST = _index(tuple((w, None) for w in PERCENT))
"""Percent words keyed by their first word."""
VAGUE_BY_FIRST = _index(VAGUE)
"""Quantity words keyed by their first word."""


def lookup(index: dict[str, tuple[Entry, ...]], token: str) -> tuple[Entry, ...]:
    """Entries of `index` keyed by any reading of the token, longest first
    (worked out once per index and distinct token)."""
    seen = _LOOKUPS.get(id(index))
    if seen is None or len(seen) > _LOOKUPS_SIZE:
        seen = _LOOKUPS[id(index)] = {}
    found = seen.get(token)
    if found is None:
        entries: list[Entry] = []
        for form in forms(token):
            entries.extend(index.get(form, ()))
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        found = seen[token] = tuple(entries)
    return found


_LOOKUPS: dict[int, dict[str, tuple[Entry, ...]]] = {}
"""`lookup`'s answers by index (the module's index tables live as long as it)
and token; an index's answers are forgotten all at once past `_LOOKUPS_SIZE`."""
_LOOKUPS_SIZE = 1 << 15


@lru_cache(maxsize=1 << 16)
def phrases_for(token: str) -> tuple[Phrase, ...]:
    """Multi-word entries whose first word is a reading of the token."""
    out: list[Phrase] = []
    for form in forms(token):
        out.extend(PHRASES.get(form, ()))
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def senses(token: str) -> tuple[Sense, ...]:
    """Every sense of a normalised token, over all its clitic readings."""
    out: list[Sense] = []
    for form in forms(token):
        for sense in WORDS.get(form, ()):
            if sense not in out:
                out.append(sense)
    return tuple(out)


_DUAL_ENDINGS = (("تان", "ة"), ("تين", "ة"), ("ان", ""))


@lru_cache(maxsize=1 << 14)
def dual_of(token: str) -> str | None:
    """`person`/`household` if the token is an unambiguous dual of a counted
    noun: listed in the lexicon, or a nominative dual (`-ان`, `-تان`) whose
    singular is a counted noun (`حارسان`, `مسعفتان`)."""
    for s in senses(token):
        if s.tag is Tag.DUAL:
            return s.arg
    for form in forms(token):
        for ending, restore in _DUAL_ENDINGS:
            if restore == "" and ending == "ان" and form.endswith("تان"):
                continue
            if form.endswith(ending) and len(form) - len(ending) >= 2:
                stem = form[: -len(ending)] + restore
                for s in WORDS.get(stem, ()):
                    if s.tag is Tag.PERSON or (
                        s.tag is Tag.TRIGGER and s.strength is Strength.NOUN
                    ):
                        return "person"
                    if s.tag is Tag.HOUSEHOLD:
                        return "household"
    return None


def has(token: str, tag: Tag) -> bool:
    """Whether the token can mean `tag`."""
    return tag in tags(token)


@lru_cache(maxsize=1 << 16)
def tags(token: str) -> frozenset[Tag]:
    """The tags of the token's senses."""
    return frozenset(s.tag for s in senses(token)) or _NO_TAGS


_NO_TAGS: frozenset[Tag] = frozenset()
"""The one empty set of tags all words without a sense share."""


def first(token: str, tag: Tag) -> Sense | None:
    """The token's first sense with `tag`, if any."""
    for s in senses(token):
        if s.tag is tag:
            return s
    return None


def matches(token: str, word: str) -> bool:
    """Whether a normalised token reads as the folded word (clitics aside)."""
    return token == word or word in forms(token)


SCOPE_FRAMES: dict[str, frozenset[str]] = {
    name: frozenset(_fold(w) for word in words for w in _with_variants(word))
    for name, words in _DATA["scope_frames"].items()
}
"""The words of each scope frame (folded): see `figures.scope`."""
