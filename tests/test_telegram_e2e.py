"""The Telegram bot end to end: the real PTB Application polling the fake Bot API over HTTP,
the real command core, store and delivery loop on a SQLite file in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.telegram_api import TOKEN, FakeTelegram, TelegramLimits
from sqlite_utils import Database
from story import seed_articles

from bot.chat.table import COMMANDS, CommandSpec
from bot.config.schema import Config, StorageConfig, TelegramConfig
from bot.delivery.loop import DeliveryLoop
from bot.ingest.pipeline import process_articles, rules_from_config
from bot.render.i18n import t
from bot.render.messages import alert_html, amount
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
from bot.telegram.app import CHAT_ACTIONS, HANDLERS, menu
from bot.telegram.transport import TelegramTransport

ADMIN = 9001
USER = 501
FAST = TelegramLimits(chat_interval=0.05, group_per_window=100, group_window=1.0)
"""The fake's limits scaled down so the suite is quick (the pacer is scaled to match)."""


@dataclass
class Bot:
    """A running bot and its delivery loop against a fake Telegram."""

    tg: FakeTelegram
    transport: TelegramTransport
    loop: DeliveryLoop
    db: Database
    config: Config

    async def command(self, chat: int, user: int, text: str, replies: int = 1) -> list[str]:
        """Send `text` as `user` in `chat`; wait for `replies` new messages and return them."""
        before = len(self.tg.messages(chat))
        self.tg.push_command(chat, user, text)
        await self.tg.wait_for(
            lambda: len(self.tg.messages(chat)) >= before + replies, what=f"reply to {text}"
        )
        return [m.plain for m in self.tg.messages(chat)[before:]]


def fast_pacer() -> object:
    from bot.delivery.pacing import Limits, Pacer, telegram_is_group

    limits = Limits(chat_interval=0.06, group_limit=100, group_window=1.0, global_rate=30)
    return Pacer(limits, is_group=telegram_is_group)


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    monkeypatch.setenv("RAQIB_TEST_TG", TOKEN)
    async with FakeTelegram(limits=FAST) as tg:
        config = Config(
            storage=StorageConfig(database=tmp_path / "raqib.db"),
            telegram=TelegramConfig(
                token_env="RAQIB_TEST_TG",
                api_base_url=tg.base_url,
                admins=(ADMIN,),
                admin_chat=-777,
            ),
        )
        db = store.open_db(config.storage.database)
        transport = TelegramTransport(config, pacer=fast_pacer())  # type: ignore[arg-type]
        await transport.start()
        loop = DeliveryLoop(db, [transport], poll_interval=0.2)
        loop.start()
        try:
            yield Bot(tg, transport, loop, db, config)
        finally:
            await loop.stop(5)
            await transport.stop()
            db.close()


def replay_seeds(db: Database, seeds: Path) -> None:
    process_articles(db, seed_articles(seeds), rules_from_config(Config().alerts))


def expected_for(db: Database, chat: int) -> list[str]:
    """The HTML of every alert queued for `chat`, in queue order (what must arrive)."""
    rows = db.execute(
        "select o.change_id, s.lang from outbox o join subscriptions s on s.id = o.subscription_id"
        " where o.chat_id = ? order by o.id",
        [str(chat)],
    ).fetchall()
    out = []
    for change_id, lang in rows:
        view = store_outbox.change_for_alert(db, change_id)
        assert view is not None
        out += alert_html(view, lang)
    return out


def alerts_in(tg: FakeTelegram, chat: int) -> list[str]:
    """Messages to `chat` that are alerts (they start with the bold headline)."""
    return [
        m.text for m in tg.messages(chat) if m.text.startswith("<b>") and "<blockquote>" in m.text
    ]


# ---------------------------------------------------------------- the story


async def test_subscribe_displaced_then_the_seeds_arrive_in_order(
    bot: Bot, seeds_dir: Path
) -> None:
    [reply] = await bot.command(USER, USER, "/subscribe displaced")
    assert reply.startswith("Subscribed (#")
    [reply] = await bot.command(-42, USER, "/subscribe killed")  # another chat, another filter
    replay_seeds(bot.db, seeds_dir)
    expected = expected_for(bot.db, USER)
    assert expected, "the seeds make displacement alerts"
    bot.loop.notify()
    await bot.tg.wait_for(lambda: len(alerts_in(bot.tg, USER)) >= len(expected), what="alerts")
    await bot.tg.wait_for(
        lambda: store_outbox.pending_outbox(bot.db, "telegram", _far()) == [], what="drain"
    )
    assert alerts_in(bot.tg, USER) == expected
    assert alerts_in(bot.tg, -42) == expected_for(bot.db, -42)
    for html in expected:  # every alert is about displacement
        assert html.startswith("<b>Displaced")
    assert bot.tg.too_many_requests == 0, bot.tg.describe()


async def test_latest_answers_with_the_replayed_totals(bot: Bot, seeds_dir: Path) -> None:
    replay_seeds(bot.db, seeds_dir)
    [reply] = await bot.command(USER, USER, "/latest")
    rows = [r for r in store_figures.totals(bot.db) if r["scope"] == "total"]
    assert rows
    for row in rows:
        state = store_figures.state_from_row(row)
        assert amount(state.value, state.qualifier, state.vague, state.unit, "en") in reply
    [reply] = await bot.command(USER, USER, "/latest دير الزور")
    assert reply.startswith("Current totals in Deir ez-Zor")
    assert "Hasakah" not in reply


async def test_arabic_chat_gets_arabic_replies_and_alerts(bot: Bot, seeds_dir: Path) -> None:
    [reply] = await bot.command(USER, USER, "/lang ar")
    assert "بالعربية" in reply
    [reply] = await bot.command(USER, USER, "/subscribe نازحين")
    assert reply.startswith("تم الاشتراك")
    replay_seeds(bot.db, seeds_dir)
    expected = expected_for(bot.db, USER)
    bot.loop.notify()
    await bot.tg.wait_for(lambda: len(alerts_in(bot.tg, USER)) >= len(expected), what="alerts")
    assert alerts_in(bot.tg, USER) == expected
    assert all(html.startswith("<b>نازحون") for html in expected)


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("/frobnicate", "Unknown command /frobnicate"),
        ("/history", "Usage: /history METRIC [place]"),
        ("/history nonsense", "I don't know the metric 'nonsense'"),
        ("/subscribe displaced atlantis", "I don't know 'atlantis'"),
        ("/unsubscribe", "This chat has no subscriptions"),
        ("/lang fr", "Usage: /lang ar|en"),
        ("/latest atlantis", "I don't know the place 'atlantis'"),
        ("/chart killed", "No figures recorded yet"),
        ("/source add x rss https://example.org/feed", "Only raqib's admins can use /source"),
    ],
    ids=[
        "unknown",
        "history-no-metric",
        "history-bad-metric",
        "bad-place",
        "unsub-none",
        "bad-lang",
        "latest-bad-place",
        "chart-empty",
        "non-admin-source",
    ],
)
async def test_bad_input_gets_one_line(bot: Bot, text: str, starts: str) -> None:
    [reply] = await bot.command(USER, USER, text)
    assert reply.startswith(starts)
    assert "\n" not in reply and "Traceback" not in reply


async def test_help_lists_every_command_and_the_menu_is_registered(bot: Bot) -> None:
    [reply] = await bot.command(USER, USER, "/help")
    for spec in COMMANDS:
        assert f"/{spec.name}" in reply
        assert spec.example in reply
    assert set(HANDLERS) == {c.name for c in COMMANDS}
    for code, lang in (("", "en"), ("ar", "ar")):
        registered = bot.tg.my_commands(code)
        assert registered == [
            {"command": c.command, "description": c.description} for c in menu(lang)
        ]
    assert any("\u0600" <= ch <= "\u06ff" for ch in bot.tg.my_commands("ar")[0]["description"])


@pytest.mark.parametrize("spec", COMMANDS, ids=[c.name for c in COMMANDS])
async def test_every_command_of_the_table_answers(bot: Bot, spec: CommandSpec) -> None:
    """Each command's handler is generated from the table: typed bare, it answers (its
    usage, or what it shows) and is neither unknown nor an error."""
    replies = await bot.command(ADMIN, ADMIN, f"/{spec.name}")
    text = " ".join(replies)
    assert text.strip() or bot.tg.messages(ADMIN)[-1].kind == "photo"
    assert not text.startswith("Unknown command"), text
    assert t("error", "en") not in text
    assert HANDLERS[spec.name].__doc__ == f"{spec.usage}: {spec.en}"
    if spec.name in CHAT_ACTIONS:
        assert (ADMIN, CHAT_ACTIONS[spec.name]) in bot.tg.chat_actions


def test_readme_lists_every_command() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [c.name for c in COMMANDS if f"/{c.name}" not in readme]
    assert missing == [], "README.md's command table must list every command"


async def test_keyboard_subscribe_and_unsubscribe(bot: Bot) -> None:
    await bot.command(USER, USER, "/subscribe")
    message = bot.tg.messages(USER)[-1]
    assert message.reply_markup is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    assert {"/subscribe killed", "/subscribe all"} <= {b["callback_data"] for b in buttons}
    bot.tg.push_callback(USER, USER, "/subscribe killed")
    await bot.tg.wait_for(lambda: bot.tg.callback_answers, what="the button answer")
    await bot.tg.wait_for(lambda: bot.tg.messages(USER)[-1].edits, what="the edit")
    assert bot.tg.messages(USER)[-1].plain.startswith("Subscribed (#")
    [sub] = store_outbox.active_subscriptions(bot.db)
    assert (sub.chat_id, sub.metrics) == (str(USER), ("killed",))
    [reply] = await bot.command(USER, USER, "/subscriptions")
    assert f"#{sub.id}: Killed" in reply
    [reply] = await bot.command(USER, USER, f"/unsubscribe {sub.id}")
    assert reply == f"Unsubscribed: #{sub.id}."
    assert store_outbox.active_subscriptions(bot.db) == []


# ---------------------------------------------------------------- admins


async def test_non_admin_is_refused_and_nothing_changes(bot: Bot) -> None:
    for text in (
        "/source add feed rss https://example.org/feed.xml",
        "/config set alerts.alert_new false",
        "/threshold displaced 500",
        "/source pause seeds",
    ):
        [reply] = await bot.command(USER, USER, text)
        assert reply.startswith("Only raqib's admins")
    assert list(bot.db.query("select * from audit_log")) == []
    assert list(bot.db.query("select * from settings")) == []
    assert list(bot.db.query("select * from sources")) == []


async def test_admin_edits_are_validated_stored_and_audited(bot: Bot) -> None:
    applied: list[int] = []
    bot.transport.bind(lambda: applied.append(1))
    [reply] = await bot.command(USER, ADMIN, "/source add feed rss https://8.8.8.8/feed.xml 15m")
    assert reply.startswith("Source feed added (rss, every 15m)")
    [reply] = await bot.command(USER, ADMIN, "/source add local rss http://127.0.0.1:9/feed.xml")
    assert reply.startswith("Refused:") and "private" in reply
    [reply] = await bot.command(USER, ADMIN, "/source add files files https://8.8.8.8/x")
    assert reply.startswith("Refused:")
    [reply] = await bot.command(USER, ADMIN, "/config set alerts.event_dedupe 2d")
    assert reply.startswith("alerts.event_dedupe = 2d")
    [reply] = await bot.command(USER, ADMIN, "/config set alerts.nonsense 1")
    assert reply.startswith("Refused:") and "unknown key" in reply
    [reply] = await bot.command(USER, ADMIN, "/threshold displaced 500 5%")
    assert "Displaced: at least 500 and 5%" in reply
    [reply] = await bot.command(USER, ADMIN, "/source pause feed")
    assert reply == "Source feed paused."
    [reply] = await bot.command(USER, ADMIN, "/config")
    assert "alerts.thresholds.displaced.absolute = 500.0" in reply and f"telegram:{ADMIN}" in reply
    audit = [(r["actor"], r["action"]) for r in bot.db.query("select * from audit_log order by id")]
    assert audit == [
        (f"telegram:{ADMIN}", "source.add"),
        (f"telegram:{ADMIN}", "config.set"),
        (f"telegram:{ADMIN}", "config.set"),
        (f"telegram:{ADMIN}", "config.set"),
        (f"telegram:{ADMIN}", "source.pause"),
    ]
    from bot.config.settings import effective_config

    effective = effective_config(bot.config, bot.db)
    feed = effective.source("feed")
    assert feed is not None and feed.interval == 900 and not feed.enabled
    assert effective.alerts.event_dedupe == 2 * 86400
    assert effective.alerts.threshold("displaced").relative == pytest.approx(0.05)
    assert len(applied) == 4  # each accepted edit applied at once, refused ones not
    [reply] = await bot.command(USER, ADMIN, "/admins")
    assert reply == f"Admins on telegram: {ADMIN}"


# ---------------------------------------------------------------- delivery outcomes


def subscribe_chats(db: Database, chats: list[int]) -> list[int]:
    return [store_outbox.add_subscription(db, "telegram", str(c)) for c in chats]


def queue_one_alert(db: Database, seeds: Path) -> None:
    """The first seed article: its changes go to every subscription."""
    process_articles(db, seed_articles(seeds)[:1], rules_from_config(Config().alerts))


async def test_blocked_chat_is_unsubscribed_and_the_broadcast_completes(
    bot: Bot, seeds_dir: Path
) -> None:
    chats = [1001, 1002, 1003, 1004, -1005]
    subs = subscribe_chats(bot.db, chats)
    bot.tg.block(1003)
    queue_one_alert(bot.db, seeds_dir)
    bot.loop.notify()
    for chat in chats:
        if chat != 1003:
            expected = expected_for(bot.db, chat)
            await bot.tg.wait_for(
                lambda c=chat, e=expected: alerts_in(bot.tg, c) == e, what=f"{chat}"
            )
    await bot.tg.wait_for(
        lambda: store_outbox.pending_outbox(bot.db, "telegram", _far()) == [], what="drain"
    )
    active = {s.id for s in store_outbox.active_subscriptions(bot.db)}
    assert active == set(subs) - {subs[2]}
    assert alerts_in(bot.tg, 1003) == []


async def test_migrated_group_moves_and_gets_the_alert(bot: Bot, seeds_dir: Path) -> None:
    subscribe_chats(bot.db, [-2001])
    bot.tg.migrate(-2001, -1002001)
    queue_one_alert(bot.db, seeds_dir)
    queued = expected_for(bot.db, -2001)
    bot.loop.notify()
    await bot.tg.wait_for(lambda: alerts_in(bot.tg, -1002001) == queued, timeout=20, what="moved")
    [sub] = store_outbox.active_subscriptions(bot.db)
    assert sub.chat_id == "-1002001"
    assert expected_for(bot.db, -2001) == []  # the rows moved with the subscription


async def test_bad_request_is_dead_at_once_and_admins_are_told(bot: Bot, seeds_dir: Path) -> None:
    subscribe_chats(bot.db, [3001, 3002])
    bot.tg.mark_not_found(3001)
    queue_one_alert(bot.db, seeds_dir)
    bot.loop.notify()
    await bot.tg.wait_for(
        lambda: alerts_in(bot.tg, 3002) == expected_for(bot.db, 3002), what="3002"
    )
    await bot.tg.wait_for(lambda: bot.tg.texts(-777), what="the admin notice")

    def statuses_3001() -> set[tuple[str, str, int]]:
        rows = bot.db.execute("select chat_id, status, attempts from outbox").fetchall()
        return {(c, s, n) for c, s, n in rows if c == "3001"}

    # (the two chats are paced apart: 3001's last row may still be on its way when
    # 3002's last has arrived, so its end is waited for, not assumed)
    await bot.tg.wait_for(
        lambda: all(s == "dead" for _c, s, _n in statuses_3001()), what="3001's rows dead"
    )
    assert statuses_3001() == {("3001", "dead", 1)}
    assert "3001" in bot.tg.texts(-777)[0] and "chat not found" in bot.tg.texts(-777)[0].lower()
    assert len([c for c in bot.tg.calls if c.chat_id == 3001]) == len(expected_for(bot.db, 3001))


async def test_retry_after_and_network_errors_keep_order_and_lose_nothing(
    bot: Bot, seeds_dir: Path
) -> None:
    subscribe_chats(bot.db, [4001])
    bot.tg.throttle(1, chat_id=4001, times=1)
    bot.tg.fail_next(2, status=502)
    replay_seeds(bot.db, seeds_dir)
    expected = expected_for(bot.db, 4001)
    bot.loop.notify()
    await bot.tg.wait_for(lambda: alerts_in(bot.tg, 4001) == expected, timeout=30, what="all")
    assert sorted(c.status for c in bot.tg.errors(4001)) == [429, 502, 502]
    # the last message is marked sent once its request returned: wait for that, not longer
    await bot.tg.wait_for(
        lambda: store_outbox.pending_outbox(bot.db, "telegram", _far()) == [], what="marked sent"
    )
    rows = list(bot.db.query("select status, attempts from outbox where chat_id = '4001'"))
    assert {r["status"] for r in rows} == {"sent"}
    assert sum(r["attempts"] for r in rows) == 0  # every failure was retried in place


def _far() -> object:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)


async def test_start_waits_for_an_unreachable_bot_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Bot API is down when raqib starts: start-up goes on (the service polls its
    sources), the transport keeps trying in the background (with backoff) and comes online
    once the Bot API is back, instead of stopping `raqib run`."""
    monkeypatch.setenv("RAQIB_TEST_TG", TOKEN)
    monkeypatch.setattr("bot.telegram.transport.START_BACKOFF", 0.1)
    async with FakeTelegram(limits=FAST) as tg:
        config = Config(
            storage=StorageConfig(database=tmp_path / "raqib.db"),
            telegram=TelegramConfig(token_env="RAQIB_TEST_TG", api_base_url=tg.base_url),
        )
        await tg.stop()  # nothing listens on the Bot API's port now
        transport = TelegramTransport(config, pacer=fast_pacer())  # type: ignore[arg-type]
        await asyncio.wait_for(transport.start(), 10)  # start-up does not wait for it
        try:
            assert not transport.online.is_set()
            await asyncio.sleep(0.5)
            assert not transport.online.is_set()
            result = await transport.send_html(USER, "x")  # held, not a failed attempt
            assert not result.ok and result.held
            await tg.start()  # back, on the same port
            await asyncio.wait_for(transport.online.wait(), 10)
            assert tg.my_commands("") != []  # the menu was registered once it could be
        finally:
            await transport.stop()


# ---------------------------------------------------------------- once per chat, credit as of the change


def alerting_changes(db: Database, metric: str) -> list[int]:
    """Ids of the changes of `metric` that asked for an alert, in order (independent of the
    outbox: what a subscriber to `metric` must hear of, each exactly once)."""
    return [
        r[0]
        for r in db.execute(
            "select id from changes where metric = ? and alert = 1 order by id", [metric]
        )
    ]


async def test_overlapping_subscriptions_get_each_alert_once(bot: Bot, seeds_dir: Path) -> None:
    # fails on the code before: one outbox row (and one message) per matching subscription
    [reply] = await bot.command(USER, USER, "/subscribe displaced")
    assert reply.startswith("Subscribed (#")
    [reply] = await bot.command(USER, USER, "/subscribe displaced deir-ez-zor")
    assert reply.startswith("Subscribed (#")
    both = 777
    store_outbox.add_subscription(bot.db, "telegram", str(both), metrics=["displaced"])
    store_outbox.add_subscription(bot.db, "telegram", str(both), metrics=["displaced"], digest=True)
    replay_seeds(bot.db, seeds_dir)
    wanted = alerting_changes(bot.db, "displaced")
    assert len(wanted) >= 5
    expected = []
    for change_id in wanted:
        view = store_outbox.change_for_alert(bot.db, change_id)
        assert view is not None
        expected += alert_html(view, "en")
    bot.loop.notify()
    await bot.tg.wait_for(
        lambda: store_outbox.pending_outbox(bot.db, "telegram", _far()) == [], what="drain"
    )
    await asyncio.sleep(0.3)
    assert alerts_in(bot.tg, USER) == expected
    assert alerts_in(bot.tg, both) == expected
    # the digest chat's held rows: each change once, besides its instant row
    held = [
        r[0]
        for r in bot.db.execute(
            "select change_id from outbox where chat_id = ? and status = ? order by id",
            [str(both), store_outbox.HELD],
        )
    ]
    assert held == wanted


async def test_the_2017_alert_credits_no_later_outlet(bot: Bot, seeds_dir: Path) -> None:
    # fails on the code before: "Also reported by" was read from the series' state at send
    # time, which by then holds the outlet of the 2018 "more than 15,000"
    await bot.command(USER, USER, "/subscribe displaced")
    replay_seeds(bot.db, seeds_dir)  # the whole replay first: the 2017 alert goes out late
    bot.loop.notify()
    await bot.tg.wait_for(
        lambda: store_outbox.pending_outbox(bot.db, "telegram", _far()) == [], what="drain"
    )
    [first] = bot.db.execute(
        "select c.id, a.outlet from changes c join articles a on a.id = c.article_id"
        " where c.metric = 'displaced' and c.published < '2018' and c.alert = 1"
    ).fetchall()
    later = {
        r[0]
        for r in bot.db.execute(
            "select distinct outlet from observations where published > ? and outlet != ?",
            ["2018", first[1]],
        )
    }
    assert later, "the seeds have later outlets"
    [alert] = [m.plain for m in bot.tg.messages(USER) if "2017" in m.plain]
    assert first[1] in alert
    assert not [outlet for outlet in later if outlet in alert], alert
    view = store_outbox.change_for_alert(bot.db, first[0])
    assert view is not None and view.sources == (first[1],)


async def test_every_bot_api_call_takes_its_turn_with_the_pacer(bot: Bot, seeds_dir: Path) -> None:
    # before, only sendMessage/sendPhoto were paced: setMyCommands, button answers, edits and
    # the chat action went around the limiter
    await bot.command(USER, USER, "/subscribe")
    bot.tg.push_callback(USER, USER, "/subscribe killed")
    await bot.tg.wait_for(lambda: bot.tg.callback_answers, what="the button answer")
    await bot.tg.wait_for(lambda: bot.tg.messages(USER)[-1].edits, what="the edit")
    replay_seeds(bot.db, seeds_dir)
    await bot.command(USER, USER, "/chart displaced", replies=1)
    await asyncio.sleep(0.3)
    calls = [c for c in bot.tg.calls if c.method != "getUpdates"]
    methods = {c.method for c in calls}
    assert {"setMyCommands", "answerCallbackQuery", "editMessageText", "sendPhoto"} <= methods
    assert bot.transport.pacer.state.commits == len(calls)
    assert bot.tg.too_many_requests == 0
