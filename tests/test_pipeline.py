"""The pipeline over hand-built articles: properties of order, duplicates and
age; subscriptions; source health and backoff."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from bot.config.schema import AlertsConfig, SourceConfig
from bot.delivery.digest import HELD, DigestSchedule, due_digests
from bot.ingest.pipeline import document_text, process_article, rules_from_config, sentence_around
from bot.ingest.poll import backoff, poll_source
from bot.ingest.subscriptions import lineage, matches
from bot.store import db as store
from bot.store import outbox as store_outbox
from bot.store import sources as store_sources
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from scrapers.files import FilesSource
from scrapers.model import Article, content_hash

RULES = rules_from_config(AlertsConfig())
T0 = datetime(2019, 1, 1, tzinfo=UTC)
OUTLETS = ("SOHR", "AFP", "Reuters")
_counter = itertools.count()


def make_article(
    figures: list[tuple[Metric, float, Qualifier, Scope]], day: float, outlet: str
) -> tuple[Article, list[Figure]]:
    """An article whose text states each figure in its own sentence."""
    parts, figs = [], []
    text = ""
    for metric, value, qualifier, scope in figures:
        quote = f"{value:g}"
        sentence = f"قال المصدر إن العدد بلغ {quote}. "
        start = len("عنوان\n\n") + len(text) + sentence.index(quote)
        text += sentence
        figs.append(
            Figure(
                metric=metric,
                value=value,
                unit=Unit.KM2 if metric.is_territory else Unit.PERSON,
                qualifier=qualifier,
                vague=False,
                scope=scope,
                window="48h" if scope is Scope.WINDOW else None,
                quote=quote,
                start=start,
                end=start + len(quote),
                place="deir-ez-zor",
                since="--12-01" if scope is Scope.TOTAL and not metric.is_territory else None,
            )
        )
        parts.append(quote)
    url = f"https://news.example/{next(_counter)}"
    art = Article(
        url=url,
        guid=url,
        title="عنوان",
        published=T0 + timedelta(days=day),
        source="t",
        text=text,
        content_hash=content_hash("عنوان", text),
        outlet=outlet,
    )
    assert all(document_text(art)[f.start : f.end] == f.quote for f in figs)
    return art, figs


# A consistent world: a running total that grows over time, an area that
# shrinks, and well-separated events, each reported by several outlets.
@st.composite
def consistent_articles(draw: st.DrawFn) -> list[tuple[Article, list[Figure]]]:
    days = draw(st.integers(min_value=2, max_value=5))
    total = 1000.0
    area = 40.0
    out = []
    for day in range(days):
        # steps are nil or past the threshold: a chain of sub-threshold steps
        # (3000, 3050, 3100) agrees link by link but not end to end, and then the
        # value kept depends on order (a known limit, see figures/diff.py)
        total += draw(st.sampled_from([0, 2000, 10000]))
        area = max(1.0, area - draw(st.sampled_from([0, 0.01, 10])))
        event = 100.0 * (day + 1)
        for outlet in draw(st.lists(st.sampled_from(OUTLETS), min_size=1, max_size=3, unique=True)):
            # no "about": ±10% can agree with both the old and the new total of a
            # rise reported the same hour, and then the sources kept depend on order
            hedge = draw(st.sampled_from([Qualifier.EXACT, Qualifier.MORE_THAN]))
            stated = total if hedge is not Qualifier.MORE_THAN else float(int(total * 0.99))
            rows = [
                (Metric.DISPLACED, stated, hedge, Scope.TOTAL),
                (Metric.AREA_CONTROLLED, area, Qualifier.EXACT, Scope.TOTAL),
                (Metric.DISPLACED, event, Qualifier.EXACT, Scope.WINDOW),
            ]
            hour = draw(st.integers(min_value=0, max_value=20))
            out.append(make_article(rows, day * 7 + hour / 24, outlet))
    return out


def run(db: Database, items: list[tuple[Article, list[Figure]]]) -> list[object]:
    return [process_article(db, a, RULES, found=f) for a, f in items]


def state_of(db: Database) -> dict[str, tuple[object, ...]]:
    return {
        r["key"]: (r["value"], r["qualifier"], r["as_of"], r["url"], r["sources"])
        for r in db.query("select * from state")
    }


SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(items=consistent_articles(), data=st.data())
def test_any_order_ends_in_the_same_state(tmp_path: Path, items: list, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(items))
    n = next(_counter)
    a = store.open_db(tmp_path / f"a{n}.db")
    b = store.open_db(tmp_path / f"b{n}.db")
    run(a, sorted(items, key=lambda x: x[0].published))
    run(b, list(shuffled))
    assert state_of(a) == state_of(b)


@SETTINGS
@given(items=consistent_articles(), pick=st.integers(min_value=0))
def test_duplicates_never_alert(tmp_path: Path, items: list, pick: int) -> None:
    db = store.open_db(tmp_path / f"d{next(_counter)}.db")
    run(db, items)
    before = (state_of(db), db.table("changes").count, db.table("observations").count)
    art, figs = items[pick % len(items)]
    result = process_article(db, art, RULES, found=figs)
    assert result.skipped and not result.changes
    assert (state_of(db), db.table("changes").count, db.table("observations").count) == before


@SETTINGS
@given(items=consistent_articles(), value=st.sampled_from([5.0, 500.0, 10**6]))
def test_older_articles_never_move_state(tmp_path: Path, items: list, value: float) -> None:
    db = store.open_db(tmp_path / f"o{next(_counter)}.db")
    run(db, items)
    before = {k: v[:4] for k, v in state_of(db).items()}
    rows = [
        (Metric.DISPLACED, value, Qualifier.EXACT, Scope.TOTAL),
        (Metric.AREA_CONTROLLED, value, Qualifier.EXACT, Scope.TOTAL),
        (Metric.DISPLACED, value, Qualifier.EXACT, Scope.WINDOW),
    ]
    art, figs = make_article(rows, -30, "Old News")
    result = process_article(db, art, RULES, found=figs)
    assert not result.changes
    after = {k: v[:4] for k, v in state_of(db).items()}
    assert after == before


def test_first_mention_is_the_statement_and_the_rest_is_context(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "c.db")
    rows = [
        (Metric.AREA_CONTROLLED, 2.0, Qualifier.LESS_THAN, Scope.TOTAL),
        (Metric.AREA_CONTROLLED, 4.0, Qualifier.EXACT, Scope.TOTAL),
    ]
    art, figs = make_article(rows, 0, "SOHR")
    (change,) = process_article(db, art, RULES, found=figs).changes
    assert change.change.kind.value == "decrease"
    assert change.change.previous is not None and change.change.previous.value == 4
    statuses = [r["status"] for r in db.query("select status from observations order by start")]
    assert statuses == ["statement", "context"]
    assert db.table("state").count == 1 and next(db.query("select value from state"))["value"] == 2


def test_change_and_outbox_rows_follow_the_filters(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "s.db")
    store_outbox.add_subscription(db, "console", "console")
    store_outbox.add_subscription(db, "telegram", "1", metrics=["displaced"])
    store_outbox.add_subscription(db, "telegram", "2", metrics=["killed"])
    store_outbox.add_subscription(db, "slack", "C3", places=["raqqa"])
    art, figs = make_article([(Metric.DISPLACED, 38550, Qualifier.EXACT, Scope.TOTAL)], 0, "SOHR")
    (change,) = process_article(db, art, RULES, found=figs).changes
    assert change.outbox_rows == 2
    chats = {r["chat_id"] for r in db.query("select chat_id from outbox")}
    assert chats == {"console", "1"}


@pytest.mark.parametrize(
    ("digest", "metrics", "status"),
    [
        (False, None, store_outbox.PENDING),
        (True, None, store_outbox.HELD),
        (True, ["displaced"], store_outbox.HELD),
        (True, ["killed"], None),
        (False, ["killed"], None),
    ],
    ids=["each-change-pending", "digest-held", "digest-filter-held", "digest-other", "other"],
)
def test_digest_subscriptions_get_held_rows_from_the_same_change(
    tmp_path: Path, digest: bool, metrics: list[str] | None, status: str | None
) -> None:
    db = store.open_db(tmp_path / "h.db")
    made = T0 - timedelta(days=1)
    every = store_outbox.add_subscription(db, "telegram", "1", now=made)
    sub = store_outbox.add_subscription(
        db, "telegram", "2", metrics=metrics, digest=digest, now=made
    )
    art, figs = make_article([(Metric.DISPLACED, 38550, Qualifier.EXACT, Scope.TOTAL)], 0, "SOHR")
    (change,) = process_article(db, art, RULES, now=T0, found=figs).changes
    rows = dict(
        db.execute("select subscription_id, status from outbox where change_id = ?", [change.id])
    )
    assert rows == {every: store_outbox.PENDING} | ({} if status is None else {sub: status})
    assert change.outbox_rows == len(rows)
    # the per-change delivery sees only the pending row; the digest, only the held one
    pending = [r.subscription_id for r in store_outbox.pending_outbox(db, "telegram", T0)]
    assert pending == [every] + ([sub] if status == store_outbox.PENDING else [])
    due = due_digests(db, DigestSchedule(8, 0), T0 + timedelta(days=1))
    assert [(d.subscription_id, d.change_ids) for d in due] == (
        [(sub, (change.id,))] if status == HELD else []
    )


def test_every_change_and_its_observation_point_at_each_other(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "l.db")
    for day, (total, area) in enumerate([(1000, 40), (1000, 40), (5000, 30), (2000, 30)]):
        rows = [
            (Metric.AREA_CONTROLLED, float(area), Qualifier.EXACT, Scope.TOTAL),
            (Metric.DISPLACED, float(total), Qualifier.EXACT, Scope.TOTAL),
            # background, context (the first article's area falls from it)
            (Metric.AREA_CONTROLLED, 45.0, Qualifier.EXACT, Scope.TOTAL),
        ]
        art, figs = make_article(rows, day, OUTLETS[day % 3])
        process_article(db, art, RULES, found=figs)
    changes = db.execute("select id, observation_id from changes order by id").fetchall()
    linked = db.execute(
        "select change_id, id from observations where change_id is not null order by change_id"
    ).fetchall()
    kinds = [r[0] for r in db.execute("select kind from changes order by id")]
    assert changes == linked and kinds == ["decrease", "new", "decrease", "increase", "conflict"]
    statuses = [r[0] for r in db.execute("select status from observations order by id")]
    assert statuses == ["statement", "statement", "context"] * 4


@pytest.mark.parametrize(
    ("metrics", "places", "expected"),
    [
        (None, None, True),
        (["displaced"], None, True),
        (["killed"], None, False),
        (None, ["deir-ez-zor"], True),
        (None, ["baghuz"], True),
        (None, ["raqqa"], False),
        (None, ["syria"], True),
    ],
    ids=["all", "metric", "other-metric", "governorate", "fine-place", "other-place", "country"],
)
def test_matches(metrics: list[str] | None, places: list[str] | None, expected: bool) -> None:
    parents = {"baghuz": "abu-kamal", "abu-kamal": "deir-ez-zor", "deir-ez-zor": "syria"}
    assert matches(metrics, places, "displaced", ("deir-ez-zor", "baghuz"), parents.get) is expected
    assert lineage("baghuz", parents.get) == ["baghuz", "abu-kamal", "deir-ez-zor", "syria"]


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, 900), (1, 1800), (3, 7200), (10, 86400), (50, 86400)],
    ids=["ok", "one", "three", "capped", "many"],
)
def test_backoff(failures: int, expected: float) -> None:
    assert backoff(900, failures) == expected


def test_sentence_around_marks_the_figure() -> None:
    text = "جملة أولى. وأحصى المرصد خروج 38550 شخصا منذ ديسمبر. جملة ثالثة."
    start = text.index("38550")
    sentence, s, e = sentence_around(text, start, start + 5)
    assert sentence.startswith("وأحصى") and sentence[s:e] == "38550"
    assert "أولى" not in sentence and "ثالثة" not in sentence


def test_a_sentence_cut_at_the_limit_is_cut_between_words_and_says_so() -> None:
    # before, the stored quote began and ended inside a word, with nothing to say it was cut
    text = "كلمات كثيرة " * 40 + "خروج 38550 شخصا " + "وكلمات أخرى " * 40
    start = text.index("38550")
    sentence, s, e = sentence_around(text, start, start + 5)
    assert sentence[s:e] == "38550"
    assert sentence.startswith("…") and sentence.endswith("…")
    words = set(text.split())
    assert all(w in words for w in sentence.strip("…").split())


@pytest.mark.parametrize(
    ("setup", "error", "empty"),
    [("ok", False, False), ("missing", True, False), ("empty", False, True)],
    ids=["ok", "missing-folder", "empty-folder"],
)
async def test_poll_source_records_health(
    tmp_path: Path, setup: str, error: bool, empty: bool
) -> None:
    folder = tmp_path / "articles"
    if setup != "missing":
        folder.mkdir()
    if setup == "ok":
        (folder / "a.txt").write_text("عنوان\n\nنص الخبر عن النزوح.", encoding="utf-8")
    db = store.open_db(tmp_path / "h.db")
    source = FilesSource(SourceConfig.of(name="local", kind="files", path=str(folder)))
    now = datetime(2020, 1, 1, tzinfo=UTC)
    result = await poll_source(db, source, 600, RULES, now=lambda: now)
    health = store_sources.source_health(db, "local")
    assert (result.error is not None) is error
    assert result.empty_content is empty and health.empty_content is empty
    assert health.consecutive_failures == int(error)
    assert health.next_due == now + timedelta(seconds=1200 if error else 600)
    assert db.table("articles").count == (1 if setup == "ok" else 0)


@pytest.mark.parametrize(
    ("reports", "events"),
    [
        ([(1296, 0, "SOHR"), (500, 3, "SOHR"), (1296, 6, "AFP")], [1296, 500]),
        ([(1296, 0, "SOHR"), (500, 3, "SOHR"), (1296, 6, "SOHR")], [1296, 500]),
        ([(1296, 0, "SOHR"), (500, 3, "SOHR"), (1300, 6, "AFP")], [1296, 500]),
        ([(1296, 0, "SOHR"), (500, 3, "SOHR"), (800, 6, "AFP")], [1296, 500, 800]),
        ([(1296, 0, "SOHR"), (500, 24 * 2, "SOHR"), (1296, 24 * 4, "AFP")], [1296, 500, 1296]),
        ([(1296, 0, "SOHR"), (1296, 24 * 4, "AFP")], [1296, 1296]),
    ],
    ids=[
        "same-value-after-another-event-same-day",
        "same-outlet-again",
        "within-threshold",
        "a-third-value-is-a-new-event",
        "four-days-apart-is-a-new-event",
        "latest-four-days-apart",
    ],
)
def test_an_event_is_one_event_within_event_dedupe(
    tmp_path: Path, reports: list[tuple[float, float, str]], events: list[float]
) -> None:
    # before, only the key's latest event was compared: 1296, 500, 1296 alerted three times
    db = store.open_db(tmp_path / "e.db")
    store_outbox.add_subscription(db, "telegram", "1")
    for value, hours, outlet in reports:
        art, figs = make_article(
            [(Metric.DISPLACED, value, Qualifier.EXACT, Scope.WINDOW)], 0, outlet
        )
        art = dataclasses.replace(art, published=T0 + timedelta(hours=hours))
        process_article(db, art, RULES, found=figs)
    made = [r[0] for r in db.execute("select value from changes where kind = 'event' order by id")]
    assert made == events
    assert db.table("outbox").count == len(events)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # a country-wide toll keys at the country, not at the headline's city
        ("غارات على حلب\n\nوقالت الوزارة إن عدد القتلى في عموم سوريا ارتفع إلى 500 قتيل.", "syria"),
        # refugees key where they are
        ("أوضاع السوريين\n\nيقيم نحو 1.5 مليون لاجئ سوري في لبنان بحسب المفوضية.", "lebanon"),
        # a town of North Darfur keys at its state, not at Darfur as a whole
        ("معارك في دارفور\n\nقتل 40 مدنيا في قصف على مدينة الفاشر.", "north-darfur"),
        # a toll over two countries keys nowhere, whatever the text names most
        ("زلزال في تركيا\n\nأودى الزلزال بحياة أكثر من 5 آلاف شخص في سوريا وتركيا.", None),
    ],
)
def test_the_key_place_follows_the_figure_place(
    tmp_path: Path, text: str, place: str | None
) -> None:
    db = store.open_db(tmp_path / "k.db")
    url = f"https://news.example/{next(_counter)}"
    art = Article(
        url=url,
        guid=url,
        title="",
        published=T0,
        source="t",
        text=text,
        content_hash=content_hash("", text),
    )
    result = process_article(db, art, RULES, now=T0)
    assert result.changes
    assert {c.change.key.place for c in result.changes} == {place}
