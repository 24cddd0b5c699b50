"""Cues: the trigger words, scope cues and since-dates around the numbers.

Stages 4 and 5 of the extractor (`figures.extract`), the words it weighs.  One
pass over the tokens near the readings (`_ranges`, `_collect`) gathers the
trigger hits (`_Hit`: a word or phrase naming a metric) and the cues (`_Cue`):
the scope of a figure (an event: `أمس`، `الخميس`; a running count: `حصيلة`،
`منذ بدء`), its window (`خلال 24 ساعة`, a stated duration) and its since-date
(`منذ … <month>`, `_since`).  Day words that are not days are dropped
(`_real_days`), and `نفسها` carries the period before it (`_same_period`).
"""

from __future__ import annotations

from bisect import bisect_left

from figures import lexicon as lx
from figures import nouns, scope
from figures.candidates import (
    _Duration,
    _is_year,
    _match_around_number,
    _month_at,
    _month_range,
    _prev_word,
    _Reading,
)
from figures.dates import ORDINAL_DAYS, PART_OF_MONTH, since
from figures.document import _SENTENCE_END, _bare, _definite, _Doc, _has, _match_words, _Word
from figures.hedges import _qualifier_before
from figures.lexicon import Sense, Strength, Tag
from figures.model import Metric, Scope
from figures.scope import Frame
from figures.scope import frames as scope_frames
from figures.text import fold

_CONTROL = Sense(Tag.CONTROL)

WINDOW = 30
"""Tokens each side of a number searched for triggers and cues."""


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
                if not _not_today(doc, i):
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


_TODAY = fold("اليوم")
_TODAY_FORMS = frozenset({_TODAY, "و" + _TODAY})
_MOMENT = frozenset(fold(w) for w in ("صباح", "مساء", "فجر", "ظهر", "عصر", "ليل", "ليلة", "منتصف"))


def _not_today(doc: _Doc, i: int) -> bool:
    """`اليوم` that is no day of the count: an ordinal day (`لليوم التاسع على
    التوالي`, `اليوم الثالث`: not "today"), a clitic other than و (`لليوم`),
    a moment of today (`صباح اليوم`: the part of the day reads as before, one
    event), or today dating an event in a relative clause (`الزلزال الذي ضرب
    البلاد اليوم`: the event's day; the toll is the disaster's)."""
    tok = doc.toks[i]
    if tok in _TODAY_FORMS:
        if i > 0 and _bare(doc, i - 1) in _MOMENT:
            return True  # صباح اليوم: a moment of the day, one event (the part of day speaks)
        nxt = doc.toks[i + 1] if i + 1 < len(doc.toks) else ""
        if nxt.startswith("ال") and not scope_frames(nxt) & Frame.DAY:
            return True  # اليوم التاسع، اليوم الأول
        return scope.dates_an_event(doc.toks, i)
    return tok.endswith("ليوم")  # لليوم، ولليوم، باليوم


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
_SINCE_WORD = fold("منذ")


def _same_period(doc: _Doc, cues: list[_Cue]) -> None:
    """`خلال الفترة نفسها`, `في نفس الفترة`: a window of unstated length that
    points back takes the length of the last stated window before it, or,
    when the last stated period is a `منذ` anchor, becomes that running total."""
    stated: _Cue | None = None
    for q in cues:
        if q.scope is Scope.TOTAL and _bare(doc, q.start) == _SINCE_WORD:
            stated = q  # منذ 21 كانون الثاني … خلال الفترة ذاتها: the same running count
            continue
        if q.scope is not Scope.WINDOW:
            continue
        if q.window is None and stated is not None:
            i = q.start
            if _bare(doc, i + 1) in _SAME or _bare(doc, i - 1) == "نفس":
                if stated.scope is Scope.TOTAL:
                    q.scope, q.since = Scope.TOTAL, stated.since
                    continue
                q.window, q.stated = stated.window, True
        if q.window is not None:
            stated = q


_THROUGH = frozenset(fold(w) for w in ("خلال", "طوال", "طيلة"))
"""Openers that make a definite singular period the count's own (`خلال
الأسبوع`، `طوال الشهر`), not `في الشهر` or `منذ الشهر`."""
_THIS_PERIOD = frozenset({"1w", "1m"})


def _duration_word(doc: _Doc, i: int, sense: Sense) -> _Cue | None:
    """يومين الماضيين، الأسبوع الماضي، خلال أسبوع: a window of stated length
    (a hedge on it stays with it: خلال أقل من أسبوع; شهريا: per month)."""
    if scope.rate(doc.toks[i]):
        return _Cue(i, i + 1, Scope.WINDOW, sense.arg, stated=True)
    if sense.arg == "1y" and _is_year(doc.tok(i + 1)) and scope.year_subject(doc.toks, i):
        return _Cue(i, i + 2, Scope.WINDOW, "1y", stated=True)  # سجل عام 2014: the year's count
    k = _prev_word(doc, _qualifier_before(doc, i)[0])
    if k >= 0 and _bare(doc, k) in PART_OF_MONTH:
        return None  # منذ مطلع الشهر الماضي: a point in time (an anchor), not a period
    opened = k >= 0 and Tag.DUR_OPEN in doc.words[k].tags
    closed = _has(doc, i + 1, Tag.DUR_CLOSE)
    singular = sense.arg.startswith("1")
    if scope.not_a_window(doc.toks, k, i + 1):
        return None  # في الـ5 من الشهر الماضي: a date; الأشهر المقبلة
    if closed or (opened and not singular) or (opened and not doc.toks[i].startswith("ال")):
        if _bare(doc, k) == "منذ" and singular and not closed:
            return None
        return _Cue(i, i + 1, Scope.WINDOW, sense.arg, stated=True)
    if sense.arg in _THIS_PERIOD and _bare(doc, k) in _THROUGH and not _is_year(doc.tok(i + 1)):
        return _Cue(
            i, i + 1, Scope.WINDOW, sense.arg, stated=True
        )  # خلال الأسبوع: this week's count
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
