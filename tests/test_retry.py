"""The one retry policy (`scrapers.retry.retrying`): which errors are retried, how long
it waits, and when an asked-for wait is too long to wait for.

The transports and the HTTP client are tested on the fakes and the loopback server
(test_telegram_e2e, test_slack_e2e, test_http); here is the policy's table."""

from __future__ import annotations

import time

import pytest

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
