"""Extraction of typed figures from Arabic text.

How it reads an article:

1. Normalise (`figures.text.normalize`) and read the text as runs between
   spaces, each run split into tokens (words, digit runs, punctuation) and
   looked up once per distinct run; the tokens worth a look give the
   candidate sentences (with a little context before), and only those are
   spread into the token document that the rest reads.  Sentences end at
   `. ! ؟ …` and line breaks, clauses at commas and at words that open a
   clause (`حيث`, `فيما`…).
2. Candidates: every number the numeral scanner finds, plus what only the
   extractor knows: unambiguous dual nouns (`سيدتان` = 2), a bare
   `كيلومتر مربع` (= 1 km2), and quantity words the scanner left alone.
3. Each candidate is classified by its neighbours: a date, a year, an age,
   an identifier, a duration (which becomes a window cue), money, weight,
   vehicles, strikes… are not figures; a counted noun after it gives the
   unit (people, families, km2, percent, places).
4. The metric is the closest, most specific trigger word in the sentence
   (a clause boundary costs distance; a verb after the number — the Arabic
   predicate of a fronted subject — counts double-close; weak words count
   less); a word for people in need, affected or resident that is closer
   wins and drops the number; a forecast word in the clause drops it.  A
   subset (`بينهم 30`) or a coordinated number (`و3`) with no trigger of its
   own inherits the metric and scope of the figure before it.
5. Qualifier from the hedge before the number (or after: `على الأقل`),
   scope and window from the nearest cue (a stated duration in the same
   clause always makes a window), since-date from `منذ … <month>`.
6. One figure per (metric, value): the body's wording wins over the headline.

Everything is bounded: each number looks at a fixed window of tokens, so the
cost is linear in the text.
"""

from __future__ import annotations

import enum
import logging
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from operator import add, attrgetter

from figures import lexicon as lx
from figures import scope
from figures import nouns
from figures.dates import ORDINAL_DAYS, PART_OF_MONTH, since
from figures.gazetteer import Mention, Scanner, may_start_name
from figures.lexicon import Sense, Strength, Tag
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from figures.numbers import WORD_PATTERN, is_numeral_word, opener_before, scan_numbers, trie_regex
from figures.scope import Frame
from figures.scope import frames as scope_frames
from figures.place import Place, article_place, attribute, local_division
from figures.text import Normalized, fold, normalize

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\n|[^\W\d_]+|\d+|[^\w\s]")
"""A token: a line break, a run of letters, a run of digits or one other
non-space character."""
_TOKEN_SPLIT = re.compile(
    r"([\u0621-\u063a\u0641-\u064a]++[^\W\d_]*|[0-9]++\d*|\n|[^\W\d_]+|\d+|[^\w\s])"
)
"""`_TOKEN`, captured (a split keeps the tokens), with the common runs first
(Arabic letters, ASCII digits: plain ranges are cheaper to test than
categories); each first branch continues as its general branch would, so the
tokens are the same."""
_LONG_RUN = 40
_LONG_DIGITS = re.compile(rf"[\d.,٫]{{{_LONG_RUN},}}")
_SENTENCE_END = frozenset({"\n", ".", "!", "?", "؟", "…"})
_CLAUSE_END = frozenset({"،", ",", "؛", ";", ":", "(", ")", "-", "–", "—", "[", "]"})
_CONTROL = Sense(Tag.CONTROL)
_RELATIVES = frozenset(w for w, ss in lx.WORDS.items() if any(s.tag is Tag.RELATIVE for s in ss))
_QUOTES = frozenset({'"', "“", "”", "«", "»", "'", "‘", "’"})

WINDOW = 30
"""Tokens each side of a number searched for triggers and cues."""
CLAUSE_COST = 8.0
"""Cost of crossing one clause boundary, in tokens."""
MAX_CUE_COST = 16.0
"""A scope cue farther than this (after penalties) does not apply."""
NOUN_COST = 1.5
"""Cost of a metric noun counted by the number itself (500 نازح)."""
PREDICATE_COST = 1.25
"""Cost of a verb right after a metric noun counted by the number (`نازح عادوا`)."""
MAX_COST = 24.0
"""A trigger farther than this (after penalties) is not this number's."""

_PERSON_METRICS = frozenset(Metric) - {
    Metric.AREA_CONTROLLED,
    Metric.SHARE_CONTROLLED,
    Metric.PLACES_CONTROLLED,
}
_QUAL_RANK = {
    Qualifier.AT_LEAST: 0,
    Qualifier.MORE_THAN: 1,
    Qualifier.LESS_THAN: 2,
    Qualifier.AT_MOST: 3,
    Qualifier.APPROX: 4,
    Qualifier.EXACT: 5,
}
"""When a number is hedged twice (`نحو 1500 شخص على الأقل`), the bound wins."""


# ---------------------------------------------------------------------------
# The document: tokens, sentences, clauses.
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    text: str
    starts: list[int]
    ends: list[int]
    toks: list[str]
    sent: list[int] = field(default_factory=list)
    clause: list[int] = field(default_factory=list)
    covered: list[int] = field(default_factory=list)
    """Index of the candidate covering each token, or -1."""
    kinds: list[str] = field(default_factory=list)
    """Kind of the candidate covering each token (number, dual, bare_area, vague), or ''."""
    sent_bounds: list[int] = field(default_factory=list)
    """Offsets of the sentence-ending characters."""
    words: list[_Word] = field(default_factory=list)
    """The entry of each token."""

    def tok(self, i: int) -> str:
        return self.toks[i] if 0 <= i < len(self.toks) else ""

    def index_at(self, offset: int) -> int:
        """Index of the first token starting at or after `offset`."""
        return bisect_left(self.starts, offset)


def _has(doc: _Doc, i: int, tag: Tag) -> bool:
    """Whether token i (if any) can mean `tag`."""
    return 0 <= i < len(doc.toks) and tag in doc.words[i].tags


def _bare(doc: _Doc, i: int) -> str:
    """Token i without a leading و/ف, or '' past either end."""
    return doc.words[i].bare if 0 <= i < len(doc.toks) else ""


def _is(doc: _Doc, i: int, word: str) -> bool:
    """Whether token i (if any) reads as the folded `word`, clitics aside."""
    return 0 <= i < len(doc.toks) and word in doc.words[i].forms


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of text between two spaces, split into its tokens once per
    distinct run (most runs are one word, some a word and its punctuation)."""

    toks: tuple[str, ...]
    """Its tokens: a line break, a letter run, a digit run or one punctuation mark."""
    words: tuple[_Word, ...]
    """The entry of each token."""
    rel: tuple[int, ...]
    """Offset of each token in the run."""
    seen: tuple[int, ...]
    """The indices of its tokens worth a look over the whole text (`_Word.seen`)."""
    word: _Word | None
    """The entry of a run that is one token (the common case), else None."""


_RUN_CACHE: dict[str, _Run] = {}
_RUN_CACHE_SIZE = 1 << 16
"""Distinct runs remembered (then forgotten all at once, like `_WORD_CACHE`);
about 0.25 KB each beside the entries of their tokens."""
_RUN_REMEMBERED = 64
"""Runs longer than this (a digit run, text without spaces) are split each time."""


def _run(run: str) -> _Run:
    parts = _TOKEN_SPLIT.split(run)
    rel = list(accumulate(map(len, parts), initial=0))[1:-1:2]
    toks = parts[1::2]
    words = _words(toks)
    entry = _Run(
        tuple(toks),
        tuple(words),
        tuple(rel),
        tuple(j for j, w in enumerate(words) if w.seen),
        words[0] if len(toks) == 1 and toks[0] == run else None,
    )
    if len(run) <= _RUN_REMEMBERED:
        if len(_RUN_CACHE) >= _RUN_CACHE_SIZE:
            _RUN_CACHE.clear()
        _RUN_CACHE[run] = entry
    return entry


@dataclass(frozen=True, slots=True)
class _Runs:
    """The whole text as runs between spaces: a space never falls inside a
    token, so the text's tokens are its runs' tokens in order.  Splitting at
    spaces and looking each run up is much cheaper than splitting the whole
    text into tokens, and only the regions' runs are spread into tokens."""

    pieces: list[str]
    """The runs' text."""
    runs: list[_Run]
    """The runs in order."""
    ends: list[int]
    """ends[k]: the length of the runs before run k; run k starts at ends[k] + k
    (one space after each)."""
    seen: list[tuple[int, str, _Word]]
    """Offset, token and entry of every token worth a look (`_Word.seen`)."""


def _read_runs(text: str) -> _Runs:
    pieces = text.split(" ")
    known = list(map(_RUN_CACHE.get, pieces))
    if all(known):  # every run seen before: looked up in C
        runs: list[_Run] = known  # type: ignore[assignment]
    else:
        runs = [r or _run(p) for r, p in zip(known, pieces, strict=True)]
    ends = list(accumulate(map(len, pieces), initial=0))
    seen = [
        (ends[k] + k + run.rel[j], run.toks[j], run.words[j])
        for k in [k for k, run in enumerate(runs) if run.seen]
        for run in (runs[k],)
        for j in run.seen
    ]
    return _Runs(pieces, runs, ends, seen)


def _tokenize(
    text: str,
    whole: _Runs,
    regions: list[tuple[int, int]],
    blanked: list[tuple[int, int]],
) -> _Doc:
    """The tokens of the regions (region edges fall between tokens), but those
    inside the `blanked` runs, with their entries: the document to read (the
    runs holding a region spread into tokens, cut at the region's edges)."""
    starts: list[int] = []
    toks: list[str] = []
    kept: list[_Word] = []
    ends, runs, pieces = whole.ends, whole.runs, whole.pieces
    n = len(runs)

    def start_of(k: int) -> int:
        return ends[k] + k

    for lo, hi in regions:
        at: list[int] = []
        tk: list[str] = []
        wd: list[_Word] = []
        add_at, add_tk, add_wd = at.append, tk.append, wd.append
        first = max(0, bisect_right(range(n), lo, key=start_of) - 1)  # the run holding lo
        last = bisect_left(range(n), hi, key=start_of)  # the first run at or past hi
        for x, piece, run in zip(
            map(add, ends[first:last], range(first, last)),
            pieces[first:last],
            runs[first:last],
            strict=True,
        ):
            word = run.word
            if word is not None:  # one token, the run itself
                add_at(x)
                add_tk(piece)
                add_wd(word)
            else:
                at += [x + d for d in run.rel]
                tk += run.toks
                wd += run.words
        a, b = bisect_left(at, lo), bisect_left(at, hi)
        starts += at[a:b]
        toks += tk[a:b]
        kept += wd[a:b]
    if blanked:
        run_starts = [a for a, _ in blanked]
        keep = [
            k
            for k, s in enumerate(starts)
            if (r := bisect_right(run_starts, s) - 1) < 0 or s >= blanked[r][1]
        ]
        starts = [starts[k] for k in keep]
        toks = [toks[k] for k in keep]
        kept = [kept[k] for k in keep]
    return _Doc(text, starts, list(map(add, starts, map(len, toks))), toks, words=kept)


# ---------------------------------------------------------------------------
# Regions: the sentences worth reading.
# ---------------------------------------------------------------------------


def _dual_words() -> list[str]:
    """Every dual of a counted noun `lexicon.dual_of` can read (before clitics
    and suffixes): the listed duals, and -ان/-تان/-تين of the nouns."""
    out: set[str] = set()
    for word, senses in lx.WORDS.items():
        for sense in senses:
            if sense.tag is Tag.DUAL:
                out.add(word)
            elif sense.tag in (Tag.PERSON, Tag.HOUSEHOLD) or (
                sense.tag is Tag.TRIGGER and sense.strength is Strength.NOUN
            ):
                if not word.endswith("ت"):
                    out.add(word + "ان")
                if word.endswith("ة"):
                    out.update((word[:-1] + "تان", word[:-1] + "تين"))
    return sorted(out)


def _lead_pattern() -> re.Pattern[str]:
    """Where in a letter token a candidate may start: a numeral word, a word
    ending in a quantity word, a dual of a counted noun anywhere in it.  A
    superset (the sentence is read in full to decide).  Searched once per
    distinct token (`_learn`), never over the text: the lookarounds see only
    letters, so a token read alone answers as it would in the text.  Without
    the numeral words (`WORD_PATTERN`, searched apart: `numbers` compiled it
    already, and `re` caches it), which took most of the compile time."""
    vague = trie_regex(sorted(lx.VAGUE_BY_FIRST))
    duals = trie_regex(_dual_words())
    return re.compile(rf"{vague}(?![^\W\d_])|{duals}")


_LEAD = _lead_pattern()
_LEAD_WORD = re.compile(WORD_PATTERN)


def _lead_at(tok: str) -> int:
    """Where in the token a candidate may start (see `_lead_pattern`), -1 if nowhere:
    the leftmost start of either pattern, as their alternation would find it."""
    if tok[0].isdecimal():
        found = _ASCII_DIGIT.search(tok)
        return -1 if found is None else found.start()
    word = _LEAD_WORD.search(tok)
    other = _LEAD.search(tok)
    if word is None:
        return -1 if other is None else other.start()
    return word.start() if other is None else min(word.start(), other.start())


_KM_WORDS = ("كيلومتر", "كلم", "كم")
"""A kilometre word ending a token leads a candidate when `_KM_AFTER` follows."""
_KM_AFTER = re.compile(r"\s+(?:(?:واحد|1)\s+)?[^\W\d_]*مربع")
"""What must follow a kilometre word for it to lead a bare area (`كم مربع`)."""
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _lead_offsets(text: str, seen: list[tuple[int, str, _Word]]) -> list[int]:
    """Offsets where a candidate may start, ascending: the first ASCII digit of
    a digit token, the lead a letter token's entry records, a kilometre word
    before `مربع`.  `seen`: the tokens worth a look (`_Runs.seen`: one look per
    token, by its entry; no regex over the text)."""
    out: list[int] = []
    for x, tok, w in seen:
        if not w.lead:
            continue
        pos = x + w.lead_at if w.lead_at >= 0 else -1
        if w.km:
            end = x + len(tok)
            if _KM_AFTER.match(text, end):
                km = end - len(next(k for k in _KM_WORDS if tok.endswith(k)))
                pos = km if pos < 0 else min(pos, km)
        if pos >= 0:
            out.append(pos)
    return out


_CONTEXT_CHARS = 300
"""Text before a region's first candidate sentence read as context (whole
sentences, about WINDOW + 8 tokens): a group noun (`الدفعة ضمت 712 فردا`)
takes the metric of a movement named just before."""


def _is_sentence_end(text: str, i: int) -> bool:
    """Whether the character at i ends a sentence (a `.` between digits does not)."""
    return text[i] != "." or not (
        0 < i < len(text) - 1 and text[i - 1].isdecimal() and text[i + 1].isdecimal()
    )


def _sentence_ends(text: str, seen: list[tuple[int, str, _Word]]) -> list[int]:
    """Offsets of every sentence end of the text, ascending, from the tokens
    worth a look (`seen` holds every sentence mark)."""
    return [
        x
        for x, tok, w in seen
        if w.mark is _Mark.SENTENCE and (tok != "." or _is_sentence_end(text, x))
    ]


def _last_sentence_end(ends: list[int], lo: int, hi: int) -> int:
    """Offset of the last sentence end in [lo, hi), or -1."""
    k = bisect_left(ends, hi) - 1
    return ends[k] if k >= 0 and ends[k] >= lo else -1


def _next_sentence_end(ends: list[int], pos: int, size: int) -> int:
    """Offset of the first sentence end at or after pos, or `size` (the text's length)."""
    k = bisect_left(ends, pos)
    return ends[k] if k < len(ends) else size


def _regions(text: str, leads: list[int], ends: list[int]) -> list[tuple[int, int]]:
    """The slices of `text` worth reading: each sentence holding a candidate
    lead (from the sentence end before it, inclusive, to its own end,
    inclusive), with some sentences of context before, adjacent ones merged.
    Sentence ends are found by bisection in `ends` (`_sentence_ends`)."""
    out: list[tuple[int, int]] = []
    done = 0  # text before this belongs to a region or was searched
    k = 0
    while k < len(leads):
        pos = leads[k]
        start = _last_sentence_end(ends, done, pos)
        if start < 0:
            start = max(0, done - 1)  # the previous region's end character, or 0
        while start > done and pos - start < _CONTEXT_CHARS:
            before = _last_sentence_end(ends, max(done, start - _CONTEXT_CHARS), start)
            if before < 0:
                if start - done < _CONTEXT_CHARS:
                    start = done  # the sentence that opens the text (or follows a region)
                break
            start = before
        end = min(len(text), _next_sentence_end(ends, pos, len(text)) + 1)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        done = end
        k = bisect_left(leads, done, k + 1)
    return out


class _Mark(enum.Enum):
    """A punctuation token's part in segmentation."""

    NONE = "none"
    SENTENCE = "sentence"  # one of `_SENTENCE_CHARS` (a `.` between digits is not)
    CLAUSE = "clause"  # one of `_CLAUSE_CHARS` (a `-` only between spaces)


@dataclass(frozen=True, slots=True)
class _Word:
    """What a token can be, looked up once per distinct token."""

    phrases: tuple[lx.Phrase, ...]
    """Lexicon phrases that may start with it (but months: `_month_at` reads those)."""
    senses: tuple[Sense, ...]
    """Its senses as a word that `_collect` reads (see `_COLLECTED`)."""
    since: bool
    """It is `منذ` (with a conjunction)."""
    numeral: bool
    """A word of the numeral grammar: the scanner may start a number there."""
    extra: bool
    """It may be a candidate the scanner does not give (see `_may_be_extra`)."""
    clause: bool
    """It opens a clause."""
    clause_phrase: bool
    """It may open a clause phrase (`غير أن`)."""
    cue: bool
    """`_collect` has anything to read in it (a phrase, a sense, `منذ`)."""
    any: bool
    """Any of the above: the token is worth a look."""
    lead_at: int
    """Offset in the token where a candidate may start (`_LEAD`, or the first
    ASCII digit of a digit token), -1 if none."""
    km: bool
    """It ends in a kilometre word (a bare area if `مربع` follows)."""
    lead: bool
    """`lead_at >= 0 or km`: `_lead_offsets` looks at it."""
    name: bool
    """It may begin a place or party name (`gazetteer.may_start_name`)."""
    month: bool
    """It may begin a month name (`_month_at` reads only such tokens)."""
    seconds: frozenset[str]
    """The second word of each of its `phrases`: a phrase is tried only where
    the next token reads as one of these (or, for a trigger, is a number)."""
    forms: tuple[str, ...]
    """Every reading of it with its clitics stripped (`lexicon.forms`, the same
    tuple), itself included: it matches a lexicon word if the word is one of
    these (a handful: a tuple is as quick to search as a set, and smaller)."""
    bare: str
    """It without a leading و/ف (`lexicon.bare`)."""
    tags: frozenset[Tag]
    """The tags of its senses (`lexicon.tags`)."""
    conjoined: bool
    """It carries the conjunction و/ف before a lexicon word (`_conjoined`)."""
    units: tuple[tuple[str, tuple[str, ...], float], ...]
    """(unit kind, words, factor) of the percent, square and linear units that
    may start with it, in that order, longest first within each."""
    noun: str
    """The unit it gives alone as the noun after a number: person, household,
    block, place or none (`_noun_unit`)."""
    noun_metric: Metric | None
    """The metric it names as that noun (`قتيلا`), if any."""
    qual_after: tuple[lx.Entry, ...]
    """Hedges after a number that may start with it."""
    qual_before: tuple[lx.Entry, ...]
    """Hedges before a number that may end with it."""
    digit_at: tuple[int, ...]
    """Offsets in a digit token of its runs of ASCII digits (where the numeral
    scanner may read a literal); empty for any other token."""
    mark: _Mark
    """Its part as punctuation in segmentation."""
    seen: bool
    """`lead`, `name` or a sentence mark: the whole text's tokens worth a look."""


def _clause_words() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    """Clause-opening words, the first words of clause phrases, and a pattern
    matching a clause phrase (with a conjunction) at a word start."""
    words = frozenset(w for w, ss in lx.WORDS.items() if any(x.tag is Tag.CLAUSE for x in ss))
    phrases = [p.words for ps in lx.PHRASES.values() for p in ps if p.sense.tag is Tag.CLAUSE]
    alternation = "|".join(r"\s+".join(map(re.escape, p)) for p in phrases) or "(?!)"
    pattern = re.compile(r"[وف]?(?:" + alternation + r")(?![^\W\d_])")
    return words, frozenset(p[0] for p in phrases), pattern


_CLAUSE_WORDS, _CLAUSE_PHRASE_HEADS, _CLAUSE_PHRASE_RE = _clause_words()
_SENTENCE_CHARS = re.compile(r"[\n!?؟….]")
"""Sentence ends; a `.` between digits is a decimal point, not one."""
_CLAUSE_CHARS = re.compile(r"[،,؛;:()\[\]–—-]")
"""Clause boundaries among punctuation; a `-` is one only between spaces."""


def _opens_clause(word: str, words: frozenset[str]) -> bool:
    return word in words or (len(word) > 1 and word[0] in "وف" and word[1:] in words)


def _learn(tok: str) -> _Word:
    if len(_WORD_CACHE) >= _WORD_CACHE_SIZE:
        _WORD_CACHE.clear()
    all_phrases = lx.phrases_for(tok)
    phrases = tuple(p for p in all_phrases if p.sense.tag is not Tag.MONTH)
    month_sense = lx.first(tok, Tag.MONTH)
    month = any(p.sense.tag is Tag.MONTH for p in all_phrases) or bool(
        month_sense is not None and month_sense.num
    )
    senses = tuple(s for s in lx.senses(tok) if s.tag in _COLLECTED)
    since = lx.bare(tok) == "منذ"
    numeral = is_numeral_word(tok)
    extra = tok.endswith(_EXTRA_ENDS) and _may_be_extra(tok)
    clause = _opens_clause(tok, _CLAUSE_WORDS)
    clause_phrase = _opens_clause(tok, _CLAUSE_PHRASE_HEADS)
    cue = (len(tok) >= 2 or tok == "%") and bool(phrases or senses or since)
    lead_at = _lead_at(tok)
    km = tok.endswith(_KM_WORDS)
    name = may_start_name(tok)
    noun, noun_metric = _noun_reading(tok)
    digit_at = tuple(m.start() for m in _ASCII_DIGITS.finditer(tok)) if tok[0].isdecimal() else ()
    mark = (
        _Mark.SENTENCE
        if tok in _SENTENCE_END
        else _Mark.CLAUSE
        if tok in _CLAUSE_END
        else _Mark.NONE
    )
    word = _Word(
        phrases,
        senses,
        since,
        numeral,
        extra,
        clause,
        clause_phrase,
        cue,
        any=numeral
        or extra
        or clause
        or clause_phrase
        or cue
        or mark is not _Mark.NONE
        or month
        or bool(digit_at),
        lead_at=lead_at,
        km=km,
        lead=lead_at >= 0 or km,
        mark=mark,
        name=name,
        month=month,
        seconds=frozenset(p.words[1] for p in phrases) or _NO_WORDS,
        forms=lx.forms(tok),
        bare=lx.bare(tok),
        tags=lx.tags(tok),
        conjoined=_conjoined(tok),
        units=tuple(
            (kind, words, 1.0 if factor is None else float(factor))
            for kind, index in (
                ("percent", lx.PERCENT_BY_FIRST),
                ("square", lx.SQUARE_BY_FIRST),
                ("linear", lx.LINEAR_BY_FIRST),
            )
            for words, factor in lx.lookup(index, tok)
        ),
        noun=noun,
        noun_metric=noun_metric,
        qual_after=lx.lookup(lx.QUAL_AFTER_BY_FIRST, tok),
        qual_before=lx.lookup(lx.QUAL_BEFORE_BY_LAST, tok),
        digit_at=digit_at,
        seen=lead_at >= 0 or km or name or mark is _Mark.SENTENCE,
    )
    _WORD_CACHE[tok] = word
    return word


_COLLECTED = frozenset(
    {
        Tag.TRIGGER,
        Tag.SIZE,
        Tag.GROUP,
        Tag.CONTROL,
        Tag.NOT_COUNT,
        Tag.FORECAST,
        Tag.BATCH,
        Tag.TOTAL,
        Tag.DUR_WORD,
        Tag.UNSTATED,
    }
)
"""The senses `_collect` turns into hits or cues (a word with none of these,
no phrase and no `منذ` is not read there)."""

_NO_WORDS: frozenset[str] = frozenset()
"""The one empty set the entries share (most tokens start no phrase)."""

_WORD_CACHE: dict[str, _Word] = {}
_WORD_CACHE_SIZE = 1 << 16
"""Distinct tokens remembered (then forgotten all at once: a long-running
service reads an unbounded vocabulary).  An entry costs about 0.8 KB with the
lexicon's own caches (which hold as many), so a full cache is about 50 MB."""


_START = attrgetter("start")


def _words(toks: list[str]) -> list[_Word]:
    """The entry of each token, worked out once per distinct token."""
    get = _WORD_CACHE.get
    return [get(t) or _learn(t) for t in toks]


def _brackets_a_number(doc: _Doc, i: int) -> bool:
    """Token i is a parenthesis around one number: `(709)`, `( 12 )`."""
    tok, covered = doc.toks[i], doc.covered
    if tok == "(":
        k = i + 1
        while k < len(covered) and covered[k] >= 0 and covered[k] == covered[i + 1]:
            k += 1
        return k > i + 1 and doc.tok(k) == ")"
    if tok == ")":
        k = i - 1
        while k >= 0 and covered[k] >= 0 and covered[k] == covered[i - 1]:
            k -= 1
        return k < i - 1 and doc.tok(k) == "("
    return False


def _segment(
    doc: _Doc, words: list[_Word], flagged: list[int], blanked: list[tuple[int, int]]
) -> None:
    """Sentence and clause of every token: punctuation and clause words by
    token (punctuation inside a blanked digit run, which has no token, by
    regex); each token's index counts the boundaries before it (a clause
    boundary counts from its own token on)."""
    t = doc.text
    starts, toks = doc.starts, doc.toks
    n = len(starts)
    sent_marks = [0] * (n + 1)
    clause_marks = [0] * (n + 1)
    sb: list[int] = []
    consumed = -1
    for i in flagged:
        w = words[i]
        mark = w.mark
        if mark is _Mark.SENTENCE:
            x = starts[i]
            if toks[i] != "." or _is_sentence_end(t, x):
                sb.append(x)
                sent_marks[i + 1] += 1  # the end belongs to the sentence it ends
                clause_marks[i] += 1
        elif mark is _Mark.CLAUSE:
            x = starts[i]
            if _brackets_a_number(doc, i):
                continue  # ( 709 ) شخص: the parentheses of a number open no clause
            if toks[i] != "-" or (0 < x < len(t) - 1 and t[x - 1].isspace() and t[x + 1].isspace()):
                clause_marks[i] += 1
        elif (w.clause or w.clause_phrase) and starts[i] >= consumed:
            m = _CLAUSE_PHRASE_RE.match(t, starts[i]) if w.clause_phrase else None
            if m is not None:
                clause_marks[i] += 1
                consumed = m.end()
            elif w.clause:
                clause_marks[i] += 1
                consumed = doc.ends[i]
    if blanked:
        extra = [
            m.start()
            for a, b in blanked
            for m in _SENTENCE_CHARS.finditer(t, a, b)
            if _is_sentence_end(t, m.start())
        ]
        for x in extra:
            sent_marks[bisect_right(starts, x)] += 1
            clause_marks[bisect_left(starts, x)] += 1
        sb = sorted(sb + extra)
        for a, b in blanked:
            for m in _CLAUSE_CHARS.finditer(t, a, b):
                clause_marks[bisect_left(starts, m.start())] += 1
    doc.sent_bounds = sb
    doc.sent = list(accumulate(sent_marks[:n]))
    doc.clause = list(accumulate(clause_marks[:n]))


def _long_digit_runs(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each run of 40 or more digits and separators in the regions: no number,
    and no token per digit group (blanked for the numeral scanner, its tokens
    dropped)."""
    if not _may_hold_long_run(text):
        return []
    return [m.span() for lo, hi in regions for m in _LONG_DIGITS.finditer(text, lo, hi)]


_RUN_CHAR = re.compile(r"[\d.,٫]")
_RUN_LEFT = re.compile(r"[\d.,٫]*\Z")
_RUN_RIGHT = re.compile(r"[\d.,٫]*")


def _may_hold_long_run(text: str) -> bool:
    """Whether the text may hold a run of `_LONG_DIGITS`: such a run covers a
    multiple of its length, so only the runs through every 40th character are
    measured (a few per article, rather than a search at every character)."""
    for m in _RUN_CHAR.finditer(text[::_LONG_RUN]):
        p = m.start() * _LONG_RUN
        left = _RUN_LEFT.search(text, max(0, p - _LONG_RUN), p)
        right = _RUN_RIGHT.match(text, p)
        assert left is not None and right is not None  # both may match nothing
        if right.end() - left.start() >= _LONG_RUN:
            return True
    return False


def _without(text: str, runs: list[tuple[int, int]]) -> str:
    """The text with the runs blanked (spaces, so offsets stay)."""
    if not runs:
        return text
    parts: list[str] = []
    done = 0
    for a, b in runs:
        parts += [text[done:a], " " * (b - a)]
        done = b
    parts.append(text[done:])
    return "".join(parts)


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
    for m in scan_numbers(scan_text, numerals, regions, digits, tanween):
        t0 = doc.index_at(m.start)
        if t0 > 0 and doc.ends[t0 - 1] > m.start:  # الثلاثة: the number inside a token
            t0 -= 1
        t1 = t0
        while t1 < len(doc.toks) and doc.starts[t1] < m.end:
            t1 += 1
        if t1 == t0 or not math.isfinite(m.value):  # no whole token, or NaN
            continue
        if _unit_exponent(doc, t0, m.value):
            continue
        cands.append(_Cand(m.start, m.end, t0, t1, float(m.value), m.vague))
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


_EXTRA_ENDS = tuple(
    sorted(
        set(lx.VAGUE_BY_FIRST)
        | {"كيلومتر", "كلم", "كم", "ان", "ين", "يتا"}
        | {f for f in lx.NOUNS["fractions"]}
    )
)
"""Endings of words that may be a candidate the numeral scanner does not
give: a quantity word, a kilometre (bare area) or a dual ending."""


def _may_be_extra(tok: str) -> bool:
    """What `_bare_area`, `_vague_word` or `_dual` asks of the token alone
    before it reads its neighbours (a kilometre, a quantity word, a dual of a
    counted noun without the article): decided once per distinct token."""
    return (
        any(lx.matches(tok, k) for k in ("كيلومتر", "كلم", "كم"))
        or bool(lx.lookup(lx.VAGUE_BY_FIRST, tok))
        or (not lx.bare(tok).startswith("ال") and lx.dual_of(tok) is not None)
        or nouns.may_be_fraction(tok)
    )


def _unit_exponent(doc: _Doc, t0: int, value: float) -> bool:
    """The 2 of a glued `كم2`/`km2`/`م2`."""
    if value != 2 or t0 == 0:
        return False
    prev = doc.toks[t0 - 1]
    glued = doc.ends[t0 - 1] == doc.starts[t0]
    return glued and prev in {"كم", "كلم", "km", "م", "m"}


def _match_words(doc: _Doc, i: int, words: tuple[str, ...]) -> int:
    """End token index if `words` match from token i (clitics aside), else -1."""
    j = i
    n = len(doc.toks)
    entries = doc.words
    for w in words:
        if j >= n or w not in entries[j].forms:
            return -1
        j += 1
    return j


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
        i = number
    if doc.toks[i][:1] == "و" and not doc.toks[i].startswith("واحد"):
        return -1  # 9 قتلى وعشرات الجرحى: a second item, not the phrase's subject
    k = doc.covered[i]
    j = i
    while j < len(doc.toks) and doc.covered[j] == k:
        j += 1
    for skip in range(3):
        if j + skip < len(doc.toks) and doc.words[j + skip].conjoined:
            return -1  # مقتل 10 أشخاص وإصابة 30: a second item, not the phrase's end
        end = _match_words(doc, j + skip, words)
        if end > 0:
            return end
    return _match_after_aside(doc, j, words)


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


def _skip_qualifier_after(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    for words, qual in doc.words[j].qual_after if 0 <= j < len(doc.toks) else ():
        end = _match_words(doc, j, words)
        if end > 0:
            return end, qual
    return j, None


def _may_hedge_after(doc: _Doc, j: int) -> bool:
    return 0 <= j < len(doc.toks) and bool(doc.words[j].qual_after)


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
    if 0 <= j < len(doc.toks) and doc.words[j].conjoined and unit.kind != "none":
        unit = _Unit("none", end=j)  # 3715 وأسر: a new item (و), not this number's noun
    if unit.kind == "linear" and nouns.length_after(doc.toks, unit.end):
        return _Unit("block", end=unit.end), post, unit.end  # 600 كم من الطرق: a length
    if unit.kind == "none" and doc.tok(j) == "من":
        k = j + 1
        if _is(doc, k, "بين") or _is(doc, k, "اصل"):
            k += 1
        inner = _noun_unit(doc, k)
        if inner.kind == "block" and _members(doc, k):
            inner = _Unit("person", end=inner.end, noun=k)  # 5 من الفصائل: five of their men
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
        if post2 is None:
            hedge, post2 = _comma_hedge(doc, unit.end)
        if post2 is not None:
            post = post2 if post is None else post
            return unit, post, hedge
    elif post is None:
        hedge, post = _comma_hedge(doc, j)
        if post is not None:
            return unit, post, hedge
    return unit, post, max(j, unit.end)


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

_TRAILING_REACH = 4
"""Words between a counted noun and a hedge that still bounds the number
(`80 تلميذا من مدرسة داخلية على الأقل`)."""


def _trailing_hedge(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    """A hedge after the counted noun, past its adjectives or `من` phrase (a few
    words, in the clause, before any other number, verb or clause word): where
    it ends, and the hedge."""
    if j >= len(doc.toks):
        return j, None
    clause = doc.clause[j - 1] if j > 0 else 0
    for k in range(j, min(j + _TRAILING_REACH + 1, len(doc.toks))):
        tok = doc.toks[k]
        if doc.clause[k] != clause or doc.covered[k] >= 0 or tok in _SENTENCE_END:
            return j, None
        if k > j and tok[:1] in "وف":
            return j, None  # وعلى الأقل: a coordinated phrase, not this number's
        word = doc.words[k]
        end, qual = _skip_qualifier_after(doc, k) if word.qual_after else (k, None)
        if qual is not None:
            if end < len(doc.toks) and doc.covered[end] >= 0:
                return j, None  # وأصيب على الأقل 10: the next number's hedge
            return end, qual
        if not word.tags.isdisjoint(_HEDGE_STOPS):
            return j, None  # another metric word or a clause: past this number
    return j, None


_HEDGE_STOPS = frozenset({Tag.TRIGGER, Tag.CLAUSE, Tag.SUBSET, Tag.MONTH})


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


def _noun_reading(tok: str) -> tuple[str, Metric | None]:
    """The unit a token gives alone as the noun after a number, and the metric
    it names (`_Word.noun`)."""
    senses = lx.senses(tok)
    strong = [s for s in senses if s.tag is Tag.TRIGGER and s.strength is not Strength.WEAK]
    nouns = [s for s in strong if s.strength is Strength.NOUN and s.metric in _PERSON_METRICS]
    if nouns:
        return "person", nouns[0].metric
    tags = {s.tag for s in senses}
    if Tag.BLOCK in tags or Tag.DUR_UNIT in tags:
        return "block", None
    if Tag.HOUSEHOLD in tags:
        return "household", None
    if Tag.PERSON in tags:
        return "person", None
    if Tag.PLACE in tags:
        return "place", None
    return "none", None


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
        and (Tag.BLOCK in doc.words[k].tags or Tag.DUR_WORD in doc.words[k].tags)
    ):
        return True  # في يوم واحد، بصاروخ واحد: "one" describes the noun before
    if nouns.ratio_or_one_of(doc.toks, c.t0, c.t1, c.value):
        return True  # سبعة من كل عشرة، واحد من: a ratio or "one of", not a count
    if k >= 0 and _definite_number(doc, c) and nouns.name_number(doc.toks, c.t0, True):
        return True  # جبل الأربعين: a name
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
# Qualifiers.
# ---------------------------------------------------------------------------


def _qualifier_before(doc: _Doc, t0: int) -> tuple[int, Qualifier | None]:
    """(first token of the hedge, the hedge) standing right before token t0."""
    ends = [t0]
    n = len(doc.toks)
    if 0 < t0 <= n and doc.toks[t0 - 1] in {"ال", "الـ"}:  # أكثر من الـ 500
        ends.append(t0 - 1)
    if 0 < t0 <= n and doc.toks[t0 - 1] in _OPENERS:  # حوالي ( 7 ) آلاف، نحو «300»
        ends.append(t0 - 1)
    for end in ends:
        if not 0 < end <= n:
            continue
        for words, qual in doc.words[end - 1].qual_before:
            start = end - len(words)
            if start < 0 or _match_words(doc, start, words) != end:
                continue
            if words[0] in _REACH_VERBS and doc.toks[start] != words[0]:
                continue  # ليصل إلى، لتصل إلى: the count reaching it, not "up to"
            if (
                qual is Qualifier.MORE_THAN
                and start > 0
                and doc.words[start - 1].bare in {"لا", "ما"}
            ):
                continue  # لا يتجاوز: at most, matched by its own longer entry
            return start, qual
    return t0, None


_OPENERS = frozenset({"(", "«", "[", '"', "“"})
"""Brackets and quotes that may stand between a hedge and its number."""

_REACH_VERBS = frozenset({"يصل", "تصل"})
"""`يصل إلى` is "up to", but `ليصل إلى` (with ل, "so as to reach") is a count's
predicate (`ارتفع العدد ليصل إلى 300`)."""

_COUNT_HEADS = frozenset(
    {"عدد", "اعداد", "حصيلة", "مجموع", "اجمالي", "العدد", "الحصيلة", "المجموع", "الاجمالي"}
    | {"عددهم", "عددها", "اعدادهم", "اعدادها", "حصيلتها"}
)
"""Nouns a fronted hedge verb takes as its subject (`يتجاوز عدد النازحين`)."""

_REACHES = frozenset(
    fold(w)
    for w in (
        "إلى",
        "الى",
        "وصل",
        "وصلت",
        "بلغ",
        "بلغت",
        "يبلغ",
        "تبلغ",
        "ليصل",
        "لتصل",
        "ليبلغ",
        "لتبلغ",
        "يصل",
        "تصل",
        "ارتفع",
        "ارتفعت",
        "تجاوز",
        "تجاوزت",
        "بلغا",
    )
)
"""Words a fronted count's number follows as its predicate (`وصلت 4`, `إلى 812`)."""


@lru_cache(maxsize=1 << 14)
def _count_head(tok: str) -> bool:
    """Whether a token reads as a count noun (`عدد`, `حصيلة`…, clitics aside);
    remembered per distinct token (a fronted count looks back over many)."""
    return not _COUNT_HEADS.isdisjoint(lx.forms(tok))


def _reaches(doc: _Doc, k: int) -> bool:
    return doc.toks[k] in _REACHES or doc.words[k].bare in _REACHES


FRONTED_COST = 2.0
"""Cost of the metric of a fronted count (`عدد القتلى … إلى 812`) for its number."""
LIST_REACH = 80
"""Tokens back from a listed item that the control verb governing the list may stand."""
FRONTED_REACH = 24
"""Tokens back from the predicate that the count noun may stand."""

_FRONTED_REACH = 8
"""Words between `عدد` and the number it is hedged with."""


def _fronted_hedge(doc: _Doc, t0: int) -> Qualifier | None:
    """`يتجاوز عدد النازحين داخليا في مالي 375 ألفا`: a hedge verb before the
    `عدد` whose number ends the clause bounds that number (the quote stays the
    number's own words)."""
    if not 0 <= t0 < len(doc.toks):
        return None
    clause = doc.clause[t0]
    for k in range(t0 - 1, max(-1, t0 - 2 - _FRONTED_REACH), -1):
        tok = doc.toks[k]
        if doc.clause[k] != clause or doc.covered[k] >= 0 or tok in _SENTENCE_END:
            return None
        if lx.bare(tok) in _COUNT_HEADS:
            return _qualifier_before(doc, k)[1]
    return None


_ESTIMATE_REACH = 12
"""Tokens before a number, in its sentence, where estimate wording still
governs it (`في تقدير أولي، مقتل 296 شخصا، وإصابة 153 آخرين`)."""


_ESTIMATE = re.compile(
    r"(?<![^\W\d_])[وف]?(?:"
    + "|".join(sorted(lx.ESTIMATE_WORDS, key=len, reverse=True))
    + r")(?![^\W\d_])"
)


def _estimate_tokens(doc: _Doc) -> list[int]:
    """Indices of the tokens that are estimate wording (one search of the
    text: most articles have none)."""
    return [doc.index_at(m.start()) for m in _ESTIMATE.finditer(doc.text)]


def _estimate_before(doc: _Doc, t0: int, estimates: list[int]) -> bool:
    """Estimate wording earlier in the number's sentence, before any word that
    opens a new clause (`تقدر الأمم المتحدة عدد النازحين بـ…`, `يرجح وجود…`)."""
    k = bisect_left(estimates, t0) - 1
    if k < 0 or estimates[k] < t0 - _ESTIMATE_REACH:
        return False
    for k in range(t0 - 1, max(-1, t0 - 1 - _ESTIMATE_REACH), -1):
        tok = doc.toks[k]
        if tok in _SENTENCE_END:
            return False
        word = doc.words[k]
        if word.bare in lx.ESTIMATE_WORDS and (k == 0 or doc.words[k - 1].bare not in _BOUNDS):
            return True
        if Tag.CLAUSE in word.tags or Tag.SUBSET in word.tags:
            return False  # فيما…، منهم 40: another clause, or a part counted exactly
    return False


_BOUNDS = frozenset({"اقل", "اقصي", "اكثر"})
"""`على أقل تقدير`, `في أقصى تقدير`: a bound, not estimate wording."""


def _comma_hedge(doc: _Doc, j: int) -> tuple[int, Qualifier | None]:
    """A hedge set off by commas right after a number's words (`إصابة 42
    شخصاً، على الأقل، في الانفجار`): where it ends, and the hedge."""
    n = len(doc.toks)
    if j + 1 >= n or doc.toks[j] not in {"،", ","} or not doc.words[j + 1].qual_after:
        return j, None
    end, qual = _skip_qualifier_after(doc, j + 1)
    if qual is None or (end < n and doc.toks[end] not in _SENTENCE_END | {"،", ","}):
        return j, None
    return end, qual


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


# ---------------------------------------------------------------------------
# Cues: triggers, scope, since-dates.
# ---------------------------------------------------------------------------


# Hits and cues are made by the dozen per article: plain slotted classes, as a
# frozen dataclass's `__init__` costs five times as much (never mutated).


class _Hit:
    __slots__ = ("complement", "end", "sense", "start")

    start: int
    end: int  # token index just past the word or phrase
    sense: Sense
    complement: bool  # the genitive after another metric's noun

    def __init__(self, start: int, end: int, sense: Sense, complement: bool = False) -> None:
        self.start = start
        self.end = end
        self.sense = sense
        self.complement = complement


class _Cue:
    __slots__ = ("day", "end", "rise", "scope", "since", "start", "stated", "window")

    start: int
    end: int
    scope: Scope
    window: str | None
    since: str | None
    stated: bool  # a window of stated length
    rise: bool  # a total that rises (ارتفع): the figure's scope over a nearer event
    day: bool  # a day word (أمس، الخميس): read by `scope.day_reading`

    def __init__(
        self,
        start: int,
        end: int,
        scope: Scope,
        window: str | None = None,
        since: str | None = None,
        stated: bool = False,
        rise: bool = False,
        day: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.scope = scope
        self.window = window
        self.since = since
        self.stated = stated
        self.rise = rise
        self.day = day


def _ranges(doc: _Doc, readings: list[_Reading]) -> list[tuple[int, int]]:
    """Token ranges near the candidates: the only tokens worth reading."""
    out: list[tuple[int, int]] = []
    for r in readings:
        lo, hi = max(0, r.q0 - WINDOW - 8), min(len(doc.toks), r.end_tok + WINDOW + 8)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _collect(
    doc: _Doc,
    words: list[_Word],
    flagged: list[int],
    durations: list[_Duration],
    ranges: list[tuple[int, int]],
) -> tuple[list[_Hit], list[_Cue]]:
    hits: list[_Hit] = []
    cues: list[_Cue] = []
    suppress_until = -1
    covered = doc.covered
    readable = [i for i in flagged if words[i].cue and covered[i] < 0]
    n = len(doc.toks)
    in_ranges: list[int] = []
    for lo, hi in ranges:
        in_ranges += readable[bisect_left(readable, lo) : bisect_left(readable, hi)]
    no_forms: tuple[str, ...] = ()
    for i in in_ranges:
        word = words[i]
        phrases: tuple[lx.Phrase, ...] = ()
        if word.phrases:
            after = words[i + 1].forms if i + 1 < n else no_forms
            if not word.seconds.isdisjoint(after) or any(
                covered[j] >= 0 for j in range(i + 1, min(i + 5, n))
            ):  # the phrase goes on, or is split by a (hedged) number
                phrases = word.phrases
        for phrase in phrases:
            end = _match_words(doc, i + 1, phrase.words[1:]) if phrase.words[1] in after else -1
            if end < 0 and phrase.sense.tag is Tag.TRIGGER:
                end = _match_around_number(doc, i + 1, phrase.words[1:])
            if end < 0:
                continue
            if phrase.sense.metric is Metric.BESIEGED and _bare(doc, i - 1) == "من":
                continue  # انتشال 15 جثة من تحت الأنقاض: taken out, no longer trapped
            if phrase.sense.tag is Tag.TOTAL:
                cues.append(_Cue(i, end, Scope.TOTAL))
            else:
                hits.append(_Hit(i, end, phrase.sense))
                if phrase.sense.tag is Tag.TRIGGER:
                    suppress_until = max(suppress_until, end)
        for sense in word.senses:
            tag = sense.tag
            if tag is Tag.TRIGGER and i < suppress_until:
                continue
            if tag is Tag.SIZE:
                if _has(doc, i + 1, Tag.BLOCK) or _has(doc, i + 1, Tag.PLACE):
                    continue  # مساحة المخيم: the size of a thing
                if nouns.size_of(doc.toks, i + 1):
                    continue  # مساحة 2 منها، مساحة البلاد: a size, not ground held
                sense = _CONTROL
                tag = Tag.CONTROL
            if tag is Tag.GROUP:
                hits.append(_Hit(i, i + 1, sense))
                continue
            if tag is Tag.TRIGGER:
                head = None
                for h in hits[-1:-4:-1]:
                    if h.end == i:
                        head = h
                        break
                complement = (
                    head is not None
                    and head.sense.tag is Tag.TRIGGER
                    and head.sense.strength is not Strength.VERB
                    and head.sense.metric is not sense.metric
                    and sense.strength is not Strength.VERB  # نازحة عادت: a predicate
                    and not doc.words[i].conjoined
                    and not _definite(doc.toks[head.start])
                )
                hits.append(_Hit(i, i + 1, sense, complement))
            elif tag in (Tag.CONTROL, Tag.NOT_COUNT, Tag.FORECAST):
                hits.append(_Hit(i, i + 1, sense))
            elif tag is Tag.BATCH:
                cues.append(_day_cue(doc, i))
            elif tag is Tag.TOTAL:
                cues.append(_Cue(i, i + 1, Scope.TOTAL, rise=sense.arg == "rise"))
            elif tag is Tag.DUR_WORD:
                cue = _duration_word(doc, i, sense)
                if cue is not None:
                    cues.append(cue)
            elif tag is Tag.UNSTATED:
                cue = _unstated(doc, i)
                if cue is not None:
                    cues.append(cue)
        if word.since:
            cue = _since(doc, i)
            if cue is not None:
                cues.append(cue)
    for d in durations:
        if d.token >= 0:
            cues.append(_Cue(d.token, d.token + 1, Scope.WINDOW, d.window, stated=True))
    for lo, hi in ranges:
        for i in flagged[bisect_left(flagged, lo) : bisect_left(flagged, hi)]:
            if words[i].month:
                months = _month_range(doc, i)
                if months is not None:
                    cues.append(_Cue(i, months[1], Scope.WINDOW, months[0], stated=True))
    cues.sort(key=lambda c: c.start)
    cues = _real_days(doc, cues)
    _same_period(doc, cues)
    # the words of a since-anchor or a window (منذ فجر اليوم، منذ ساعات الليل)
    # are not batch cues of their own
    spans = [(q.start, q.end) for q in cues if q.scope is not Scope.BATCH and q.end - q.start > 1]
    if spans:
        cues = [
            q
            for q in cues
            if q.scope is not Scope.BATCH or not any(a < q.start < b for a, b in spans)
        ]
    return hits, cues


def _day_cue(doc: _Doc, i: int) -> _Cue:
    """A batch word; a day word (أمس، الخميس) is marked as one (`scope`, rule 2)."""
    if not scope_frames(doc.toks[i]) & Frame.DAY:
        return _Cue(i, i + 1, Scope.BATCH)
    if scope.of_the_day(doc.toks, i) or scope.day_only(doc.toks, i):
        return _Cue(i, i + 1, Scope.WINDOW, "1d", stated=True)  # ليوم أمس، أمس وحده
    return _Cue(i, i + 1, Scope.BATCH, day=True)


def _real_days(doc: _Doc, cues: list[_Cue]) -> list[_Cue]:
    """Drop what dates the report, not the count (`أعلنت المفوضية، اليوم
    الخميس، …`), and a part of a day before its day (`مساء أمس`: the day
    speaks); add `اليوم فقط` as a day's window."""
    out: list[_Cue] = []
    days = {q.start for q in cues if q.day or q.window == "1d"}
    for q in cues:
        if q.day and scope.dates_report(doc.toks, doc.sent, q.start):
            continue
        if q.scope is Scope.BATCH and not q.day and (q.start + 1 in days):
            continue
        out.append(q)
    return out


_SAME = frozenset(fold(w) for w in ("نفسها", "ذاتها", "نفسه", "ذاته"))


def _same_period(doc: _Doc, cues: list[_Cue]) -> None:
    """`خلال الفترة نفسها`, `في نفس الفترة`: a window of unstated length that
    points back takes the length of the last stated window before it."""
    stated: _Cue | None = None
    for q in cues:
        if q.scope is not Scope.WINDOW:
            continue
        if q.window is None and stated is not None:
            i = q.start
            if _bare(doc, i + 1) in _SAME or _bare(doc, i - 1) == "نفس":
                q.window, q.stated = stated.window, True
        if q.window is not None:
            stated = q


def _duration_word(doc: _Doc, i: int, sense: Sense) -> _Cue | None:
    """يومين الماضيين، الأسبوع الماضي، خلال أسبوع: a window of stated length
    (a hedge on it stays with it: خلال أقل من أسبوع; شهريا: per month)."""
    if scope.rate(doc.toks[i]):
        return _Cue(i, i + 1, Scope.WINDOW, sense.arg, stated=True)
    if sense.arg == "1y" and _is_year(doc.tok(i + 1)) and scope.year_subject(doc.toks, i):
        return _Cue(i, i + 2, Scope.WINDOW, "1y", stated=True)  # سجل عام 2014: the year's count
    k = _prev_word(doc, _qualifier_before(doc, i)[0])
    opened = k >= 0 and Tag.DUR_OPEN in doc.words[k].tags
    closed = _has(doc, i + 1, Tag.DUR_CLOSE)
    singular = sense.arg.startswith("1")
    if scope.not_a_window(doc.toks, k, i + 1):
        return None  # في الـ5 من الشهر الماضي: a date; الأشهر المقبلة
    if closed or (opened and not singular) or (opened and not doc.toks[i].startswith("ال")):
        if _bare(doc, k) == "منذ" and singular and not closed:
            return None
        return _Cue(i, i + 1, Scope.WINDOW, sense.arg, stated=True)
    return None


def _unstated(doc: _Doc, i: int) -> _Cue | None:
    """خلال الساعات الماضية، منذ ساعات: a window whose length is not given."""
    k = _prev_word(doc, i)
    nxt = i + 2 if doc.tok(i + 1) in {"ال", "الـ"} else i + 1
    if any(0 <= j < len(doc.toks) and doc.covered[j] >= 0 for j in (i - 1, nxt)):
        return None  # the duration has a number: the number's own cue
    opened = k >= 0 and Tag.DUR_OPEN in doc.words[k].tags
    closed = _has(doc, i + 1, Tag.DUR_CLOSE)
    if scope.not_a_window(doc.toks, k, i + 1):
        return None
    if opened or closed:
        return _Cue(i, min(i + 3, len(doc.toks)), Scope.WINDOW, None)
    return None


def _is_year(tok: str) -> bool:
    return len(tok) == 4 and tok.isdigit() and 1900 <= int(tok) <= 2100


def _since(doc: _Doc, i: int) -> _Cue | None:
    """منذ + a date or an event: a running total (with its start date)."""
    j = i + 1
    if _is_year(doc.tok(j + 1)) and _has(doc, j, Tag.BLOCK_BEFORE):
        return _Cue(i, j + 2, Scope.TOTAL)  # منذ عام 2020: a total, no month to date it
    duration = _has(doc, j, Tag.UNSTATED) or _has(doc, j, Tag.DUR_WORD)
    if duration and not _has(doc, j + 1, Tag.BATCH):  # منذ يوم الجمعة: an anchor
        return None  # منذ ساعات / منذ يومين: a window, cued by the duration
    _, qual = _qualifier_before(doc, j + 2)
    if qual is not None or (doc.tok(j).isdigit() and _has(doc, j + 1, Tag.DUR_UNIT)):
        return None
    day = 1
    for k in range(j, min(j + 12, len(doc.toks))):
        tok = doc.toks[k]
        if tok in _SENTENCE_END or tok in {"،", ","}:
            break
        month = _month_at(doc, k)
        if month is not None:
            return _Cue(i, month[1], Scope.TOTAL, since=since(month[0], day))
        if tok.isdigit() and len(tok) <= 2:
            day = int(tok)
        elif (bare := doc.words[k].bare) in ORDINAL_DAYS:
            day = ORDINAL_DAYS[bare]
        elif bare in PART_OF_MONTH:
            day = PART_OF_MONTH[bare]
    return _Cue(i, min(i + 4, len(doc.toks)), Scope.TOTAL)


# ---------------------------------------------------------------------------
# Putting it together.
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


class _Out:
    __slots__ = ("metric", "reading", "scope", "since", "unit", "value", "window")

    reading: _Reading
    metric: Metric
    unit: Unit
    value: float
    scope: Scope
    window: str | None
    since: str | None

    def __init__(
        self,
        reading: _Reading,
        metric: Metric,
        unit: Unit,
        value: float,
        scope: Scope,
        window: str | None,
        since: str | None,
    ) -> None:
        self.reading = reading
        self.metric = metric
        self.unit = unit
        self.value = value
        self.scope = scope
        self.window = window
        self.since = since


def _cost(doc: _Doc, r: _Reading, hit: _Hit) -> float:
    c = r.cand
    if hit.end <= r.q0:
        dist = float(r.q0 - hit.end + 1)
        after = False
    elif hit.start >= c.t1:
        dist = float(hit.start - c.t1 + 1)
        after = True
    else:
        dist = 0.0
        after = False
    if after and hit.start == r.unit.noun:
        return NOUN_COST
    if (
        not after
        and hit.sense.tag is Tag.TRIGGER
        and hit.sense.strength is Strength.NOUN
        and hit.start > 0
        and doc.covered[hit.start - 1] >= 0
        and hit.start - 1 < c.t0
        and doc.kinds[hit.start - 1] != "dual"  # a dual counts itself: مقتل جنديين وإصابة 3
        and not doc.words[hit.start].conjoined  # a new item: مقتل 2 وإصابة 3
    ):
        dist += CLAUSE_COST  # 18 قتيلا وعشرات الجرحى: the noun counted by another number
    elif (
        after
        and hit.sense.tag is Tag.TRIGGER
        and hit.sense.strength is Strength.NOUN
        and hit.start > c.t1
        and doc.covered[hit.start - 1] >= 0
        and doc.covered[hit.start - 1] != doc.covered[c.t0]
    ):
        dist += CLAUSE_COST  # 634 بينهم 91 طفلا و1586 جريحا: the next number's noun
    sense = hit.sense
    if hit.end - hit.start > 1:
        dist -= 0.5  # a phrase is more specific than any of its words
    if sense.strength is Strength.VERB and after:
        if doc.words[hit.start].conjoined:
            dist += 1.0  # قتل 8 وأصيب 14: a coordinated verb opens its own clause
        else:
            dist *= 0.5
    elif sense.strength is Strength.WEAK:
        dist += 4.0
    elif after and dist > 0 and doc.words[hit.start].bare.startswith("ال"):
        dist += 6.0  # an attribute of the counted noun, not its predicate
    if hit.complement:
        dist += 2.0  # عودة النازحين: the head noun names the event
    clauses = abs(doc.clause[hit.start] - doc.clause[c.t0])
    if (
        after
        and clauses
        and any(_bare(doc, k) in _RELATIVES for k in range(hit.start - 3, hit.start))
    ):
        clauses = 0  # ممن سلموا أنفسهم: describes the counted people
    if after and clauses and _apposition_before(doc, r.end_tok, hit.start):
        clauses = 0  # 1.9 مليون شخص، أي 90% من السكان، نزحوا: the verb past the aside
    return dist + CLAUSE_COST * clauses


_APPOSITION_REACH = 14
"""Tokens an aside (`، أي ما يقارب 90% من سكان القطاع،`) may span."""


def _apposition_before(doc: _Doc, j: int, verb: int) -> bool:
    """Whether an aside opened by `، أي` right after the counted noun (token j)
    closes with a comma right before token `verb`, with no sentence end or other
    clause break inside."""
    if doc.tok(j) not in {"،", ","} or doc.tok(j + 1) not in {"اي", "أي"}:
        return False
    if verb - j > _APPOSITION_REACH or doc.tok(verb - 1) not in {"،", ","}:
        return False
    return not any(
        doc.toks[k] in _SENTENCE_END or doc.toks[k] in _CLAUSE_END for k in range(j + 2, verb - 1)
    )


def _definite(tok: str) -> bool:
    """A word with the article: never the head of a genitive (اللاجئين العائدين
    is a noun and its adjective; عودة النازحين is a head and its complement)."""
    word = lx.bare(tok)
    return word.startswith(("ال", "بال", "كال", "لل"))


def _conjoined(tok: str) -> bool:
    """A word carrying the conjunction و/ف (`وأصيب`; not `وصل`, `فروا`)."""
    return tok[:1] in "وف" and len(tok) > 3 and tok not in lx.WORDS and bool(lx.senses(tok[1:]))


def _near(starts: list[int], lo: int, hi: int) -> range:
    return range(bisect_left(starts, lo), bisect_left(starts, hi))


class _Extractor:
    def __init__(self, text: str) -> None:
        self.original = text
        self.norm: Normalized = normalize(text)
        t = self.norm.text
        whole = _read_runs(t)
        self.seen = whole.seen
        leads = _lead_offsets(t, whole.seen)
        regions = _regions(t, leads, _sentence_ends(t, whole.seen))
        runs = _long_digit_runs(t, regions)
        scan_text = _without(t, runs)
        self.doc = _tokenize(t, whole, regions, runs)
        self.words = words = self.doc.words
        self.flagged = [i for i, w in enumerate(words) if w.any]
        self.cands = _candidates(
            self.doc, scan_text, words, self.flagged, regions, self.norm.tanween
        )
        self.doc.covered = [-1] * len(self.doc.toks)
        self.doc.kinds = [""] * len(self.doc.toks)
        for k, c in enumerate(self.cands):
            for i in range(c.t0, c.t1):
                self.doc.covered[i] = k
                self.doc.kinds[i] = c.kind
        _segment(self.doc, words, self.flagged, runs)
        self.headline_end = _headline_end(t)
        self.read_at: set[int] = set()
        """Tokens of the numbers read as possible figures (`run`)."""
        self.party_starts: list[int] | None = None
        """Starts of the parties `_figures` found, when in text order."""
        self.lead: tuple[int, int] | None = None
        self._breakdown = False
        self.spans: dict[int, int] = {}
        """Frames of token ranges read so far (`_span`)."""
        self.defaulted: set[int] = set()
        """First tokens of the figures whose scope no word of the text states."""

    def run(self) -> list[Figure]:
        doc = self.doc
        readings: list[_Reading] = []
        hedges: list[tuple[Qualifier | None, Qualifier | None]] = []  # (before, after)
        estimates = _estimate_tokens(doc)
        durations: list[_Duration] = []
        skip: set[int] = set()
        things: tuple[int, int] | None = None  # (sentence, end) of the last number of things
        for k, c in enumerate(self.cands):
            if k in skip:
                continue
            dates = self._day_range(k)
            if dates is not None:  # بين 1 و15 كانون الأول: a window, no figure
                window, last = dates
                skip.update(range(k + 1, last + 1))
                durations.append(_Duration(c.t0, window))
                continue
            if _not_a_figure(doc, c):
                continue
            partner = self._range_partner(k)
            if partner is not None:
                skip.add(partner)
                c = self._merge_range(c, self.cands[partner])
            unit, post, end_tok = _unit_after(doc, c)
            if c.kind == "number" and not c.range_low:
                d = _duration(doc, c, unit)
                if d is not None:
                    durations.append(d)
                    continue
            if unit.kind == "block":
                things = (doc.sent[c.t0], end_tok)
                continue
            if (
                things is not None
                and unit.kind == "none"
                and doc.sent[c.t0] == things[0]
                and c.t0 - things[1] <= _ELLIPSIS_REACH
                and _coordinated(doc, c.t0)
            ):
                things = (things[0], end_tok)
                continue  # 16 مخيماً في دهوك، و6 في أربيل: six more camps
            q0, pre = _qualifier_before(doc, c.t0)
            if pre is None and not c.vague:
                pre = _fronted_hedge(doc, c.t0)
            if (
                pre is None
                and post is None
                and estimates
                and not c.vague
                and _estimate_before(doc, c.t0, estimates)
            ):
                pre = Qualifier.APPROX
            if c.range_low:
                qual = Qualifier.AT_LEAST
                q0 = c.t0
            else:
                qual = _combine(pre, None if c.vague else post)
            readings.append(_Reading(c, unit, q0, qual, end_tok))
            hedges.append((pre, None if c.vague else post))
        _share_hedges(doc, readings, hedges)
        self.read_at = {i for r in readings for i in range(r.cand.t0, r.cand.t1)}
        hits, cues = _collect(doc, self.words, self.flagged, durations, _ranges(doc, readings))
        self.hits, self.cues = hits, cues
        self.hit_starts = [h.start for h in hits]
        self.cue_starts = [q.start for q in cues]
        outs: list[_Out] = []
        for r in readings:
            out = self._decide(r, outs)
            if out is not None:
                outs.append(out)
        return self._figures(outs)

    # -- ranges ----------------------------------------------------------------

    def _day_range(self, k: int) -> tuple[str, int] | None:
        """A range of two dates, so neither day is a figure: `بين 1 و15 كانون
        الأول`, `من 10 إلى 20 يناير`, `3-4 مارس` (one month, named after the
        second day), `من 25 كانون الأول/ديسمبر حتى 3 كانون الثاني/يناير`,
        `بين 10 يناير 2019 و5 فبراير` (each day with its month).  The window of
        the days from one to the other, both counted (`15d`, `11d`, `10d`),
        which a figure in the same clause is counted over, and the index of the
        range's last candidate (the second day)."""
        doc, cands = self.doc, self.cands
        if k + 1 >= len(cands):
            return None
        a = cands[k]
        if not _may_be_day(a):  # most candidates: before any look for a month
            return None
        first = _month_after(doc, a.t1)  # the first day's own month, if named
        last = k + 1
        gap_from = a.end
        if first is not None:
            gap_from = doc.ends[first[1] - 1]
            year = cands[last]
            if year.t0 == first[1] and _is_year(doc.tok(year.t0)) and last + 1 < len(cands):
                last += 1  # بين 10 يناير 2019 و…: the year is no figure either
                gap_from = year.end
        b = cands[last]
        if not _may_be_day(b):
            return None
        gap = doc.text[gap_from : b.start].strip()
        if gap not in _RANGE_GAPS:
            return None
        second = _month_after(doc, b.t1)
        if second is None:
            return None
        start = (first[0] if first is not None else second[0], int(a.value))
        length = _days_between(start, (second[0], int(b.value)))
        if length is None or (first is None and b.value <= a.value):
            return None
        return f"{length}d", last

    def _range_partner(self, k: int) -> int | None:
        """`ما بين 18 و20 ألفاً`, `18-20 ألف`: the second number's index."""
        if k + 1 >= len(self.cands):
            return None
        a, b = self.cands[k], self.cands[k + 1]
        if a.kind != "number" or b.kind != "number" or b.value <= a.value:
            return None
        gap = self.doc.text[a.end : b.start].strip()
        if gap not in _RANGE_GAPS and gap != "":
            return None
        if gap == "" and not self.doc.text[b.start : b.end].startswith("و"):
            return None
        prev = lx.bare(self.doc.tok(_word_before_bracket(self.doc, a.t0)))
        if gap not in {"-", "–"} and prev not in {"بين", "مابين"}:
            return None
        return k + 1

    def _merge_range(self, a: _Cand, b: _Cand) -> _Cand:
        low = a.value
        if not a.vague and b.value >= a.value * 10:
            for scale in (1e3, 1e6, 1e9):
                if a.value * scale <= b.value < a.value * scale * 10:
                    low = a.value * scale
                    break
        t0 = a.t0
        k = _word_before_bracket(self.doc, t0)
        if _bare(self.doc, k) in {"بين", "مابين"}:
            t0 = k
            if _bare(self.doc, k - 1) == "ما":
                t0 = k - 1
        start = self.doc.starts[t0]
        return _Cand(start, b.end, t0, b.t1, low, a.vague or b.vague, "number", range_low=True)

    # -- metric and scope ------------------------------------------------------

    def _decide(self, r: _Reading, outs: list[_Out]) -> _Out | None:
        doc = self.doc
        c = r.cand
        sent = doc.sent[c.t0]
        lo, hi = max(0, r.q0 - WINDOW), min(len(doc.toks), c.t1 + WINDOW)
        best: tuple[float, Metric | None] = (MAX_COST + 1, None)
        blocker = MAX_COST + 1
        control = MAX_COST + 1
        lost = MAX_COST + 1
        forecast = False
        hits = self.hits
        for idx in range(bisect_left(self.hit_starts, lo), bisect_left(self.hit_starts, hi)):
            hit = hits[idx]
            if doc.sent[hit.start] != sent:
                continue
            tag = hit.sense.tag
            if tag is Tag.FORECAST:
                if hit.end <= r.q0 and doc.clause[hit.start] == doc.clause[c.t0]:
                    forecast = forecast or r.q0 - hit.end < 8
                if hit.end <= r.q0 and r.q0 - hit.end < WINDOW and hit.sense.arg == "forecast":
                    # نخشى إذا استمر ذلك … أن نرى مئات الآلاف: what is feared, not a count
                    forecast = forecast or nouns.subjunctive_between(doc.toks, hit.end, r.q0)
                continue
            if tag is Tag.GROUP:
                continue  # read by `_group_metric`
            if (
                tag is Tag.TRIGGER
                and hit.sense.metric is Metric.MISSING
                and hit.sense.strength is Strength.VERB
                and hit.start >= c.t1
                and _lost_something(doc, hit.start, hit.end)
            ):
                continue  # نازح قد فقدوا كل شيء: they lost something, nobody is missing
            cost = _cost(doc, r, hit)
            if tag is Tag.CONTROL and c.kind == "fraction" and c.t0 <= hit.start < r.unit.end:
                continue  # ربع مساحة: the fraction's own size word holds nothing
            if (
                tag is Tag.CONTROL
                and r.unit.kind != "linear"  # a length only right beside its control word
                and hit.start >= c.t1
                and doc.clause[hit.start] == doc.clause[c.t0]
            ):
                cost *= 0.5  # نصف مساحة المحافظة … تقع تحت سيطرة التنظيم: its predicate
            if tag is Tag.CONTROL and hit.sense.arg == "lost":
                lost = min(lost, cost)
                continue
            if tag is Tag.CONTROL or (
                tag is Tag.TRIGGER
                and hit.sense.metric is Metric.BESIEGED
                and r.unit.kind == "square"
            ):
                control = min(control, cost)
            elif tag is Tag.NOT_COUNT:
                blocker = min(blocker, cost)
            elif tag is Tag.TRIGGER and hit.sense.metric in _PERSON_METRICS and cost < best[0]:
                best = (cost, hit.sense.metric)
        predicate = self._predicate(r)
        if predicate is not None and best[0] > PREDICATE_COST:
            best = (PREDICATE_COST, predicate)
        if r.unit.metric is not None and best[0] > NOUN_COST:
            # the counted noun names the metric (12 قتيلا) unless a word right
            # before acts on it (عاد 600 نازح: returned; قتل 5 نازحين: killed)
            best = (NOUN_COST, r.unit.metric)
        referent = self._referent(r)
        if referent is Tag.NOT_COUNT:
            return None  # سكان تدمر البالغ عددهم 200 ألف نسمة: a population
        if isinstance(referent, Metric) and best[0] > FRONTED_COST:
            best = (FRONTED_COST, referent)  # النازحين الذين بلغ عددهم 3 آلاف
        if best[0] > FRONTED_COST and r.unit.metric is None:
            fronted = self._fronted_count(r)
            if fronted is not None:  # ارتفع عدد القتلى، الذي …، إلى 812: the count's predicate
                best = (FRONTED_COST, fronted)
        if best[0] > 6.0:
            group = self._group_metric(r)
            if group is not None:
                best = (6.0, group)
        kind = r.unit.kind
        value = c.value * r.unit.factor
        if kind == "none" and r.unit.noun < 0:
            whole = self._territory_parent(r, outs)
            if whole is not None:  # 9 آلاف دونم، منها 4 آلاف … و3 آلاف: parts of the area
                part = whole.value / whole.reading.cand.value * c.value
                return _Out(r, whole.metric, whole.unit, part, whole.scope, whole.window, None)
        if kind == "percent":
            same = self._equivalent(r, outs)
            if same is not None:  # 1200 كم2، أي ما يعادل 18 بالمئة: the same ground, a share
                return _Out(
                    r,
                    Metric.SHARE_CONTROLLED,
                    Unit.PERCENT,
                    value,
                    same.scope,
                    same.window,
                    same.since,
                )
        if kind in {"square", "linear", "percent", "place"}:
            limit = {"square": 20.0, "linear": 4.0, "percent": 12.0, "place": 12.0}[kind]
            if control > limit and (self._fronted_control(r) or self._listed_held(r)):
                control = FRONTED_COST
            if control > limit or forecast or lost <= control:
                return None  # no control word near, or ground lost (خسر التنظيم …)
            if kind == "linear" and self._distance_cue(r):
                return None
            metric, unit = {
                "square": (Metric.AREA_CONTROLLED, Unit.KM2),
                "linear": (Metric.AREA_CONTROLLED, Unit.KM2),
                "percent": (Metric.SHARE_CONTROLLED, Unit.PERCENT),
                "place": (Metric.PLACES_CONTROLLED, Unit.PLACE),
            }[kind]
            measured = self._measured(r, outs)
            if measured is not None and metric is Metric.AREA_CONTROLLED:
                scope, window, since_ = measured.scope, measured.window, measured.since
            else:
                scope, window, since_ = self._scope(r, metric)
            return _Out(r, metric, unit, value, scope, window, since_)
        unit = Unit.HOUSEHOLD if kind == "household" else Unit.PERSON
        parent = self._parent(r, outs)
        if parent is not None and best[0] > 3.0 and blocker < 3.0:
            return None  # فضلا عن حاجة 300 ألف شخص: listed with it, but people in need
        if parent is not None:
            self._share_window(r, outs)
        if parent is not None and best[0] > 3.0:
            return _Out(r, parent.metric, unit, value, parent.scope, parent.window, parent.since)
        found = best[1]
        if found is None or blocker < best[0] or forecast:
            return None
        if nouns.conditional_after(doc.toks, r.end_tok, doc.clause, doc.clause[c.t0]):
            return None  # نزوح مليوني لاجئ في حال اندلاع القتال: if it happens
        if kind == "none" and parent is None and nouns.of_things(doc.toks, r.end_tok):
            return None  # 2 منها: two of them (things, not people)
        metric = found
        if parent is not None:
            return _Out(r, metric, unit, value, parent.scope, parent.window, parent.since)
        scope, window, since_ = self._scope(r, metric)
        return _Out(r, metric, unit, value, scope, window, since_)

    def _predicate(self, r: _Reading) -> Metric | None:
        """`500 لاجئ سوري عادوا`: a verb right after a metric noun counted by the
        number (past one adjective) is what happened to those people; it names
        the metric over the noun, which only says who they are."""
        doc = self.doc
        noun = r.unit.noun
        if r.unit.metric is None or noun < 0:
            return None
        for idx in _near(self.hit_starts, noun + 1, noun + 3):
            hit = self.hits[idx]
            if (
                hit.sense.tag is Tag.TRIGGER
                and hit.sense.strength is Strength.VERB
                and hit.sense.metric in _PERSON_METRICS
                and hit.sense.metric is not r.unit.metric
                and doc.clause[hit.start] == doc.clause[noun]
                and not doc.words[hit.start].conjoined
                and not (
                    hit.sense.metric is Metric.MISSING and _lost_something(doc, hit.start, hit.end)
                )
            ):
                return hit.sense.metric
        return None

    def _fronted_count(self, r: _Reading) -> Metric | None:
        """`ارتفع عدد النازحين من البلدة، بسبب …، إلى نحو 48 ألفاً`, `حصيلة الجرحى
        في القصف وصلت 4`: a number that is the predicate of a fronted count
        (after `إلى` or a verb of reaching) takes the metric of the count noun's
        complement, past any commas, relative clause or aside in between (back
        to the count noun, in the sentence, with no other number between)."""
        doc = self.doc
        for h in self._fronted_span(r):
            if not _count_head(doc.toks[h]):
                continue
            found: Metric | None = None
            at = h + 1  # the complement, then each adjective right after it
            if _has(doc, at, Tag.PERSON) or _has(doc, at, Tag.HOUSEHOLD):
                at += 1  # عدد حالات الاعتقال، عدد العائلات النازحة: the counted noun first
            for idx in _near(self.hit_starts, h + 1, h + 4):
                hit = self.hits[idx]
                if hit.start != at or hit.sense.tag is not Tag.TRIGGER:
                    break
                if hit.sense.metric not in _PERSON_METRICS or (
                    found is not None
                    and (hit.sense.strength is Strength.WEAK or not _definite(doc.toks[at]))
                ):
                    break
                found = hit.sense.metric  # عدد اللاجئين العائدين: the adjective's
                at = hit.end
            return found
        return None

    def _fronted_span(self, r: _Reading) -> range:
        """The tokens, nearest first, where the fronted subject of a number
        that follows `إلى` or a verb of reaching may stand: back to the
        sentence start, `FRONTED_REACH` tokens or another figure's number."""
        doc = self.doc
        k = _prev_word(doc, r.q0)
        inside = [h for h in range(r.q0, r.cand.t0) if _reaches(doc, h)]
        if inside:
            k = inside[0]  # إلى نحو 48 ألفاً: the hedge begins with the predicate
        elif k < 0 or not _reaches(doc, k):
            return self._verb_first_span(r, k + 1)
        sent = doc.sent[r.cand.t0]
        h = k - 1
        while h >= max(0, k - FRONTED_REACH) and doc.sent[h] == sent and h not in self.read_at:
            h -= 1
        return range(k - 1, h, -1)

    def _referent(self, r: _Reading) -> Metric | Tag | None:
        """`النازحين الذين بلغ عددهم 3 آلاف`, `سكان تدمر البالغ عددهم 200 ألف`: a
        number right after "their number" counts the noun the pronoun refers
        to: its metric, `Tag.NOT_COUNT` for a population or people in need, or
        None when no such noun stands a few words before."""
        doc = self.doc
        k = _prev_word(doc, r.q0)
        if k < 0 or "عدد" not in doc.toks[k] or lx.bare(doc.toks[k]) not in _THEIR_NUMBER:
            return None
        h = k - 1
        while h >= 0 and k - h <= 4 and lx.bare(doc.toks[h]) in _REFERENT_GAP:
            h -= 1
        for idx in _near(self.hit_starts, max(0, h - 2), h + 1):
            hit = self.hits[idx]
            if hit.sense.tag is Tag.NOT_COUNT:
                return Tag.NOT_COUNT
        for idx in _near(self.hit_starts, max(0, h - 2), h + 1):
            hit = self.hits[idx]
            if hit.sense.tag is Tag.TRIGGER and hit.sense.metric in _PERSON_METRICS:
                return hit.sense.metric
        return None

    def _verb_first_span(self, r: _Reading, k: int) -> range:
        """`بلغ عدد الشهداء، وفق آخر حصيلة، 634`: the verb of reaching before the
        count noun, the number after its complement and any aside (no إلى):
        the span back to the count noun, if a reaching verb stands right
        before it."""
        doc = self.doc
        sent = doc.sent[r.cand.t0]
        for h in range(k - 1, max(0, k - FRONTED_REACH) - 1, -1):
            if doc.sent[h] != sent or h in self.read_at:
                return range(0)
            if _count_head(doc.toks[h]):
                verb = _prev_word(doc, h)
                return range(h, h - 1, -1) if verb >= 0 and _reaches(doc, verb) else range(0)
        return range(0)

    def _fronted_control(self, r: _Reading) -> bool:
        """`مساحة سيطرة التنظيم (…) تراجعت إلى أقل من 7%`: a territory number
        that is the predicate of a fronted size of ground held."""
        doc = self.doc
        for h in self._fronted_span(r):
            if not _has(doc, h, Tag.SIZE):
                continue
            for idx in _near(self.hit_starts, h + 1, h + 3):
                hit = self.hits[idx]
                if hit.sense.tag is Tag.CONTROL and hit.sense.arg != "lost":
                    return True
            return False
        return False

    def _listed_held(self, r: _Reading) -> bool:
        """`ويسيطر الحوثيون على أمانة العاصمة، ومحافظات: …، ومديريتا بيحان
        وعسيلان`: a coordinated item of a list that a control verb governs,
        earlier in the sentence, with no clause word between."""
        doc = self.doc
        c = r.cand
        if not (_coordinated(doc, c.t0) or doc.toks[r.q0][:1] == "و"):
            return False
        sent = doc.sent[c.t0]
        lo = max(0, r.q0 - LIST_REACH)
        for idx in range(bisect_left(self.hit_starts, r.q0) - 1, -1, -1):
            hit = self.hits[idx]
            if hit.start < lo or doc.sent[hit.start] != sent:
                return False
            if hit.sense.tag is Tag.CONTROL and hit.sense.strength is not Strength.WEAK:
                if hit.sense.arg == "lost":
                    return False
                return not any(doc.words[k].clause for k in range(hit.end, r.q0))
            if hit.sense.tag is Tag.TRIGGER:
                return False
        return False

    def _group_metric(self, r: _Reading) -> Metric | None:
        """`الدفعة ضمت 712 فردا`: a group noun in the clause takes the metric of
        the last movement, harm or arrest the article named before it."""
        doc = self.doc
        clause = doc.clause[r.cand.t0]
        lo = max(0, r.q0 - 8)
        group = -1
        for idx in _near(self.hit_starts, lo, r.cand.t1 + 4):
            hit = self.hits[idx]
            if hit.sense.tag is Tag.GROUP and doc.clause[hit.start] == clause:
                group = idx
                break
        if group < 0:
            return None
        floor = self.hits[group].start - 4 * WINDOW
        for idx in range(group - 1, -1, -1):
            hit = self.hits[idx]
            if hit.start < floor:
                break
            if hit.sense.tag is Tag.TRIGGER and hit.sense.metric in _PERSON_METRICS:
                # عودة النازحين: the head noun, not its complement
                for back in range(idx - 1, -1, -1):
                    head = self.hits[back]
                    if head.end < hit.start:
                        break
                    if head.sense.tag is Tag.TRIGGER and head.sense.metric in _PERSON_METRICS:
                        return head.sense.metric
                return hit.sense.metric
        return None

    def _distance_cue(self, r: _Reading) -> bool:
        return any(Tag.DIST_CUE in self.doc.words[k].tags for k in range(max(0, r.q0 - 3), r.q0))

    def _measured(self, r: _Reading, outs: list[_Out]) -> _Out | None:
        """`سيطرت خلال الأسبوع الماضي على 30 قرية، بمساحة تزيد على 400 كيلومتر
        مربع`: the territory figure just before, in the same sentence, that
        this area is the size of (a size word leads it); it is measured over
        the same period."""
        if not outs:
            return None
        doc = self.doc
        c = r.cand
        prev = outs[-1]
        if not prev.metric.is_territory or doc.sent[prev.reading.cand.t0] != doc.sent[c.t0]:
            return None
        if c.t0 - prev.reading.cand.t1 > WINDOW:
            return None
        if not any(_has(doc, k, Tag.SIZE) for k in range(max(0, r.q0 - 2), r.q0)):
            return None
        return prev

    def _territory_parent(self, r: _Reading, outs: list[_Out]) -> _Out | None:
        """The area figure a bare number is a part of (`منها 4 آلاف`) or listed
        with (`و3 آلاف`), in the same sentence: `_parent` for ground."""
        if not outs or outs[-1].metric is not Metric.AREA_CONTROLLED:
            return None
        return self._parent(r, outs, territory=True)

    def _equivalent(self, r: _Reading, outs: list[_Out]) -> _Out | None:
        """The area figure a percentage restates (`1200 كم2، أي ما يعادل 18
        بالمئة`, `18 كيلومتر مربع، أي 9.5%`): right before it, in its sentence."""
        if not outs or outs[-1].metric is not Metric.AREA_CONTROLLED:
            return None
        prev = outs[-1]
        end = max(prev.reading.end_tok, prev.reading.cand.t1)
        if self.doc.sent[prev.reading.cand.t0] != self.doc.sent[r.cand.t0]:
            return None
        return prev if nouns.equivalence_between(self.doc.toks, end, r.q0) else None

    def _parent(self, r: _Reading, outs: list[_Out], territory: bool = False) -> _Out | None:
        """The figure this one is a part of or listed with, if it is one."""
        if not outs:
            return None
        doc = self.doc
        c = r.cand
        prev = outs[-1]
        if (prev.metric in _PERSON_METRICS) == territory:
            return None
        if doc.sent[prev.reading.cand.t0] != doc.sent[c.t0]:
            return None
        if c.t0 - prev.reading.cand.t1 > WINDOW:
            return None
        if doc.text[c.start] == "و" or _bare(doc, r.q0 - 1) == "و" or doc.tok(r.q0 - 1) == "و":
            return prev
        if r.q0 < c.t0 and doc.toks[r.q0][:1] == "و" and doc.words[r.q0].bare != doc.toks[r.q0]:
            return prev  # وما لا يقل عن 14: the conjunction on the hedge
        if not territory and lx.bare(doc.tok(c.t1)) in _OF_THEM:
            return prev  # ستة منهم: six of them
        k = r.q0 - 1
        for _ in range(4):
            if not 0 <= k < len(doc.toks):
                break
            if Tag.SUBSET in doc.words[k].tags:
                return prev
            if doc.toks[k].isdigit() or doc.covered[k] >= 0:
                break
            k -= 1
        # `نحو 20 … خرجوا من بينهم.`: "from among them" closing the clause
        clause = doc.clause[c.t0]
        for k in range(r.end_tok, min(r.end_tok + 6, len(doc.toks))):
            if doc.clause[k] != clause or doc.covered[k] >= 0:
                break
            nxt = doc.tok(k + 1)
            if Tag.SUBSET in doc.words[k].tags and (
                not nxt or nxt in _SENTENCE_END or nxt in _CLAUSE_END
            ):
                return prev
        return None

    def _scope(self, r: _Reading, metric: Metric) -> tuple[Scope, str | None, str | None]:
        doc = self.doc
        c = r.cand
        sent = doc.sent[c.t0]
        clause = doc.clause[c.t0]
        lo, hi = max(0, r.q0 - 25), min(len(doc.toks), c.t1 + 25)
        best: tuple[float, _Cue | None] = (MAX_CUE_COST, None)
        state = metric is Metric.BESIEGED or metric.is_territory
        same_clause = [
            self.cues[idx]
            for idx in _near(self.cue_starts, lo, hi)
            if self.cues[idx].scope is Scope.WINDOW and doc.clause[self.cues[idx].start] == clause
        ]
        if same_clause:  # a window in the figure's own clause is its window
            stated = [q for q in same_clause if q.stated] or same_clause
            return Scope.WINDOW, stated[0].window, None
        for idx in _near(self.cue_starts, lo, hi):
            cue = self.cues[idx]
            if doc.sent[cue.start] != sent:
                continue
            if cue.end <= r.q0:
                dist = r.q0 - cue.end + 1
            elif cue.start >= r.end_tok:
                dist = cue.start - r.end_tok + 1
            else:
                dist = 0
            cost = dist + CLAUSE_COST * abs(doc.clause[cue.start] - clause)
            if state and cue.scope is Scope.BATCH:
                continue  # a siege or a front line is a state, not an event
            if cost < best[0]:
                best = (cost, cue)
        chosen = best[1]
        if chosen is not None and chosen.scope is Scope.BATCH:
            rising = next(
                (
                    self.cues[idx]
                    for idx in _near(self.cue_starts, lo, r.q0)
                    if self.cues[idx].rise and doc.clause[self.cues[idx].start] == clause
                ),
                None,
            )
            if rising is not None:  # ارتفعت حصيلة ضحايا الهجوم إلى 87: the toll, not the attack
                chosen = rising
        if chosen is not None and chosen.scope is Scope.BATCH:
            s_lo, s_hi = _bounds(doc.sent, c.t0)
            if self._span(s_lo, s_hi) & Frame.TOLL and scope.in_war(doc.toks, s_lo, r.q0):
                return Scope.TOTAL, None, None  # وفي تلك الحرب … قتل أكثر من 1100
            c_lo, _ = _bounds(doc.clause, c.t0)
            if self._span(c_lo, r.q0) & Frame.STANDING:
                return Scope.TOTAL, None, None  # يأوي 500 ألف نازح: a standing count
            chosen = self._day_over_activity(r, chosen)
            if not chosen.day and self._war_toll(r, chosen):
                return Scope.TOTAL, None, None  # تسببت المعارك بسقوط 200 ألف قتيل
        if chosen is not None and chosen.day:
            return self._day_scope(r, metric, chosen)
        if (
            chosen is not None
            and chosen.scope is Scope.BATCH
            and (scope.toll_cause(doc.toks, chosen.start) or scope.campaign(doc.toks, chosen.start))
        ):
            return Scope.TOTAL, None, None  # إثر الزلزال: the disaster's toll
        if chosen is None:
            return self._unstated_scope(r, metric)
        if chosen.scope is Scope.WINDOW:
            return Scope.WINDOW, chosen.window, None
        if chosen.scope is Scope.TOTAL and chosen.since is None:
            # ارتفع إلى 38550 … منذ الأول من ديسمبر: the total's start date
            dated = [
                self.cues[idx]
                for idx in _near(self.cue_starts, lo, hi)
                if self.cues[idx].since is not None and doc.clause[self.cues[idx].start] == clause
            ]
            if dated:
                return Scope.TOTAL, None, dated[0].since
        return chosen.scope, None, chosen.since

    def _share_window(self, r: _Reading, outs: list[_Out]) -> None:
        """`35 قتيلاً، و120 مصاباً خلال الساعات الـ24 الماضية`: a window written
        once after the last item of a list is every item's; the items before
        it, whose scope no word stated, take it."""
        doc = self.doc
        c = r.cand
        clause = doc.clause[c.t0]
        window = next(
            (
                self.cues[idx]
                for idx in _near(self.cue_starts, r.end_tok, min(len(doc.toks), r.end_tok + 8))
                if self.cues[idx].scope is Scope.WINDOW
                and self.cues[idx].stated
                and doc.clause[self.cues[idx].start] == clause
            ),
            None,
        )
        if window is None:
            return
        sent = doc.sent[c.t0]
        for o in reversed(outs):
            t0 = o.reading.cand.t0
            if doc.sent[t0] != sent or t0 not in self.defaulted:
                break
            o.scope, o.window, o.since = Scope.WINDOW, window.window, None
            self.defaulted.discard(t0)

    def _war_toll(self, r: _Reading, chosen: _Cue) -> bool:
        """An activity word (سقوط، قصف) in a clause whose subject is a war,
        a campaign or a disaster (`تسببت المعارك بسقوط`): the war's toll."""
        doc = self.doc
        if scope_frames(doc.toks[chosen.start]) & _NOT_ACTIVITY:
            return False
        lo, hi = _bounds(doc.clause, r.cand.t0)
        return bool(self._span(lo, hi) & Frame.TOLL)

    def _day_over_activity(self, r: _Reading, chosen: _Cue) -> _Cue:
        """`قتل 7 جراء قصف ومعارك ... اليوم الأربعاء`: an activity word (shelling,
        clashes: not one incident) leaves the period to a day word of the
        figure's sentence."""
        doc = self.doc
        if scope_frames(doc.toks[chosen.start]) & _NOT_ACTIVITY or chosen.day:
            return chosen
        s_lo, s_hi = _bounds(doc.sent, r.cand.t0)
        for idx in _near(self.cue_starts, s_lo, s_hi):
            q = self.cues[idx]
            if q.day:
                return q
        return chosen

    def _day_scope(
        self, r: _Reading, metric: Metric, day: _Cue
    ) -> tuple[Scope, str | None, str | None]:
        """A day word is the count's period (`1d`) unless it closes a running
        count (`حتى يوم أمس`) or dates one incident named in the figure's
        clause (a strike, a convoy): `scope`, rule 2."""
        doc = self.doc
        read = scope.day_reading(doc.toks, day.start)
        if read is not None:
            return read, None, None
        lo, hi = _bounds(doc.clause, r.cand.t0)
        hi = max(hi, min(day.end, r.cand.t0 + _BOUNDS_REACH))  # … وصلوا أمس: up to the day
        s_lo, s_hi = _bounds(doc.sent, r.cand.t0)
        frames = self._span(lo, hi) | (self._span(s_lo, s_hi) & Frame.SINGLE)
        if scope.one_group(metric, frames):
            return Scope.BATCH, None, None
        if scope.dates_an_event(doc.toks, day.start):
            return Scope.BATCH, None, None  # الأمطار التي هطلت صباح أمس: the day of one event
        return Scope.WINDOW, "1d", None

    def _unstated_scope(self, r: _Reading, metric: Metric) -> tuple[Scope, str | None, str | None]:
        """No scope word near the number: the period of the sentence this one
        continues (`كما`، a list's items), else the frames of its clause and
        sentence (`scope`, rules 1 and 4)."""
        doc = self.doc
        toks = doc.toks
        lo, hi = _bounds(doc.clause, r.cand.t0)
        clause = self._span(lo, hi)
        if clause & Frame.ONLY and any(scope.day_only(toks, k) for k in range(lo, hi)):
            return Scope.WINDOW, "1d", None  # اليوم فقط
        if clause & Frame.SITE:
            clause |= scope.route(toks, lo, hi)
        s_lo, s_hi = _bounds(doc.sent, r.cand.t0)
        # الضحايا بينهم 11 قتيلا: a breakdown of the count the sentence before stated
        self._breakdown = any(
            Tag.SUBSET in doc.words[k].tags for k in range(max(0, r.q0 - 2), r.q0)
        )
        carried = None if clause & Frame.TOLL else self._carried(s_lo)
        if carried is not None:
            return Scope.WINDOW, carried.window, None
        day = next(
            (self.cues[i] for i in _near(self.cue_starts, s_lo, s_hi) if self.cues[i].day), None
        )
        if day is not None and metric in scope.TOLLS:  # قتل 7 …، اليوم الأربعاء: the day's toll
            return self._day_scope(r, metric, day)
        sentence = self._span(s_lo, s_hi) | self._list_frames(s_lo)
        self.defaulted.add(r.cand.t0)
        war = bool(sentence & Frame.TOLL) and scope.in_war(toks, s_lo, r.q0)
        found = scope.default_scope(metric, clause, sentence, war)
        if (
            found is Scope.BATCH
            and metric in scope.TOLLS
            and not sentence & Frame.SINGLE
            and r.cand.start > self._lead()[0]
            and self._lead()[1] & Frame.TOLL
        ):
            found = Scope.TOTAL  # a quake's or a war's story: its counts are the toll
        return found, None, None

    def _span(self, lo: int, hi: int) -> int:
        """`scope.span` of tokens lo..hi-1, once per range (clauses and
        sentences are asked for again by each figure in them)."""
        key = lo * 1_000_003 + hi
        found = self.spans.get(key)
        if found is None:
            found = self.spans[key] = scope.span(self.doc.toks, lo, hi)
        return found

    def _lead(self) -> tuple[int, int]:
        """The end of the text's first line and the frames of its words."""
        if self.lead is None:
            t = self.norm.text
            start = len(t) - len(t.lstrip())
            end = t.find("\n", start)
            end = len(t) if end < 0 else end
            words = t[start : min(end, start + _LEAD_CHARS)].split()
            frame = Frame.NONE
            for w in words:
                frame |= scope_frames(w)
            self.lead = (end, frame)
        return self.lead

    def _list_frames(self, first: int) -> int:
        """The frames of the line that opens the list whose item starts at
        token `first` (`إحصائيات الكارثة:` over `- 450 مفقود`), if it is one."""
        doc = self.doc
        toks = doc.toks
        k = first
        for _ in range(12):
            if k <= 0 or not scope.list_item(toks, k):
                return Frame.NONE
            p_lo, p_hi = _bounds(doc.sent, k - 1)
            if any(toks[j] == ":" for j in range(max(p_lo, p_hi - 2), p_hi)):
                return self._span(p_lo, p_hi)
            k = p_lo
        return Frame.NONE

    def _carried(self, first: int) -> _Cue | None:
        """The window of the sentence before, when the sentence starting at
        token `first` continues it (`كما`، `أيضاً`) or is an item of a list
        that a colon introduced there."""
        doc = self.doc
        toks = doc.toks
        cont = scope.continues(toks, first) or self._breakdown
        k = first
        for _ in range(12):  # a list's items back to the line that opens it
            if k <= 0:
                return None
            p_lo, p_hi = _bounds(doc.sent, k - 1)
            if p_hi - p_lo <= 3 and all(
                doc.words[j].mark is not _Mark.NONE for j in range(p_lo, p_hi)
            ):
                k = p_lo  # a sentence of marks alone (a line break)
                continue
            tail = [toks[j] for j in range(max(p_lo, p_hi - 2), p_hi)]
            opens_list = ":" in tail
            if cont or opens_list or "،" in tail or "," in tail:
                windows = [
                    self.cues[idx]
                    for idx in _near(self.cue_starts, p_lo, p_hi)
                    if self.cues[idx].scope is Scope.WINDOW
                    or (
                        self.cues[idx].day and scope.day_reading(toks, self.cues[idx].start) is None
                    )
                ]
                if not windows:
                    return None
                q = windows[-1]
                return q if q.scope is Scope.WINDOW else _Cue(q.start, q.end, Scope.WINDOW, "1d")
            if not scope.list_item(toks, k) and not scope.list_item(toks, p_lo):
                return None
            k = p_lo
        return None

    # -- output ----------------------------------------------------------------

    def _figures(self, outs: list[_Out]) -> list[Figure]:
        doc = self.doc
        t = doc.text
        if not outs:
            return []
        # places and parties are looked up in the headline, the lead and the
        # sentences that carry figures; each figure's place is read from its
        # own sentence (figures/place.py), else it is the article's place
        spans = {_sentence_bounds(doc, doc.sent[o.reading.cand.t0]) for o in outs}
        lead = _lead_bounds(doc, self.headline_end)
        regions = spans | {lead}
        if self.headline_end:
            spans.add((0, self.headline_end))
            regions.add((0, self.headline_end))
        names = [x for x, _, w in self.seen if w.name]
        scanner = Scanner(t, regions, names)
        places: list[Mention] = []
        parties: list[Mention] = []
        for lo, hi in sorted(spans):
            places.extend(scanner.places(lo, hi))
        places = sorted(set(places))
        territory = any(o.metric.is_territory for o in outs)
        parties = scanner.parties() if territory else []
        if not territory:
            for lo, hi in sorted(spans):
                parties.extend(scanner.parties(lo, hi))
        home = self._home(scanner, places, lead)
        home_party = _dominant(parties) if territory else None
        starts = [m.start for m in parties]
        self.party_starts = starts if starts == sorted(starts) else None
        # one figure per (metric, value): the first statement, but the body's
        # over the headline's
        chosen: dict[tuple[Metric, float], tuple[bool, _Out, int]] = {}
        for o in outs:
            r = o.reading
            s = doc.starts[r.q0] if r.q0 < r.cand.t0 else r.cand.start
            if t[doc.starts[r.cand.t0] : s] == "ال":
                s = doc.starts[r.cand.t0]  # العشرات: the word as written
            elif s == r.cand.start:
                s = opener_before(t, s, r.cand.end)  # (12) ألف: the brackets as written
            in_headline = s < self.headline_end
            key = (o.metric, round(_round(o.value), 9))
            old = chosen.get(key)
            if old is None or (old[0] and not in_headline):
                chosen[key] = (in_headline, o, s)
            stated = self._stated_scope(old[1] if old is not None else None, o)
            if stated is not None and not o.metric.is_territory:
                kept = chosen[key][1]
                kept.scope, kept.window, kept.since = stated.scope, stated.window, stated.since
        figures: list[Figure] = []
        numbers = sorted({(o.reading.cand.start, o.reading.cand.end) for o in outs})
        cached: list[Place | None] = []

        def local() -> Place | None:  # asked for by vague mentions only, once
            if not cached:
                cached.append(self._local(scanner, home))
            return cached[0]

        for _, o, s in chosen.values():
            r = o.reading
            end_tok = max(r.end_tok, r.cand.t1)
            e = doc.ends[end_tok - 1] if end_tok - 1 < len(doc.ends) else r.cand.end
            e = max(e, r.cand.end)
            while e > s and t[e - 1] in " \n،,.":
                e -= 1
            os_, oe = self.norm.span(s, e)
            clause = _clause_bounds(doc, r.cand.t0)
            sentence = _sentence_bounds(doc, doc.sent[r.cand.t0])
            where = attribute(t, places, (s, e), clause, sentence, o.metric, home, numbers, local)
            if o.metric.is_territory:
                party = self._holder(r, parties) or home_party
            else:
                party = self._members_of(r, parties)
            figures.append(
                Figure(
                    metric=o.metric,
                    value=_round(o.value),
                    unit=o.unit,
                    qualifier=r.qual,
                    vague=r.cand.vague,
                    scope=o.scope,
                    window=o.window if o.scope is Scope.WINDOW else None,
                    quote=self.original[os_:oe],
                    start=os_,
                    end=oe,
                    place=where.id,
                    party=party,
                    since=o.since if o.scope is Scope.TOTAL else None,
                    country=where.country,
                    admin1=where.admin1,
                )
            )
        return sorted(figures, key=_START)

    def _stated_scope(self, a: _Out | None, b: _Out) -> _Out | None:
        """Of two statements of one number, the one whose scope the text
        states, when the other's was only the clause's default: a later
        restatement (or the headline) keeps the period stated once."""
        if a is None:
            return None
        da = a.reading.cand.t0 in self.defaulted
        db = b.reading.cand.t0 in self.defaulted
        if da == db:
            return None
        return b if da else a

    def _home(self, scanner: Scanner, places: list[Mention], lead: tuple[int, int]) -> Place:
        """The article's place (`place.article_place`): its headline's, its
        lead sentence's, else its figure sentences', else its whole text's."""
        end = self.headline_end
        headline = [m for m in places if m.end <= end] if end else []
        body = [m for m in places if m.start >= end]
        return article_place(self.doc.text, headline, scanner.places(*lead), body, scanner.places)

    def _local(self, scanner: Scanner, home: Place) -> Place | None:
        """The one division the whole text names in the article's country."""
        return local_division(self.doc.text, home, scanner.places())

    def _holder(self, r: _Reading, parties: list[Mention]) -> str | None:
        """The party that holds ground: the one named right after the control
        word nearest the number in its clause (`سيطرة قسد`, `يسيطر عليها التنظيم`)."""
        doc = self.doc
        clause = doc.clause[r.cand.t0]
        best: tuple[int, int] = (1 << 30, -1)
        for idx in _near(self.hit_starts, max(0, r.q0 - WINDOW), r.end_tok + WINDOW):
            hit = self.hits[idx]
            if hit.sense.tag is Tag.CONTROL and doc.clause[hit.start] == clause:
                dist = abs(hit.start - r.cand.t0)
                if dist < best[0]:
                    best = (dist, hit.end)
        if best[1] < 0:
            return None
        after = best[1]
        lo = doc.starts[after] if after < len(doc.starts) else len(doc.text)
        hi = doc.ends[min(after + 3, len(doc.ends) - 1)]
        named = next((m.id for m in parties if lo <= m.start < hi), None)
        if named is not None:
            return named
        if _bare(doc, after) == "التنظيم":
            # "the organisation": the party the article calls تنظيم X
            t = doc.text
            called = [m.id for m in parties if "تنظيم" in t[max(0, m.start - 8) : m.end]]
            if called:
                return Counter(called).most_common(1)[0][0]
        # the subject before the control word, in the same clause
        clo, _ = _clause_bounds(doc, r.cand.t0)
        control_start = doc.starts[after - 1]
        before = [m for m in parties if clo <= m.start < control_start]
        return before[-1].id if before else None

    def _members_of(self, r: _Reading, parties: list[Mention]) -> str | None:
        """The party whose members are counted (`عناصر قسد`, `من مسلحي داعش`)."""
        doc = self.doc
        noun = r.unit.noun if r.unit.noun >= 0 else r.end_tok - 1
        if noun < 0 or noun >= len(doc.toks):
            return None
        lo = doc.starts[noun]
        hi = doc.ends[min(noun + 3, len(doc.ends) - 1)]
        starts = self.party_starts
        if starts is None:  # not in text order: the first in the list
            return next((m.id for m in parties if lo <= m.start < hi), None)
        k = bisect_left(starts, lo)
        return parties[k].id if k < len(starts) and starts[k] < hi else None


_LEAD_CHARS = 400
"""Characters of the first line read for the story's topic."""

_NOT_ACTIVITY = Frame.SINGLE | Frame.RECEIVED
"""Scope words that name one incident or one group, not an activity."""

_BOUNDS_REACH = 60
"""Tokens looked at either side of a figure for its clause or sentence."""


def _bounds(index: list[int], t: int) -> tuple[int, int]:
    """Token range lo..hi of the clause or sentence (by `index`) of token t,
    at most `_BOUNDS_REACH` tokens either side."""
    own = index[t]  # the index never decreases: bisect within the reach
    lo = bisect_left(index, own, max(0, t - _BOUNDS_REACH), t)
    hi = bisect_right(index, own, t, min(len(index), t + _BOUNDS_REACH))
    return lo, hi


def _combine(pre: Qualifier | None, post: Qualifier | None) -> Qualifier:
    found = [q for q in (pre, post) if q is not None]
    if not found:
        return Qualifier.EXACT
    return min(found, key=lambda q: _QUAL_RANK[q])


def _round(value: float) -> float:
    return float(round(value, 9)) if value < 1 else float(value)


def _headline_end(text: str) -> int:
    """End of the headline: the first line, when it is short, has no final
    full stop and more text follows; else 0 (no headline).  Lines before it
    that hold only a dateline or a date (`دمشق -`, `الخرطوم (رويترز) -`,
    `date 2024-01-02`) are passed over: the headline is the line after them."""
    pos = 0
    while True:
        stripped = text[pos:].lstrip()
        offset = len(text) - len(stripped)
        line_end = stripped.find("\n")
        if line_end < 0:
            return 0
        line = stripped[:line_end].strip()
        if not _DATELINE.fullmatch(line):
            break
        pos = offset + line_end
    if not line or len(line) > 250 or line[-1] in ".!؟?:" or not stripped[line_end:].strip():
        return 0
    return offset + line_end


_DATELINE = re.compile(
    r"(?:(?:date|تاريخ|التاريخ|نشر في|بتاريخ)\s*:?\s*)?[0-9][0-9 /\-.:،,t]*"  # a date or time
    r"|[^\W\d_]+(?: [^\W\d_]+){0,2} *(?:\([^()\n]{1,30}\))? *[-–—]"  # دمشق - ، الخرطوم (رويترز) -
)
"""A line that is only a date stamp or a dateline, not a headline."""

def _lead_bounds(doc: _Doc, headline_end: int) -> tuple[int, int]:
    """Offsets of the first sentence after the headline (the lead)."""
    first = doc.index_at(headline_end)
    if first >= len(doc.toks):
        return (headline_end, headline_end)
    lo, hi = _sentence_bounds(doc, doc.sent[first])
    return (max(lo, headline_end), hi)


def _sentence_bounds(doc: _Doc, sent: int) -> tuple[int, int]:
    sb = doc.sent_bounds
    return (sb[sent - 1] if sent > 0 else 0, sb[sent] if sent < len(sb) else len(doc.text))


def _clause_bounds(doc: _Doc, t: int) -> tuple[int, int]:
    """Offsets of token t's clause, at most 60 tokens each side (clause
    numbers never decrease, so its edges are found by bisection)."""
    clause = doc.clause[t]
    lo = bisect_left(doc.clause, clause, max(0, t - 60), t)
    hi = bisect_right(doc.clause, clause, t, min(len(doc.toks), t + 61)) - 1
    return doc.starts[lo], doc.ends[hi]


def _dominant(mentions: list[Mention]) -> str | None:
    if not mentions:
        return None
    counts = Counter(m.id for m in mentions)
    return counts.most_common(1)[0][0]


def extract(text: str) -> list[Figure]:
    """Every figure in `text`, one per (metric, value), in text order."""
    if not text or not text.strip():
        return []
    return _Extractor(text).run()
