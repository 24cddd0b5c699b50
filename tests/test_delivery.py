"""Delivery as a user deploys it: `raqib --config FILE run` in a subprocess, the fake Telegram
Bot API in a thread, feeds on a loopback server, `raqib once` from another process, and a
SIGKILL in the middle of a broadcast; and the delivery loop's edge cases on a real store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from fakes.telegram_api import TOKEN, FakeTelegram
from loopback import LoopbackServer, Reply
from sqlite_utils import Database
from story import seed_articles
from test_service import queue_alert

from bot.delivery.loop import SENT, DeliveryLoop, Message, SendResult, Text, backoff
from bot.render.messages import alert_html
from bot.store import db as store
from bot.store import outbox as store_outbox

ROOT = Path(__file__).resolve().parent.parent
RAQIB = [sys.executable, "-m", "bot.cli.app"]
TOKEN_ENV = "RAQIB_TEST_TELEGRAM_TOKEN"
ADMIN = 9001
USER = 501

# ---------------------------------------------------------------- helpers


def feed(base: str, count: int | None = None) -> bytes:
    """An RSS feed of the seed articles (full text, real dates), oldest first."""
    articles = seed_articles(ROOT / "seeds")[:count]
    items = [
        f"<item><title>{escape(a.title)}</title><link>{base}/a/{i}</link>"
        f"<guid>{base}/a/{i}</guid><pubDate>{format_datetime(a.published)}</pubDate>"
        f"<description>{escape(a.text)}</description></item>"
        for i, a in enumerate(articles)
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{base}</link><description>d</description>{''.join(items)}</channel></rss>"
    ).encode()


RSS = {"Content-Type": "application/rss+xml"}


def write_config(path: Path, db: Path, tg: FakeTelegram, sources: dict[str, str]) -> Path:
    tables = "".join(
        f'\n[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\ninterval = "1h"\n'
        for name, url in sources.items()
    )
    path.write_text(
        f"""
[storage]
database = "{db}"

[telegram]
token_env = "{TOKEN_ENV}"
api_base_url = "{tg.base_url}"
admins = [{ADMIN}]

[network]
allow_private_networks = true
retries = 0

[service]
delivery_poll_interval = "1s"
shutdown_grace = "5s"
{tables}""",
        encoding="utf-8",
    )
    return path


class Proc:
    """A raqib process with its stderr kept in a file."""

    def __init__(self, args: list[str], cwd: Path, token: bool = True) -> None:
        self.log = cwd / f"stderr-{time.monotonic_ns()}.txt"
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
        if token:
            env[TOKEN_ENV] = TOKEN
        env["PTB_TIMEDELTA"] = "1"
        with self.log.open("wb") as err:
            self.p = subprocess.Popen(
                [*RAQIB, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err
            )

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            if time.monotonic() > deadline or self.p.poll() is not None:
                raise AssertionError(f"{text!r} not on stderr:\n{self.stderr()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)

    def alive(self, what: Callable[[], bool]) -> Callable[[], bool]:
        """`what`, raising at once (with the process's stderr) if the process has exited: a
        process that died at start-up must not look like one that sends nothing."""

        def check() -> bool:
            if self.p.poll() is not None:
                raise AssertionError(
                    f"the process exited ({self.p.returncode}):\n{self.stderr()[-4000:]}"
                )
            return what()

        return check


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


def start(procs: list[Proc], tmp_path: Path, *args: str, token: bool = True) -> Proc:
    proc = Proc(list(args), tmp_path, token)
    procs.append(proc)
    return proc


def expected_for(db_path: Path, chat: int) -> list[str]:
    """The HTML of every alert queued for `chat`, in queue order."""
    db = store.open_db(db_path)
    try:
        rows = db.execute(
            "select o.change_id, s.lang from outbox o"
            " join subscriptions s on s.id = o.subscription_id where o.chat_id = ? order by o.id",
            [str(chat)],
        ).fetchall()
        out = []
        for change_id, lang in rows:
            view = store_outbox.change_for_alert(db, change_id)
            assert view is not None
            out += alert_html(view, lang)
        return out
    finally:
        db.close()


def alerts_in(tg: FakeTelegram, chat: int) -> list[str]:
    return [m.text for m in tg.messages(chat) if "<blockquote>" in m.text]


def all_arrived(tg: FakeTelegram, expected: dict[int, list[str]]) -> bool:
    """Every chat has at least as many alerts as expected (one pass over the messages: the
    check runs under the fake's lock, which its request handlers need too)."""
    got = Counter(m.chat_id for m in tg.messages() if "<blockquote>" in m.text)
    return all(got[chat] >= len(alerts) for chat, alerts in expected.items())


def reply_to(tg: FakeTelegram, chat: int, user: int, text: str, timeout: float = 30.0) -> str:
    before = len(tg.messages(chat))
    tg.push_command(chat, user, text)
    tg.wait_for_sync(lambda: len(tg.messages(chat)) > before, timeout, what=f"reply to {text}")
    return tg.messages(chat)[before].plain


# ---------------------------------------------------------------- the acceptance interface


@pytest.mark.slow
def test_run_answers_commands_and_delivers_what_once_queues(
    tmp_path: Path, procs: list[Proc]
) -> None:
    db = tmp_path / "raqib.db"
    with FakeTelegram() as tg, LoopbackServer() as web:
        empty = feed(web.url(), 0)
        web.route("/empty.xml", Reply(body=empty, headers=RSS))
        web.route("/extra.xml", Reply(body=empty, headers=RSS))
        web.route("/seeds.xml", Reply(body=feed(web.url()), headers=RSS))
        run_config = write_config(tmp_path / "run.toml", db, tg, {"feed": web.url("/empty.xml")})
        once_config = write_config(tmp_path / "once.toml", db, tg, {"late": web.url("/seeds.xml")})
        run = start(procs, tmp_path, "--config", str(run_config), "run")
        run.wait_for("stop ")
        assert "alerts to  telegram" in run.stderr()

        assert reply_to(tg, USER, USER, "/subscribe displaced").startswith("Subscribed (#")
        refused = reply_to(tg, USER, USER, f"/source add extra rss {web.url('/extra.xml')}")
        assert refused.startswith("Only raqib's admins")
        added = reply_to(tg, USER, ADMIN, f"/source add extra rss {web.url('/extra.xml')} 1h")
        assert added.startswith("Source extra added")
        # the next cycle of the running service picks the new source up and polls it
        deadline = time.monotonic() + 20
        while not any(r.path == "/extra.xml" for r in web.requests):
            assert time.monotonic() < deadline, run.stderr()[-3000:]
            time.sleep(0.1)

        once = subprocess.run(
            [*RAQIB, "--config", str(once_config), "once"],
            cwd=ROOT,
            env={**os.environ, TOKEN_ENV: TOKEN},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert once.returncode == 0, once.stderr
        expected = expected_for(db, USER)
        assert expected and all(html.startswith("<b>Displaced") for html in expected)
        tg.wait_for_sync(lambda: len(alerts_in(tg, USER)) >= len(expected), 60, what="alerts")
        assert alerts_in(tg, USER) == expected

        latest = reply_to(tg, USER, USER, "/latest")
        assert latest.startswith("Current totals") and "Deir ez-Zor" in latest
        assert tg.too_many_requests == 0, tg.describe()
        run.p.send_signal(signal.SIGINT)
        assert run.p.wait(30) == 0, run.stderr()[-3000:]
    assert TOKEN not in run.stderr()
    assert TOKEN.split(":")[1] not in run.stderr()


@pytest.mark.slow
def test_without_the_token_telegram_is_off_and_the_banner_says_so(
    tmp_path: Path, procs: list[Proc]
) -> None:
    with FakeTelegram() as tg:
        config = write_config(tmp_path / "run.toml", tmp_path / "raqib.db", tg, {})
        run = start(procs, tmp_path, "--config", str(config), "run", token=False)
        run.wait_for("stop ")
        assert f"telegram   off (set {TOKEN_ENV} to turn it on)" in run.stderr()
        run.p.send_signal(signal.SIGINT)
        assert run.p.wait(30) == 0
        assert tg.calls == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n_chats", "articles", "overlapping"),
    [(60, 1, False), (40, 2, True)],
    ids=["60-chats", "40-chats-overlapping-subscriptions"],
)
def test_sigkill_mid_broadcast_then_restart_delivers_everything_once(
    tmp_path: Path, procs: list[Proc], n_chats: int, articles: int, overlapping: bool
) -> None:
    # the 40-chat run got 13 x 429 before (the pacer let 31 sends into a second, then
    # charged the 429 to one chat and idled the whole loop on it), and each of its chats
    # got every alert twice (one row per matching subscription)
    db_path = tmp_path / "raqib.db"
    chats = [10_000 + i for i in range(n_chats)]
    db = store.open_db(db_path)
    for chat in chats:
        store_outbox.add_subscription(db, "telegram", str(chat))
        if overlapping:
            store_outbox.add_subscription(db, "telegram", str(chat), metrics=["displaced"])
    db.close()
    with FakeTelegram() as tg, LoopbackServer() as web:
        web.route("/feed.xml", Reply(body=feed(web.url(), articles), headers=RSS))
        config = write_config(tmp_path / "run.toml", db_path, tg, {"feed": web.url("/feed.xml")})
        once = subprocess.run(
            [*RAQIB, "--config", str(config), "once"], cwd=ROOT, capture_output=True, timeout=120
        )
        assert once.returncode == 0, once.stderr
        expected = {chat: expected_for(db_path, chat) for chat in chats}
        total = sum(len(v) for v in expected.values())
        assert total >= 2 * len(chats)  # a broadcast long enough to interrupt (~30/s)

        first = start(procs, tmp_path, "--config", str(config), "run")
        tg.wait_for_sync(
            first.alive(lambda: len(tg.messages()) >= total // 3), 60, what="a third sent"
        )
        first.p.send_signal(signal.SIGKILL)
        first.p.wait(10)
        sent_before = len(tg.messages())
        assert sent_before < total, "the broadcast finished before the kill"

        second = start(procs, tmp_path, "--config", str(config), "run")
        try:
            tg.wait_for_sync(
                second.alive(lambda: all_arrived(tg, expected)),
                120,
                what="every alert after the restart",
            )
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\nrestarted:\n{second.stderr()[-4000:]}") from None
        time.sleep(1.5)  # anything sent twice would show up by now
        second.p.send_signal(signal.SIGINT)
        assert second.p.wait(30) == 0, second.stderr()[-3000:]

    assert tg.too_many_requests == 0, tg.describe()
    for chat in chats:
        got = alerts_in(tg, chat)
        assert sorted(set(got)) == sorted(set(expected[chat]))
        assert len(set(expected[chat])) == len(expected[chat])  # each alert queued once
        repeats = sum(n - 1 for n in Counter(got).values())
        assert repeats <= 1, (chat, repeats)
        # in order: the chat's messages, repeats dropped, are the alerts as queued
        assert list(dict.fromkeys(got)) == expected[chat]
    db = store.open_db(db_path)
    assert [r[0] for r in db.execute("select distinct status from outbox")] == ["sent"]
    db.close()


# ---------------------------------------------------------------- the loop's edge cases


class Chats:
    """A transport double: per chat, scripted results for its first sends, then SENT."""

    name = "console"

    def __init__(self, script: dict[str, list[SendResult]]) -> None:
        self.script = {chat: list(results) for chat, results in script.items()}
        self.tried: list[tuple[str, int]] = []
        """(chat, outbox row) of every send, in order."""

    async def send(self, message: Message) -> SendResult:
        self.tried.append((message.row.chat_id, message.row.id))
        results = self.script.get(message.row.chat_id)
        return results.pop(0) if results else SENT

    async def send_text(self, chat_id: str, text: Text) -> SendResult:
        return SENT


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def three_each(tmp_path: Path) -> Database:
    """Three changes queued for two console chats, `a` and `b` (rows a, b, a, b, a, b)."""
    db = store.open_db(tmp_path / "raqib.db")
    for chat in ("a", "b"):
        store_outbox.add_subscription(db, "console", chat)
    for n, value in enumerate([36500, 38550, 40000]):
        queue_alert(db, value, n)
    return db


def rows_of(db: Database, chat: str) -> list[dict[str, Any]]:
    return list(
        db.query(
            "select id, status, attempts, next_attempt_at from outbox where chat_id = ?"
            " order by id",
            [chat],
        )
    )


async def test_a_gone_chat_is_tried_once_and_its_other_rows_are_skipped(
    three_each: Database,
) -> None:
    gone = SendResult(False, error="Forbidden: bot was blocked by the user", deactivate=True)
    transport = Chats({"a": [gone, gone, gone]})
    loop = DeliveryLoop(three_each, [transport])
    assert await loop.drain("console") == 3
    assert [chat for chat, _ in transport.tried] == ["a", "b", "b", "b"]
    assert {r["status"] for r in rows_of(three_each, "a")} == {"dead"}
    assert {r["status"] for r in rows_of(three_each, "b")} == {"sent"}


@pytest.mark.parametrize(
    ("first", "wait", "attempts"),
    [
        (SendResult(False, error="429", retry_after=30), 30, [1, 0, 0]),
        (SendResult(False, error="timed out"), backoff(1), [1, 0, 0]),
        (SendResult(False, error="channel held", retry_after=3, held=True), 3, [0, 0, 0]),
    ],
    ids=["retry-after", "network-error-backoff", "held-by-the-transport"],
)
async def test_rows_behind_a_waiting_row_keep_their_order_and_their_attempts(
    three_each: Database, first: SendResult, wait: float, attempts: list[int]
) -> None:
    clock = Clock()
    transport = Chats({"a": [first]})
    loop = DeliveryLoop(three_each, [transport], clock=clock)
    assert await loop.drain("console") == 3  # b's three
    a_rows = rows_of(three_each, "a")
    assert [chat for chat, _ in transport.tried] == ["a", "b", "b", "b"]  # a's later rows held
    assert [r["attempts"] for r in a_rows] == attempts  # only a real send is an attempt
    assert {r["next_attempt_at"] for r in a_rows} == {
        store.iso(clock.now + timedelta(seconds=wait))
    }

    clock.now += timedelta(seconds=wait - 1)
    assert await loop.drain("console") == 0  # not yet

    clock.now += timedelta(seconds=1)
    transport.tried.clear()
    assert await loop.drain("console") == 3
    assert transport.tried == [("a", r["id"]) for r in a_rows]  # in their order
    assert [r["attempts"] for r in rows_of(three_each, "a")] == attempts


async def test_a_moved_chat_gets_its_later_rows_at_the_new_id_in_the_same_pass(
    three_each: Database,
) -> None:
    transport = Chats({"a": [SendResult(False, error="migrated", moved_to="a2")]})
    loop = DeliveryLoop(three_each, [transport])
    assert await loop.drain("console") == 6
    tried_a = [(chat, row) for chat, row in transport.tried if chat != "b"]
    ids = [r["id"] for r in rows_of(three_each, "a2")]
    assert tried_a == [("a", ids[0]), *(("a2", i) for i in ids)]  # first row tried twice
    assert {r["status"] for r in rows_of(three_each, "a2")} == {"sent"}


class Reporting(Chats):
    """A transport double that also hears of dead rows, as Telegram and Slack do."""

    def __init__(self, script: dict[str, list[SendResult]]) -> None:
        super().__init__(script)
        self.dead: list[tuple[str, str]] = []

    async def row_dead(self, row: store_outbox.OutboxRow, error: str) -> None:
        self.dead.append((row.chat_id, error))


async def test_only_the_loop_decides_a_row_is_dead_and_the_transport_hears_of_it(
    three_each: Database,
) -> None:
    clock = Clock()
    refused = SendResult(False, error="Bad Request: can't parse entities", permanent=True)
    held = SendResult(False, error="channel held", retry_after=3, held=True)
    transport = Reporting({"a": [refused], "b": [held]})
    loop = DeliveryLoop(three_each, [transport], max_attempts=1, clock=clock)
    await loop.drain("console")
    # a's first row is refused for good: dead, and the transport is told once;
    # b's first row is held back (not an attempt), so even at max_attempts=1 it lives on
    assert transport.dead == [("a", "Bad Request: can't parse entities")]
    assert [r["status"] for r in rows_of(three_each, "b")] == ["pending"] * 3
