"""The poll path's SQL, counted and planned on a real database: one source's
articles in one short transaction, few statements per article, every
statement through an index, the outbox and the source's health in the same
transaction as the state they follow."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.schema import AlertsConfig, SourceConfig
from bot.ingest.pipeline import process_articles, rules_from_config
from bot.ingest.poll import PollResult, poll_source
from bot.store import db as store
from bot.store import outbox as store_outbox
from scrapers.files import FilesSource

RULES = rules_from_config(AlertsConfig())
NOW = datetime(2020, 1, 1, tzinfo=UTC)
ARTICLES = 20

# invented reports; each names its place, several state more than one figure,
# and the same key comes back (corroborations, rises) across the articles
REPORTS = (
    "قال مسؤول محلي إن {n} عائلة نزحت من ريف دير الزور خلال الأيام الثلاثة الماضية.",
    "أعلنت وزارة الصحة في غزة مقتل {n} شخصا وإصابة {m} آخرين منذ بداية الشهر.",
    "ذكرت الأمم المتحدة أن أكثر من {n} شخص نزحوا في ولاية شمال دارفور، بينهم {m} طفل.",
    "قالت منظمة إغاثة إن نحو {n} أسرة عادت إلى مدينة حلب هذا الأسبوع.",
)


def write_articles(folder: Path, count: int = ARTICLES) -> None:
    folder.mkdir()
    for i in range(count):
        body = REPORTS[i % len(REPORTS)].format(n=1000 + 500 * (i // 4), m=10 + i)
        (folder / f"a{i:02}.txt").write_text(
            f"خبر رقم {i}\n\n12 كانون الثاني 2020\n\n{body}", encoding="utf-8"
        )


def files_source(folder: Path) -> FilesSource:
    return FilesSource(SourceConfig.of(name="local", kind="files", path=str(folder)))


async def traced_poll(db_path: Path, folder: Path) -> tuple[PollResult, list[str]]:
    db = store.open_db(db_path)
    store_outbox.add_subscription(db, "console", "c1")  # changes that alert are queued
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        result = await poll_source(db, files_source(folder), 600, RULES, now=lambda: NOW)
    finally:
        db.conn.set_trace_callback(None)
        db.close()
    return result, statements


async def test_a_source_is_stored_in_one_transaction_with_few_statements(tmp_path: Path) -> None:
    write_articles(tmp_path / "in")
    result, statements = await traced_poll(tmp_path / "a.db", tmp_path / "in")
    stored = [a for a in result.articles if not a.skipped]
    assert len(stored) == ARTICLES and sum(a.observations for a in stored) > ARTICLES
    changes = len(result.changes)
    assert changes > 0
    assert sum(s.startswith("BEGIN") for s in statements) == 1
    assert sum(s == "COMMIT" for s in statements) == 1
    # the states of every key are read once, not row by row or article by article
    assert sum(s.startswith("select * from state") for s in statements) == 1
    # a source of 20 articles: a few statements for the lot, whatever its size, then
    # each change's row, its outbox row and (an event) the look for its period's others
    # (the code before took 17-18 statements an article: 360 here)
    own = ("insert into changes", "insert into outbox")
    per_change = [s for s in statements if s.startswith(own) or "kind = 'event'" in s]
    fixed = [s[:100] for s in statements if s not in per_change]
    assert len(fixed) <= 14, "\n".join(fixed)
    assert len(per_change) <= 3 * changes
    assert len(statements) < 4 * ARTICLES


async def test_an_unchanged_poll_reads_its_versions_in_one_query(tmp_path: Path) -> None:
    write_articles(tmp_path / "in")
    await traced_poll(tmp_path / "a.db", tmp_path / "in")
    again, statements = await traced_poll(tmp_path / "a.db", tmp_path / "in")
    assert all(a.skipped for a in again.articles) and len(again.articles) == ARTICLES
    assert sum(s.startswith("select") and " articles" in s for s in statements) == 1
    assert len(statements) <= 5, "\n".join(s[:100] for s in statements)


BIG_TABLES = ("articles", "observations", "changes", "state", "outbox", "sources")


async def test_every_statement_of_a_poll_reads_through_an_index(tmp_path: Path) -> None:
    write_articles(tmp_path / "in")
    _, first = await traced_poll(tmp_path / "a.db", tmp_path / "in")
    _, again = await traced_poll(tmp_path / "a.db", tmp_path / "in")
    conn = sqlite3.connect(tmp_path / "a.db")
    planned = 0
    for sql in {*first, *again}:
        if not sql.lstrip().lower().startswith(("select", "update", "delete")):
            continue
        plan = [str(row[-1]) for row in conn.execute(f"explain query plan {sql}")]
        planned += 1
        for step in plan:
            assert not any(step.startswith(f"SCAN {t}") for t in BIG_TABLES), (sql, plan)
            assert "TEMP B-TREE" not in step or "ORDER BY" not in step, (sql, plan)
    assert planned >= 5


async def test_a_failure_inside_a_source_stores_nothing_of_it(tmp_path: Path) -> None:
    # the articles, their states, changes and outbox rows, and the validators that
    # would make the next poll skip them, are one transaction: a failure in the
    # middle (here an outbox row the database refuses) leaves none of them
    write_articles(tmp_path / "in")
    db = store.open_db(tmp_path / "a.db")
    store_outbox.add_subscription(db, "console", "c1")
    db.execute(
        "create trigger refuse after insert on outbox"
        " when (select count(*) from outbox) > 2 begin select raise(abort, 'disk full'); end"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        await poll_source(db, files_source(tmp_path / "in"), 600, RULES, now=lambda: NOW)
    for table in ("articles", "observations", "changes", "state", "outbox", "sources"):
        assert db.table(table).count == 0, table
    db.execute("drop trigger refuse")
    result = await poll_source(db, files_source(tmp_path / "in"), 600, RULES, now=lambda: NOW)
    assert len([a for a in result.articles if not a.skipped]) == ARTICLES
    assert db.table("outbox").count == len([c for c in result.changes if c.change.alert])


async def test_a_poll_keys_the_engines_figures_as_a_replay_does(tmp_path: Path) -> None:
    # a figure the engine leaves unplaced (two countries) stays unplaced on both
    # paths; the poll path used to give it the place the text names most
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "نزوح\n\nقالت الأمم المتحدة إن 12 ألف شخص نزحوا في السودان وتشاد.", encoding="utf-8"
    )
    polled = store.open_db(tmp_path / "poll.db")
    await poll_source(polled, files_source(folder), 600, RULES, now=lambda: NOW)
    replayed = store.open_db(tmp_path / "replay.db")
    process_articles(replayed, files_source(folder).read_all(), RULES, now=NOW)
    query = "select key, place, fine_place from observations order by id"
    rows = polled.execute(query).fetchall()
    assert rows and rows == replayed.execute(query).fetchall()
    assert {place for _key, place, _fine in rows} == {None}


def test_a_version_listed_twice_in_one_batch_is_stored_once(tmp_path: Path) -> None:
    # a feed may list one item twice; both copies reach the same transaction
    write_articles(tmp_path / "in", 3)
    articles = files_source(tmp_path / "in").read_all()
    db = store.open_db(tmp_path / "a.db")
    results = process_articles(db, [*articles, articles[1]], RULES, now=NOW)
    assert sorted(r.skipped for r in results) == [False, False, False, True]
    assert db.table("articles").count == 3
    again = process_articles(db, articles, RULES, now=NOW)  # stored before: nothing analysed
    assert all(r.skipped for r in again)
