"""Telegram in groups and channels, end to end: the real PTB Application polling the fake Bot
API, the real command core on a SQLite file (issue 14: commands for other bots, group
administrators, keyboards, no silent deletion, honest errors, slow commands)."""

from __future__ import annotations

import asyncio

import test_telegram_e2e
from test_telegram_e2e import ADMIN, Bot

from bot import store

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
    assert store.active_subscriptions(bot.db) == []
    [reply] = await bot.command(GROUP, ADMIN, "/subscribe@RAQIB_test_bot killed")  # ours
    assert reply.startswith("Subscribed (#")
