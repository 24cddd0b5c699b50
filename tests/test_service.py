"""`raqib run`: delivery, live admin edits, and stopping safely — real SQLite, real processes."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import pytest
from loopback import LoopbackServer, Reply
from sqlite_utils import Database

from bot.config.schema import AlertsConfig, Config, ServiceConfig, SourceConfig, StorageConfig
from bot.config.settings import Editor, add_source, set_paused, set_setting
from bot.delivery.console import ConsoleTransport, render, set_console_subscription
from bot.delivery.loop import SENT, DeliveryLoop, Message, SendResult, backoff
from bot.ingest.pipeline import process_article, rules_from_config
from bot.render.messages import alert_plain
from bot.service.run import DIGEST_JOB, SETTINGS_JOB, Service
from bot.service.scheduler import source_jobs
from bot.store import db as store
from bot.store import outbox as store_outbox
from bot.store import sources as store_sources
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from scrapers.model import Article, content_hash

ROOT = Path(__file__).resolve().parent.parent
RAQIB = [sys.executable, "-m", "bot.cli.app"]
RULES = rules_from_config(AlertsConfig())


# ---------------------------------------------------------------- helpers


def queue_alert(db: Database, value: float, n: int) -> None:
    """Store one article whose one figure makes a change (no extractor needed)."""
    text = f"ارتفع عدد الخارجين منذ الأول من ديسمبر إلى {value:g} مدنيا"
    figure = Figure(
        metric=Metric.DISPLACED,
        value=value,
        unit=Unit.PERSON,
        qualifier=Qualifier.EXACT,
        vague=False,
        scope=Scope.TOTAL,
        window=None,
        quote=f"{value:g} مدنيا",
        start=text.index(f"{value:g}"),
        end=len(text),
        since="2018-12-01",
    )
    url = f"https://example.org/a/{n}"
    article = Article(
        url=url,
        guid=url,
        title=f"article {n}",
        published=datetime(2019, 2, 1, tzinfo=UTC) + timedelta(days=n),
        source="test",
        text=text,
        content_hash=content_hash(f"article {n}", text),
        outlet="SOHR",
    )
    result = process_article(db, article, RULES, found=[figure])
    assert sum(c.outbox_rows for c in result.changes) >= 1


def outbox(db: Database) -> list[dict[str, Any]]:
    return list(db.query("select id, status, attempts, next_attempt_at from outbox order by id"))


class Scripted:
    """A transport double standing in for a chat platform: answers from a script."""

    name = "console"

    def __init__(self, results: list[SendResult] | None = None, delay: float = 0.0) -> None:
        self.results = results or []
        self.delay = delay
        self.sent: list[Message] = []
        self.started = asyncio.Event()

    async def send(self, message: Message) -> SendResult:
        self.started.set()
        await asyncio.sleep(self.delay)
        self.sent.append(message)
        return self.results.pop(0) if self.results else SENT


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = store.open_db(tmp_path / "raqib.db")
    set_console_subscription(database, True)
    return database


# ---------------------------------------------------------------- delivery


async def test_delivery_sends_in_order_and_marks_sent(db: Database) -> None:
    for n, value in enumerate([36500, 38550]):
        queue_alert(db, value, n)
    transport = Scripted()
    loop = DeliveryLoop(db, [transport], poll_interval=60)
    loop.start()
    loop.notify()
    await until(lambda: all(r["status"] == "sent" for r in outbox(db)))
    await loop.stop(5)
    assert [m.alert.value for m in transport.sent] == [36500, 38550]
    assert [m.alert.kind for m in transport.sent] == ["new", "increase"]


async def test_rows_written_by_another_process_go_out_without_a_wake_up(
    db: Database, tmp_path: Path
) -> None:
    transport = Scripted()
    loop = DeliveryLoop(db, [transport], poll_interval=0.2)
    loop.start()
    other = store.open_db(tmp_path / "raqib.db")  # another connection: `raqib once` from cron
    queue_alert(other, 38550, 1)
    await until(lambda: len(transport.sent) == 1)
    await loop.stop(5)
    assert outbox(db)[0]["status"] == "sent"


async def test_stop_lets_the_send_in_flight_finish(db: Database) -> None:
    queue_alert(db, 38550, 1)
    transport = Scripted(delay=0.5)
    loop = DeliveryLoop(db, [transport], poll_interval=60)
    loop.start()
    await asyncio.wait_for(transport.started.wait(), 10)
    await loop.stop(grace=10)
    assert outbox(db)[0]["status"] == "sent"


async def test_stop_is_bounded_and_an_unfinished_send_stays_queued(db: Database) -> None:
    queue_alert(db, 38550, 1)
    transport = Scripted(delay=30)
    loop = DeliveryLoop(db, [transport], poll_interval=60)
    loop.start()
    await asyncio.wait_for(transport.started.wait(), 10)
    began = time.monotonic()
    await loop.stop(grace=0.3)
    assert time.monotonic() - began < 5
    assert outbox(db)[0]["status"] == "pending"  # delivered after the next start


@pytest.mark.parametrize(
    ("result", "attempts_before", "status", "wait", "sub_active"),
    [
        (SendResult(ok=False, error="timeout"), 0, "pending", backoff(1), 1),
        (SendResult(ok=False, error="timeout"), 3, "pending", backoff(4), 1),
        (SendResult(ok=False, error="429", retry_after=30), 0, "pending", 30, 1),
        (SendResult(ok=False, error="bad request", permanent=True), 0, "dead", None, 1),
        (SendResult(ok=False, error="blocked", deactivate=True), 0, "dead", None, 0),
        (SendResult(ok=False, error="timeout"), 7, "dead", None, 1),
        (SENT, 2, "sent", None, 1),
    ],
    ids=[
        "first-failure-backs-off",
        "backoff-doubles",
        "retry-after-honoured",
        "permanent-is-dead",
        "blocked-deactivates",
        "too-many-attempts",
        "sent-after-retries",
    ],
)
def test_outcomes(
    db: Database,
    result: SendResult,
    attempts_before: int,
    status: str,
    wait: float | None,
    sub_active: int,
) -> None:
    queue_alert(db, 38550, 1)
    db.execute("update outbox set attempts = ?", [attempts_before])
    db.conn.commit()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    loop = DeliveryLoop(db, [], max_attempts=8, clock=lambda: now)
    [row] = store_outbox.pending_outbox(db, "console", now)
    loop.record(row, result)
    [stored] = outbox(db)
    assert stored["status"] == status
    if wait is not None:
        assert store.parse_iso(stored["next_attempt_at"]) == now + timedelta(seconds=wait)
    active = db.execute("select active from subscriptions").fetchone()[0]
    assert active == sub_active


async def test_console_prints_the_alert(db: Database) -> None:
    queue_alert(db, 36500, 1)
    queue_alert(db, 38550, 2)
    out = io.StringIO()
    loop = DeliveryLoop(db, [ConsoleTransport(out)], poll_interval=60)
    loop.start()
    loop.notify()
    await until(lambda: all(r["status"] == "sent" for r in outbox(db)))
    await loop.stop(5)
    first, second = out.getvalue().rstrip("\n").split("\n\n")
    assert first.startswith("● Displaced since 1 Dec 2018: 36,500")
    assert second.splitlines()[0] == "▲ Displaced since 1 Dec 2018: 38,550 (was 36,500)"
    assert "  SOHR, 3 Feb 2019 · https://example.org/a/2" in second.splitlines()


def test_console_says_what_telegram_and_slack_say(db: Database) -> None:
    queue_alert(db, 1500, 1)
    view = store_outbox.change_for_alert(db, 1)
    assert view is not None
    for lang in ("en", "ar"):
        lines = render(view, lang).splitlines()
        assert lines[0] == "● " + alert_plain(view, lang).splitlines()[0]
        assert [line.removeprefix("  ") for line in lines[1:]] == alert_plain(
            view, lang
        ).splitlines()[1:]
        assert all(line.startswith("  ") for line in lines[1:])


# ---------------------------------------------------------------- live admin edits


def config_for(tmp_path: Path, sources: tuple[SourceConfig, ...], **service: Any) -> Config:
    return Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        sources=sources,
        service=ServiceConfig(**{"delivery_poll_interval": 0.2, "shutdown_grace": 2.0, **service}),
    )


async def test_an_admin_edit_reaches_the_scheduler_without_a_restart(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    local = SourceConfig.of(
        name="local", kind="files", path=str(tmp_path / "articles"), interval=3600
    )
    config = config_for(tmp_path, (local,))
    service = Service(config, console=io.StringIO())
    await service.start()
    try:
        jobs = source_jobs(service.scheduler)
        assert set(jobs) == {"local"}
        admin = store.open_db(tmp_path / "raqib.db")  # the chat bot's (or another process's) edit
        set_setting(admin, config, "sources.local.interval", "30m", by=Editor("telegram:1"))
        await until(
            lambda: (
                source_jobs(service.scheduler)["local"].trigger.interval == timedelta(minutes=30)
            )
        )
        assert source_jobs(service.scheduler)["local"].args[0].interval == 1800

        add_source(
            admin,
            config,
            {"name": "feed", "kind": "rss", "url": "https://feeds.example.org/rss"},
            by=Editor("telegram:1"),
        )
        await until(lambda: set(source_jobs(service.scheduler)) == {"local", "feed"})

        set_paused(admin, config, "local", True, by=Editor("telegram:1"))
        await until(lambda: set(source_jobs(service.scheduler)) == {"feed"})
        ids = sorted(j.id for j in service.scheduler.get_jobs())  # the source and the service's
        assert ids == sorted([DIGEST_JOB, SETTINGS_JOB, "source:feed"])
    finally:
        await service.shutdown()


async def test_alert_rules_follow_an_edit(tmp_path: Path) -> None:
    config = config_for(tmp_path, ())
    service = Service(config, console=io.StringIO())
    await service.start()
    try:
        assert service.rules.alert_new is True
        set_setting(service.db, config, "alerts.alert_new", "false", by=Editor("slack:U1"))
        assert service.reload()  # in-process callers need not wait for the watcher
        assert service.rules.alert_new is False
        assert not service.reload()
        set_setting(service.db, config, "service.delivery_poll_interval", "1s", by=Editor("cli"))
        assert service.reload()
        assert service.delivery is not None and service.delivery.poll_interval == 1.0
    finally:
        await service.shutdown()


async def test_the_settings_watcher_is_a_scheduler_job_that_fires(tmp_path: Path) -> None:
    config = config_for(tmp_path, ())
    service = Service(config, console=io.StringIO())
    await service.start()
    try:
        job = service.scheduler.get_job(SETTINGS_JOB)
        assert job is not None and job.trigger.interval == timedelta(seconds=0.2)
        assert job.max_instances == 1 and job.coalesce
        admin = store.open_db(tmp_path / "raqib.db")  # another process's edits: only the job
        set_setting(admin, config, "alerts.alert_new", "false", by=Editor("cli"))  # sees them
        await until(lambda: service.rules.alert_new is False)
        set_setting(admin, config, "service.delivery_poll_interval", "0.5s", by=Editor("cli"))
        await until(
            lambda: (
                service.scheduler.get_job(SETTINGS_JOB).trigger.interval == timedelta(seconds=0.5)
            )
        )
        set_setting(admin, config, "alerts.alert_new", "true", by=Editor("cli"))  # still firing
        await until(lambda: service.rules.alert_new is True)
    finally:
        await service.shutdown()


async def test_a_failing_source_follows_its_backoff(tmp_path: Path) -> None:
    missing = SourceConfig.of(name="gone", kind="files", path=str(tmp_path / "nope"), interval=60)
    service = Service(config_for(tmp_path, (missing,)), console=io.StringIO())
    await service.start()
    try:
        await until(
            lambda: store_sources.source_health(service.db, "gone").consecutive_failures == 1
        )
        health = store_sources.source_health(service.db, "gone")
        job = source_jobs(service.scheduler)["gone"]
        await until(lambda: job.next_run_time is not None)
        assert health.next_due is not None
        gap = source_jobs(service.scheduler)["gone"].next_run_time - health.next_due
        assert abs(gap) < timedelta(seconds=1)
        assert health.next_due - datetime.now(UTC) > timedelta(seconds=90)  # 2 × 60 s backoff
    finally:
        await service.shutdown()


# ---------------------------------------------------------------- the real process


class Proc:
    """`raqib …` as a subprocess, its stdout and stderr read line by line in threads."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        for name in ("RAQIB_TELEGRAM_TOKEN", "RAQIB_SLACK_BOT_TOKEN", "RAQIB_SLACK_APP_TOKEN"):
            env.pop(name, None)
        self.p = subprocess.Popen(
            [*RAQIB, *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue[tuple[str, str]] = queue.Queue()
        assert self.p.stdout is not None and self.p.stderr is not None
        for name, stream, sink in (
            ("out", self.p.stdout, self.out),
            ("err", self.p.stderr, self.err),
        ):
            threading.Thread(target=self._pump, args=(name, stream, sink), daemon=True).start()

    def _pump(self, name: str, stream: IO[str], sink: list[str]) -> None:
        for line in stream:
            sink.append(line)
            self._lines.put((name, line))

    def wait_for(self, where: str, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in (self.out if where == "out" else self.err)):
            if time.monotonic() > deadline or self.p.poll() is not None:
                raise AssertionError(
                    f"{text!r} not on std{where}; stderr:\n{''.join(self.err)[-3000:]}"
                )
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30.0) -> int:
        self.p.send_signal(sig)
        return self.p.wait(timeout)

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


def run(procs: list[Proc], cwd: Path, *args: str) -> Proc:
    proc = Proc(list(args), cwd)
    procs.append(proc)
    return proc


@pytest.mark.slow
def test_embedded_default_prints_the_seed_alerts_and_ctrl_c_exits_0(
    tmp_path: Path, procs: list[Proc]
) -> None:
    proc = run(procs, tmp_path, "run")
    proc.wait_for("err", "raqib is running")
    banner = "".join(proc.err)
    assert str(tmp_path / "raqib.db") in banner
    assert "seeds (files" in banner and "alerts to  console" in banner and "Ctrl-C" in banner
    proc.wait_for("out", "38,550", timeout=60)  # the SOHR total since 1 December
    assert proc.stop(signal.SIGINT) == 0
    alerts = [line for line in proc.out if line[:1] in "●▲▼≠◆"]
    assert len(alerts) >= 3
    assert (tmp_path / "raqib.db").exists()


BAD_CONFIGS = [
    ("[storage]\ndatabse = 'x.db'\n", "storage.databse", "unknown key"),
    ("[network]\nretries = 'three'\n", "network.retries", "expected an integer"),
    ("[[sources]]\nname='a'\nkind='rss'\nurl='ftp://x/feed'\n", "sources[0].url", "http"),
    (
        "[[sources]]\nname='a'\nkind='rss'\nurl='https://x/'\ninterval='soon'\n",
        "sources[0].interval",
        "duration",
    ),
    (
        "[[sources]]\nname='a'\nkind='rss'\nurl='https://x/'\ninterval=0\n",
        "sources[0].interval",
        "positive",
    ),
    ("[[sources]]\nname='a'\nkind='gopher'\nurl='https://x/'\n", "sources[0].kind", "one of"),
    ("[service]\nshutdown_grace = 'later'\n", "service.shutdown_grace", "duration"),
    ("[service]\njitter = 2.0\n", "service.jitter", "between 0 and 0.5"),
    ("[logging]\nlevel = 'LOUD'\n", "logging.level", "expected DEBUG"),
    ("[storage\n", "", "not valid TOML"),
]


BAD_IDS = [
    "unknown-key",
    "wrong-type",
    "bad-url",
    "bad-interval",
    "zero-interval",
    "unknown-kind",
    "bad-grace",
    "bad-jitter",
    "bad-log-level",
    "not-toml",
]


@pytest.mark.parametrize(("text", "key", "words"), BAD_CONFIGS, ids=BAD_IDS)
def test_a_bad_config_exits_2_before_doing_anything(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    key: str,
    words: str,
) -> None:
    from bot.cli.app import main

    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words in err
    assert f"{key}:" in err
    assert list(tmp_path.iterdir()) == [path]  # no database, nothing written


def test_a_bad_config_exits_2_as_a_process(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[sources]]\nname='a'\nkind='rss'\nurl='ftp://x/feed'\n", encoding="utf-8")
    done = subprocess.run(
        [*RAQIB, "--config", str(path), "run"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{path}: sources[0].url: expected an http:// or https:// URL" in done.stderr
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == [path]


# ---------------------------------------------------------------- stopping during a poll


def seed_feed(count: int, base: str, offset: int = 0) -> bytes:
    """An RSS feed of `count` items cycling through the seed texts (full text in the item)."""
    texts = sorted((ROOT / "seeds").glob("*.txt"))
    items = []
    for i in range(offset, offset + count):
        text = texts[i % len(texts)].read_text(encoding="utf-8")
        published = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(hours=i)
        items.append(
            f"<item><title>نسخة</title><link>{base}/a/{i}</link><guid>{base}/a/{i}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(text)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{base}</link><description>d</description>{''.join(items)}</channel></rss>"
    ).encode()


def service_config(tmp_path: Path, feed_url: str, grace: str = "10s") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[[sources]]
name = "feed"
kind = "rss"
url = "{feed_url}"
interval = "1h"
max_articles = 500

[network]
allow_private_networks = true
retries = 0

[service]
shutdown_grace = "{grace}"
""",
        encoding="utf-8",
    )
    return path


def check_consistent(path: Path) -> int:
    """Every stored article is whole: copies of one text have the same observations, every
    change and outbox row points at rows that exist.  Returns the article count."""
    db = store.open_db(path)
    try:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert db.execute("pragma foreign_key_check").fetchall() == []
        # The feed repeats each seed text under several URLs: copies of one text must all
        # have the same observations (one interrupted mid-write would have fewer).
        counts: dict[str, set[int]] = {}
        rows = db.execute(
            "select a.text, (select count(*) from observations o where o.article_id = a.id)"
            " from articles a"
        ).fetchall()
        for text, stored in rows:
            counts.setdefault(text, set()).add(stored)
        assert all(len(c) == 1 for c in counts.values()), "an article is half written"
        assert not rows or sum(max(c) for c in counts.values()) > 0
        orphans = db.execute(
            "select count(*) from changes c left join observations o on o.id = c.observation_id"
            " where o.id is null"
        ).fetchone()[0]
        assert orphans == 0
        unqueued = db.execute(
            "select count(*) from changes c where c.alert = 1 and not exists"
            " (select 1 from outbox o where o.change_id = c.id)"
        ).fetchone()[0]
        assert unqueued == 0  # the console subscription hears every alerting change
        return int(db.execute("select count(*) from articles").fetchone()[0])
    finally:
        db.close()


@pytest.mark.slow
def test_sigterm_during_a_poll_finishes_it_and_a_restart_continues(
    tmp_path: Path, procs: list[Proc]
) -> None:
    with LoopbackServer() as server:
        base = server.url("").rstrip("/")
        server.route("/feed.xml", Reply(body=seed_feed(20, base), delay=1.5,
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        config = service_config(tmp_path, f"{base}/feed.xml")
        proc = run(procs, tmp_path, "--config", str(config), "run")
        proc.wait_for("err", "raqib is running")
        deadline = time.monotonic() + 30
        while not server.hits("/feed.xml") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.stop(signal.SIGTERM) == 0  # the fetch in flight was let finish
        assert check_consistent(tmp_path / "raqib.db") == 20

        server.route("/feed.xml", Reply(body=seed_feed(30, base),
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        store.open_db(tmp_path / "raqib.db").execute("update sources set next_due = null")
        again = run(procs, tmp_path, "--config", str(config), "run")
        again.wait_for("err", "source feed: 10 article(s)")
        assert again.stop(signal.SIGINT) == 0
        assert check_consistent(tmp_path / "raqib.db") == 30


@pytest.mark.slow
def test_a_poll_outliving_the_grace_is_cut_short_and_redone_after_restart(
    tmp_path: Path, procs: list[Proc]
) -> None:
    with LoopbackServer() as server:
        base = server.url("").rstrip("/")
        server.route("/feed.xml", Reply(body=seed_feed(10, base), delay=60,
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        config = service_config(tmp_path, f"{base}/feed.xml", grace="1s")
        proc = run(procs, tmp_path, "--config", str(config), "run")
        deadline = time.monotonic() + 30
        while not server.hits("/feed.xml") and time.monotonic() < deadline:
            time.sleep(0.02)
        began = time.monotonic()
        assert proc.stop(signal.SIGTERM) == 0
        assert time.monotonic() - began < 15
        assert check_consistent(tmp_path / "raqib.db") == 0

        server.route("/feed.xml", Reply(body=seed_feed(10, base),
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        again = run(procs, tmp_path, "--config", str(config), "run")
        again.wait_for("err", "source feed: 10 article(s)")
        assert again.stop(signal.SIGINT) == 0
        assert check_consistent(tmp_path / "raqib.db") == 10


@pytest.mark.slow
def test_a_second_signal_exits_at_once_and_loses_nothing(tmp_path: Path, procs: list[Proc]) -> None:
    with LoopbackServer() as server:
        base = server.url("").rstrip("/")
        server.route("/feed.xml", Reply(body=seed_feed(10, base),
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        config = service_config(tmp_path, f"{base}/feed.xml")
        first = run(procs, tmp_path, "--config", str(config), "run")
        first.wait_for("err", "source feed: 10 article(s)")
        assert first.stop(signal.SIGINT) == 0
        db = store.open_db(tmp_path / "raqib.db")
        queued = db.execute("select count(*) from outbox").fetchone()[0]
        db.execute("update outbox set status = 'pending', sent_at = null")  # as if never sent
        db.execute("update sources set next_due = null")
        db.conn.commit()
        db.close()

        server.route("/feed.xml", Reply(body=seed_feed(10, base), delay=60,
                                        headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
        second = run(procs, tmp_path, "--config", str(config), "run")
        deadline = time.monotonic() + 30
        while len(server.hits("/feed.xml")) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        second.p.send_signal(signal.SIGTERM)
        second.wait_for("err", "finishing in-flight work")
        began = time.monotonic()
        assert second.stop(signal.SIGTERM) == 128 + signal.SIGTERM
        assert time.monotonic() - began < 5
        assert check_consistent(tmp_path / "raqib.db") == 10
        db = store.open_db(tmp_path / "raqib.db")
        statuses = db.execute("select status from outbox").fetchall()
        assert len(statuses) == queued  # every queued alert is still there (pending or sent)
        db.close()


def test_the_default_config_object_runs_the_seeds(tmp_path: Path) -> None:
    """The embedded default is what `make run` starts: the seeds, ./raqib.db, the console."""
    from bot.config.schema import default_config

    config = default_config()
    assert config.storage.database == Path("raqib.db")
    assert [s.kind for s in config.sources] == ["files"]
    assert replace(config.service).console == "auto"


def test_config_example_loads_and_documents_the_defaults() -> None:
    """The example's [storage], [alerts], [logging] and [service] show the real defaults."""
    from bot.config.schema import default_config, load_config

    example = load_config(ROOT / "config.example.toml")
    default = default_config()
    for section in ("storage", "alerts", "logging", "service"):
        assert getattr(example, section) == getattr(default, section), section
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for key in ("shutdown_grace", "delivery_poll_interval", "jitter", "console", "event_dedupe"):
        assert f"\n{key} = " in text
