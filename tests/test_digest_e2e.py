"""Digests end to end inside the service: a chat subscribes with `digest` through the real PTB
bot polling the fake Bot API, the seeds are replayed, and the service's digest tick at a chosen
time sends that chat one message with every change, while another chat gets each alert."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.telegram_api import TOKEN, FakeTelegram
from test_telegram_e2e import FAST, alerts_in, expected_for, fast_pacer, replay_seeds

from bot.config.schema import AlertsConfig, Config, ServiceConfig, StorageConfig, TelegramConfig
from bot.delivery.digest import DigestItem, digest_text, parse_schedule
from bot.service.run import DIGEST_JOB, DIGEST_TICK, Service
from bot.store import db as store
from bot.store import outbox as store_outbox
from bot.telegram.transport import TelegramTransport

DIGEST_CHAT = 601
EVERY_CHANGE_CHAT = 602
USER = 501
SCHEDULE = "daily 08:00 Asia/Damascus"


@pytest.fixture
async def running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Service, FakeTelegram]]:
    monkeypatch.setenv("RAQIB_TEST_TG", TOKEN)
    monkeypatch.delenv("RAQIB_SLACK_BOT_TOKEN", raising=False)
    async with FakeTelegram(limits=FAST) as tg:
        config = Config(
            storage=StorageConfig(database=tmp_path / "raqib.db"),
            telegram=TelegramConfig(token_env="RAQIB_TEST_TG", api_base_url=tg.base_url),
            alerts=AlertsConfig(digest=SCHEDULE),
            service=ServiceConfig(delivery_poll_interval=0.2, shutdown_grace=2.0),
        )
        service = Service(config, console=io.StringIO())
        await service.start()
        [transport] = service.transports
        assert isinstance(transport, TelegramTransport)
        transport.pacer = fast_pacer()  # type: ignore[assignment]  # the fake's limits, scaled
        transport.app.bot_data["pacer"] = transport.pacer
        try:
            yield service, tg
        finally:
            await service.shutdown()


async def say(tg: FakeTelegram, chat: int, text: str) -> str:
    before = len(tg.messages(chat))
    tg.push_command(chat, USER, text)
    await tg.wait_for(lambda: len(tg.messages(chat)) > before, what=f"reply to {text}")
    return tg.messages(chat)[before].plain


async def test_a_digest_chat_gets_one_message_a_day_with_every_change(
    running: tuple[Service, FakeTelegram], seeds_dir: Path
) -> None:
    service, tg = running
    subscribed = await say(tg, DIGEST_CHAT, "/subscribe displaced digest")
    assert subscribed.startswith("Subscribed (#") and "daily digest" in subscribed
    assert (await say(tg, EVERY_CHANGE_CHAT, "/subscribe displaced")).startswith("Subscribed (#")
    replies = len(tg.messages(DIGEST_CHAT))

    replay_seeds(service.db, seeds_dir)
    assert service.delivery is not None
    service.delivery.notify()
    expected = expected_for(service.db, EVERY_CHANGE_CHAT)
    assert expected, "the seeds make displacement alerts"
    # (a deadline, not a speed: the application's rate limiter keeps the real per-chat
    # pacing, 1.1 s, so ten alerts to one chat take ten seconds and more under load)
    await tg.wait_for(
        lambda: alerts_in(tg, EVERY_CHANGE_CHAT) == expected, timeout=40, what="the alerts"
    )
    assert alerts_in(tg, DIGEST_CHAT) == []  # none of them individually

    [(sub_id, created)] = service.db.execute(
        "select id, created_at from subscriptions where chat_id = ?", [str(DIGEST_CHAT)]
    ).fetchall()
    held = service.db.execute(
        "select id, change_id from outbox where subscription_id = ? and status = 'held'"
        " order by id",
        [sub_id],
    ).fetchall()
    assert len(held) == len(expected)  # the same changes, held for the digest
    since = store.parse_iso(created)
    due = parse_schedule(SCHEDULE).next_due(since)

    assert await service.digest_tick(due - timedelta(minutes=1)) == 0  # not yet
    assert len(tg.messages(DIGEST_CHAT)) == replies

    assert await service.digest_tick(due + timedelta(minutes=1)) == 1
    [digest] = tg.messages(DIGEST_CHAT)[replies:]
    views = [store_outbox.change_for_alert(service.db, change_id) for _, change_id in held]
    items = [DigestItem.from_alert(v) for v in views if v is not None]
    assert len(items) == len(held)
    assert digest.text == digest_text(items, "en", since=since).html
    assert f"{len(held)} changes" in digest.plain.splitlines()[0]
    assert len(digest.plain.splitlines()) == 1 + len({i.group for i in items})  # every series
    statuses = service.db.execute(
        "select distinct status from outbox where subscription_id = ?", [sub_id]
    ).fetchall()
    assert statuses == [("sent",)]

    later_that_day = due + timedelta(hours=12)
    assert await service.digest_tick(later_that_day) == 0
    assert await service.digest_tick(due + timedelta(days=1, minutes=1)) == 0  # nothing new
    assert len(tg.messages(DIGEST_CHAT)) == replies + 1
    assert alerts_in(tg, EVERY_CHANGE_CHAT) == expected  # and nothing more there either


async def test_a_failed_digest_stays_held_for_the_next_tick(
    running: tuple[Service, FakeTelegram], seeds_dir: Path
) -> None:
    service, tg = running
    await say(tg, DIGEST_CHAT, "/subscribe displaced digest")
    replies = len(tg.messages(DIGEST_CHAT))
    replay_seeds(service.db, seeds_dir)
    [created] = service.db.execute(
        "select created_at from subscriptions where chat_id = ?", [str(DIGEST_CHAT)]
    ).fetchone()
    due = parse_schedule(SCHEDULE).next_due(store.parse_iso(created))

    tg.fail_next(4, status=502)  # more than the transport's quick retries
    assert await service.digest_tick(due) == 0
    assert len(tg.messages(DIGEST_CHAT)) == replies
    held = service.db.execute(
        "select count(*) from outbox where chat_id = ? and status = 'held'", [str(DIGEST_CHAT)]
    ).fetchone()[0]
    assert held > 0

    assert await service.digest_tick(due + timedelta(minutes=1)) == 1
    assert len(tg.messages(DIGEST_CHAT)) == replies + 1


async def test_the_digest_tick_is_a_scheduler_job_that_fires(
    running: tuple[Service, FakeTelegram], seeds_dir: Path
) -> None:
    service, tg = running
    job = service.scheduler.get_job(DIGEST_JOB)
    assert job is not None and job.trigger.interval == timedelta(seconds=DIGEST_TICK)
    assert job.max_instances == 1 and job.coalesce
    await say(tg, DIGEST_CHAT, "/subscribe displaced digest")
    replies = len(tg.messages(DIGEST_CHAT))
    replay_seeds(service.db, seeds_dir)
    [created] = service.db.execute(
        "select created_at from subscriptions where chat_id = ?", [str(DIGEST_CHAT)]
    ).fetchone()
    due = parse_schedule(SCHEDULE).next_due(store.parse_iso(created))
    service.clock = lambda: due + timedelta(minutes=1)  # the digest is due now

    service.scheduler.modify_job(DIGEST_JOB, next_run_time=datetime.now(UTC))  # tick now
    await tg.wait_for(lambda: len(tg.messages(DIGEST_CHAT)) > replies, what="the digest")
    [digest] = tg.messages(DIGEST_CHAT)[replies:]
    assert "changes" in digest.plain.splitlines()[0]
    job = service.scheduler.get_job(DIGEST_JOB)  # and the next tick is a minute on
    assert job is not None and job.next_run_time > datetime.now(UTC) + timedelta(seconds=50)
