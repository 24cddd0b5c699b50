"""The diff rules: which figures are news.  Pure functions on values, no I/O.

A figure is compared only with the state under the same `Key`.  Each figure
becomes an interval from its qualifier (`interval`), and `diff` decides, from
the state, one observation and the `Rules`, whether it is a change worth an
alert, a corroboration of what is known, a conflicting (lower) report, a
repeat, or an older report that only goes into history.

Order: the store processes articles in the order they arrive, so the rules
are written to give the same final state whatever that order, for series
that do not contradict themselves:

- an observation published before the state's `as_of` never raises, lowers
  or re-times the state; if it agrees with the state it adds its outlet as a
  source (and, if it words the figure more precisely, lends that wording);
- a window or batch report is one event: within `event_dedupe` of an event
  of its key that it agrees with (the state's, or any other recorded in that
  period: `PastEvent`), it is that event reported again;
- among agreeing reports the state keeps the most precise one (narrowest
  interval; then the earliest; then the smallest URL), so whichever arrives
  first, the same one is kept.

Agreeing means: neither report lies above the other by the threshold, and
they do not contradict ("more than 38000" agrees with 38550; "thousands"
does not agree with "more than 15000", it is only consistent with it).

A lower total from a later article is a *conflicting report*, and a later
report that is consistent with the state but weaker ("hundreds" after
"thousands") is *minor*: neither moves the state (a running total does not
fall, and a state that drifted down unannounced would re-alert old numbers).
So for a series that contradicts itself, the report kept depends on which the
store saw first; every report stays in history.  The same holds for chains of
reports that agree link by link but not end to end (3000, 3050, 3100 with a
threshold of 60; or "about 23000" beside both 21000 and 23000): agreement is
not transitive.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from figures import gazetteer
from figures.model import Figure, Metric, Qualifier, Scope, Unit

INF = math.inf

APPROX_MARGIN = 0.1
""""About v" is read as v ± 10%."""


class ChangeKind(StrEnum):
    """What kind of news a change is."""

    NEW = "new"
    """The first value seen for a key."""
    INCREASE = "increase"
    """A total rose past the threshold; for territory, the area held grew."""
    DECREASE = "decrease"
    """Territory only: the area, share or places held shrank past the threshold."""
    CONFLICT = "conflict"
    """A total lower than the state: a conflicting report (a total does not fall)."""
    EVENT = "event"
    """A window or batch figure: one event (a convoy, a 48-hour count)."""


class Verdict(StrEnum):
    """What `diff` made of one observation."""

    NEW = "new"
    """First value for the key: a `new` change."""
    INCREASE = "increase"
    """An `increase` change; the state moves."""
    DECREASE = "decrease"
    """A `decrease` change (territory); the state moves."""
    CONFLICT = "conflict"
    """A `conflict` change is recorded; the state does not move."""
    EVENT = "event"
    """A new `event` change (window/batch); the state holds the latest event."""
    CORROBORATION = "corroboration"
    """Agrees with the state: its outlet joins the state's sources; no change."""
    REPEAT = "repeat"
    """Agrees with the state and its outlet is already a source: nothing new."""
    MINOR = "minor"
    """Differs from the state by less than the threshold: recorded, no change."""
    OLDER = "older"
    """Published before the state and not agreeing with it: history only."""


class Role(StrEnum):
    """An observation's part in its article."""

    STATEMENT = "statement"
    """The article's statement for the key: the first-mentioned value, diffed."""
    CONTEXT = "context"
    """A further value for the same key in the same article: background, never diffed."""


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """The series a figure belongs to; only figures under one key are compared.

    `place` is the figure's place (`figures.place`: the place the text ties
    the number to) lifted to its governorate (Baghuz, Hajin, al-Omar field →
    Deir ez-Zor governorate; El Fasher → North Darfur), so outlets naming the
    same pocket differently land in one series; a figure about a whole
    country keys at the country, and one about a region with no division of
    its own (Gaza Strip, Darfur as a whole) at the region.  `party` is part of
    the key only for territory metrics (who holds the ground); for counts of
    people outlets name the actor inconsistently, so it is left out.  `unit`
    keeps households and persons apart."""

    metric: Metric
    """What is counted."""
    place: str | None
    """Top-level place id (governorate level), or None."""
    party: str | None
    """Party id for territory metrics; None for counts of people."""
    scope: Scope
    """total, window or batch."""
    window: str | None
    """The window length (`48h`) for scope window, else None."""
    since: str | None
    """Start of a running total as `--MM-DD`, else None."""
    unit: Unit = Unit.PERSON
    """Canonical unit: figures in different units are different series."""

    def label(self) -> str:
        """A short readable name: `displaced total since --12-01 @deir-ez-zor`."""
        parts = [self.metric.value, self.scope.value]
        if self.window:
            parts.append(self.window)
        if self.since:
            parts.append(f"since {self.since}")
        if self.party:
            parts.append(f"party={self.party}")
        if self.place:
            parts.append(f"@{self.place}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Observation:
    """One figure as reported by one article."""

    figure: Figure
    """The extracted figure (fine place, party and offsets included)."""
    url: str
    """The article's canonical URL."""
    title: str
    """The article's headline."""
    source: str
    """Name of the configured source that fetched it."""
    outlet: str
    """Human name of the outlet (SOHR, AFP…), else the source name."""
    published: datetime
    """Publication time of the article (UTC)."""


@dataclass(frozen=True, slots=True)
class State:
    """What is known now for one key: the figure that set it and who agrees."""

    key: Key
    """The series."""
    value: float
    """The value as stated."""
    unit: Unit
    """Canonical unit of `value`."""
    qualifier: Qualifier
    """The hedge the article put on it."""
    vague: bool
    """A quantity word (آلاف) rather than a number."""
    low: float
    """Lower end of the interval the statement allows."""
    high: float
    """Upper end (math.inf when open)."""
    as_of: datetime
    """Publication time of the latest article that set or confirmed the state."""
    url: str
    """Article whose figure the state shows."""
    stated_at: datetime
    """Publication time of that article (`as_of` may be later: a corroboration)."""
    quote: str
    """That article's words for the figure."""
    outlet: str
    """That article's outlet."""
    sources: tuple[str, ...]
    """Every outlet that reported this value (sorted, unique)."""

    @classmethod
    def of(cls, key: Key, obs: Observation) -> State:
        """The state set by `obs` alone."""
        f = obs.figure
        low, high = interval(f.value, f.qualifier, f.vague)
        return cls(
            key=key,
            value=f.value,
            unit=f.unit,
            qualifier=f.qualifier,
            vague=f.vague,
            low=low,
            high=high,
            as_of=obs.published,
            url=obs.url,
            stated_at=obs.published,
            quote=f.quote,
            outlet=obs.outlet,
            sources=(obs.outlet,),
        )


@dataclass(frozen=True, slots=True)
class Threshold:
    """How much a value must move to be news."""

    absolute: float = 0.0
    """At least this much, in the metric's unit."""
    relative: float = 0.0
    """And at least this share of the old value (0.05 is 5%)."""


@dataclass(frozen=True)
class Rules:
    """The diff settings (built from `[alerts]` by the service)."""

    thresholds: Mapping[str, Threshold] = field(
        default_factory=lambda: types.MappingProxyType({"default": Threshold(1.0, 0.02)})
    )
    """Per metric value, plus `default` for the rest."""
    alert_new: bool = True
    """Alert on the first value seen for a key."""
    alert_conflicts: bool = False
    """Alert on a conflicting (lower) total; it is always recorded."""
    event_dedupe: float = 3 * 86400.0
    """Seconds: the same window/batch value for a key within this is one event."""

    def threshold(self, metric: Metric) -> Threshold:
        """The threshold for `metric`, falling back to `default`."""
        return self.thresholds.get(metric.value) or self.thresholds.get("default") or Threshold()


@dataclass(frozen=True, slots=True)
class Change:
    """A figure that is news: what changed, from what, and who said so."""

    kind: ChangeKind
    """new, increase, decrease, conflict or event."""
    key: Key
    """The series."""
    observation: Observation
    """The report that made the change."""
    previous: State | None
    """The state before (for `new`, a baseline the same article gave, if any)."""
    alert: bool
    """Whether subscribers hear of it (conflicts and `new` per the rules)."""


@dataclass(frozen=True, slots=True)
class PastEvent:
    """An event already recorded for a key (a window or batch change), as `diff` needs it
    to tell a report of the same event again from a new one."""

    value: float
    """The value as stated."""
    qualifier: Qualifier
    """Its hedge."""
    vague: bool
    """A quantity word rather than a number."""
    published: datetime
    """When the report that made it was published."""
    outlets: tuple[str, ...] = ()
    """The outlets credited with it."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of diffing one observation against the state."""

    verdict: Verdict
    """What the observation was."""
    change: Change | None
    """The change to record, if any."""
    state: State | None
    """The new state, or None when the state is unchanged."""


# ---------------------------------------------------------------- intervals


def interval(value: float, qualifier: Qualifier, vague: bool = False) -> tuple[float, float]:
    """The values a statement allows: exact [v, v]; approx [0.9v, 1.1v];
    more_than/at_least [v, ∞); less_than/at_most [0, v].  A vague word is a
    floor (آلاف is "at least a thousand"), so vague exact is [v, ∞)."""
    if qualifier in (Qualifier.MORE_THAN, Qualifier.AT_LEAST):
        return value, INF
    if qualifier in (Qualifier.LESS_THAN, Qualifier.AT_MOST):
        return 0.0, value
    if qualifier is Qualifier.APPROX:
        low, high = value * (1 - APPROX_MARGIN), value * (1 + APPROX_MARGIN)
        return low, INF if vague else high
    return value, INF if vague else value


# ---------------------------------------------------------------- keys


def top_place(
    place_id: str | None, lookup: Callable[[str], gazetteer.Entry | None] | None = None
) -> str | None:
    """`place_id` lifted along the gazetteer's parents to its governorate
    (state, province), else to the last place below a country (a region with
    no division of its own, such as the Gaza Strip, keeps its series apart);
    unknown ids are kept as they are."""
    if place_id is None:
        return None
    find = lookup or gazetteer.place

    def parent_of(ident: str) -> str | None:
        entry = find(ident)
        return entry.parent if entry is not None else None

    below = place_id
    for ident in gazetteer.walk_up(place_id, parent_of):
        entry = find(ident)
        if entry is None:
            return below
        if entry.kind == "governorate":
            return ident
        if entry.kind == "country":
            return below
        below = ident
    return below


def key_of(figure: Figure, place: str | None = None) -> Key:
    """The key of `figure`; `place` (already lifted) overrides the figure's own."""
    where = place if place is not None else top_place(figure.place)
    return Key(
        metric=figure.metric,
        place=where,
        party=figure.party if figure.metric.is_territory else None,
        scope=figure.scope,
        window=figure.window if figure.scope is Scope.WINDOW else None,
        since=figure.since if figure.scope is Scope.TOTAL else None,
        unit=figure.unit,
    )


def plan_article(keyed: Iterable[tuple[Key, Observation]]) -> list[tuple[Key, Observation, Role]]:
    """One statement per key per article: the first-mentioned value (lowest
    offset) is the statement; further values for the key are context (news
    leads with the newest figure and follows with background).  Returned in
    text order."""
    items = sorted(keyed, key=lambda ko: (ko[1].figure.start, ko[1].figure.end))
    seen: set[Key] = set()
    out: list[tuple[Key, Observation, Role]] = []
    for key, obs in items:
        out.append((key, obs, Role.CONTEXT if key in seen else Role.STATEMENT))
        seen.add(key)
    return out


# ---------------------------------------------------------------- the rules


def _precision_rank(
    low: float, high: float, published: datetime, url: str
) -> tuple[float, float, str]:
    """Smaller is better: narrower interval, then earlier (a series of small
    rises is measured from its first report, so it cannot creep unannounced),
    then smaller URL."""
    return (high - low, published.timestamp(), url)


def _corroborate(state: State, obs: Observation) -> tuple[Verdict, State]:
    """Add `obs`'s outlet to `state`; keep whichever wording is more precise."""
    f = obs.figure
    low, high = interval(f.value, f.qualifier, f.vague)
    verdict = Verdict.REPEAT if obs.outlet in state.sources else Verdict.CORROBORATION
    sources = tuple(sorted({*state.sources, obs.outlet}))
    new = replace(state, sources=sources, as_of=max(state.as_of, obs.published))
    mine = _precision_rank(low, high, obs.published, obs.url)
    theirs = _precision_rank(state.low, state.high, state.stated_at, state.url)
    if mine < theirs:
        better = State.of(state.key, obs)
        new = replace(better, sources=sources, as_of=new.as_of)
    return verdict, new


def _threshold(rules: Rules, metric: Metric, reference: float) -> float:
    t = rules.threshold(metric)
    return max(t.absolute, t.relative * abs(reference))


Stated = tuple[float, float, float]
"""(value, low, high) of one statement."""


def _stated(value: float, qualifier: Qualifier, vague: bool) -> Stated:
    low, high = interval(value, qualifier, vague)
    return value, low, high


def _rises(a: Stated, b: Stated, thr: float) -> bool:
    """`a` lies above `b` by `thr`: from b's top, or from its low when b is open."""
    return a[1] - (b[2] if math.isfinite(b[2]) else b[1]) >= thr


def _agrees(a: Stated, b: Stated, thr: float, territory: bool) -> bool:
    """Two statements agree when neither rises above the other by the
    threshold and they do not contradict (symmetric, so the verdict does not
    depend on which was seen first).  Territory compares stated values."""
    if territory:
        return abs(a[0] - b[0]) < thr
    apart = a[2] < b[1] - thr or b[2] < a[1] - thr
    return not apart and not _rises(a, b, thr) and not _rises(b, a, thr)


def _compare(state: State, obs: Observation, rules: Rules) -> Verdict:
    """The verdict for `obs` against `state`, before time is considered.  The
    threshold is taken on the smaller of the two values (for a rise, the old
    one), so that it is the same whichever is the state."""
    f = obs.figure
    new = _stated(f.value, f.qualifier, f.vague)
    old = (state.value, state.low, state.high)
    thr = _threshold(rules, f.metric, min(f.value, state.value))
    territory = f.metric.is_territory and f.scope is Scope.TOTAL
    agrees = _agrees(new, old, thr, territory)
    if f.scope is not Scope.TOTAL:
        return Verdict.CORROBORATION if agrees else Verdict.EVENT
    if territory:
        if f.value - state.value >= thr:
            return Verdict.INCREASE
        if state.value - f.value >= thr:
            return Verdict.DECREASE
    else:
        if _rises(new, old, thr):
            return Verdict.INCREASE
        if new[2] < state.low - thr:
            return Verdict.CONFLICT
    return Verdict.CORROBORATION if agrees else Verdict.MINOR


def _baseline(
    key: Key, obs: Observation, background: Sequence[Observation], rules: Rules
) -> State | None:
    """For a key seen for the first time: the article's own earlier value
    ("… كان المرصد نشر أمس أن …"), the first background figure that differs
    from the statement past the threshold, so the alert reads "shrank from 4
    to less than 2".  Territory only: a smaller count in the same article is
    as often a subset ("… among them 700 fighters") as an earlier total."""
    if not key.metric.is_territory or key.scope is not Scope.TOTAL:
        return None
    for other in sorted(background, key=lambda o: o.figure.start):
        candidate = State.of(key, other)
        if _compare(candidate, obs, rules) in (Verdict.INCREASE, Verdict.DECREASE):
            return candidate
    return None


def same_event(obs: Observation, events: Iterable[PastEvent], rules: Rules) -> PastEvent | None:
    """The event among `events` that `obs` (a window or batch report) reports again: one
    within `event_dedupe` of it whose value agrees with it, if any."""
    f = obs.figure
    new = _stated(f.value, f.qualifier, f.vague)
    for event in events:
        if abs((obs.published - event.published).total_seconds()) > rules.event_dedupe:
            continue
        thr = _threshold(rules, f.metric, min(f.value, event.value))
        if _agrees(new, _stated(event.value, event.qualifier, event.vague), thr, False):
            return event
    return None


def diff(
    state: State | None,
    obs: Observation,
    rules: Rules,
    key: Key | None = None,
    background: Sequence[Observation] = (),
    events: Sequence[PastEvent] = (),
) -> Decision:
    """Decide what `obs` (an article's statement for the key) means against
    `state`.  `key` defaults to `key_of(obs.figure)`; `background` is the same
    article's context values for the key, used only when there is no state;
    `events` are the key's recorded events near `obs` (the state holds only the
    latest): a window or batch report that agrees with one of them within
    `event_dedupe` is that event reported again, not a new one."""
    k = key if key is not None else state.key if state is not None else key_of(obs.figure)
    f = obs.figure
    if state is None:
        if f.scope is not Scope.TOTAL:
            alert = f.value >= rules.threshold(f.metric).absolute
            return Decision(
                Verdict.EVENT, Change(ChangeKind.EVENT, k, obs, None, alert), State.of(k, obs)
            )
        base = _baseline(k, obs, background, rules)
        if base is not None:
            kind = ChangeKind(_compare(base, obs, rules).value)
            return Decision(Verdict(kind.value), Change(kind, k, obs, base, True), State.of(k, obs))
        return Decision(
            Verdict.NEW, Change(ChangeKind.NEW, k, obs, None, rules.alert_new), State.of(k, obs)
        )

    verdict = _compare(state, obs, rules)
    if f.scope is not Scope.TOTAL and verdict is Verdict.CORROBORATION:
        gap = abs((obs.published - state.as_of).total_seconds())
        if gap > rules.event_dedupe:
            verdict = Verdict.EVENT  # the same number again, but days apart: a new event
    if f.scope is not Scope.TOTAL and verdict is Verdict.EVENT:
        again = same_event(obs, events, rules)
        if again is not None:  # an earlier event of the period, not the latest, again
            seen = Verdict.REPEAT if obs.outlet in again.outlets else Verdict.CORROBORATION
            return Decision(seen, None, None)
    older = obs.published < state.as_of
    if verdict is Verdict.CORROBORATION:
        verdict, new = _corroborate(state, obs)
        return Decision(verdict, None, None if new == state else new)
    if older:
        return Decision(Verdict.OLDER, None, None)
    if verdict is Verdict.MINOR:
        return Decision(Verdict.MINOR, None, None)
    if verdict is Verdict.CONFLICT:
        change = Change(ChangeKind.CONFLICT, k, obs, state, rules.alert_conflicts)
        return Decision(Verdict.CONFLICT, change, None)
    if verdict is Verdict.EVENT:
        alert = f.value >= rules.threshold(f.metric).absolute
        return Decision(
            Verdict.EVENT, Change(ChangeKind.EVENT, k, obs, state, alert), State.of(k, obs)
        )
    kind = ChangeKind(verdict.value)
    return Decision(verdict, Change(kind, k, obs, state, True), State.of(k, obs))
