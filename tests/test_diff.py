"""The diff rules, one row per rule: state + observation → verdict and change."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from figures.diff import (
    ChangeKind,
    Key,
    Observation,
    PastEvent,
    Role,
    Rules,
    State,
    Threshold,
    Verdict,
    diff,
    interval,
    key_of,
    plan_article,
    top_place,
)
from figures.gazetteer import Entry
from figures.model import Figure, Metric, Qualifier, Scope, Unit

T0 = datetime(2019, 2, 12, 12, tzinfo=UTC)
RULES = Rules(
    thresholds={
        "default": Threshold(1, 0.02),
        "area_controlled": Threshold(0.1, 0.1),
    }
)
Q = Qualifier


def fig(
    value: float,
    qualifier: Qualifier = Q.EXACT,
    *,
    metric: Metric = Metric.DISPLACED,
    scope: Scope = Scope.TOTAL,
    window: str | None = None,
    vague: bool = False,
    since: str | None = "--12-01",
    start: int = 0,
    unit: Unit | None = None,
) -> Figure:
    if unit is None:
        unit = Unit.KM2 if metric is Metric.AREA_CONTROLLED else Unit.PERSON
    return Figure(
        metric=metric,
        value=value,
        unit=unit,
        qualifier=qualifier,
        vague=vague,
        scope=scope,
        window=window,
        quote=f"{value:g}",
        start=start,
        end=start + 5,
        place="deir-ez-zor",
        since=since if scope is Scope.TOTAL else None,
    )


def obs(f: Figure, outlet: str = "AFP", hours: float = 0, url: str | None = None) -> Observation:
    when = T0 + timedelta(hours=hours)
    return Observation(f, url or f"https://x/{outlet}/{hours}", "t", "src", outlet, when)


def state(f: Figure, outlet: str = "SOHR", hours: float = 0) -> State:
    o = obs(f, outlet, hours)
    return State.of(key_of(f), o)


AREA = Metric.AREA_CONTROLLED

# (id, state figure or None, observation figure, hours after the state, outlet, verdict, kind)
CASES = [
    ("first-total-is-new", None, fig(38550), 0, "SOHR", Verdict.NEW, ChangeKind.NEW),
    (
        "rise-past-threshold",
        fig(36000),
        fig(38550),
        24,
        "SOHR",
        Verdict.INCREASE,
        ChangeKind.INCREASE,
    ),
    (
        "rise-within-threshold-corroborates",
        fig(38550),
        fig(38600),
        24,
        "AFP",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "weaker-later-report-is-minor",
        fig(15000, Q.MORE_THAN),
        fig(1000, vague=True),
        24,
        "AFP",
        Verdict.MINOR,
        None,
    ),
    (
        "exact-then-more-than-corroborates",
        fig(38550),
        fig(38000, Q.MORE_THAN),
        48,
        "AFP",
        Verdict.CORROBORATION,
        None,
    ),
    ("same-outlet-same-value-repeats", fig(38550), fig(38550), 48, "SOHR", Verdict.REPEAT, None),
    (
        "lower-total-is-conflict",
        fig(38550),
        fig(20000),
        24,
        "AFP",
        Verdict.CONFLICT,
        ChangeKind.CONFLICT,
    ),
    (
        "open-state-rises-from-its-low",
        fig(15000, Q.MORE_THAN),
        fig(38550),
        24,
        "SOHR",
        Verdict.INCREASE,
        ChangeKind.INCREASE,
    ),
    (
        "open-state-small-rise-corroborates",
        fig(38000, Q.MORE_THAN),
        fig(38550),
        24,
        "MEO",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "approx-overlaps-exact",
        fig(1500, Q.APPROX),
        fig(1600),
        24,
        "AFP",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "vague-thousands-then-number-rises",
        fig(1000, vague=True),
        fig(15000, Q.MORE_THAN),
        24,
        "AFP",
        Verdict.INCREASE,
        ChangeKind.INCREASE,
    ),
    ("older-higher-goes-to-history", fig(15000), fig(38550), -24, "SOHR", Verdict.OLDER, None),
    (
        "older-agreeing-corroborates",
        fig(38000, Q.MORE_THAN),
        fig(38550),
        -24,
        "MEO",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "territory-shrinks",
        fig(4, metric=AREA),
        fig(2, Q.LESS_THAN, metric=AREA),
        24,
        "SOHR",
        Verdict.DECREASE,
        ChangeKind.DECREASE,
    ),
    (
        "territory-shrinks-again",
        fig(2, Q.LESS_THAN, metric=AREA),
        fig(1, Q.APPROX, metric=AREA),
        48,
        "MEO",
        Verdict.DECREASE,
        ChangeKind.DECREASE,
    ),
    (
        "territory-grows",
        fig(1, metric=AREA),
        fig(4, metric=AREA),
        24,
        "SOHR",
        Verdict.INCREASE,
        ChangeKind.INCREASE,
    ),
    (
        "territory-within-threshold",
        fig(4, metric=AREA),
        fig(4.2, Q.APPROX, metric=AREA),
        24,
        "AFP",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "first-window-is-event",
        None,
        fig(1500, Q.APPROX, scope=Scope.WINDOW, window="48h"),
        0,
        "SOHR",
        Verdict.EVENT,
        ChangeKind.EVENT,
    ),
    (
        "same-window-value-within-dedupe",
        fig(1500, Q.APPROX, scope=Scope.WINDOW, window="48h"),
        fig(1500, Q.AT_LEAST, scope=Scope.WINDOW, window="48h"),
        44,
        "MEO",
        Verdict.CORROBORATION,
        None,
    ),
    (
        "same-window-value-days-later-is-new-event",
        fig(1500, Q.APPROX, scope=Scope.WINDOW, window="48h"),
        fig(1500, Q.APPROX, scope=Scope.WINDOW, window="48h"),
        24 * 5,
        "SOHR",
        Verdict.EVENT,
        ChangeKind.EVENT,
    ),
    (
        "other-batch-is-event",
        fig(350, Q.MORE_THAN, scope=Scope.BATCH),
        fig(240, Q.APPROX, scope=Scope.BATCH),
        48,
        "SOHR",
        Verdict.EVENT,
        ChangeKind.EVENT,
    ),
    (
        "older-other-batch-is-history",
        fig(350, Q.MORE_THAN, scope=Scope.BATCH),
        fig(240, Q.APPROX, scope=Scope.BATCH),
        -48,
        "SOHR",
        Verdict.OLDER,
        None,
    ),
]


@pytest.mark.parametrize(
    ("before", "after", "hours", "outlet", "verdict", "kind"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_diff_rules(
    before: Figure | None,
    after: Figure,
    hours: float,
    outlet: str,
    verdict: Verdict,
    kind: ChangeKind | None,
) -> None:
    old = state(before) if before is not None else None
    decision = diff(old, obs(after, outlet, hours), RULES)
    assert decision.verdict is verdict
    assert (decision.change.kind if decision.change else None) is kind
    if verdict in (Verdict.OLDER, Verdict.MINOR, Verdict.CONFLICT):
        assert decision.state is None  # the state does not move
    if verdict is Verdict.REPEAT:  # at most re-dated; nothing else moves
        assert old is not None
        assert decision.state is None or decision.state.sources == old.sources
    if verdict in (Verdict.NEW, Verdict.INCREASE, Verdict.DECREASE, Verdict.EVENT):
        assert decision.state is not None
        assert decision.state.value == after.value
        assert decision.state.sources == (outlet,)
    if verdict is Verdict.CORROBORATION:
        assert decision.state is not None and old is not None
        assert set(decision.state.sources) == {*old.sources, outlet}
        assert decision.state.as_of == max(old.as_of, T0 + timedelta(hours=hours))


def test_corroboration_keeps_the_more_precise_figure_whatever_the_order() -> None:
    exact, open_ = fig(38550), fig(38000, Q.MORE_THAN)
    a = diff(state(exact, "SOHR", 0), obs(open_, "AFP", 48), RULES).state
    b = diff(state(open_, "AFP", 48), obs(exact, "SOHR", 0), RULES).state
    assert a is not None and b is not None
    assert (a.value, a.qualifier, a.sources, a.as_of) == (b.value, b.qualifier, b.sources, b.as_of)
    assert a.value == 38550 and a.qualifier is Q.EXACT


@pytest.mark.parametrize(
    ("new_alert", "conflict_alert"), [(True, False), (False, True)], ids=["default", "inverted"]
)
def test_rules_gate_alerts_for_new_and_conflicts(new_alert: bool, conflict_alert: bool) -> None:
    rules = Rules(thresholds=RULES.thresholds, alert_new=new_alert, alert_conflicts=conflict_alert)
    first = diff(None, obs(fig(38550)), rules)
    lower = diff(state(fig(38550)), obs(fig(20000), hours=5), rules)
    assert first.change is not None and first.change.alert is new_alert
    assert lower.change is not None and lower.change.alert is conflict_alert


def test_background_gives_a_first_statement_its_previous_value() -> None:
    now_ = obs(fig(2, Q.LESS_THAN, metric=AREA, start=10), "SOHR")
    same = obs(fig(2, Q.AT_MOST, metric=AREA, start=400), "SOHR")
    before = obs(fig(4, metric=AREA, start=900), "SOHR")
    decision = diff(None, now_, RULES, background=[same, before])
    assert decision.change is not None
    assert decision.change.kind is ChangeKind.DECREASE
    assert decision.change.previous is not None and decision.change.previous.value == 4
    assert decision.state is not None and decision.state.value == 2


def test_plan_article_first_mention_is_the_statement() -> None:
    a = obs(fig(2, Q.LESS_THAN, metric=AREA, start=900))
    b = obs(fig(4, metric=AREA, start=10))
    c = obs(fig(38550, start=500))
    plan = plan_article([(key_of(x.figure), x) for x in (a, b, c)])
    roles = {p[1].figure.value: p[2] for p in plan}
    assert roles == {4: Role.STATEMENT, 38550: Role.STATEMENT, 2: Role.CONTEXT}
    assert [p[1].figure.start for p in plan] == [10, 500, 900]


@pytest.mark.parametrize(
    ("qualifier", "vague", "expected"),
    [
        (Q.EXACT, False, (100, 100)),
        (Q.APPROX, False, (90, 110)),
        (Q.MORE_THAN, False, (100, math.inf)),
        (Q.AT_LEAST, False, (100, math.inf)),
        (Q.LESS_THAN, False, (0, 100)),
        (Q.AT_MOST, False, (0, 100)),
        (Q.EXACT, True, (100, math.inf)),
    ],
    ids=["exact", "approx", "more-than", "at-least", "less-than", "at-most", "vague"],
)
def test_interval(qualifier: Qualifier, vague: bool, expected: tuple[float, float]) -> None:
    low, high = interval(100, qualifier, vague)
    assert low == pytest.approx(expected[0]) and high == pytest.approx(expected[1])


def test_keys_separate_series() -> None:
    total = key_of(fig(38550))
    window = key_of(fig(1500, scope=Scope.WINDOW, window="48h"))
    other_since = key_of(fig(36500, since="--12-19"))
    households = key_of(fig(500, unit=Unit.HOUSEHOLD))
    assert len({total, window, other_since, households}) == 4
    party_count = Figure(**{**_fields(fig(240)), "party": "is"})
    assert key_of(party_count).party is None  # counts of people: party left out
    party_area = Figure(**{**_fields(fig(2, metric=AREA)), "party": "is"})
    assert key_of(party_area).party == "is"


def test_top_place_lifts_to_governorate() -> None:
    table = {
        "syria": Entry("syria", "Syria", "سوريا", "country"),
        "deir-ez-zor": Entry("deir-ez-zor", "Deir ez-Zor", "دير الزور", "governorate", "syria"),
        "abu-kamal": Entry("abu-kamal", "Abu Kamal", "البوكمال", "district", "deir-ez-zor"),
        "baghuz": Entry("baghuz", "Baghuz", "الباغوز", "town", "abu-kamal"),
    }
    assert top_place("baghuz", table.get) == "deir-ez-zor"
    assert top_place("deir-ez-zor", table.get) == "deir-ez-zor"
    assert top_place("syria", table.get) == "syria"
    assert top_place("nowhere", table.get) == "nowhere"
    assert top_place(None, table.get) is None


def test_top_place_stops_at_the_governorate_under_a_region() -> None:
    """El Fasher keys at North Darfur (SD-DN), not at Darfur as a whole, which
    keeps its own series; a town of the Gaza Strip keys at the Strip."""
    table = {
        "sudan": Entry("sudan", "Sudan", "السودان", "country"),
        "darfur": Entry("darfur", "Darfur", "دارفور", "region", "sudan"),
        "north-darfur": Entry("north-darfur", "North Darfur", "", "governorate", "darfur"),
        "el-fasher": Entry("el-fasher", "El Fasher", "الفاشر", "city", "north-darfur"),
        "palestine": Entry("palestine", "Palestine", "فلسطين", "country"),
        "gaza-strip": Entry("gaza-strip", "Gaza Strip", "قطاع غزة", "region", "palestine"),
        "rafah": Entry("rafah", "Rafah", "رفح", "city", "gaza-strip"),
    }
    assert top_place("el-fasher", table.get) == "north-darfur"
    assert top_place("darfur", table.get) == "darfur"
    assert top_place("rafah", table.get) == "gaza-strip"


def _fields(f: Figure) -> dict[str, object]:
    return {name: getattr(f, name) for name in Figure.__dataclass_fields__}


def test_key_label_is_readable() -> None:
    k = Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, "--12-01")
    assert k.label() == "displaced total since --12-01 @deir-ez-zor"


def test_an_event_reported_again_after_another_is_not_new() -> None:
    # the state holds only the latest event (500); the 1296 of the same day is passed in
    first = fig(1296, scope=Scope.WINDOW, window="24h")
    latest = state(fig(500, scope=Scope.WINDOW, window="24h"), hours=3)
    again = obs(first, outlet="AFP", hours=6)
    assert diff(latest, again, RULES).verdict is Verdict.EVENT  # the latest alone: new
    past = [PastEvent(1296, Q.EXACT, False, T0, ("SOHR",)), PastEvent(500, Q.EXACT, False, T0)]
    decision = diff(latest, again, RULES, events=past)
    assert (decision.verdict, decision.change, decision.state) == (
        Verdict.CORROBORATION,
        None,
        None,
    )
    repeat = diff(latest, obs(first, outlet="SOHR", hours=6), RULES, events=past)
    assert repeat.verdict is Verdict.REPEAT
    late = diff(latest, obs(first, outlet="AFP", hours=24 * 4), RULES, events=past)
    assert late.verdict is Verdict.EVENT  # past event_dedupe: a new event
