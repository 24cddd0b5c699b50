"""Extraction of typed figures from Arabic text.

How it reads an article, stage by stage (the module that does each):

1. `figures.text`: normalise (`normalize`).
   `figures.document`: read the text as runs between spaces, each run split
   into tokens (words, digit runs, punctuation) and looked up once per
   distinct run; the tokens worth a look give the candidate sentences (with a
   little context before), and only those are spread into the token document
   that the rest reads.  Sentences end at `. ! ؟ …` and line breaks, clauses
   at commas and at words that open a clause (`حيث`, `فيما`…).
2. `figures.candidates` (with `figures.numbers`): candidates: every number the
   numeral scanner finds, plus what only the extractor knows: unambiguous
   dual nouns (`سيدتان` = 2), a bare `كيلومتر مربع` (= 1 km2), and quantity
   words the scanner left alone.
3. `figures.candidates` (with `figures.nouns`): each candidate is classified
   by its neighbours: a date, a year, an age, an identifier, a duration
   (which becomes a window cue), money, weight, vehicles, strikes… are not
   figures; a counted noun after it gives the unit (people, families, km2,
   percent, places).
4. `figures.cues` collects the trigger words and cues near the numbers; this
   module weighs them: the metric is the closest, most specific trigger word
   in the sentence (a clause boundary costs distance; a verb after the
   number — the Arabic predicate of a fronted subject — counts double-close;
   weak words count less); a word for people in need, affected or resident
   that is closer wins and drops the number; a forecast word in the clause
   drops it.  A subset (`بينهم 30`) or a coordinated number (`و3`) with no
   trigger of its own inherits the metric and scope of the figure before it.
5. `figures.hedges`: qualifier from the hedge before the number (or after:
   `على الأقل`; a hedge stated once for two numbers is shared, in
   `figures.candidates`).  `figures.cues` with `figures.scope`: scope and
   window from the nearest cue (a stated duration in the same clause always
   makes a window), since-date from `منذ … <month>`.  `figures.place`: which
   place (with `figures.gazetteer`).
6. This module: one figure per (metric, value): the body's wording wins over
   the headline (`_Extractor`, `extract`).

Everything is bounded: each number looks at a fixed window of tokens, so the
cost is linear in the text.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections import Counter

from figures import lexicon as lx
from figures import nouns, scope
from figures.candidates import (
    _ELLIPSIS_REACH,
    _OF_THEM,
    _RANGE_GAPS,
    _REFERENT_GAP,
    _THEIR_NUMBER,
    _Cand,
    _candidates,
    _coordinated,
    _days_between,
    _definite_number,
    _Duration,
    _duration,
    _is_year,
    _lost_something,
    _may_be_day,
    _month_after,
    _new_item,
    _not_a_figure,
    _prev_word,
    _Reading,
    _share_hedges,
    _unit_after,
    _word_before_bracket,
)
from figures.cues import WINDOW, _collect, _Cue, _Hit, _ranges
from figures.document import (
    _CLAUSE_END,
    _PERSON_METRICS,
    _SENTENCE_END,
    _START,
    _bare,
    _definite,
    _Doc,
    _has,
    _lead_offsets,
    _long_digit_runs,
    _Mark,
    _read_runs,
    _regions,
    _segment,
    _sentence_ends,
    _tokenize,
    _without,
)
from figures.gazetteer import Mention, Scanner, merged_spans
from figures.hedges import (
    FRONTED_COST,
    FRONTED_REACH,
    LIST_REACH,
    _count_head,
    _estimate_before,
    _estimate_tokens,
    _fronted_hedge,
    _qualifier_before,
    _reaches,
)
from figures.lexicon import Strength, Tag
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from figures.numbers import opener_before
from figures.place import Place, _Named, article_place, attribute, local_division, names_in
from figures.scope import Frame
from figures.scope import frames as scope_frames
from figures.text import Normalized, fold, normalize

log = logging.getLogger(__name__)
_RELATIVES = frozenset(w for w, ss in lx.WORDS.items() if any(s.tag is Tag.RELATIVE for s in ss))
_SINCE_WORD = "منذ"
_OUT_OF = frozenset({"اصل", "أصل"})
_LASTING_REACH = 8
_WHICH = frozenset(fold(w) for w in ("التي", "الذي"))
"""Tokens after an event word in which a relative clause's `منذ` may stand."""
CLAUSE_COST = 8.0
"""Cost of crossing one clause boundary, in tokens."""
MAX_CUE_COST = 16.0
"""A scope cue farther than this (after penalties) does not apply."""
NOUN_COST = 1.5
WEAK_NOUN_EXTRA = 2.0
"""Extra cost of a weak metric noun as the counted noun (`مهاجر` is a migrant,
not always a displaced person): a metric verb predicated of the number wins."""
"""Cost of a metric noun counted by the number itself (500 نازح)."""
PREDICATE_COST = 1.25
"""Cost of a verb right after a metric noun counted by the number (`نازح عادوا`)."""
MAX_COST = 24.0
"""A trigger farther than this (after penalties) is not this number's."""
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
# Putting it together.
# ---------------------------------------------------------------------------


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
        if hit.sense.strength is Strength.WEAK:
            return NOUN_COST + WEAK_NOUN_EXTRA  # 61 مهاجرا غرقوا: the verb says what befell them
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
    elif (
        after
        and hit.sense.tag is Tag.TRIGGER
        and hit.sense.metric in _HARMS
        and hit.start > 0
        and _bare(doc, hit.start - 1) in _KIN
    ):
        dist += 2 * CLAUSE_COST  # مئات من أهالي الضحايا: the relatives, not the dead
    elif (
        not after
        and hit.sense.strength is Strength.VERB
        and any(_bare(doc, k) in _STILL for k in range(hit.end, r.q0))
    ):
        dist += CLAUSE_COST  # أصيب 4,715 آخرون ولا يزال 341 في عداد المفقودين: another predicate
    sense = hit.sense
    if hit.end - hit.start > 1:
        dist -= 0.5  # a phrase is more specific than any of its words
    if sense.strength is Strength.VERB and after:
        if _new_item(doc, hit.start):
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


_STILL = frozenset(fold(w) for w in ("يزال", "تزال", "يزالون", "زال", "زالت", "زالوا", "يبرح"))
"""`لا يزال`، `ما زال`: a copula that opens a predicate of its own; a metric
verb before it does not govern the number after it."""

_KIN = frozenset(fold(w) for w in lx.NOUNS["kin"])
_HARMS = frozenset(
    {Metric.KILLED, Metric.INJURED, Metric.CASUALTIES, Metric.MISSING, Metric.DETAINED}
)
"""Metrics whose people a kin noun (`أهالي الضحايا`) is not."""

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
        _join_number_clauses(self.doc, self.cands)
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
        if self._kin_of_harmed(c.t1):
            return None  # مئات من أهالي الضحايا: the relatives of the dead are no toll
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
        if kind == "place" and self._whole_of_a_part(r):
            return None  # على 14 من أصل 17 بلدة: the 17 towns are the whole, not held
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
            if self._own_period(r, parent):  # بينهم 320 خلال الأسبوع الأخير وحده
                scope_, window_, since_ = self._scope(r, parent.metric)
                return _Out(r, parent.metric, unit, value, scope_, window_, since_)
            return _Out(r, parent.metric, unit, value, parent.scope, parent.window, parent.since)
        found = best[1]
        if found is None or blocker < best[0] or forecast:
            return None
        if nouns.modal_before(doc.toks, doc.clause, r.q0):
            return None  # قد يدفع 200 ألف شخص إلى النزوح: what may happen
        if self._whole_of_a_part(r):
            return None  # قتل 5 من أصل 12 راكبا: the 12 aboard are the whole, not the killed
        if unit is Unit.PERSON and nouns.alive_after(doc.toks, r.end_tok):
            return None  # أخرجت 1,240 شخصا أحياء من تحت الأنقاض: survivors
        if nouns.conditional_after(doc.toks, r.end_tok, doc.clause, doc.clause[c.t0]):
            return None  # نزوح مليوني لاجئ في حال اندلاع القتال: if it happens
        if kind == "none" and parent is None and nouns.of_things(doc.toks, r.end_tok):
            return None  # 2 منها: two of them (things, not people)
        metric = found
        if parent is not None and not self._own_period(r, parent):
            return _Out(r, metric, unit, value, parent.scope, parent.window, parent.since)
        scope, window, since_ = self._scope(r, metric)
        return _Out(r, metric, unit, value, scope, window, since_)

    def _kin_of_harmed(self, k: int) -> bool:
        """`من` + a kin noun + a harm noun right after a number (`مئات من أهالي
        الضحايا`، `200 من ذوي المعتقلين`): the number counts the relatives."""
        doc = self.doc
        if k + 2 >= len(doc.toks) or _bare(doc, k) != "من" or _bare(doc, k + 1) not in _KIN:
            return False
        return any(s.tag is Tag.TRIGGER and s.metric in _HARMS for s in lx.senses(doc.toks[k + 2]))

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
        earlier in the sentence, with no clause word between; so is a part
        of what it governs (`سيطرت على 282 منطقة، بينها 4 بلدات`)."""
        doc = self.doc
        c = r.cand
        part = r.q0 > 0 and Tag.SUBSET in doc.words[r.q0 - 1].tags  # بينها 4 بلدات
        if not (_coordinated(doc, c.t0) or doc.toks[r.q0][:1] == "و" or part):
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
        """The area or places figure a percentage restates (`1200 كم2، أي ما يعادل
        18 بالمئة`, `18 كيلومتر مربع، أي 9.5%`, `14 بلدة …، أي نحو 80 في المئة من
        مساحة الولاية`): right before it, in its sentence."""
        if not outs or outs[-1].metric not in (Metric.AREA_CONTROLLED, Metric.PLACES_CONTROLLED):
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
        if (
            not territory
            and r.unit.noun < 0
            and r.unit.kind in {"person", "household"}
            and _definite_number(doc, c)
        ):
            return prev  # أما الأشخاص الـ12 الباقين: the people just counted, again
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

    def _list_head_window(self, r: _Reading) -> _Cue | None:
        """An item of an inline list that a colon opens in the figure's sentence
        (`بلغت الحصيلة خلال 24 ساعة 52 شهيدا، موزعة كالتالي: النبطية 22 شهيدا،
        بعلبك الهرمل 18 شهيدا`): with no scope word in its own clause, it takes
        the window stated before the colon."""
        doc = self.doc
        toks = doc.toks
        t0 = r.cand.t0
        s_lo, _ = _bounds(doc.sent, t0)
        colon = next((k for k in range(r.q0 - 1, s_lo - 1, -1) if toks[k] == ":"), -1)
        if colon < 0:
            return None
        clause = doc.clause[t0]
        if any(
            doc.clause[self.cues[idx].start] == clause
            for idx in _near(self.cue_starts, max(colon, r.q0 - 25), r.cand.t1 + 25)
        ):
            return None  # the item states its own scope
        windows = [
            self.cues[idx]
            for idx in _near(self.cue_starts, s_lo, colon)
            if self.cues[idx].scope is Scope.WINDOW and self.cues[idx].window is not None
        ]
        return windows[-1] if windows else None

    def _whole_of_a_part(self, r: _Reading) -> bool:
        """`N من أصل M`: M is the whole the part N is counted out of; with no
        metric word of its own after it (`من أصل 400 ألف نزحوا` has one) it
        is no figure."""
        doc = self.doc
        if r.q0 < 2 or _bare(doc, r.q0 - 1) not in _OUT_OF or _bare(doc, r.q0 - 2) != "من":
            return False
        c = r.cand
        clause = doc.clause[c.t0]
        hi = min(len(doc.toks), c.t1 + WINDOW)
        for idx in range(bisect_left(self.hit_starts, c.t1), bisect_left(self.hit_starts, hi)):
            hit = self.hits[idx]
            if (
                doc.clause[hit.start] == clause
                and hit.sense.tag is Tag.TRIGGER
                and hit.sense.strength is not Strength.WEAK
            ):
                return False
        return r.unit.metric is None

    def _since_duration(self, cue: _Cue) -> bool:
        """`منذ` (past a hedge: `منذ أكثر من`) right before the duration `cue`:
        how long a state has lasted, not a counting period."""
        doc = self.doc
        for k in range(cue.start - 1, max(-1, cue.start - 4), -1):
            if _bare(doc, k) == _SINCE_WORD:
                return True
            if doc.covered[k] >= 0:
                return False
        return False

    def _reported_after(self, lo: int, hi: int) -> bool:
        """A reporting verb among tokens lo..hi-1 (`مشيرة إلى أن`، `وأضاف`): what
        follows it is another statement, whose scope words are not the count's."""
        return any(
            scope_frames(tok) & Frame.REPORT and not lx.bare(tok).startswith("بين")
            for tok in self.doc.toks[lo:hi]
        )  # (not بين، بينهم: "between", "among them", also forms of بيّن "stated")

    def _anchor_over_trigger(self, r: _Reading, chosen: _Cue, lo: int, hi: int) -> _Cue:
        """`غرق 14 شخصا منذ بداية موسم الأمطار`، `سقوط 30 قتيلا منذ الصباح`: a
        batch word that is the count's own metric word, governing the number
        (`غرق`، `سقوط` right before it), names no incident; a `منذ` anchor in
        the same clause makes the count a running total."""
        doc = self.doc
        lasting = self._lasting_event(r, chosen, lo, hi)
        if lasting is not None:
            return lasting
        if Tag.TRIGGER not in doc.words[chosen.start].tags or not 0 < r.q0 - chosen.start <= 2:
            return chosen  # (an incident after the number, مجزرة, still names one)
        clause = doc.clause[r.cand.t0]
        for idx in _near(self.cue_starts, lo, hi):
            cue = self.cues[idx]
            if (
                cue.scope is Scope.TOTAL
                and doc.clause[cue.start] == clause
                and _bare(doc, cue.start) == _SINCE_WORD
            ):
                return cue
        return chosen

    def _lasting_event(self, r: _Reading, chosen: _Cue, lo: int, hi: int) -> _Cue | None:
        """An event word after the number with a `منذ` anchor after it, in the
        figure's clause (`قتل 31 مدنيا بانفجار ألغام في محافظة تعز منذ مطلع
        العام`) or in the event's relative clause (`قتلوا في الاشتباكات التي
        شهدتها العاصمة منذ مساء الإثنين`): events that have run since then, not
        one incident; the toll is a running total from that anchor."""
        doc = self.doc
        if chosen.start < r.end_tok:
            return None
        relative = any(_bare(doc, k) in _WHICH for k in range(chosen.end, min(chosen.end + 2, hi)))
        sent, clause = doc.sent[chosen.start], doc.clause[r.cand.t0]
        for idx in _near(self.cue_starts, chosen.end, min(hi, chosen.end + _LASTING_REACH)):
            cue = self.cues[idx]
            if (
                cue.scope is Scope.TOTAL
                and _bare(doc, cue.start) == _SINCE_WORD
                and (doc.clause[cue.start] == clause or (relative and doc.sent[cue.start] == sent))
            ):
                return cue
        return None

    def _own_period(self, r: _Reading, parent: _Out) -> bool:
        """A part of a figure (`بينهم 27 شهيدا سقطوا اليوم`، `بينهم 130 ألفاً نزحوا
        … خلال شهر أغسطس وحده`) whose own clause, not the parent's, states a
        period: the part is counted over that period, not the parent's."""
        doc = self.doc
        clause = doc.clause[r.cand.t0]
        if doc.clause[parent.reading.cand.t0] == clause:
            return False
        lo, hi = max(0, r.q0 - 25), min(len(doc.toks), r.cand.t1 + 25)
        return any(
            (self.cues[idx].scope is Scope.WINDOW or self.cues[idx].day)
            and doc.clause[self.cues[idx].start] == clause
            for idx in _near(self.cue_starts, lo, hi)
        )

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
            if state and self._since_duration(stated[0]):
                return Scope.TOTAL, None, None  # محاصرين منذ أكثر من ثلاثة أشهر: the state's age
            return Scope.WINDOW, stated[0].window, None
        head = self._list_head_window(r)
        if head is not None:  # 52 شهيدا خلال 24 ساعة، موزعة كالتالي: النبطية 22، …
            return Scope.WINDOW, head.window, None
        for idx in _near(self.cue_starts, lo, hi):
            cue = self.cues[idx]
            if doc.sent[cue.start] != sent:
                continue
            if cue.start >= r.end_tok and self._reported_after(r.end_tok, cue.start):
                continue  # …، مشيرة إلى أن حصيلة الغارات منذ صباح أمس: another statement
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
        if chosen is not None and chosen.scope is Scope.BATCH and not chosen.day:
            chosen = self._anchor_over_trigger(r, chosen, lo, hi)
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
                return Scope.TOTAL, None, None  # تسببت الحرب بسقوط 200 ألف قتيل
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
        a campaign or a disaster (`تسببت الحرب بسقوط`): the war's toll."""
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
            if metric in scope.TOLLS and scope.dated_disaster(doc.toks, day.start):
                return Scope.TOTAL, None, None  # جراء السيول التي اجتاحت المدينة أمس: its toll
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
            found = 0
            for w in self.doc.words[max(0, lo) : hi]:
                found |= w.scope
            self.spans[key] = found
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
        words = doc.words
        cont = self._breakdown or any(
            words[k].scope & Frame.CARRY for k in range(first, min(first + 3, len(words)))
        )  # the sentence continues the one before: its words' learned CARRY frames
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
        party_names = [x for x, _, w in self.seen if w.party_name]
        heads = [tok for _, tok, w in self.seen if w.name]
        party_heads = [tok for _, tok, w in self.seen if w.party_name]
        scanner = Scanner(t, regions, names, party_names, heads, party_heads)
        territory = any(o.metric.is_territory for o in outs)
        if territory:  # asked for whole below: the slices are read from it
            scanner.read_whole(True)
        if _WHOLE_SCAN_SHARE * sum(hi - lo for lo, hi in merged_spans(regions)) >= len(t):
            scanner.read_whole(False)  # as cheap as the slices, and asked for often
        places: list[Mention] = []
        parties: list[Mention] = []
        for lo, hi in sorted(spans):
            places.extend(scanner.places(lo, hi))
        places = sorted(set(places))
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
        in_sentence: dict[tuple[int, int], list[_Named]] = {}
        """The names of each figure sentence as the place stage reads them."""

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
            named = in_sentence.get(sentence)
            if named is None:
                named = in_sentence[sentence] = names_in(t, places, sentence)
            where = attribute(
                t, places, (s, e), clause, sentence, o.metric, home, numbers, local, named
            )
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


def _join_number_clauses(doc: _Doc, cands: list[_Cand]) -> None:
    """A separator inside a number (`1,250 أسرة`، `٢،٥٠٠`) opens no clause:
    the clause marks the segmenter put within a candidate's tokens are taken
    back, so the number, its noun and the words after it share one clause."""
    clause = doc.clause
    drops = sorted(
        k
        for c in cands
        if c.t1 - c.t0 > 1 and clause[c.t1 - 1] != clause[c.t0]
        for k in range(c.t0 + 1, c.t1)
        if clause[k] != clause[k - 1]
    )
    if not drops:
        return
    steps = {k: clause[k] - clause[k - 1] for k in drops}
    drop = 0
    for k in range(drops[0], len(clause)):
        drop += steps.get(k, 0)
        clause[k] -= drop


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
        if len(line) > 60 or not _DATELINE.fullmatch(line):
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


_WHOLE_SCAN_SHARE = 3
"""The place stage scans the whole text for places (rather than its figure
sentences) when those sentences cover at least 1/this of it: the article's
place asks for the whole text's names often (a country made finer, a vague
part of it), and slices of the whole scan are read, not scanned again."""


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
