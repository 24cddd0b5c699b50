"""The store: connection settings, migrations, the outbox and alert queries."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.schema import AlertsConfig
from bot.ingest.pipeline import document_text, process_article, rules_from_config
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
from bot.store import sources as store_sources
from figures.diff import Key, State
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from scrapers.model import Article, content_hash

NOW = datetime(2019, 2, 14, 9, tzinfo=UTC)
RULES = rules_from_config(AlertsConfig())
TEXT = "وأحصى المرصد خروج أكثر من 38 ألف شخص منذ مطلع كانون الأول. وقال آخرون غير ذلك."
QUOTE = "أكثر من 38 ألف شخص"


def article(text: str = TEXT, url: str = "https://news.example/a1") -> Article:
    return Article(
        url=url,
        guid=url,
        title="عنوان",
        published=datetime(2019, 2, 14, 8, tzinfo=UTC),
        source="test",
        text=text,
        content_hash=content_hash("عنوان", text),
        outlet="AFP",
    )


def figure(quote: str = QUOTE, value: float = 38000) -> Figure:
    """Offsets are in the analysed text: the headline, then the article's text."""
    start = document_text(article()).index(quote)
    return Figure(
        metric=Metric.DISPLACED,
        value=value,
        unit=Unit.PERSON,
        qualifier=Qualifier.MORE_THAN,
        vague=False,
        scope=Scope.TOTAL,
        window=None,
        quote=quote,
        start=start,
        end=start + len(quote),
        place="deir-ez-zor",
        since="--12-01",
    )


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("synchronous", 1),
        ("foreign_keys", 1),
        ("busy_timeout", 10000),
        ("cache_size", -store.CACHE_KIB),
    ],
    ids=["wal", "synchronous-normal", "foreign-keys", "busy-timeout", "cache-size"],
)
def test_every_connection_is_configured(tmp_path: Path, pragma: str, expected: object) -> None:
    store.open_db(tmp_path / "a.db").close()
    db = store.connect(tmp_path / "a.db")  # a second, later connection
    assert db.execute(f"pragma {pragma}").fetchone()[0] == expected


def test_a_database_at_migration_one_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = store.open_db(path, stop_before="m002_chats_health_indexes")
    assert not old.table("chats").exists()
    assert "empty_content" not in old.table("sources").columns_dict
    with store.write(old):
        old.table("sources").insert({"name": "sohr", "enabled": 1, "consecutive_failures": 2})
        old.table("subscriptions").insert(
            {"transport": "telegram", "chat_id": "42", "active": 1, "lang": "ar"}
        )
    old.close()
    db = store.open_db(path)
    assert db.table("chats").exists()
    assert db.table("sources").get("sohr")["consecutive_failures"] == 2
    assert db.table("sources").get("sohr")["empty_content"] == 0
    assert db.table("subscriptions").count == 1
    applied = [m.name for m in store.migrations.applied(db)]
    assert applied == [
        "m001_initial",
        "m002_chats_health_indexes",
        "m003_history_order_index",
        "m004_state_order_outbox_subscription",
        "m005_drop_unread_indexes",
        "m006_outbox_one_row_per_chat",
        "m007_change_sources_and_events",
    ]
    store.open_db(path)  # opening again applies nothing and fails nothing


def as_of_old(
    old: store.Database, tmp_path: Path, fill: Callable[[store.Database], object]
) -> None:
    """Rows as today's pipeline writes them (`fill` on a database of today), copied into the
    older database `old` with the columns it has: an older release's data."""
    new = store.open_db(tmp_path / f"new-{len(list(tmp_path.iterdir()))}.db")
    fill(new)
    for table in ("sources", "articles", "changes", "observations", "state", "subscriptions"):
        columns = set(old.table(table).columns_dict)
        old.table(table).insert_all(
            ({k: v for k, v in row.items() if k in columns} for row in new.table(table).rows),
            pk=old.table(table).pks[0],
        )
    columns = set(old.table("outbox").columns_dict)
    old.table("outbox").insert_all(
        {k: v for k, v in row.items() if k in columns} for row in new.table("outbox").rows
    )
    new.close()


def test_a_database_at_migration_three_upgrades_with_its_state_and_outbox(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = store.open_db(path, stop_before="m004_state_order_outbox_subscription")

    def fill(db: store.Database) -> None:
        store_outbox.add_subscription(db, "console", "console")
        process_article(db, article(), RULES, now=NOW, found=[figure()])

    as_of_old(old, tmp_path, fill)
    before = list(old.query("select * from state"))
    old.close()
    db = store.open_db(path)
    assert list(db.query("select * from state")) == before
    assert store_figures.totals(db) == before and db.table("outbox").count == 1
    plan = db.execute("explain query plan " + store_figures._TOTALS.format(where="")).fetchall()
    assert "TEMP B-TREE" not in " ".join(str(step[-1]) for step in plan)


def test_write_rolls_back_everything_on_error(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    with pytest.raises(RuntimeError), store.write(db):
        db.table("settings").insert({"key": "x", "value": "1"})
        raise RuntimeError("boom")
    assert db.table("settings").count == 0


def test_an_outbox_row_needs_its_change(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    sub = store_outbox.add_subscription(db, "console", "console")
    with pytest.raises(sqlite3.IntegrityError), store.write(db):
        db.table("outbox").insert(
            {"change_id": 999, "subscription_id": sub, "transport": "console", "chat_id": "c"}
        )


def test_outbox_lifecycle_and_alert_view(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    tg = store_outbox.add_subscription(db, "telegram", "-100", places=["deir-ez-zor"])
    store_outbox.add_subscription(db, "slack", "C1", metrics=["killed"])  # does not match
    result = process_article(db, article(), RULES, now=NOW, found=[figure()])
    (change,) = result.changes
    assert change.outbox_rows == 1
    (row,) = store_outbox.pending_outbox(db, "telegram", NOW)
    assert (row.chat_id, row.change_id, row.subscription_id) == ("-100", change.id, tg)
    assert store_outbox.pending_outbox(db, "slack", NOW) == []

    view = store_outbox.change_for_alert(db, change.id)
    assert view is not None
    assert view.kind == "new" and view.value == 38000 and view.qualifier is Qualifier.MORE_THAN
    assert view.quote[view.quote_start : view.quote_end] == QUOTE
    assert QUOTE in view.quote and len(view.quote) > len(QUOTE)
    assert (view.outlet, view.url, view.sources) == ("AFP", "https://news.example/a1", ("AFP",))
    assert view.key == Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, "--12-01")

    store_outbox.mark_retry(db, row.id, "timeout", NOW + timedelta(minutes=5))
    assert store_outbox.pending_outbox(db, "telegram", NOW) == []
    (again,) = store_outbox.pending_outbox(db, "telegram", NOW + timedelta(minutes=5))
    assert again.attempts == 1
    store_outbox.mark_sent(db, row.id, NOW + timedelta(minutes=6))
    assert store_outbox.pending_outbox(db, "telegram", NOW + timedelta(days=1)) == []
    assert db.table("outbox").get(row.id)["status"] == "sent"


def test_deactivating_a_digest_subscription_kills_its_held_rows(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    digest = store_outbox.add_subscription(db, "telegram", "-7", digest=True)
    other = store_outbox.add_subscription(db, "telegram", "-8", digest=True)
    process_article(db, article(), RULES, now=NOW, found=[figure()])
    store_outbox.deactivate_subscription(db, digest, "unsubscribed")
    rows = db.execute("select subscription_id, status, last_error from outbox order by id")
    by_sub = {sub: (status, error) for sub, status, error in rows}
    assert by_sub[digest] == ("dead", "subscription deactivated: unsubscribed")
    assert by_sub[other] == (store_outbox.HELD, None)


def test_deactivate_and_move_chat(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    a = store_outbox.add_subscription(db, "telegram", "-1")
    store_outbox.add_subscription(db, "telegram", "-2")
    process_article(db, article(), RULES, now=NOW, found=[figure()])
    store_outbox.move_chat(db, "telegram", "-2", "-1002")
    assert {r.chat_id for r in store_outbox.pending_outbox(db, "telegram", NOW)} == {"-1", "-1002"}
    store_outbox.deactivate_subscription(db, a, "blocked by the user")
    assert [r.chat_id for r in store_outbox.pending_outbox(db, "telegram", NOW)] == ["-1002"]
    assert [s.chat_id for s in store_outbox.active_subscriptions(db)] == ["-1002"]
    dead = db.execute("select status, last_error from outbox where chat_id = '-1'").fetchone()
    assert dead[0] == "dead" and "blocked" in dead[1]
    (row,) = store_outbox.pending_outbox(db, "telegram", NOW)
    store_outbox.mark_dead(db, row.id, "400 chat not found")
    assert store_outbox.pending_outbox(db, "telegram", NOW) == []


@pytest.mark.parametrize(
    ("transport", "lang"), [("fax", "en"), ("telegram", "fr")], ids=["transport", "lang"]
)
def test_bad_subscription_is_refused(tmp_path: Path, transport: str, lang: str) -> None:
    db = store.open_db(tmp_path / "a.db")
    with pytest.raises(ValueError, match=transport if transport == "fax" else lang):
        store_outbox.add_subscription(db, transport, "1", lang=lang)
    assert db.table("subscriptions").count == 0


def test_key_text_round_trips() -> None:
    k = Key(Metric.AREA_CONTROLLED, "deir-ez-zor", "is", Scope.TOTAL, None, None, Unit.KM2)
    assert store.key_from_text(store.key_text(k)) == k


def test_record_poll_counts_failures_and_resets(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    for i in range(3):
        store_sources.record_poll(db, "s", now=NOW, next_due=NOW + timedelta(hours=i), error="503")
    assert store_sources.source_health(db, "s").consecutive_failures == 3
    store_sources.record_poll(db, "s", now=NOW, next_due=NOW, validators={"etag": '"x"'})
    health = store_sources.source_health(db, "s")
    assert health.consecutive_failures == 0 and health.validators == {"etag": '"x"'}
    assert health.last_success == NOW and health.last_error == "503"


@pytest.mark.parametrize(
    ("place", "rows"), [("deir-ez-zor", 1), ("raqqa", 0), (None, 1)], ids=["place", "other", "all"]
)
def test_history_and_totals_by_place(tmp_path: Path, place: str | None, rows: int) -> None:
    db = store.open_db(tmp_path / "a.db")
    process_article(db, article(), RULES, now=NOW, found=[figure()])
    history = store_figures.history(db, "displaced", place)
    assert len(history) == rows and len(store_figures.totals(db, place)) == rows
    if rows:
        assert history[0]["change_kind"] == "new" and history[0]["status"] == "statement"


def state(key: Key, value: float, day: int, outlets: tuple[str, ...] = ("SOHR",)) -> State:
    moment = datetime(2019, 2, day, 12, tzinfo=UTC)
    return State(
        key=key,
        value=value,
        unit=key.unit,
        qualifier=Qualifier.MORE_THAN if value > 100 else Qualifier.EXACT,
        vague=value == 1000,
        low=value,
        high=math.inf if value > 100 else value,
        as_of=moment,
        url=f"https://news.example/{value:g}",
        stated_at=moment,
        quote=f"أكثر من {value:g}",
        outlet=outlets[0],
        sources=outlets,
    )


# keys in an order unlike the display order, with ties on (metric, place,
# scope, window, since) that differ in party or unit (first seen comes first)
KEYS = [
    Key(Metric.KILLED, "raqqa", None, Scope.WINDOW, "48h", None),
    Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, "--12-01"),
    Key(Metric.BESIEGED, "deir-ez-zor", None, Scope.TOTAL, None, None, Unit.PERSON),
    Key(Metric.AREA_CONTROLLED, "deir-ez-zor", "sdf", Scope.TOTAL, None, None, Unit.KM2),
    Key(Metric.BESIEGED, "deir-ez-zor", None, Scope.TOTAL, None, None, Unit.HOUSEHOLD),
    Key(Metric.DISPLACED, None, None, Scope.BATCH, None, None),
    Key(Metric.AREA_CONTROLLED, "deir-ez-zor", "is", Scope.TOTAL, None, None, Unit.KM2),
    Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, None),
]


@pytest.mark.parametrize("place", [None, "deir-ez-zor", "raqqa", "homs"], ids=str)
def test_totals_are_the_state_rows_in_display_order(tmp_path: Path, place: str | None) -> None:
    db = store.open_db(tmp_path / "a.db")
    with store.write(db):
        for i, key in enumerate(KEYS):
            store_figures.put_state(
                db, state(key, 100.0 * i + 50, 1 + i, ("AFP", "SOHR")[: 1 + i % 2]), NOW
            )
        store_figures.put_state(db, state(KEYS[2], 1000, 20), NOW)  # an update keeps its place
    where = "" if place is None else f"where place = '{place}'"
    expected = list(
        db.query(f"select * from state {where} order by metric, place, scope, window, since, rowid")
    )
    got = store_figures.totals(db, place)
    assert got == expected and [list(r) for r in got] == [list(r) for r in expected]
    assert all(list(r) == list(store_figures.STATE_COLUMNS) for r in got)
    assert len(got) == sum(1 for k in KEYS if place in (None, k.place))
    if place is None:
        besieged = [r["unit"] for r in got if r["metric"] == "besieged"]
        assert besieged == ["person", "household"]  # first seen first
        assert [store_figures.state_from_row(r) for r in got if r["value"] == 1000] == [
            state(KEYS[2], 1000, 20)
        ]


def test_put_state_updates_in_place_and_get_states_reads_many(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    first, second, unknown = KEYS[0], KEYS[1], KEYS[2]
    with store.write(db):
        store_figures.put_state(db, state(first, 10, 1), NOW)
        store_figures.put_state(db, state(second, 500, 2), NOW)
        rowid = db.execute("select rowid from state where key = ?", [store.key_text(first)])
        (before,) = rowid.fetchone()
        store_figures.put_state(db, state(first, 20, 3, ("AFP", "SOHR")), NOW + timedelta(hours=1))
    assert db.table("state").count == 2
    got = store_figures.get_states(db, [first, second, unknown])
    assert got == {first: state(first, 20, 3, ("AFP", "SOHR")), second: state(second, 500, 2)}
    assert got == {k: store_figures.get_state(db, k) for k in (first, second)}
    assert store_figures.get_states(db, []) == {}
    after = db.execute("select rowid, updated_at from state where key = ?", [store.key_text(first)])
    assert after.fetchone() == (before, store.iso(NOW + timedelta(hours=1)))


# the store's hot queries, each with the index it must read through; only
# the full `totals` must also come out in order without a sort (the others
# sort the few rows their index found)
PLANS = {
    "article-seen": (
        "select 1 from articles where url = ? and content_hash = ? limit 1",
        ["u", "h"],
        "INDEX idx_articles_url_content_hash",
    ),
    "url-known": (
        "select 1 from articles where url = ? limit 1",
        ["u"],
        "INDEX idx_articles_url_content_hash (url=?)",
    ),
    "state": ("select * from state where key = ?", ["k"], "INDEX sqlite_autoindex_state_1"),
    "totals": (
        store_figures._TOTALS.format(where=""),
        [],
        "SCAN state USING INDEX idx_state_metric_place",
    ),
    "totals-place": (
        store_figures._TOTALS.format(where="where place = ?"),
        ["p"],
        "INDEX idx_state_place (place=?)",
    ),
    "history-place": (
        "select * from observations indexed by idx_observations_metric_place_published"
        " where metric = ? and place = ? order by published, article_id, start",
        ["m", "p"],
        "INDEX idx_observations_metric_place_published (metric=? AND place=?)",
    ),
    "history": (
        "select * from observations where metric = ? order by published, article_id, start",
        ["m"],
        "INDEX idx_observations_metric_published_article_id_start (metric=?)",
    ),
    "pending": (
        "select id from outbox where status = 'pending' and transport = ?"
        " and (next_attempt_at is null or next_attempt_at <= ?) order by id limit ?",
        ["console", "2019", 5],
        "INDEX idx_outbox_status_transport_next_attempt_at (status=? AND transport=?)",
    ),
    "held-for-digest": (
        "select id, change_id from outbox where subscription_id = ? and status = ? order by id",
        [1, store_outbox.HELD],
        "INDEX idx_outbox_subscription_id_status (subscription_id=? AND status=?)",
    ),
}


@pytest.mark.parametrize(("sql", "params", "index"), PLANS.values(), ids=PLANS.keys())
def test_hot_queries_read_through_an_index(
    tmp_path: Path, sql: str, params: list[object], index: str
) -> None:
    db = store.open_db(tmp_path / "a.db")
    plan = " / ".join(str(r[-1]) for r in db.execute(f"explain query plan {sql}", params))
    assert index in plan
    if index.startswith("SCAN"):
        assert "TEMP B-TREE" not in plan


def test_a_database_queued_per_subscription_migrates_to_one_row_per_chat(tmp_path: Path) -> None:
    # before m006 a chat with two matching subscriptions had two rows for one change
    path = tmp_path / "old.db"
    old = store.open_db(path, stop_before="m006_outbox_one_row_per_chat")

    def fill(db: store.Database) -> None:
        store_outbox.add_subscription(db, "telegram", "-1")
        store_outbox.add_subscription(db, "telegram", "-1", places=["deir-ez-zor"])
        store_outbox.add_subscription(db, "telegram", "-2")
        store_outbox.add_subscription(db, "telegram", "-1", digest=True)
        process_article(db, article(), RULES, now=NOW, found=[figure()])

    as_of_old(old, tmp_path, fill)
    # as the code before queued them: one row per matching subscription
    (change_id,) = [r[0] for r in old.execute("select id from changes")]
    old.execute("delete from outbox")
    a, b = 1, 2
    for sub, chat, status in ((a, "-1", "pending"), (b, "-1", "pending"), (3, "-2", "pending")):
        old.execute(
            "insert into outbox (change_id, subscription_id, transport, chat_id, status)"
            " values (?, ?, 'telegram', ?, ?)",
            [change_id, sub, chat, status],
        )
    old.execute(
        "insert into outbox (change_id, subscription_id, transport, chat_id, status)"
        " values (?, 4, 'telegram', '-1', 'held')",
        [change_id],
    )
    old.conn.commit()
    assert old.table("outbox").count == 4
    old.close()
    db = store.open_db(path)
    rows = db.execute(
        "select chat_id, status, subscription_id, subscriptions from outbox order by id"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("-1", "pending"), ("-2", "pending"), ("-1", "held")]
    assert rows[0][2:] == (a, f"[{a}, {b}]")
    # one per (change, chat, kind) from now on: the index refuses a second
    with pytest.raises(sqlite3.IntegrityError), store.write(db):
        db.execute(
            "insert into outbox (change_id, subscription_id, transport, chat_id, status)"
            " select change_id, subscription_id, transport, chat_id, status from outbox limit 1"
        )


def test_one_row_per_chat_passes_to_the_next_subscription_when_one_ends(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "a.db")
    a = store_outbox.add_subscription(db, "telegram", "-1")
    b = store_outbox.add_subscription(db, "telegram", "-1", metrics=["displaced"])
    d = store_outbox.add_subscription(db, "telegram", "-1", digest=True)
    result = process_article(db, article(), RULES, now=NOW, found=[figure()])
    (change,) = result.changes
    assert change.outbox_rows == 2  # one instant, one held: never one per subscription
    (row,) = store_outbox.pending_outbox(db, "telegram", NOW)
    assert row.subscription_id == a
    store_outbox.deactivate_subscription(db, a, "unsubscribed")
    (row,) = store_outbox.pending_outbox(db, "telegram", NOW)
    assert row.subscription_id == b  # b still wants it
    store_outbox.deactivate_subscription(db, b, "unsubscribed")
    assert store_outbox.pending_outbox(db, "telegram", NOW) == []
    held = db.execute("select subscription_id from outbox where status = ?", [store_outbox.HELD])
    assert [r[0] for r in held] == [d]


def test_a_chat_moving_onto_a_chat_that_has_the_alert_keeps_one_row(tmp_path: Path) -> None:
    # one waiting row per (change, chat): a group that became a supergroup already
    # subscribed under its new id must not get the alert twice (nor fail to move)
    db = store.open_db(tmp_path / "a.db")
    store_outbox.add_subscription(db, "telegram", "-5")
    store_outbox.add_subscription(db, "telegram", "-1005")
    process_article(db, article(), RULES, now=NOW, found=[figure()])
    store_outbox.move_chat(db, "telegram", "-5", "-1005")
    assert [r.chat_id for r in store_outbox.pending_outbox(db, "telegram", NOW)] == ["-1005"]
    [(status,)] = db.execute("select status from outbox where chat_id = '-5'").fetchall()
    assert status == "dead"
