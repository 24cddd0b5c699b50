"""Send pacing: stay under the chat platforms' rate limits instead of bumping into them.

PTB's `AIORateLimiter` knows the global and group limits but has no per-chat
limit, and Slack's SDK has none at all, so delivery paces itself here.

The numbers (`TELEGRAM`, `SLACK`) and where they come from:

- Telegram Bot FAQ, "My bot is hitting limits, how do I avoid this?"
  (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
  in a single chat avoid sending more than one message per second; in a group
  a bot cannot send more than 20 messages per minute; for bulk notifications
  the API will not allow more than about 30 messages per second overall.
  Group, supergroup and channel ids are negative; users' are positive.
- Slack, "Rate limits" (https://docs.slack.dev/apis/web-api/rate-limits):
  `chat.postMessage` has a special tier, "generally one message per second per
  channel", short bursts allowed, plus a workspace-wide limit Slack does not
  publish; a 429 carries `Retry-After` in seconds.

How it works: the decisions are pure functions of the state, the limits, the
chat and the time.  `chat_delay` is what the chat's own limits impose, and
`global_delay` what the global ones impose; `plan` is the larger:

- per chat: at least `chat_interval` seconds after the previous send to it;
- per group: at most `group_limit` sends in any `group_window` seconds;
- global: a token bucket of `global_rate` per second holding `global_burst`
  tokens (kept as a theoretical arrival time, i.e. GCRA);
- penalties: after a 429, that chat (or everything) waits `retry_after`.

`commit` records a send at the moment it goes.  `Pacer.acquire` waits out the
chat's delay (many chats wait at once), then takes the global turn (one sender
at a time, first come first served), re-checks, and commits; the clock and the
sleep are injectable, which is what the unit tests drive.  Sends are recorded
when they are allowed, not booked ahead, so an event loop that stalls for a
while does not release a burst of overdue sends afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ChatKey = Hashable
"""A Telegram chat id (int) or a Slack channel id (str)."""


@dataclass(frozen=True)
class Limits:
    """One platform's send limits."""

    chat_interval: float = 1.0
    """Minimum seconds between two sends to the same chat (0: no per-chat limit)."""
    group_limit: int = 0
    """Sends allowed to one group in any `group_window` seconds (0: no group limit)."""
    group_window: float = 60.0
    """Length of the rolling group window, in seconds."""
    global_rate: float = 0.0
    """Sends per second over all chats (0: no global limit)."""
    global_burst: float = 1.0
    """Sends the global bucket may let through at once after a quiet spell."""

    def __post_init__(self) -> None:
        if self.chat_interval < 0 or self.group_window <= 0:
            raise ValueError("chat_interval must be >= 0 and group_window > 0")
        if self.group_limit < 0 or self.global_rate < 0:
            raise ValueError("group_limit and global_rate must be >= 0")
        if self.global_burst < 1:
            raise ValueError("global_burst must be at least 1")


TELEGRAM = Limits(
    chat_interval=1.0, group_limit=20, group_window=60.0, global_rate=30.0, global_burst=2.0
)
"""Telegram Bot API: 1/s per chat, 20/min per group, 30/s overall (Bot FAQ).

A burst of 2 lets a sender that wakes up to 1/30 s late keep the full rate
instead of drifting below it, while any 1 s window still holds at most 31."""
SLACK = Limits(chat_interval=1.0)
"""Slack chat.postMessage: about 1/s per channel (rate-limit docs, special tier)."""


def telegram_is_group(chat_id: object) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return isinstance(chat_id, int) and chat_id < 0


@dataclass
class PacerState:
    """What the pacer remembers: booked slots and penalties, all in clock seconds."""

    chat_next: dict[ChatKey, float] = field(default_factory=dict)
    """Earliest time the next send to each chat may go."""
    group_sends: dict[ChatKey, deque[float]] = field(default_factory=dict)
    """Booked send times per group within the last window, oldest first."""
    global_tat: float = float("-inf")
    """Theoretical arrival time of the global bucket (GCRA)."""
    chat_penalty: dict[ChatKey, float] = field(default_factory=dict)
    """A chat that got a 429 waits until this time."""
    global_penalty: float = float("-inf")
    """After a global 429 every send waits until this time."""
    commits: int = 0
    """Sends booked so far (drives occasional pruning)."""


def chat_delay(state: PacerState, limits: Limits, chat: ChatKey, now: float, group: bool) -> float:
    """Seconds `chat`'s own limits (interval, group window, its penalty) make a send wait."""
    ready = max(now, state.chat_penalty.get(chat, now))
    if limits.chat_interval > 0:
        ready = max(ready, state.chat_next.get(chat, ready))
    if group and limits.group_limit > 0:
        sends = state.group_sends.get(chat)
        if sends is not None and len(sends) >= limits.group_limit:
            # the slot frees when the group_limit-th most recent send leaves the window
            ready = max(ready, sends[-limits.group_limit] + limits.group_window)
    return ready - now


def global_delay(state: PacerState, limits: Limits, now: float) -> float:
    """Seconds the global bucket (and a global penalty) make any send wait."""
    ready = max(now, state.global_penalty)
    if limits.global_rate > 0:
        tolerance = (limits.global_burst - 1) / limits.global_rate
        ready = max(ready, state.global_tat - tolerance)
    return ready - now


def plan(state: PacerState, limits: Limits, chat: ChatKey, now: float, group: bool) -> float:
    """Seconds the next send to `chat` must wait at `now` so that every limit holds."""
    return max(chat_delay(state, limits, chat, now, group), global_delay(state, limits, now))


def commit(state: PacerState, limits: Limits, chat: ChatKey, at: float, group: bool) -> None:
    """Record a send to `chat` at time `at`."""
    if limits.chat_interval > 0:
        state.chat_next[chat] = at + limits.chat_interval
    if group and limits.group_limit > 0:
        sends = state.group_sends.setdefault(chat, deque())
        sends.append(at)
        while sends and sends[0] <= at - limits.group_window:
            sends.popleft()
    if limits.global_rate > 0:
        state.global_tat = max(state.global_tat, at) + 1.0 / limits.global_rate
    state.commits += 1
    if state.commits % 1024 == 0:
        prune(state, limits, at)


def penalize(state: PacerState, chat: ChatKey | None, until: float) -> None:
    """Nothing more to `chat` (or to anyone, when `chat` is None) before `until`."""
    if chat is None:
        state.global_penalty = max(state.global_penalty, until)
    else:
        state.chat_penalty[chat] = max(state.chat_penalty.get(chat, until), until)


def prune(state: PacerState, limits: Limits, now: float) -> None:
    """Forget chats whose bookings and penalties are all in the past."""
    for chat in [c for c, t in state.chat_next.items() if t <= now]:
        del state.chat_next[chat]
    for chat in [c for c, t in state.chat_penalty.items() if t <= now]:
        del state.chat_penalty[chat]
    for chat in [
        c for c, s in state.group_sends.items() if not s or s[-1] <= now - limits.group_window
    ]:
        del state.group_sends[chat]


def seconds(value: float | dt.timedelta) -> float:
    """A retry_after as seconds, whether PTB gave an int or a timedelta."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Pacer:
    """Waits before each send so that one platform's limits hold; one per transport."""

    def __init__(
        self,
        limits: Limits,
        *,
        is_group: Callable[[ChatKey], bool] = lambda _chat: False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self.state = PacerState()
        self._is_group = is_group
        self._clock = clock
        self._sleep = sleep
        self._turn = asyncio.Lock()

    @classmethod
    def for_telegram(
        cls,
        limits: Limits = TELEGRAM,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Pacer:
        """A pacer with Telegram's limits; negative chat ids are groups."""
        return cls(limits, is_group=telegram_is_group, clock=clock, sleep=sleep)

    @classmethod
    def for_slack(
        cls,
        limits: Limits = SLACK,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Pacer:
        """A pacer with Slack's per-channel limit."""
        return cls(limits, clock=clock, sleep=sleep)

    def delay(self, chat: ChatKey) -> float:
        """How long a send to `chat` would wait now (nothing is booked)."""
        return plan(self.state, self.limits, chat, self._clock(), self._is_group(chat))

    async def acquire(self, chat: ChatKey) -> float:
        """Wait until a send to `chat` keeps every limit, record it, and return the seconds waited.

        The chat's own wait happens first, concurrently with other chats; the global
        wait is taken one sender at a time, in arrival order, and the send is recorded
        at the moment it is allowed, so a stalled event loop never releases a burst.
        """
        group = self._is_group(chat)
        started = self._clock()
        while True:
            while (wait := chat_delay(self.state, self.limits, chat, self._clock(), group)) > 0:
                log.debug("pacing: %s waits %.3fs", chat, wait)
                await self._sleep(wait)
            async with self._turn:
                while (wait := global_delay(self.state, self.limits, self._clock())) > 0:
                    await self._sleep(wait)
                now = self._clock()
                if chat_delay(self.state, self.limits, chat, now, group) > 0:
                    continue  # another send to this chat, or a penalty, came first
                commit(self.state, self.limits, chat, now, group)
                return now - started

    def penalize(self, chat: ChatKey | None, retry_after: float | dt.timedelta) -> None:
        """After a 429: `chat` (or everything, when None) waits `retry_after` seconds."""
        wait = seconds(retry_after)
        log.info("pacing: %s told to retry after %ss", "everyone" if chat is None else chat, wait)
        penalize(self.state, chat, self._clock() + wait)
