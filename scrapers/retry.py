"""The one retry policy for a call that may fail for a moment: stamina's exponential
backoff with jitter, honouring the wait a server asks for.

Every retry made in place goes through `retrying`: the HTTP client's fetches
(timeouts, connection errors, 5xx, and 429/503 with `Retry-After`), the Telegram
and Slack sends (network errors, 5xx, and a short `retry_after` / `Retry-After`),
Telegram's command replies and the Bot API start-up.  Two retries are not in place
and stay the project's own: the stored outbox (`bot.delivery.loop`: a row is put off in
the database and survives a restart) and a failing source's backoff between polls
(`bot.ingest.poll.backoff`).

A call is retried when `retryable(exc)` says so; when `asked(exc)` gives the
seconds the server asked for, that wait is used instead of the backoff (never
shorter than `RetryPolicy.wait_initial`), and a wait longer than
`RetryPolicy.asked_max` is not waited for: the error is raised at once, for the
caller's slower path (the outbox, the source's backoff).  stamina's own retry
logging is off (its records carry the call's arguments); each retry is logged
here at INFO, naming what is retried and why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import stamina
import stamina.instrumentation

log = logging.getLogger(__name__)

T = TypeVar("T")

stamina.instrumentation.set_on_retry_hooks([])


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry."""

    attempts: int | None
    """Tries in all, the first included (None: until it works, or is cancelled)."""
    wait_initial: float
    """Seconds before the first retry; doubled for each one after."""
    wait_max: float
    """Never wait longer than this between two tries (an asked-for wait may be longer)."""
    jitter: float = 0.0
    """Up to this many seconds added at random to each backoff."""
    asked_max: float = math.inf
    """An asked-for wait longer than this is not waited for: the error is raised."""


def _never(_exc: Exception) -> float | None:
    return None


async def retrying(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    retryable: Callable[[Exception], bool],
    asked: Callable[[Exception], float | None] = _never,
    what: str = "a call",
    describe: Callable[[Exception], str] = str,
) -> T:
    """`await call()`, again after each error `retryable` accepts, as `policy` says;
    the last error (or the first that is not retried) is raised.

    `asked(exc)` is the wait the server asked for (a `Retry-After`), if any;
    `describe(exc)` says what went wrong in the log (without secrets)."""
    tries = 0

    def decide(exc: Exception) -> bool | float:
        nonlocal tries
        tries += 1
        if not retryable(exc):
            return False
        if policy.attempts is not None and tries >= policy.attempts:
            return False  # the last try: raised as it is, not logged as a retry
        wait = asked(exc)
        of = f"/{policy.attempts - 1}" if policy.attempts is not None else ""
        if wait is None:
            log.info("retry %d%s of %s: %s", tries, of, what, describe(exc))
            return True
        if wait > policy.asked_max:
            return False
        wait = max(wait, policy.wait_initial)
        log.info("retry %d%s of %s in %.2fs, as asked: %s", tries, of, what, wait, describe(exc))
        return wait

    async for attempt in stamina.retry_context(
        on=decide,
        attempts=policy.attempts,
        timeout=None,
        wait_initial=policy.wait_initial,
        wait_max=policy.wait_max,
        wait_jitter=policy.jitter,
    ):
        with attempt:
            return await call()
    raise AssertionError("stamina ended the retries without an answer or an error")
