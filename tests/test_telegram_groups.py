"""Telegram in groups and channels, end to end: the real PTB Application polling the fake Bot
API, the real command core on a SQLite file (issue 14: commands for other bots, group
administrators, keyboards, no silent deletion, honest errors, slow commands)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import test_telegram_e2e
from fakes.telegram_api import TOKEN, FakeTelegram
from loopback import LoopbackServer
from loopback import Reply as WebReply
from test_telegram_e2e import ADMIN, USER, Bot

from bot.config.schema import Config, NetworkConfig, SourceConfig, StorageConfig, TelegramConfig
from bot.store import outbox as store_outbox
from bot.telegram.transport import TelegramTransport

bot = test_telegram_e2e.bot
"""The running bot against a fake Telegram (the fixture of the end-to-end tests)."""

GROUP = -42
OTHER = 502


async def settle(bot: Bot, chat: int, replies: int, text: str) -> list[str]:
    """Send `text` (ours) after whatever was pushed before; wait for `replies` new messages
    in `chat` and a moment more, and return every message since the call."""
    before = len(bot.tg.messages(chat))
    bot.tg.push_command(chat, ADMIN, text)
    await bot.tg.wait_for(
        lambda: len(bot.tg.messages(chat)) >= before + replies, what=f"reply to {text}"
    )
    await asyncio.sleep(0.5)
    return [m.plain for m in bot.tg.messages(chat)[before:]]


# ---------------------------------------------------------------- 9: commands for another bot


async def test_a_command_for_another_bot_gets_no_reply_and_changes_nothing(bot: Bot) -> None:
    before = len(bot.tg.messages(GROUP))
    for text in (
        "/subscribe@other_bot killed",
        "/help@other_bot",
        "/frobnicate@other_bot",
        "/lang@Other_Bot ar",
    ):
        bot.tg.push_command(GROUP, ADMIN, text)
    [reply] = await settle(bot, GROUP, 1, "/subscriptions@raqib_test_bot")
    assert reply.startswith(
        "This chat has no subscriptions."
    )  # in English: /lang@Other_Bot was not ours
    assert len(bot.tg.messages(GROUP)) == before + 1
    assert store_outbox.active_subscriptions(bot.db) == []
    [reply] = await bot.command(GROUP, ADMIN, "/subscribe@RAQIB_test_bot killed")  # ours
    assert reply.startswith("Subscribed (#")


# ---------------------------------------------------------------- 10: groups


async def test_in_a_group_only_its_administrators_change_subscriptions(bot: Bot) -> None:
    for text in ("/subscribe killed", "/lang ar", "/unsubscribe all", "/subscribe"):
        [reply] = await bot.command(GROUP, USER, text)
        assert reply == f"In a group, only its administrators can use {text.split()[0]}."
    assert store_outbox.active_subscriptions(bot.db) == []
    [reply] = await bot.command(GROUP, USER, "/latest")  # reading is for everyone
    assert reply.startswith("No figures recorded yet")
    bot.tg.make_admin(GROUP, USER)
    [reply] = await bot.command(GROUP, USER, "/subscribe killed")
    assert reply.startswith("Subscribed (#")
    bot.tg.make_admin(GROUP, OTHER, owner=True)
    [reply] = await bot.command(GROUP, OTHER, "/subscribe displaced")
    assert reply.startswith("Subscribed (#")
    [reply] = await bot.command(GROUP, ADMIN, "/subscribe wounded")  # raqib's admin
    assert reply.startswith("Subscribed (#")
    assert len(store_outbox.active_subscriptions(bot.db)) == 3
    [reply] = await bot.command(USER, USER, "/subscribe killed")  # a private chat: always
    assert reply.startswith("Subscribed (#")
    members = [c for c in bot.tg.calls if c.method == "getChatMember"]
    assert {c.chat_id for c in members} == {GROUP}  # asked only in the group


async def test_a_group_keyboard_answers_only_the_one_who_opened_it(bot: Bot) -> None:
    bot.tg.make_admin(GROUP, USER)
    bot.tg.make_admin(GROUP, OTHER)
    await bot.command(GROUP, OTHER, "/subscribe")
    keyboard = bot.tg.messages(GROUP)[-1]
    assert keyboard.reply_markup is not None
    bot.tg.push_callback(GROUP, USER, "/subscribe killed")  # another admin presses it
    await bot.tg.wait_for(lambda: bot.tg.callback_answers, what="the refusal")
    [refusal] = bot.tg.callback_answers
    assert refusal.get("text", "").startswith("These buttons belong to whoever opened them")
    assert store_outbox.active_subscriptions(bot.db) == []
    bot.tg.push_callback(GROUP, OTHER, "/subscribe killed")  # its owner
    await bot.tg.wait_for(lambda: len(bot.tg.callback_answers) == 2, what="the answer")
    await bot.tg.wait_for(lambda: bot.tg.messages(GROUP)[-1].edits, what="the edit")
    assert bot.tg.messages(GROUP)[-1].plain.startswith("Subscribed (#")
    [sub] = store_outbox.active_subscriptions(bot.db)
    assert sub.metrics == ("killed",)


# ---------------------------------------------------------------- 12: one schema


async def test_a_negative_threshold_is_refused_over_telegram(bot: Bot) -> None:
    [reply] = await bot.command(USER, ADMIN, "/threshold displaced -5")
    assert reply.startswith("Refused: alerts.thresholds.displaced.absolute")
    assert list(bot.db.query("select * from settings")) == []
    [reply] = await bot.command(USER, ADMIN, "/threshold displaced 500 5%")
    assert "Displaced: at least 500 and 5%" in reply


# ---------------------------------------------------------------- 13: honest errors

ADMIN_CHAT = -777


async def test_a_failing_command_says_so_and_the_admin_chat_is_told(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.db.execute("alter table subscriptions rename to subscriptions_gone")  # a broken store
    try:
        [reply] = await bot.command(USER, USER, "/subscriptions")
        await bot.tg.wait_for(lambda: bot.tg.messages(ADMIN_CHAT), what="the admin notice")
    finally:
        bot.db.execute("alter table subscriptions_gone rename to subscriptions")
    assert reply == "Something went wrong with that command; the admins have been told."
    [notice] = [m.plain for m in bot.tg.messages(ADMIN_CHAT)]
    assert notice.startswith(f"raqib: the command /subscriptions in chat {USER} (from telegram:")
    assert "OperationalError: no such table: subscriptions" in notice
    assert "Traceback" not in notice and TOKEN not in notice
    logged = [r for r in caplog.records if r.name == "bot.chat.commands" and r.exc_info]
    assert logged, "the traceback is in the log"


async def test_odd_digits_in_unsubscribe_are_a_usage_line_not_a_crash(bot: Bot) -> None:
    await bot.command(USER, USER, "/subscribe killed")
    for text in ("/unsubscribe ²", "/unsubscribe ①", "/unsubscribe #"):
        [reply] = await bot.command(USER, USER, text)
        assert reply.startswith("Usage: /unsubscribe"), reply
    [reply] = await bot.command(USER, USER, "/unsubscribe ١")  # Arabic-Indic one: a real id
    assert reply == "Unsubscribed: #1."
    assert bot.tg.messages(ADMIN_CHAT) == []


# ---------------------------------------------------------------- slow commands


async def test_a_slow_source_test_holds_up_nobody_and_has_a_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAQIB_TEST_TG", TOKEN)
    monkeypatch.setattr("bot.chat.commands.COMMAND_TIMEOUT", 4.0)
    with LoopbackServer() as site:
        site.route("/feed.xml", WebReply(body=b"<rss/>", delay=60))  # a site that hangs
        async with FakeTelegram(limits=test_telegram_e2e.FAST) as tg:
            config = Config(
                storage=StorageConfig(database=tmp_path / "raqib.db"),
                sources=(SourceConfig.of(name="slow", kind="rss", url=site.url("/feed.xml")),),
                network=NetworkConfig(allow_private_networks=True, retries=0),
                telegram=TelegramConfig(
                    token_env="RAQIB_TEST_TG", api_base_url=tg.base_url, admins=(ADMIN,)
                ),
            )
            transport = TelegramTransport(config, pacer=test_telegram_e2e.fast_pacer())  # type: ignore[arg-type]
            await transport.start()
            try:
                tg.push_command(ADMIN, ADMIN, "/source test slow")
                await tg.wait_for(lambda: site.hits("/feed.xml"), what="the slow fetch")
                asked = time.monotonic()
                tg.push_command(USER, USER, "/start")  # another user, meanwhile
                await tg.wait_for(lambda: tg.messages(USER), what="the /start reply")
                assert time.monotonic() - asked < 3.0, "/start waited for the slow command"
                assert tg.messages(ADMIN) == []  # the slow one is still running
                await tg.wait_for(lambda: tg.messages(ADMIN), timeout=15, what="the time limit")
                [reply] = [m.plain for m in tg.messages(ADMIN)]
                assert reply.startswith("That took too long (over 4 s)")
            finally:
                await transport.stop()


# ---------------------------------------------------------------- 16: a plain message


async def test_a_plain_message_gets_a_hint_in_private_and_nothing_in_a_group(bot: Bot) -> None:
    bot.tg.push_message(GROUP, USER, "hello everyone")
    bot.tg.push_message(USER, USER, "hello?")
    await bot.tg.wait_for(lambda: bot.tg.messages(USER), what="the hint")
    [hint] = [m.plain for m in bot.tg.messages(USER)]
    assert hint.startswith("I answer commands only: send /help")
    [reply] = await settle(bot, GROUP, 1, "/start")
    assert reply.startswith("raqib")  # the group got only the reply to its command
