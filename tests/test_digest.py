"""Digests: the schedule's arithmetic, the message, and held outbox rows in a real store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_charts import replay_seeds

from bot.delivery.digest import (
    HELD,
    DigestItem,
    DigestSchedule,
    compose_digest,
    digest_lines,
    digest_text,
    due_digests,
    is_due,
    mark_digest_sent,
    parse_schedule,
)
from bot.store import outbox as store_outbox
from figures.model import Metric, Qualifier, Scope, Unit


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# ---------------------------------------------------------------- the schedule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily 08:00", DigestSchedule(8, 0)),
        ("  Daily 8:05 ", DigestSchedule(8, 5)),
        ("daily 23:59 Asia/Damascus", DigestSchedule(23, 59, "Asia/Damascus")),
        ("daily 00:00 UTC", DigestSchedule(0, 0)),
    ],
    ids=["utc-default", "loose-spacing-one-digit-hour", "iana-zone", "explicit-utc"],
)
def test_parse_schedule(text: str, expected: DigestSchedule) -> None:
    assert parse_schedule(text) == expected
    assert parse_schedule(str(expected)) == expected  # str() is the setting's own syntax


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("weekly 08:00", "daily HH:MM"),
        ("daily 8", "daily HH:MM"),
        ("daily 24:00", "no such time"),
        ("daily 08:60", "no such time"),
        ("daily 08:00 Mars/Olympus", "unknown time zone"),
        ("", "daily HH:MM"),
    ],
    ids=["weekly", "no-minutes", "hour-24", "minute-60", "bad-zone", "empty"],
)
def test_bad_schedule_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("daily 08:00", utc(2019, 2, 12, 7, 59), utc(2019, 2, 12, 8, 0)),
        ("daily 08:00", utc(2019, 2, 12, 8, 0), utc(2019, 2, 13, 8, 0)),
        ("daily 08:00", utc(2019, 2, 12, 9, 0), utc(2019, 2, 13, 8, 0)),
        ("daily 00:00", utc(2018, 12, 31, 23, 0), utc(2019, 1, 1, 0, 0)),
        ("daily 08:00 Asia/Damascus", utc(2019, 2, 12, 5, 0), utc(2019, 2, 12, 6, 0)),
        ("daily 08:00 Asia/Damascus", utc(2019, 7, 12, 5, 0), utc(2019, 7, 13, 5, 0)),
        ("daily 01:00 Asia/Damascus", utc(2019, 2, 12, 22, 0), utc(2019, 2, 12, 23, 0)),
        ("daily 01:30 Europe/London", utc(2024, 3, 30, 12, 0), utc(2024, 3, 31, 1, 30)),
        ("daily 01:30 Europe/London", utc(2024, 10, 26, 12, 0), utc(2024, 10, 27, 0, 30)),
        ("daily 01:30 Europe/London", utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30)),
    ],
    ids=[
        "later-today",
        "exactly-now-is-tomorrow",
        "past-today",
        "new-year",
        "damascus-winter-utc+2",
        "damascus-summer-utc+3",
        "local-date-ahead-of-utc",
        "london-spring-gap-taken-after-the-jump",
        "london-autumn-twice-taken-first",
        "london-autumn-not-twice-in-a-night",
    ],
)
def test_next_due(schedule: str, after: datetime, expected: datetime) -> None:
    due = parse_schedule(schedule).next_due(after)
    assert due == expected
    assert due.tzinfo is not None and due.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (utc(2019, 2, 12, 8, 0), utc(2019, 2, 12, 20, 0), False),
        (utc(2019, 2, 12, 8, 0), utc(2019, 2, 13, 8, 0), True),
        (utc(2019, 2, 11, 9, 0), utc(2019, 2, 12, 7, 0), False),
        (utc(2019, 2, 1, 9, 0), utc(2019, 2, 12, 7, 0), True),
    ],
    ids=["sent-this-morning", "a-day-later", "made-after-yesterdays-time", "missed-days-once"],
)
def test_is_due(last: datetime, now: datetime, due: bool) -> None:
    assert is_due(parse_schedule("daily 08:00"), last, now) is due


# ---------------------------------------------------------------- composing


def item(
    value: float,
    *,
    kind: str = "increase",
    metric: Metric = Metric.DISPLACED,
    prev: float | None = None,
    outlet: str = "SOHR",
    day: int = 12,
    qualifier: Qualifier = Qualifier.EXACT,
    scope: Scope = Scope.TOTAL,
    window: str | None = None,
    since: str | None = "--12-01",
    unit: Unit = Unit.PERSON,
    sources: tuple[str, ...] = (),
    vague: bool = False,
    prev_vague: bool = False,
) -> DigestItem:
    return DigestItem(
        kind=kind,
        metric=metric,
        place="deir-ez-zor",
        scope=scope,
        window=window,
        since=since,
        unit=unit,
        value=value,
        qualifier=qualifier,
        vague=vague,
        prev_value=prev,
        prev_qualifier=Qualifier.EXACT if prev is not None else None,
        outlet=outlet,
        published=utc(2019, 2, day, 12),
        sources=sources,
        prev_vague=prev_vague,
    )


def area(value: float, prev: float | None, qualifier: Qualifier, day: int) -> DigestItem:
    kind = "new" if prev is None else "decrease"
    return item(
        value,
        kind=kind,
        metric=Metric.AREA_CONTROLLED,
        prev=prev,
        qualifier=qualifier,
        since=None,
        unit=Unit.KM2,
        day=day,
    )


@pytest.mark.parametrize(
    ("items", "lang", "lines", "wanted"),
    [
        (
            [item(36500, prev=30000, day=10), item(38550, prev=36500, day=12)],
            "en",
            1,
            ["Displaced", "since 1 Dec", "38,550", "was 30,000", "2 reports: SOHR"],
        ),
        (
            [area(2, 4, Qualifier.LESS_THAN, 12), area(1, 2, Qualifier.APPROX, 14)],
            "en",
            1,
            ["Area held", "about 1 km²", "was 4 km²"],
        ),
        (
            [item(38550, prev=36500), area(2, 4, Qualifier.LESS_THAN, 12)],
            "ar",
            2,
            ["النازحون", "٣٨٬٥٥٠", "كان ٣٦٬٥٠٠", "المساحة الخاضعة للسيطرة", "أقل من ٢ كم²"],
        ),
        (
            [item(38550, kind="new")],
            "en",
            1,
            ["38,550 (first report)"],
        ),
        (
            [item(38550, prev=36500), item(30000, kind="conflict", outlet="AFP Arabic", day=13)],
            "en",
            1,
            ["38,550", "conflicting report: 30,000", "2 reports: SOHR, AFP Arabic"],
        ),
        (
            [
                item(1500, kind="event", scope=Scope.WINDOW, window="48h", since=None, day=12),
                item(1200, kind="event", scope=Scope.WINDOW, window="48h", since=None, day=14),
            ],
            "en",
            1,
            ["in 48 hours", "1,200", "latest of 2 events"],
        ),
        (
            [item(38550, prev=36500, sources=("SOHR", "Middle East Online"))],
            "en",
            1,
            ["1 report: SOHR, Middle East Online"],
        ),
    ],
    ids=[
        "total-grew-twice",
        "territory-shrank",
        "arabic-two-series",
        "first-value",
        "conflict-alongside",
        "window-events",
        "corroborating-sources",
    ],
)
def test_compose_digest(items: list[DigestItem], lang: Any, lines: int, wanted: list[str]) -> None:
    plain = compose_digest(items, lang, html_mode=False)
    body = plain.splitlines()
    assert len(body) == 1 + lines  # a header, then one line per series
    assert all(line.startswith("• ") for line in body[1:])
    for text in wanted:
        assert text in plain
    rich = compose_digest(items, lang)
    assert rich.count("<b>") == rich.count("</b>") == 1 + 2 * lines  # title; name and value
    assert rich.replace("<b>", "").replace("</b>", "") == plain


def test_digest_header_counts_changes_and_names_the_period() -> None:
    items = [item(36500, prev=30000, day=10), item(38550, prev=36500, day=12)]
    since = utc(2019, 2, 9, 8)
    assert compose_digest(items, "en", since=since, html_mode=False).splitlines()[0] == (
        "Daily digest — 2 changes since 9 Feb 2019 08:00 UTC"
    )
    assert "الملخص اليومي" in compose_digest(items, "ar", since=since)


def test_digest_escapes_article_text() -> None:
    rich = compose_digest([item(5, prev=1, outlet="<i>Tom & Jerry</i>")], "en")
    assert "&lt;i&gt;Tom &amp; Jerry&lt;/i&gt;" in rich
    assert "<i>" not in rich


def test_series_are_in_metric_order() -> None:
    lines = digest_lines([area(2, 4, Qualifier.LESS_THAN, 12), item(38550, prev=36500)], "en")
    assert [line[0][0] for line in lines] == ["Displaced", "Area held"]


def test_nothing_to_say() -> None:
    assert compose_digest([], "en", html_mode=False).splitlines()[1] == "• No changes."


# ---------------------------------------------------------------- held rows in the real store


def held_rows(db: Any) -> int:
    """The outbox rows the pipeline wrote held for digest subscriptions."""
    row = db.execute(
        "select count(*) from outbox where status = ? and subscription_id in"
        " (select id from subscriptions where digest = 1)",
        [HELD],
    ).fetchone()
    return int(row[0])


def test_due_digests_over_the_replayed_seeds(tmp_path: Path) -> None:
    made = utc(2019, 2, 1, 12)
    db = replay_seeds(tmp_path / "raqib.db", digest_chats=("digest-chat",), now=made)
    held = held_rows(db)  # written held by the pipeline, never pending
    changes = db.execute("select count(*) from changes where alert = 1").fetchone()[0]
    assert held == changes > 0
    schedule = parse_schedule("daily 08:00")

    assert due_digests(db, schedule, utc(2019, 2, 2, 7, 59)) == []  # not yet 08:00
    [due] = due_digests(db, schedule, utc(2019, 2, 2, 8, 0))
    assert due.chat_id == "digest-chat"
    assert due.since == made
    assert len(due.outbox_ids) == held
    # the individual alerts are untouched for the other chat, and none for the digest chat
    pending = store_outbox.pending_outbox(db, "console", utc(2019, 2, 2, 8, 0), limit=1000)
    assert {row.chat_id for row in pending} == {"every-change"}

    items = [DigestItem.from_alert(store_outbox.change_for_alert(db, c)) for c in due.change_ids]  # type: ignore[arg-type]
    text = compose_digest(items, "en", since=due.since, html_mode=False)
    assert "38,550" in text and "Area held" in text
    assert len(text.splitlines()) == 1 + len({i.group for i in items})

    sent_at = utc(2019, 2, 2, 8, 0, 5)
    mark_digest_sent(db, due.outbox_ids, sent_at)
    assert due_digests(db, schedule, utc(2019, 2, 2, 20, 0)) == []  # sent today
    assert due_digests(db, schedule, utc(2019, 2, 3, 8, 0)) == []  # nothing new held
    statuses = {r[0] for r in db.execute("select status from outbox where chat_id = 'digest-chat'")}
    assert statuses == {"sent"}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, DigestSchedule(8, 0)),
        ("daily 19:30 Asia/Baghdad", DigestSchedule(19, 30, "Asia/Baghdad")),
    ],
    ids=["unset-is-0800-utc", "configured"],
)
def test_schedule_from_config(setting: str | None, expected: DigestSchedule) -> None:
    from bot.delivery.digest import schedule_from_config

    assert schedule_from_config(setting) == expected


@pytest.mark.parametrize(
    ("items", "lang", "wanted", "never"),
    [
        ([item(100, vague=True, day=12)], "en", ["hundreds (100+)", "1 report: SOHR"], ": 100 "),
        ([item(100, vague=True, day=12)], "ar", ["مئات (١٠٠+)"], ": ١٠٠ "),
        (
            [item(15000, prev=1000, prev_vague=True, qualifier=Qualifier.MORE_THAN)],
            "en",
            ["more than 15,000 (was thousands (1,000+))", "1 change"],
            "was 1,000)",
        ),
        (
            [item(10, vague=True, scope=Scope.WINDOW, window="2w", since=None)],
            "en",
            ["in 2 weeks", "tens (10+)"],
            "in 2w",
        ),
        ([item(100, vague=True, unit=Unit.KM2)], "en", ["100+ km²"], "100 km²"),
    ],
    ids=["hundreds-en", "hundreds-ar", "was-thousands", "window-in-weeks", "vague-area"],
)
def test_a_vague_figure_stays_vague_and_counts_read_right(
    items: list[DigestItem], lang: Any, wanted: list[str], never: str
) -> None:
    # before, the digest printed مئات as 100, "1 report(s)" and "in 2w"
    text = digest_text(items, lang).plain
    for piece in wanted:
        assert piece in text
    assert never not in text
