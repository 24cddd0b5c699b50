"""The one retry policy (`scrapers.retry.retrying`): which errors are retried, how long
it waits, and when an asked-for wait is too long to wait for; then both transports on
their fakes, where a 429's wait is honoured (the HTTP client's is in test_http)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.slack_api import BOT_TOKEN, FakeSlack, SlackLimits
from fakes.telegram_api import TOKEN, FakeTelegram, TelegramLimits

from bot.config.schema import Config, SlackConfig, StorageConfig, TelegramConfig
from bot.delivery.loop import SendResult
from bot.delivery.pacing import Limits, Pacer, telegram_is_group
from bot.slack.transport import SlackTransport
from bot.telegram.transport import TelegramTransport
from scrapers.retry import RetryPolicy, retrying


class Busy(Exception):
    """A failure worth retrying, with the wait the server asked for (None: not said)."""

    def __init__(self, asked: float | None = None) -> None:
        super().__init__(f"busy (asked {asked})")
        self.asked = asked


class Broken(Exception):
    """A failure that trying again does not mend."""


FAST = RetryPolicy(attempts=3, wait_initial=0.01, wait_max=0.02, asked_max=1.0)


def asked(exc: Exception) -> float | None:
    return exc.asked if isinstance(exc, Busy) else None


async def run(failures: list[Exception], policy: RetryPolicy = FAST) -> tuple[str, int, float]:
    """Fail with each of `failures` in turn, then answer "ok"; (answer, tries, seconds)."""
    tries = 0

    async def call() -> str:
        nonlocal tries
        tries += 1
        if failures:
            raise failures.pop(0)
        return "ok"

    started = time.monotonic()
    answer = await retrying(
        call, policy, retryable=lambda e: isinstance(e, Busy), asked=asked, what="a test"
    )
    return answer, tries, time.monotonic() - started


@pytest.mark.parametrize(
    ("failures", "tries", "at_least"),
    [
        ([], 1, 0.0),
        ([Busy()], 2, 0.01),
        ([Busy(), Busy()], 3, 0.02),
        ([Busy(0.3)], 2, 0.3),
        ([Busy(0.0)], 2, 0.01),
    ],
    ids=["first-try", "one-backoff", "two-backoffs", "waits-as-asked", "asked-zero-is-the-floor"],
)
async def test_retried_until_it_answers(
    failures: list[Exception], tries: int, at_least: float
) -> None:
    answer, took, seconds = await run(failures)
    assert (answer, took) == ("ok", tries)
    assert seconds >= at_least * 0.95


@pytest.mark.parametrize(
    ("failures", "raised", "tries"),
    [
        ([Broken()], Broken, 1),
        ([Busy(), Broken()], Broken, 2),
        ([Busy(), Busy(), Busy()], Busy, 3),
        ([Busy(30.0)], Busy, 1),
    ],
    ids=["not-retryable", "not-retryable-after-a-retry", "out-of-attempts", "asked-too-long"],
)
async def test_gives_up_with_the_error(
    failures: list[Exception], raised: type[Exception], tries: int
) -> None:
    calls = len(failures)
    with pytest.raises(raised):
        await run(failures)
    assert calls - len(failures) == tries


async def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(attempts=5, wait_initial=0.05, wait_max=0.1)
    _, tries, seconds = await run([Busy()] * 4, policy)
    assert tries == 5
    assert 0.05 + 0.1 + 0.1 + 0.1 <= seconds * 1.05 < 1.0  # 0.05, then 0.1 (capped) x3


async def test_without_a_limit_it_tries_until_it_answers() -> None:
    policy = RetryPolicy(attempts=None, wait_initial=0.001, wait_max=0.001)
    _, tries, _ = await run([Busy()] * 20, policy)
    assert tries == 21


# ---------------------------------------------------------------- on the fakes


@dataclass
class Platform:
    """One transport started against its fake, seen the same way for both."""

    throttle: Callable[[int], None]
    """The next send is refused with 429 and this wait (in seconds)."""
    send: Callable[[str], Awaitable[SendResult]]
    """One send of a text through the transport."""
    refused: Callable[[], list[float]]
    """When each 429 was answered (monotonic)."""
    delivered: Callable[[], list[tuple[str, float]]]
    """Each text the fake accepted, and when."""


CHAT = 501
CHANNEL = "C0NEWS"


@asynccontextmanager
async def telegram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Platform]:
    monkeypatch.setenv("RAQIB_TEST_TG", TOKEN)
    async with FakeTelegram(limits=TelegramLimits(chat_interval=0.05)) as tg:
        config = Config(
            storage=StorageConfig(database=tmp_path / "raqib.db"),
            telegram=TelegramConfig(token_env="RAQIB_TEST_TG", api_base_url=tg.base_url),
        )
        pacer = Pacer(Limits(chat_interval=0.06, global_rate=30), is_group=telegram_is_group)
        transport = TelegramTransport(config, pacer=pacer, poll=False)
        await transport.start()
        try:
            yield Platform(
                throttle=lambda wait: tg.throttle(wait, chat_id=CHAT, times=1),
                send=lambda text: transport.send_html(CHAT, text),
                refused=lambda: [c.at for c in tg.errors(CHAT) if c.status == 429],
                delivered=lambda: [(m.plain, m.at) for m in tg.messages(CHAT)],
            )
        finally:
            await transport.stop()


@asynccontextmanager
async def slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Platform]:
    async with FakeSlack(limits=SlackLimits(channel_interval=0.05)) as fake:
        config = Config(
            storage=StorageConfig(database=tmp_path / "raqib.db"),
            slack=SlackConfig(api_base_url=fake.api_base_url),
        )
        transport = SlackTransport(
            config, token=BOT_TOKEN, pacer=Pacer(Limits(chat_interval=0.06)), serve=False
        )
        await transport.start()
        try:
            yield Platform(
                throttle=lambda wait: fake.throttle(wait, channel=CHANNEL, times=1),
                send=lambda text: transport.post(CHANNEL, text),
                refused=lambda: [c.at for c in fake.errors(CHANNEL) if c.status == 429],
                delivered=lambda: [(m.text, m.at) for m in fake.messages(CHANNEL)],
            )
        finally:
            await transport.stop()


Started = Callable[[Path, pytest.MonkeyPatch], AbstractAsyncContextManager[Platform]]
PLATFORMS = pytest.mark.parametrize("platform", [telegram, slack], ids=["telegram", "slack"])


@PLATFORMS
async def test_a_429_with_a_short_wait_is_waited_out_then_the_send_succeeds(
    platform: Started, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with platform(tmp_path, monkeypatch) as p:
        p.throttle(2)
        started = time.monotonic()
        result = await p.send("after the wait")
        waited = time.monotonic() - started
        assert result.ok, result
        [refused] = p.refused()
        [(text, at)] = p.delivered()
        assert text == "after the wait"
        assert at - refused >= 2.0 and waited >= 2.0


@PLATFORMS
async def test_a_429_with_a_long_wait_goes_back_to_the_loop_at_once(
    platform: Started, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with platform(tmp_path, monkeypatch) as p:
        p.throttle(30)
        started = time.monotonic()
        result = await p.send("later")
        assert not result.ok and result.retry_after == 30
        assert time.monotonic() - started < 5
        assert len(p.refused()) == 1 and p.delivered() == []
