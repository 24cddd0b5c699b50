"""History rows → a series: the store's rows of one metric (`bot.store.db.history`)
made into the `ChartSeries` a chart draws (`series_from_history`), with the
reports as `ChartPoint`s, the state over time as `StateStep`s (the store's own
changes, or worked out from the reports by `state_steps` and `mark_conflicts`),
and the one key charted when the rows hold several (`pick_key`).  Pure data, no
matplotlib: `bot.render.charts` draws what this module builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bot.render.messages import place_name
from figures.model import Metric, Qualifier, Unit

Lang = Literal["ar", "en"]

UP_QUALIFIERS = frozenset({Qualifier.MORE_THAN, Qualifier.AT_LEAST})
DOWN_QUALIFIERS = frozenset({Qualifier.LESS_THAN, Qualifier.AT_MOST})
APPROX_SPREAD = 0.10
"""Half-width of the error bar drawn for an approximate value (±10 %)."""


# ---------------------------------------------------------------- the data


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One report of the figure, drawn as a dot."""

    time: datetime
    """When the article was published (timezone-aware; naive is taken as UTC)."""
    value: float
    """The value as stated, in the series' unit."""
    qualifier: Qualifier
    """The article's hedge on the number."""
    vague: bool
    """A quantity word (آلاف…): `value` is its floor."""
    outlet: str
    """Who reported it, as the outlet names itself (colour and legend)."""
    conflicting: bool = False
    """A lower total than the state at the time: drawn hollow."""
    context: bool = False
    """Cited only as background (not the article's own statement): drawn faded."""


@dataclass(frozen=True, slots=True)
class StateStep:
    """The state of the key from `time` on, until the next step."""

    time: datetime
    """When this value became the state."""
    value: float
    """The state's value."""
    qualifier: Qualifier = Qualifier.EXACT
    """The hedge of the report that set it."""
    vague: bool = False
    """That report gave a quantity word (its value is a floor)."""


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """Everything one chart shows: its title parts, the reports and the state."""

    metric: Metric
    """What is counted."""
    place: str | None
    """The place's display name in the chart's language, if the key has one."""
    since: str | None
    """Start of a running total as `--MM-DD`, if the key has one."""
    unit: Unit
    """Unit of every value."""
    points: tuple[ChartPoint, ...]
    """Every report, in any order."""
    steps: tuple[StateStep, ...] = ()
    """The state over time, in time order (empty: no step line)."""


# ---------------------------------------------------------------- from the store's history


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _time(value: object) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str) and value:
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    raise ValueError(f"expected an ISO 8601 time, got {value!r}")


def _flag(value: object) -> bool:
    return bool(value) and value not in ("0", "false", "False")


STATE_KINDS = frozenset({"new", "increase", "decrease"})
"""Change kinds (the store's `change_kind`) that move a total's or territory's state."""


def point_from_row(row: Mapping[str, Any]) -> ChartPoint:
    """One history row as a `ChartPoint` (the shape is `series_from_history`'s)."""
    status = str(row.get("status") or "statement")
    when = row.get("published") or row.get("observed_at") or row.get("fetched_at")
    conflicting = _flag(row.get("conflicting")) or "conflict" in (
        row.get("change_kind"),
        row.get("verdict"),
    )
    return ChartPoint(
        time=_time(when),
        value=float(row["value"]),
        qualifier=Qualifier(row.get("qualifier") or "exact"),
        vague=_flag(row.get("vague")),
        outlet=str(row.get("outlet") or row.get("source") or "?"),
        conflicting=conflicting,
        context=status == "context",
    )


def pick_key(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The series to chart when the rows hold several keys (a running total
    since 1 December, a 48-hour window…): the running total (`scope` total)
    with the most reports, the most recent on a tie; None if rows carry no key."""
    counts: dict[str, tuple[int, int, str]] = {}
    for r in rows:
        key = r.get("key")
        if not key:
            continue
        _, n, last = counts.get(key, (0, 0, ""))
        is_total = int((r.get("scope") or "total") == "total")
        counts[key] = (is_total, n + 1, max(last, str(r.get("published") or "")))
    if not counts:
        return None
    return max(counts, key=lambda k: counts[k])


def state_steps(points: Sequence[ChartPoint], metric: Metric) -> tuple[StateStep, ...]:
    """The state over time as the diff engine keeps it, from reports alone: a
    running total steps up on a higher report (a lower one is conflicting);
    territory follows the latest report either way.  Context mentions and
    reports marked conflicting never set the state."""
    steps: list[StateStep] = []
    for p in sorted(points, key=lambda p: _utc(p.time)):
        if p.context or p.conflicting:
            continue
        moved = not steps or (
            p.value != steps[-1].value if metric.is_territory else p.value > steps[-1].value
        )
        if moved:
            steps.append(StateStep(p.time, p.value, p.qualifier, p.vague))
    return tuple(steps)


def upper_bound(value: float, qualifier: Qualifier) -> float:
    """The top of the interval a hedged value stands for ("more than" is open)."""
    if qualifier in UP_QUALIFIERS:
        return float("inf")
    if qualifier == Qualifier.APPROX:
        return value * (1 + APPROX_SPREAD)
    return value


def mark_conflicts(points: Sequence[ChartPoint], metric: Metric) -> tuple[ChartPoint, ...]:
    """For a running total, mark as conflicting every statement whose interval
    lies wholly below the state at its time ("more than 38,000" never conflicts
    with 38,550); rows from the store may say so already."""
    if metric.is_territory:
        return tuple(points)
    out: list[ChartPoint] = []
    best = -float("inf")
    for p in sorted(points, key=lambda p: _utc(p.time)):
        if p.context or p.conflicting:
            pass
        elif upper_bound(p.value, p.qualifier) < best:
            p = ChartPoint(p.time, p.value, p.qualifier, p.vague, p.outlet, True, p.context)
        else:
            best = max(best, p.value)
        out.append(p)
    return tuple(out)


def series_from_history(
    rows: Iterable[Mapping[str, Any]],
    metric: Metric | str,
    place: str | None = None,
    lang: Lang = "en",
    *,
    key: str | None = None,
) -> ChartSeries:
    """A `ChartSeries` from the rows of `bot.store.db.history(db, metric, place)`.

    Each row is a mapping with:

    - `value` (number), `unit` (`person`, `km2`…), `qualifier` (`exact`,
      `more_than`…), `vague` (bool or 0/1);
    - `published`: the article's publication time (ISO 8601 text or datetime);
    - `outlet`: the outlet's name;
    - `status`: `statement` (the article's own figure), `context` (a further
      value cited as background) or `older` (older than the state on arrival);
    - optionally `key`, `scope`, `since`: the series; rows of other keys than
      `key` (default: `pick_key`) are left out;
    - optionally `change_kind` (`new`, `increase`, `decrease`, `conflict`,
      `event`) and `verdict` (diff's verdict, `conflict` included) or
      `conflicting` (bool): what the diff engine made of the report.

    With `change_kind` on the rows the state steps are the store's own changes
    (`new`/`increase`/`decrease`); without it they are worked out from the
    statements (`state_steps`, `mark_conflicts`).  Window and batch series are
    events and get no step line."""
    metric = Metric(metric)
    rows = list(rows)
    key = key or pick_key(rows)
    if key is not None:
        rows = [r for r in rows if r.get("key") == key]
    points = tuple(point_from_row(r) for r in rows)
    events = any((r.get("scope") or "total") != "total" for r in rows)
    if any("change_kind" in r for r in rows):
        steps = tuple(
            StateStep(p.time, p.value, p.qualifier)
            for r, p in zip(rows, points, strict=True)
            if r.get("change_kind") in STATE_KINDS
        )
        steps = tuple(sorted(steps, key=lambda s: _utc(s.time)))
    else:
        if not any("conflicting" in r or "verdict" in r for r in rows):
            points = mark_conflicts(points, metric)
        steps = state_steps(points, metric)
    units = {str(r["unit"]) for r in rows if r.get("unit")}
    unit = Unit(units.pop()) if len(units) == 1 else _default_unit(metric)
    since = next((str(r["since"]) for r in rows if r.get("since")), None)
    if place is None:  # the series chosen is one key, so one place: name it in the title
        place = next((str(r["place"]) for r in rows if r.get("place")), None)
    return ChartSeries(
        metric=metric,
        place=place_name(place, lang),
        since=since,
        unit=unit,
        points=points,
        steps=() if events else steps,
    )


def _default_unit(metric: Metric) -> Unit:
    return {
        Metric.AREA_CONTROLLED: Unit.KM2,
        Metric.SHARE_CONTROLLED: Unit.PERCENT,
        Metric.PLACES_CONTROLLED: Unit.PLACE,
    }.get(metric, Unit.PERSON)
