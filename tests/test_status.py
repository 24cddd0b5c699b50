"""Status: what `raqib status` and `/sources` show, read from a real database."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.chat.status import ago, cmd_status, format_status, service_status
from bot.config.schema import Config, SourceConfig, StorageConfig
from bot.config.settings import Editor, set_paused
from bot.store import db as store
from bot.store import outbox as store_outbox
from bot.store import sources as store_sources

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        sources=(
            SourceConfig.of(name="good", kind="rss", url="https://a.example/feed"),
            SourceConfig.of(name="bad", kind="rss", url="https://b.example/feed"),
            SourceConfig.of(name="empty", kind="html", url="https://c.example/"),
            SourceConfig.of(name="new", kind="files", path="/srv/articles"),
            SourceConfig.of(name="off", kind="rss", url="https://d.example/feed"),
        ),
    )


@pytest.fixture
def db(config: Config) -> Database:
    database = store.open_db(config.storage.database)
    hour = timedelta(hours=1)
    store_sources.record_poll(database, "good", now=NOW - hour, next_due=NOW + hour)
    store_sources.record_poll(database, "bad", now=NOW - 3 * hour, next_due=NOW - 2 * hour)
    for n in (2, 1):
        store_sources.record_poll(
            database, "bad", now=NOW - n * hour, next_due=NOW + n * hour, error="HTTP 503"
        )
    store_sources.record_poll(
        database, "empty", now=NOW - hour, next_due=NOW + hour, empty_content=True
    )
    return database


def test_sources_and_outbox(config: Config, db: Database) -> None:
    set_paused(db, config, "off", True, by=Editor("telegram:1"))
    status = service_status(config, db, now=NOW)
    by_name = {s.name: s for s in status.sources}
    assert by_name["good"].consecutive_failures == 0
    assert by_name["good"].next_run == NOW + timedelta(hours=1)
    assert by_name["bad"].consecutive_failures == 2
    assert by_name["bad"].last_error == "HTTP 503"
    assert by_name["bad"].last_success == NOW - timedelta(hours=3)
    assert by_name["empty"].empty_content is True
    assert by_name["new"].last_success is None
    assert by_name["off"].enabled is False and by_name["off"].next_run is None
    assert status.outbox_pending == 0 and status.last_sent is None

    text = format_status(status)
    lines = {line.split(" (")[0].strip(): line for line in text.splitlines()}
    assert "ok" in lines["good"] and "next run in 1h" in lines["good"]
    assert "failing (2 in a row)" in lines["bad"] and "HTTP 503" in lines["bad"]
    assert "no text found" in lines["empty"]
    assert "not polled yet" in lines["new"]
    assert "paused" in lines["off"] and "next run" not in lines["off"]
    assert "Outbox: 0 waiting" in text and "Last alert sent: never" in text


def test_scheduler_times_win_inside_the_service(config: Config, db: Database) -> None:
    soon = NOW + timedelta(minutes=5)
    status = service_status(config, db, next_runs={"good": soon}, now=NOW)
    assert {s.name: s.next_run for s in status.sources}["good"] == soon


def test_outbox_depth_oldest_and_last_sent(config: Config, db: Database) -> None:
    store_outbox.add_subscription(db, "console", "stdout")
    with store.write(db):
        db.table("articles").insert(
            {
                "id": 1,
                "url": "u",
                "source": "good",
                "content_hash": "h",
                "published": "x",
                "fetched_at": "x",
            }
        )
        for change in (1, 2):
            db.table("changes").insert(
                {
                    "id": change,
                    "kind": "new",
                    "key": "k",
                    "article_id": 1,
                    "alert": 1,
                    "created_at": "x",
                }
            )
        for i, (status, created) in enumerate(
            [("sent", 50), ("pending", 30), ("pending", 10), ("dead", 40)], start=1
        ):
            db.table("outbox").insert(
                {
                    "id": i,
                    "change_id": 2 if i == 3 else 1,  # one waiting row per change and chat
                    "subscription_id": 1,
                    "transport": "console",
                    "chat_id": "stdout",
                    "status": status,
                    "created_at": store.iso(NOW - timedelta(minutes=created)),
                    "sent_at": store.iso(NOW - timedelta(minutes=45)) if status == "sent" else None,
                }
            )
    status = service_status(config, db, now=NOW)
    assert status.outbox_pending == 2
    assert status.outbox_dead == 1
    assert status.oldest_pending == NOW - timedelta(minutes=30)
    assert status.last_sent == NOW - timedelta(minutes=45)
    text = format_status(status)
    assert "Outbox: 2 waiting (oldest queued 30m ago), 1 dead" in text
    assert "Last alert sent: 45m ago" in text


@pytest.mark.parametrize(
    ("delta", "text"),
    [(None, "never"), (-90, "1m ago"), (7200, "in 2h"), (-3 * 86400, "3d ago"), (-5, "5s ago")],
    ids=["never", "minutes-ago", "hours-ahead", "days-ago", "seconds"],
)
def test_ago(delta: float | None, text: str) -> None:
    moment = None if delta is None else NOW + timedelta(seconds=delta)
    assert ago(moment, NOW) == text


def test_cmd_status(config: Config, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_status(argparse.Namespace(config_obj=config)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sources (5):")
    assert "bad (rss): failing (2 in a row)" in out


def test_cmd_status_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Config(storage=StorageConfig(database=tmp_path / "none.db"))
    assert cmd_status(argparse.Namespace(config_obj=config)) == 0
    assert "no database" in capsys.readouterr().out
    assert not (tmp_path / "none.db").exists()
