"""The token document: the text read as tokens, sentences, clauses and regions.

Stage 1 of the extractor (`figures.extract`).  The normalised text is read as
runs between spaces, each run split into tokens (words, digit runs,
punctuation) and looked up once per distinct run (`_read_runs`, `_tokenize`);
each distinct word is learned once (`_learn`: its senses in the lexicon, its
clause and sentence marks, whether it may hold a number or a name).  The
tokens worth a look give the candidate sentences, with a little context
before (`_lead_offsets`, `_sentence_ends`, `_regions`); only those are spread
into the token document (`_Doc`) that the later stages read, and `_segment`
marks its sentences (ending at `. ! ؟ …` and line breaks) and clauses (at
commas and at words that open a clause: `حيث`, `فيما`…).  Long digit runs are
cut out first (`_long_digit_runs`, `_without`), so that no run costs more than
a fixed bound.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from operator import attrgetter

from figures import lexicon as lx
from figures import nouns
from figures.gazetteer import may_start_name, may_start_party
from figures.lexicon import Sense, Strength, Tag
from figures.model import Metric
from figures.numbers import is_numeral_word, trie_regex
from figures.scope import frames as scope_frames

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

_PERSON_METRICS = frozenset(Metric) - {
    Metric.AREA_CONTROLLED,
    Metric.SHARE_CONTROLLED,
    Metric.PLACES_CONTROLLED,
}


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
    # one loop (compiled, cheaper than chains of map/accumulate/zip)
    pieces = text.split(" ")
    cache = _RUN_CACHE
    runs: list[_Run] = []
    ends = [0]
    seen: list[tuple[int, str, _Word]] = []
    total = 0
    for k, piece in enumerate(pieces):
        run = cache.get(piece)
        if run is None:
            run = _run(piece)
        runs.append(run)
        if run.seen:
            x = total + k
            for j in run.seen:
                seen.append((x + run.rel[j], run.toks[j], run.words[j]))
        total += len(piece)
        ends.append(total)
    return _Runs(pieces, runs, ends, seen)


def _runs_before(ends: list[int], n: int, x: int, inclusive: bool) -> int:
    """How many of the first n runs start before offset x (at or before it,
    if `inclusive`): run k starts at ends[k] + k, ascending (a bisection)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        start = ends[mid] + mid
        if start < x or (inclusive and start == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


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

    for lo, hi in regions:
        first = max(0, _runs_before(ends, n, lo, True) - 1)  # the run holding lo
        last = _runs_before(ends, n, hi, False)  # the first run at or past hi
        for k in range(first, last):
            run = runs[k]
            x = ends[k] + k
            edge = k == first or k == last - 1  # only these may hold tokens outside [lo, hi)
            word = run.word
            if word is not None:  # one token, the run itself
                if not edge or lo <= x < hi:
                    starts.append(x)
                    toks.append(pieces[k])
                    kept.append(word)
            else:
                rel = run.rel
                for j in range(len(rel)):
                    y = x + rel[j]
                    if not edge or lo <= y < hi:
                        starts.append(y)
                        toks.append(run.toks[j])
                        kept.append(run.words[j])
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
    doc_ends = [x + len(tok) for x, tok in zip(starts, toks)]  # noqa: B905 (equal lengths)
    return _Doc(text, starts, doc_ends, toks, words=kept)


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
    the numeral words (`WORD_PATTERN`, read apart by `_numeral_at`), which
    took most of the compile time."""
    vague = trie_regex(sorted(lx.VAGUE_BY_FIRST))
    duals = trie_regex(_dual_words())
    return re.compile(rf"{vague}(?![^\W\d_])|{duals}")


_LEAD = _lead_pattern()
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _numeral_at(tok: str) -> int:
    """Where `numbers.WORD_PATTERN` first matches in `tok`, -1 if nowhere,
    without its regex (a 30,000-character trie, 50 ms to compile): a match
    starts where no letter precedes and ends where none follows, and every
    lexicon word is letters only, so a match is a whole run of letters that
    is a numeral word (`is_numeral_word`)."""
    for run in _LETTER_RUN.finditer(tok):
        if is_numeral_word(run.group()):
            return run.start()
    return -1


def _lead_at(tok: str) -> int:
    """Where in the token a candidate may start (see `_lead_pattern`), -1 if nowhere:
    the leftmost start of either pattern, as their alternation would find it."""
    if tok[0].isdecimal():
        found = _ASCII_DIGIT.search(tok)
        return -1 if found is None else found.start()
    word = _numeral_at(tok)
    other = _LEAD.search(tok)
    if word < 0:
        return -1 if other is None else other.start()
    return word if other is None else min(word, other.start())


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
    party_name: bool
    """It may begin a party name (`gazetteer.may_start_party`)."""
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
    scope: int = 0
    """Its scope frames (`figures.scope.frames`: bits of `scope.Frame`)."""


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
        party_name=name and may_start_party(tok),
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
        scope=scope_frames(tok),
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
        while (
            k < len(covered)
            and covered[k] >= 0
            and covered[k] == covered[i + 1]
            and doc.toks[k] != ")"  # ( 12 ) الف: the number reads past its bracket
        ):
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
    doc.sent = _running_sums(sent_marks, n)
    doc.clause = _running_sums(clause_marks, n)


def _running_sums(marks: list[int], n: int) -> list[int]:
    """The running sums of the first n marks (`accumulate`, as a compiled loop)."""
    out = [0] * n
    total = 0
    for i in range(n):
        total += marks[i]
        out[i] = total
    return out


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
# Readings of one word or phrase that the later stages share.
# ---------------------------------------------------------------------------


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


def _definite(tok: str) -> bool:
    """A word with the article: never the head of a genitive (اللاجئين العائدين
    is a noun and its adjective; عودة النازحين is a head and its complement)."""
    word = lx.bare(tok)
    return word.startswith(("ال", "بال", "كال", "لل"))


def _conjoined(tok: str) -> bool:
    """A word carrying the conjunction و/ف (`وأصيب`; not `وصل`, `فروا`)."""
    return tok[:1] in "وف" and len(tok) > 3 and tok not in lx.WORDS and bool(lx.senses(tok[1:]))
