"""Scope and period of a count: the stage that reads, from the clause and the
discourse around a figure, whether it is one event (`batch`), a count over a
stated period (`window`) or a running or standing count (`total`).

The extractor first finds scope words near the number (`_collect` in
`figures.extract`: حصيلة، منذ، خلال 24 ساعة، غارة…) and takes the nearest.
This module holds the rules that need more than the nearest word; each reads
words of the lexicon's `[scope_frames]` tables (pure functions over tokens):

1. **Event or running/standing count, from the clause, never from the metric
   alone** (`default_scope`, used when no scope word is near the number), in
   this order: a present-tense state in the clause (`يقبع`، `تحتجز`، `يضم`،
   `يؤوي`) or a count headed by `عدد`/`حصيلة` is a `total` (a surrender stays an
   event); a group that moved to or was received at a place, one evacuation or
   one route (`استقبل`، `لجأت إلى`، `أجلت`، `من مخيم … إلى`: `route`) is a `batch`
   of people on the move; a harm count inside a war (`وفي تلك الحرب`: `in_war`)
   is a `total`, one incident named in its sentence (`قذيفة`، `غارة`، `منزل`)
   makes it a `batch`, and one counted by an authority (a ministry, the UN, an
   observatory, civil defence, a report: institutions, not `بحسب مصادر`) or the
   toll of a war or disaster (`الحرب`، `الزلزال`، `الفيضانات`) is a running
   `total`; else the metric's usual reading (`_DEFAULT`).
   Beside a scope word: `toll_cause` reads `إثر الزلزال`، `جراء الحرب` (the toll
   of a disaster or a war, not one incident) and `campaign` reads `بعد أربعة
   أشهر من القصف`، `خلال القصف` (an activity a duration or `خلال` governs: a
   campaign, its toll a total; `خلال الهجوم` is one attack).
2. **Days.** A day word (`أمس`، a weekday) is the count's period, a `1d`
   window, unless it dates the report (`أعلنت المفوضية، اليوم الخميس، …`:
   `dates_report`), closes a running count (`حتى يوم أمس`: `day_reading`,
   a `total`), dates one incident or one group in the sentence (a strike, a
   house, an arrival, a surrender: `one_group`, a `batch`) or sits in a relative
   clause that dates an event (`الأمطار التي هطلت صباح أمس`: `dates_an_event`).
   `اليوم فقط`، `يوم أمس وحده` (`day_only`) and `ليوم أمس` (`of_the_day`) are `1d`.
3. **Only real periods** (`not_a_window`): a duration after `منذ` that gives the
   age of an ongoing war (`الصراع المستمر منذ سبع سنوات`), a period to come
   (`خلال الأيام المقبلة`) and a day of a month (`في الـ5 من الشهر الماضي`) are
   not windows; a rate adverb (`شهريا`: `rate`) and a year that is the subject
   of a verb of recording (`سجل عام 2014`: `year_subject`) are.
4. **Discourse** (`continues`, `list_item`): a sentence that continues the one
   before (`كما`، `أيضاً`، `إضافة إلى`), and the items of a list introduced by a
   colon, take the period stated there when they state none of their own (the
   extractor also carries it over a line ending in a comma, into a breakdown
   `الضحايا بينهم …`, to a restatement of the same number, and from a window
   written after the last item of a list to every item).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from . import lexicon as lx
from .model import Metric, Scope
from .text import fold


class Frame:
    """What a word says about the scope of a count near it: bits of an int (a
    token's frames are or-ed by the dozen per figure; `enum.Flag` arithmetic
    costs a Python call each)."""

    NONE: Final = 0
    AUTHORITY: Final = 1 << 0  # وزارة، المرصد: who counts
    TOLL: Final = 1 << 1  # الحرب، الزلزال: what a running toll is of
    STANDING: Final = 1 << 2  # يقبع، يؤوي: a state in the present
    RECEIVED: Final = 1 << 3  # استقبل، لجأت، أجلت: a group moved or received
    SINGLE: Final = 1 << 4  # غارة، انفجار، قافلة: one incident
    DAY: Final = 1 << 5  # أمس، الخميس: a day
    FUTURE: Final = 1 << 6  # المقبلة: a period to come
    ONGOING: Final = 1 << 7  # المستمر، تدور: a war still going on
    CARRY: Final = 1 << 8  # كما، أيضا: continues the sentence before
    REPORT: Final = 1 << 9  # أعلنت، قال: a reporting verb
    COUNT: Final = 1 << 10  # عدد، حصيلة: the head of "the number of …"
    RATE: Final = 1 << 11  # شهريا: per month
    SITE: Final = 1 << 12  # مخيم، بلدة: a place a group leaves or reaches
    ROUTE: Final = 1 << 13  # من مخيم … إلى: one group's route (made by `route`)
    YEAR_SUBJECT: Final = 1 << 14  # سجل، شهد: a verb whose subject may be a year
    ONLY: Final = 1 << 15  # فقط، وحده: "alone" (read by `day_only`)


_TABLES = {
    "authority": Frame.AUTHORITY,
    "toll": Frame.TOLL,
    "standing": Frame.STANDING,
    "received": Frame.RECEIVED,
    "single_event": Frame.SINGLE,
    "day": Frame.DAY,
    "future": Frame.FUTURE,
    "ongoing": Frame.ONGOING,
    "carry": Frame.CARRY,
    "report": Frame.REPORT,
    "count_head": Frame.COUNT,
    "rate": Frame.RATE,
    "site": Frame.SITE,
    "year_subject": Frame.YEAR_SUBJECT,
}


_ONLY = frozenset(fold(w) for w in ("فقط", "وحده", "وحدها", "فحسب"))


def _table() -> dict[str, int]:
    out: dict[str, int] = {}
    for name, frame in _TABLES.items():
        for word in lx.SCOPE_FRAMES[name]:
            out[word] = out.get(word, Frame.NONE) | frame
    for word in _ONLY:
        out[word] = out.get(word, Frame.NONE) | Frame.ONLY
    return out


_WORDS = _table()

MOVEMENT = frozenset({Metric.DISPLACED, Metric.RETURNED})
"""Metrics of people on the move: a group received is a batch of them."""

TOLLS = frozenset(
    {Metric.KILLED, Metric.INJURED, Metric.CASUALTIES, Metric.MISSING, Metric.DETAINED}
)
"""Metrics whose count an authority keeps as a running toll."""

_DEFAULT: dict[Metric, Scope] = {
    Metric.DISPLACED: Scope.TOTAL,
    Metric.RETURNED: Scope.TOTAL,
    Metric.BESIEGED: Scope.TOTAL,
    Metric.AREA_CONTROLLED: Scope.TOTAL,
    Metric.SHARE_CONTROLLED: Scope.TOTAL,
    Metric.PLACES_CONTROLLED: Scope.TOTAL,
    Metric.KILLED: Scope.BATCH,
    Metric.INJURED: Scope.BATCH,
    Metric.CASUALTIES: Scope.BATCH,
    Metric.MISSING: Scope.BATCH,
    Metric.DETAINED: Scope.BATCH,
    Metric.SURRENDERED: Scope.BATCH,
}
"""With nothing in the clause to go by: a state for displacement and ground,
one event for harm, arrests and surrenders."""

_UP_TO = frozenset(fold(w) for w in ("حتى", "لغاية", "غاية", "وحتى"))
_TODAY = frozenset(fold(w) for w in ("اليوم", "يوم", "ليوم"))
_PART_OF_DAY = frozenset(
    fold(w) for w in ("مساء", "صباح", "فجر", "ظهر", "عصر", "ليل", "ليلة", "منتصف", "يوم", "اليوم")
)
_OF_DAY = fold("ليوم")
_BULLETS = frozenset("•·*-–—▪●◦")

_DURING = frozenset(fold(w) for w in ("خلال", "طوال", "طيلة", "أثناء", "إبان"))
_IN = frozenset(fold(w) for w in ("في", "وفي", "ففي"))
_FROM = fold("من")
_WHICH = frozenset(fold(w) for w in ("التي", "الذي", "اللذين", "اللتين"))
_TO = frozenset(fold(w) for w in ("إلى", "الى", "نحو", "باتجاه"))
_THAT = frozenset(fold(w) for w in ("تلك", "هذه", "ذلك", "هذا"))

_CACHE = 1 << 14


_FRAMES: dict[str, int] = {}
"""The frames of each token read so far (`frames`), bounded by `_CACHE`: a
table lookup, cheaper than an `lru_cache` call (called for most tokens near
a number)."""


def frames(token: str) -> int:
    """The frames of a (normalised) token, with its clitics stripped."""
    known = _FRAMES.get(token)
    if known is not None:
        return known
    out = Frame.NONE
    for form in lx.forms(token):
        out |= _WORDS.get(form, Frame.NONE)
    if len(_FRAMES) >= _CACHE:
        _FRAMES.clear()
    _FRAMES[token] = out
    return out


def span(toks: Sequence[str], lo: int, hi: int) -> int:
    """The frames of the tokens lo..hi-1."""
    out = 0
    for tok in toks[max(0, lo) : min(hi, len(toks))]:
        out |= frames(tok)
    return out


def default_scope(metric: Metric, clause: int, sentence: int, war: bool = False) -> Scope:
    """Rule 1: the scope of a count no scope word is near, from the frames of
    its clause and its sentence; `war`: the sentence places it inside a war
    (`in_war`)."""
    if clause & Frame.STANDING or (clause & Frame.COUNT and metric is not Metric.SURRENDERED):
        return Scope.TOTAL  # surrenders stay events (يزيد عددهم على 80: one surrender)
    if metric in MOVEMENT and clause & (Frame.RECEIVED | Frame.ROUTE):
        return Scope.BATCH
    if war and metric in TOLLS:
        return Scope.TOTAL
    if metric in TOLLS and sentence & Frame.SINGLE:
        return Scope.BATCH
    if metric in TOLLS and sentence & (Frame.AUTHORITY | Frame.TOLL):
        return Scope.TOTAL
    return _DEFAULT[metric]


def route(toks: Sequence[str], lo: int, hi: int) -> int:
    """`عاد 320 نازحاً من مخيم الصفا إلى قراهم`: `من` and a site, then `إلى`, in
    tokens lo..hi-1: one group's way from one place to another (`ROUTE`)."""
    origin = False
    for k in range(max(0, lo), min(hi, len(toks))):
        word = fold(toks[k])
        if word == _FROM and k + 1 < len(toks) and frames(toks[k + 1]) & Frame.SITE:
            origin = True
        elif origin and word in _TO:
            return Frame.ROUTE
    return Frame.NONE


def year_subject(toks: Sequence[str], i: int) -> bool:
    """`سجل عام 2014 …`، `وشهد العام 2015 …`: the year word at `i` is the subject
    of a verb of recording, so the year is the counting period."""
    return i > 0 and bool(frames(toks[i - 1]) & Frame.YEAR_SUBJECT)


def rate(token: str) -> bool:
    """`شهريا`، `يوميا`: a count per period, a window with no opener."""
    return bool(frames(token) & Frame.RATE)


def one_group(metric: Metric, clause: int) -> bool:
    """A count dated by a day that is one incident or one group: a strike or a
    convoy named in its clause, a surrender, a group that arrived."""
    return bool(clause & (Frame.SINGLE | Frame.RECEIVED)) or metric is Metric.SURRENDERED


def toll_cause(toks: Sequence[str], cue: int) -> bool:
    """`إثر الزلزال`، `جراء الحرب`: the word after the cause word at `cue` names
    a disaster or a war (a toll), not one incident."""
    return cue + 1 < len(toks) and bool(frames(toks[cue + 1]) & Frame.TOLL)


def in_war(toks: Sequence[str], lo: int, hi: int) -> bool:
    """`في تلك الحرب`، `خلال حرب 2006`، `طوال الحصار`: tokens lo..hi-1 place the
    count inside a war, a campaign or a disaster (its toll is a total)."""
    for k in range(max(1, lo), min(hi, len(toks))):
        if not frames(toks[k]) & Frame.TOLL:
            continue
        for j in (k - 1, k - 2):
            if j < max(0, lo - 1):
                break
            word = fold(toks[j])
            if word in _DURING or word in _IN:
                return True
            if word not in _THAT:
                break
    return False


def campaign(toks: Sequence[str], cue: int) -> bool:
    """`بعد أربعة أشهر من القصف`، `سبع سنوات من الحرب`: the event word at `cue`
    is the complement of a duration, a campaign (its toll is a total)."""
    if cue >= 1 and fold(toks[cue - 1]) in _DURING and not frames(toks[cue]) & Frame.SINGLE:
        return True  # خلال القصف، طوال المعارك: during a campaign (خلال الهجوم: one attack)
    if cue < 2 or fold(toks[cue - 1]) != fold("من"):
        return False
    prev = toks[cue - 2]
    return lx.has(prev, lx.Tag.DUR_UNIT) or lx.has(prev, lx.Tag.DUR_WORD)


def dates_report(toks: Sequence[str], clause: Sequence[int], day: int, reach: int = 12) -> bool:
    """Rule 2: the day word at `day` dates the report, not the count: a
    reporting verb stands before it in its sentence within `reach` words, with
    nothing counted between (`أعلنت المفوضية، اليوم الخميس، فرار…`,
    `أعلن الدفاع المدني في غزة، مساء الأحد، أن…`).  `clause` is each token's
    sentence (or clause) index, so that the look stops at its start."""
    for k in range(day - 1, max(-1, day - 1 - reach), -1):
        if clause[k] != clause[day]:
            return False
        f = frames(toks[k])
        if f & Frame.REPORT:
            return True
        if toks[k].isdigit() or f & (Frame.COUNT | Frame.SINGLE):
            return False  # أعلنت الوزارة حصيلة غارات يوم أمس: the day of the toll
        if fold(toks[k]) in _PART_OF_DAY or f & Frame.DAY:
            continue  # مساء الأحد: the day itself
        if lx.has(toks[k], lx.Tag.BATCH):
            return False  # … غارات يوم أمس: the day of the strikes
    return False


def day_reading(toks: Sequence[str], day: int) -> Scope | None:
    """Rule 2: the scope a day word gives: `total` when it closes a running
    count (`حتى يوم أمس`، `حتى الخميس`), else `None` (a `1d` window unless the
    caller finds one incident)."""
    for k in (day - 1, day - 2, day - 3):
        if k >= 0 and fold(toks[k]) in _UP_TO:
            return Scope.TOTAL
        if k >= 0 and fold(toks[k]) not in _PART_OF_DAY:
            break
    return None


def dates_an_event(toks: Sequence[str], day: int) -> bool:
    """`الأمطار التي هطلت صباح أمس`: the day word at `day` is inside a relative
    clause that dates the event (one occurrence), not the count."""
    return any(fold(toks[k]) in _WHICH for k in range(max(0, day - 3), day) if k < len(toks))


def dated_disaster(toks: Sequence[str], day: int) -> bool:
    """`السيول التي اجتاحت المدينة أمس`، `الزلزال الذي ضرب البلاد الاثنين`: the
    relative clause that the day word at `day` sits in dates a war or a
    disaster (the word before its `التي`/`الذي`), whose toll is a running total."""
    for k in range(day - 1, max(0, day - 4), -1):
        if fold(toks[k]) in _WHICH:
            return bool(frames(toks[k - 1]) & Frame.TOLL)
    return False


def of_the_day(toks: Sequence[str], day: int) -> bool:
    """`ليوم أمس`: the count is the day's, stated as such."""
    return day > 0 and fold(toks[day - 1]) == _OF_DAY


def day_only(toks: Sequence[str], i: int) -> bool:
    """Rule 2: `اليوم فقط`، `يوم أمس وحده`: a day and only that day."""
    if fold(toks[i]) not in _TODAY and not frames(toks[i]) & Frame.DAY:
        return False
    for k in (i + 1, i + 2):
        if k < len(toks) and fold(toks[k]) in _ONLY:
            return True
        if k < len(toks) and not frames(toks[k]) & Frame.DAY:
            break
    return False


def not_a_window(toks: Sequence[str], opener: int, after: int) -> bool:
    """Rule 3: a duration that is no window.  `opener` is the token before the
    duration (or -1), `after` the token just past it (or -1)."""
    if 0 <= after < len(toks) and frames(toks[after]) & Frame.FUTURE:
        return True  # خلال الأيام المقبلة
    if opener < 0 or opener >= len(toks):
        return False
    word = fold(toks[opener])
    if word == fold("منذ"):  # الصراع المستمر منذ سبع سنوات: the war's age
        return bool(span(toks, opener - 3, opener) & (Frame.ONGOING | Frame.TOLL))
    if word == fold("من") and opener > 0:  # في الـ5 من الشهر الماضي: a date
        prev = toks[opener - 1]
        return prev.isdigit() and len(prev) <= 2
    return False


def list_item(toks: Sequence[str], first: int) -> bool:
    """A sentence that is an item of a list (it opens with a bullet or dash)."""
    return first < len(toks) and toks[first] in _BULLETS
