"""The Slack app end to end: real signed HTTP requests to the app in HTTP mode, the real
slack_sdk client posting to the fake Slack Web API on 127.0.0.1, the real command core, store
and delivery loop on a SQLite file in tmp_path."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import WSMsgType, web
from fakes.slack_api import BOT_TOKEN, TEAM_ID, FakeSlack, SlackLimits
from sqlite_utils import Database
from story import seed_articles

from bot.chat.table import COMMANDS
from bot.config.schema import (
    Config,
    ConfigError,
    ServiceConfig,
    SlackConfig,
    SourceConfig,
    StorageConfig,
)
from bot.config.settings import effective_config
from bot.delivery.loop import IN_PLACE, TRANSPORTS, DeliveryLoop, chat_transports
from bot.delivery.pacing import Limits, Pacer
from bot.ingest.pipeline import process_articles, rules_from_config
from bot.service.run import Service
from bot.slack.blocks import alert_blocks
from bot.slack.signature import sign
from bot.slack.transport import SlackTransport, slack_transport
from bot.store import db as store
from bot.store import outbox as store_outbox

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
"""The signing secret of the app under test."""
ADMIN = "U0ADMIN"
USER = "U0USER"
CHANNEL = "C0NEWS"
OTHER = "C0OTHER"
ADMIN_CHANNEL = "C0ADMINS"
FAST = SlackLimits(channel_interval=0.05)
"""The fake's per-channel limit scaled down so the suite is quick (the pacer matches it)."""


@dataclass
class App:
    """A running Slack app, its delivery loop and the fake Slack it talks to."""

    slack: FakeSlack
    transport: SlackTransport
    loop: DeliveryLoop
    db: Database
    config: Config

    async def request(
        self,
        body: bytes,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        signature: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> tuple[int, Any]:
        """POST `body` to the app as Slack would, signed unless told otherwise."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature if signature is not None else sign(secret, ts, body),
        }
        assert self.transport.http is not None
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.transport.http.url}/slack/events", data=body, headers=headers
            ) as r,
        ):
            text = await r.text()
            try:
                return r.status, json.loads(text)
            except ValueError:
                return r.status, text

    def slash_body(self, text: str, user: str, channel: str, response_url: str) -> bytes:
        """The form body of `/raqib text`, as Slack sends it."""
        return urlencode(
            {
                "token": "deprecated-verification-token",
                "team_id": TEAM_ID,
                "team_domain": "raqib-test",
                "channel_id": channel,
                "channel_name": channel.lower(),
                "user_id": user,
                "user_name": user.lower(),
                "command": "/raqib",
                "text": text,
                "api_app_id": "A0RAQIB",
                "response_url": response_url,
                "trigger_id": "1.2.3",
            }
        ).encode()

    async def slash(
        self, text: str, user: str = USER, channel: str = CHANNEL
    ) -> tuple[int, Any, str]:
        """Run `/raqib text`; the status, the acknowledgement and the response_url."""
        response_url = self.slack.response_url()
        status, answer = await self.request(self.slash_body(text, user, channel, response_url))
        return status, answer, response_url

    async def said(self, text: str, user: str = USER, channel: str = CHANNEL) -> str:
        """Run `/raqib text` and return the acknowledgement's text (it must be 200)."""
        status, answer, _ = await self.slash(text, user, channel)
        assert status == 200, answer
        assert isinstance(answer, dict), answer
        return str(answer["text"])

    def responses(self, response_url: str) -> list[dict[str, Any]]:
        """Bodies posted to one response_url."""
        path = response_url.removeprefix(self.slack.url)
        return [r.body for r in self.slack.responses if r.path == path]


def fast_pacer() -> Pacer:
    return Pacer(Limits(chat_interval=0.06))


def make_config(tmp_path: Path, slack: FakeSlack, seeds: Path) -> Config:
    return Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        sources=(SourceConfig.of(name="seeds", kind="files", path=str(seeds), interval=3600.0),),
        slack=SlackConfig(
            mode="http",
            bot_token_env="RAQIB_TEST_SLACK_BOT",
            signing_secret_env="RAQIB_TEST_SLACK_SECRET",
            app_token_env="RAQIB_TEST_SLACK_APP",
            api_base_url=slack.api_base_url,
            http_host="127.0.0.1",
            http_port=0,
            admins=(ADMIN,),
            admin_channel=ADMIN_CHANNEL,
        ),
    )


@pytest.fixture
async def app(
    tmp_path: Path, seeds_dir: Path, request: pytest.FixtureRequest
) -> AsyncIterator[App]:
    max_attempts = getattr(request, "param", 8)
    async with FakeSlack(limits=FAST) as slack:
        config = make_config(tmp_path, slack, seeds_dir)
        db = store.open_db(config.storage.database)
        transport = SlackTransport(
            config,
            token=BOT_TOKEN,
            signing_secret=SECRET,
            pacer=fast_pacer(),
        )
        await transport.start()
        loop = DeliveryLoop(db, [transport], poll_interval=0.1, max_attempts=max_attempts)
        loop.start()
        try:
            yield App(slack, transport, loop, db, config)
        finally:
            await loop.stop(5)
            await transport.stop()
            db.close()


def replay_seeds(db: Database, seeds: Path) -> None:
    process_articles(db, seed_articles(seeds), rules_from_config(Config().alerts))


def expected_for(db: Database, channel: str) -> list[list[dict[str, Any]]]:
    """The blocks of every alert queued for `channel`, in queue order (what must arrive)."""
    rows = db.execute(
        "select o.change_id, s.lang from outbox o join subscriptions s on s.id = o.subscription_id"
        " where o.chat_id = ? order by o.id",
        [channel],
    ).fetchall()
    out = []
    for change_id, lang in rows:
        view = store_outbox.change_for_alert(db, change_id)
        assert view is not None
        out.append(alert_blocks(view, lang))
    return out


def alerts_in(slack: FakeSlack, channel: str) -> list[list[dict[str, Any]]]:
    """The blocks of the alerts posted to `channel` (messages that open with a header)."""
    return [
        m.blocks for m in slack.messages(channel) if m.blocks and m.blocks[0]["type"] == "header"
    ]


def drained(db: Database) -> bool:
    return store_outbox.pending_outbox(db, "slack", datetime.now(UTC) + timedelta(days=1)) == []


def everything(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every table the commands can change, for 'nothing changed' checks."""
    tables = ("subscriptions", "settings", "sources", "audit_log", "chats")
    return {name: list(db.query(f"select * from {name}")) for name in tables}


# ---------------------------------------------------------------- the story


async def test_subscribe_displaced_then_the_seeds_arrive_in_order(
    app: App, seeds_dir: Path
) -> None:
    reply = await app.said("subscribe displaced")
    assert reply.startswith("Subscribed (#")
    assert (await app.said("subscribe killed", channel=OTHER)).startswith("Subscribed (#")
    replay_seeds(app.db, seeds_dir)
    expected = expected_for(app.db, CHANNEL)
    assert expected, "the seeds make displacement alerts"
    app.loop.notify()
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    assert alerts_in(app.slack, CHANNEL) == expected
    assert alerts_in(app.slack, OTHER) == expected_for(app.db, OTHER)
    for blocks in expected:
        assert blocks[0]["text"]["text"].startswith("Displaced")
    for message in app.slack.messages(CHANNEL):
        assert message.text and message.params.get("unfurl_links") in (False, "false", "0", 0)
    assert app.slack.too_many_requests == 0, app.slack.describe()
    [sub, _] = store_outbox.active_subscriptions(app.db)
    assert (sub.transport, sub.chat_id, sub.metrics) == ("slack", CHANNEL, ("displaced",))
    [created_by] = [r["created_by"] for r in app.db.query("select * from subscriptions limit 1")]
    assert created_by == f"slack:{USER}"


async def test_arabic_channel_gets_arabic_replies_and_alerts(app: App, seeds_dir: Path) -> None:
    assert "بالعربية" in await app.said("lang ar")
    assert (await app.said("subscribe نازحين")).startswith("تم الاشتراك")
    replay_seeds(app.db, seeds_dir)
    expected = expected_for(app.db, CHANNEL)
    app.loop.notify()
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    assert alerts_in(app.slack, CHANNEL) == expected
    assert all(blocks[0]["text"]["text"].startswith("نازحون") for blocks in expected)


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    ("changes"),
    [
        {"secret": "not-the-secret"},
        {"offset": -6 * 60},
        {"offset": 6 * 60},
        {"signature": ""},
        {"signature": "v0=" + "0" * 64},
        {"signature": "v1=abc"},
    ],
    ids=["wrong-secret", "stale", "future", "no-signature", "zero-signature", "wrong-version"],
)
async def test_bad_signature_or_stale_timestamp_is_401_and_nothing_changes(
    app: App, changes: dict[str, Any]
) -> None:
    if "offset" in changes:  # timestamps are taken when the request is made, not collected
        changes = {"timestamp": int(time.time()) + changes["offset"]}
    before = everything(app.db)
    body = app.slash_body("subscribe displaced", ADMIN, CHANNEL, app.slack.response_url())
    status, answer = await app.request(body, **changes)
    assert status == 401, answer
    admin_body = app.slash_body(
        "source add feed rss https://8.8.8.8/feed.xml", ADMIN, CHANNEL, app.slack.response_url()
    )
    status, _ = await app.request(admin_body, **changes)
    assert status == 401
    assert everything(app.db) == before
    assert app.slack.responses == [] and app.slack.messages() == []


async def test_a_signed_body_changed_in_transit_is_refused(app: App) -> None:
    body = app.slash_body("subscriptions", USER, CHANNEL, app.slack.response_url())
    ts = str(int(time.time()))
    tampered = body.replace(b"subscriptions", b"subscribe+all")
    status, _ = await app.request(tampered, timestamp=int(ts), signature=sign(SECRET, ts, body))
    assert status == 401
    assert store_outbox.active_subscriptions(app.db) == []


async def test_a_captured_request_sent_again_is_refused_as_a_replay(app: App) -> None:
    """Inside the five minutes the signature still verifies: the second copy is 401."""
    body = app.slash_body("subscribe displaced", ADMIN, CHANNEL, app.slack.response_url())
    ts = int(time.time())
    status, answer = await app.request(body, timestamp=ts)
    assert status == 200, answer
    after_first = everything(app.db)
    assert len(store_outbox.active_subscriptions(app.db)) == 1
    status, answer = await app.request(body, timestamp=ts)
    assert status == 401, answer
    assert "replayed" in str(answer)
    assert everything(app.db) == after_first
    status, answer = await app.request(body, timestamp=ts - 1)  # signed anew: taken
    assert status == 200, answer


# ---------------------------------------------------------------- admins


async def test_non_admin_is_refused_and_an_admin_edit_takes_effect(app: App) -> None:
    before = everything(app.db)
    for text in (
        "source add feed rss https://8.8.8.8/feed.xml 15m",
        "config set alerts.event_dedupe 2d",
        "threshold displaced 500",
        "source pause seeds",
    ):
        reply = await app.said(text, user=USER)
        assert reply.startswith("Only raqib's admins"), reply
    assert everything(app.db) == before
    reply = await app.said("source add feed rss https://8.8.8.8/feed.xml 15m", user=ADMIN)
    assert reply.startswith("Source feed added (rss, every 15m)"), reply
    feed = effective_config(app.config, app.db).source("feed")
    assert feed is not None and feed.interval == 900 and feed.url == "https://8.8.8.8/feed.xml"
    audit = [(r["actor"], r["action"]) for r in app.db.query("select * from audit_log")]
    assert audit == [(f"slack:{ADMIN}", "source.add")]
    assert await app.said("admins", user=ADMIN) == f"Admins on slack: {ADMIN}"


# ---------------------------------------------------------------- commands


async def test_help_lists_every_command_the_slack_way(app: App) -> None:
    status, answer, _ = await app.slash("")
    assert status == 200
    text = "\n".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    for spec in COMMANDS:
        assert f"/raqib {spec.name}" in text, spec.name
    assert "/raqib /" not in text


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("frobnicate", "Unknown command /raqib frobnicate"),
        ("history", "Usage: /raqib history METRIC [place]"),
        ("subscribe displaced atlantis", "I don't know 'atlantis'"),
        ("unsubscribe", "This chat has no subscriptions"),
        ("lang fr", "Usage: /raqib lang ar|en"),
        ("chart killed", "Working on it"),
    ],
    ids=["unknown", "history-no-metric", "bad-place", "unsub-none", "bad-lang", "chart-slow"],
)
async def test_bad_input_gets_one_line(app: App, text: str, starts: str) -> None:
    reply = await app.said(text)
    assert reply.startswith(starts), reply
    assert "\n" not in reply


async def test_buttons_run_their_command(app: App) -> None:
    status, answer, _ = await app.slash("subscribe")
    assert status == 200
    [actions] = [b for b in answer["blocks"] if b["type"] == "actions"]
    buttons = {b["value"]: b for b in actions["elements"]}
    assert {"/subscribe killed", "/subscribe all"} <= set(buttons)
    response_url = app.slack.response_url()
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": USER},
        "channel": {"id": CHANNEL, "name": "news"},
        "api_app_id": "A0RAQIB",
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": buttons["/subscribe killed"]["action_id"],
                "block_id": "b1",
                "value": "/subscribe killed",
                "action_ts": "1.2",
            }
        ],
    }
    status, _ = await app.request(urlencode({"payload": json.dumps(payload)}).encode())
    assert status == 200
    gone, body = await app.slack.wait_for(
        lambda: len(app.responses(response_url)) >= 2 and app.responses(response_url),
        what="the answer",
    )
    assert gone["delete_original"] is True  # the buttons go
    assert body["response_type"] == "in_channel" and body["text"].startswith("Subscribed (#")
    [sub] = store_outbox.active_subscriptions(app.db)
    assert (sub.chat_id, sub.metrics) == (CHANNEL, ("killed",))


async def test_confirmations_are_for_the_channel_and_the_rest_for_who_asked(app: App) -> None:
    for text, seen in (
        ("subscribe displaced", "in_channel"),
        ("subscribe displaced", "in_channel"),  # "already subscribed" too
        ("lang en", "in_channel"),
        ("unsubscribe all", "in_channel"),
        ("help", "ephemeral"),
        ("subscriptions", "ephemeral"),
        ("subscribe atlantis", "ephemeral"),  # a refusal is for who typed it
    ):
        status, answer, _ = await app.slash(text)
        assert status == 200 and answer["response_type"] == seen, (text, answer)
    status, answer, _ = await app.slash("subscribe displaced", channel="D0DIRECT")
    assert answer["response_type"] == "ephemeral"  # a direct message has no channel to tell


async def test_a_failing_command_says_so_and_the_admin_channel_is_told(app: App) -> None:
    app.db.execute("alter table subscriptions rename to subscriptions_gone")  # a broken store
    try:
        text = await app.said("subscriptions")
        await app.slack.wait_for(lambda: app.slack.messages(ADMIN_CHANNEL), what="the notice")
    finally:
        app.db.execute("alter table subscriptions_gone rename to subscriptions")
    assert text == "Something went wrong with that command; the admins have been told."
    [notice] = [m.text for m in app.slack.messages(ADMIN_CHANNEL)]
    assert f"the command /subscriptions in chat {CHANNEL} (from slack:{USER}) failed" in notice
    assert "no such table: subscriptions" in notice


async def test_source_test_answers_later_through_response_url(app: App) -> None:
    reply, answer, response_url = await app.slash("source test seeds", user=ADMIN)
    assert reply == 200 and answer["text"].startswith("Working on it")
    [body] = await app.slack.wait_for(lambda: app.responses(response_url), what="the result")
    assert body["text"].startswith("seeds:") or "seeds" in body["text"], body
    assert any(b["type"] == "section" and "```" in b["text"]["text"] for b in body["blocks"])
    assert list(app.db.query("select * from articles")) == []  # a dry run stores nothing


async def test_chart_is_uploaded_to_the_channel(app: App, seeds_dir: Path) -> None:
    replay_seeds(app.db, seeds_dir)
    reply = await app.said("chart displaced")
    assert reply.startswith("Working on it")
    files = await app.slack.wait_for(
        lambda: [f for f in app.slack.files.values() if f.completed], timeout=30, what="upload"
    )
    [upload] = files
    assert upload.channel == CHANNEL and upload.data.startswith(b"\x89PNG")
    assert upload.title and upload.title.startswith("Displaced")


async def test_chart_in_a_channel_without_the_bot_says_how_to_fix_it(
    app: App, seeds_dir: Path
) -> None:
    replay_seeds(app.db, seeds_dir)
    app.slack.remove_bot(OTHER)
    _, _, response_url = await app.slash("chart displaced", channel=OTHER)
    [body] = await app.slack.wait_for(lambda: app.responses(response_url), timeout=30, what="err")
    assert "not_in_channel" in body["text"] and "/invite" in body["text"]


# ---------------------------------------------------------------- safety of article text


async def test_hostile_feed_title_is_posted_escaped(app: App, seeds_dir: Path) -> None:
    store_outbox.add_subscription(app.db, "slack", CHANNEL)
    hostile = "<!channel> <@U123> <https://evil.example|click> & more"
    article = dataclasses.replace(seed_articles(seeds_dir)[0], title=hostile)
    process_articles(app.db, [article], rules_from_config(Config().alerts))
    assert expected_for(app.db, CHANNEL)
    app.loop.notify()
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    messages = app.slack.messages(CHANNEL)
    assert messages
    for message in messages:
        everything_sent = message.all_text()
        for raw in ("<!channel>", "<@U123>", "<https://evil.example"):
            assert raw not in everything_sent
        assert "&lt;!channel&gt; &lt;@U123&gt;" in everything_sent
        assert "&amp; more" in everything_sent


# ---------------------------------------------------------------- delivery outcomes


def queue_one_alert(db: Database, seeds: Path) -> None:
    """The first seed article: its changes go to every subscription."""
    process_articles(db, seed_articles(seeds)[:1], rules_from_config(Config().alerts))


async def test_retry_after_delays_the_next_post_and_the_alert_arrives(
    app: App, seeds_dir: Path
) -> None:
    store_outbox.add_subscription(app.db, "slack", CHANNEL)
    app.slack.throttle(2, channel=CHANNEL, times=1)
    queue_one_alert(app.db, seeds_dir)
    expected = expected_for(app.db, CHANNEL)
    app.loop.notify()
    await app.slack.wait_for(
        lambda: alerts_in(app.slack, CHANNEL) == expected, timeout=20, what="every alert"
    )
    [refused] = app.slack.errors(CHANNEL)
    assert refused.status == 429
    first_post = app.slack.messages(CHANNEL)[0]
    assert first_post.at - refused.at >= 2.0
    assert app.slack.too_many_requests == 1, app.slack.describe()
    await app.slack.wait_for(lambda: drained(app.db), timeout=10, what="the outbox drained")
    assert {r["status"] for r in app.db.query("select status from outbox")} == {"sent"}


async def test_archived_channel_is_unsubscribed_and_others_still_get_the_alert(
    app: App, seeds_dir: Path
) -> None:
    channels = ["C0A", "C0B", "C0ARCHIVED", "C0GONE", "C0KICKED", "D0DM"]
    subs = {c: store_outbox.add_subscription(app.db, "slack", c) for c in channels}
    app.slack.archive("C0ARCHIVED")
    app.slack.mark_not_found("C0GONE")
    app.slack.remove_bot("C0KICKED")
    queue_one_alert(app.db, seeds_dir)
    app.loop.notify()
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    for channel in ("C0A", "C0B", "D0DM"):
        assert alerts_in(app.slack, channel) == expected_for(app.db, channel)
    active = {s.id for s in store_outbox.active_subscriptions(app.db)}
    assert active == {subs["C0A"], subs["C0B"], subs["D0DM"]}
    queued = len(expected_for(app.db, "C0A"))
    for channel in ("C0ARCHIVED", "C0GONE", "C0KICKED"):
        assert alerts_in(app.slack, channel) == []
        tried = [c for c in app.slack.calls if c.channel == channel]
        assert 1 <= len(tried) <= queued, (channel, tried)  # never retried
    rows = app.db.query("select status from outbox where chat_id = 'C0ARCHIVED'")
    assert {r["status"] for r in rows} == {"dead"}


@pytest.mark.parametrize("app", [1], indirect=True, ids=["one-attempt"])
async def test_a_row_past_its_retries_is_dead_and_the_admins_are_told(
    app: App, seeds_dir: Path
) -> None:
    store_outbox.add_subscription(app.db, "slack", CHANNEL)
    app.slack.fail_next(IN_PLACE.attempts or 0, status=503)  # the post and its quick retries
    queue_one_alert(app.db, seeds_dir)
    app.loop.notify()
    notices = await app.slack.wait_for(
        lambda: app.slack.messages(ADMIN_CHANNEL), timeout=20, what="the admin notice"
    )
    assert CHANNEL in notices[0].text and "given up" in notices[0].text
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    statuses = [r["status"] for r in app.db.query("select status from outbox order by id")]
    assert statuses[0] == "dead"


# ---------------------------------------------------------------- wiring


def test_no_token_means_slack_is_off(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        slack=SlackConfig(bot_token_env="RAQIB_TEST_SLACK_UNSET"),
    )
    monkeypatch.delenv("RAQIB_TEST_SLACK_UNSET", raising=False)
    db = store.open_db(config.storage.database)
    try:
        assert TRANSPORTS["slack"].load() is slack_transport
        assert slack_transport(config, db) is None
        assert [t.name for t in chat_transports(config, db)].count("slack") == 0
    finally:
        db.close()


async def test_token_from_the_environment_and_never_in_the_logs(
    tmp_path: Path,
    seeds_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    async with FakeSlack(token="xoxb-1111-2222-somethingelse", limits=FAST) as slack:
        config = make_config(tmp_path, slack, seeds_dir)
        monkeypatch.setenv("RAQIB_TEST_SLACK_BOT", BOT_TOKEN)  # not the fake's: invalid_auth
        monkeypatch.setenv("RAQIB_TEST_SLACK_SECRET", SECRET)
        db = store.open_db(config.storage.database)
        transport = slack_transport(config, db)
        assert isinstance(transport, SlackTransport)
        try:
            with pytest.raises(ConfigError) as info:  # raqib run stops with this one line
                await transport.start()
            assert info.value.key == "slack.bot_token_env"
            assert BOT_TOKEN not in str(info.value) and info.value.__cause__ is None
            assert transport.http is None  # nothing was started
            result = await transport.post(CHANNEL, "hello")
            assert not result.ok and result.error == "invalid_auth"
        finally:
            await transport.stop()
            db.close()
    for record in caplog.records:
        text = record.getMessage()
        assert BOT_TOKEN not in text and SECRET not in text


# ---------------------------------------------------------------- Socket Mode

APP_TOKEN = "xapp-1-A0RAQIB-0000-fakeapptokenfortests"
"""An app-level token of the real shape."""


class SocketSlack(FakeSlack):
    """The fake Slack plus Socket Mode: `apps.connections.open` (with the app-level token) and
    a WebSocket that sends envelopes and records the app's acknowledgements."""

    name = "fake-slack-socket"

    def __init__(self, app_token: str = APP_TOKEN, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_token = app_token
        self.acks: list[dict[str, Any]] = []
        """Every envelope acknowledgement the app sent back, in order."""
        self.sockets: list[web.WebSocketResponse] = []

    def build_app(self) -> web.Application:
        app = super().build_app()
        app.router.add_get("/socket", self._socket)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "apps.connections.open":
            return await super()._handle(request)
        if request.headers.get("Authorization", "") != f"Bearer {self.app_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                with self.lock:
                    self.acks.append(json.loads(message.data))
        return ws

    async def slash(self, envelope_id: str, payload: dict[str, Any]) -> None:
        """Send a slash command envelope down the open socket."""
        envelope = {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
        await self.sockets[-1].send_json(envelope)


async def test_socket_mode_takes_commands_over_the_websocket(
    tmp_path: Path, seeds_dir: Path
) -> None:
    async with SocketSlack(limits=FAST) as slack:
        base = make_config(tmp_path, slack, seeds_dir)
        config = dataclasses.replace(
            base, slack=dataclasses.replace(base.slack, mode="socket", http_port=1)
        )
        db = store.open_db(config.storage.database)
        transport = SlackTransport(config, token=BOT_TOKEN, app_token=APP_TOKEN, pacer=fast_pacer())
        await transport.start()
        try:
            assert transport.http is None and transport.socket is not None
            await slack.wait_for(lambda: slack.sockets, what="the socket")
            payload = {
                "team_id": TEAM_ID,
                "channel_id": CHANNEL,
                "channel_name": "news",
                "user_id": USER,
                "command": "/raqib",
                "text": "subscribe displaced",
                "response_url": slack.response_url(),
                "trigger_id": "1.2.3",
                "api_app_id": "A0RAQIB",
            }
            await slack.slash("env-1", payload)
            [ack] = await slack.wait_for(lambda: slack.acks, what="the acknowledgement")
            assert ack["envelope_id"] == "env-1"
            assert ack["payload"]["text"].startswith("Subscribed (#")
            [sub] = store_outbox.active_subscriptions(db)
            assert (sub.transport, sub.chat_id, sub.metrics) == ("slack", CHANNEL, ("displaced",))
        finally:
            await transport.stop()
            db.close()


async def test_socket_mode_without_an_app_token_still_delivers(
    tmp_path: Path, seeds_dir: Path
) -> None:
    async with FakeSlack(limits=FAST) as slack:
        base = make_config(tmp_path, slack, seeds_dir)
        config = dataclasses.replace(base, slack=dataclasses.replace(base.slack, mode="socket"))
        transport = SlackTransport(config, token=BOT_TOKEN, pacer=fast_pacer())
        await transport.start()
        try:
            assert transport.socket is None and transport.http is None
            assert (await transport.post(CHANNEL, "hello &lt;world&gt;")).ok
            assert [m.text for m in slack.messages(CHANNEL)] == ["hello &lt;world&gt;"]
        finally:
            await transport.stop()


# ---------------------------------------------------------------- inside `raqib run`


@pytest.mark.parametrize("token", [True, False], ids=["token-set-slack-on", "no-token-slack-off"])
async def test_raqib_run_registers_slack_and_the_banner_says_so(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, token: bool
) -> None:
    monkeypatch.delenv("RAQIB_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("RAQIB_TEST_SLACK_SECRET", SECRET)
    if token:
        monkeypatch.setenv("RAQIB_TEST_SLACK_BOT", BOT_TOKEN)
    else:
        monkeypatch.delenv("RAQIB_TEST_SLACK_BOT", raising=False)
    async with FakeSlack(limits=FAST) as slack:
        config = dataclasses.replace(make_config(tmp_path, slack, seeds_dir), sources=())
        service = Service(config, console=io.StringIO())
        await service.start()
        try:
            banner = service.banner()
            names = [t.name for t in service.transports]
            if token:
                assert names == ["slack"]
                assert "alerts to  slack" in banner and "slack      off" not in banner
            else:
                assert names == ["console"]
                assert "slack      off (set RAQIB_TEST_SLACK_BOT to turn it on)" in banner
        finally:
            await service.shutdown()


async def test_an_admin_edit_from_slack_applies_to_the_service_at_once(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAQIB_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("RAQIB_TEST_SLACK_BOT", BOT_TOKEN)
    monkeypatch.setenv("RAQIB_TEST_SLACK_SECRET", SECRET)
    async with FakeSlack(limits=FAST) as slack:
        config = dataclasses.replace(
            make_config(tmp_path, slack, seeds_dir),
            sources=(),
            service=ServiceConfig(delivery_poll_interval=3600.0),  # the watcher will not run
        )
        service = Service(config, console=io.StringIO())
        await service.start()
        try:
            [transport] = service.transports
            assert isinstance(transport, SlackTransport) and service.delivery is not None
            app = App(slack, transport, service.delivery, service.db, config)
            assert service.rules.alert_new is True
            said = await app.said("config set alerts.alert_new false", user=ADMIN)
            assert "alerts.alert_new" in said
            assert service.rules.alert_new is False  # applied before the answer, not later
            assert service.effective.alerts.alert_new is False
        finally:
            await service.shutdown()


async def test_overlapping_subscriptions_get_each_alert_once(app: App, seeds_dir: Path) -> None:
    # fails on the code before: one outbox row (and one post) per matching subscription
    assert (await app.said("subscribe displaced")).startswith("Subscribed (#")
    assert (await app.said("subscribe displaced deir-ez-zor")).startswith("Subscribed (#")
    replay_seeds(app.db, seeds_dir)
    wanted = [
        r[0]
        for r in app.db.execute(
            "select id from changes where metric = 'displaced' and alert = 1 order by id"
        )
    ]
    views = [store_outbox.change_for_alert(app.db, c) for c in wanted]
    expected = [alert_blocks(v, "en") for v in views if v is not None]
    assert len(expected) == len(wanted) >= 5
    app.loop.notify()
    await app.slack.wait_for(lambda: drained(app.db), timeout=20, what="the outbox drained")
    assert alerts_in(app.slack, CHANNEL) == expected
