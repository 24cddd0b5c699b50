"""Send pacing: stay under the chat platforms' rate limits instead of bumping into them.

PTB's `AIORateLimiter` knows the global and group limits but has no per-chat
limit, and Slack's SDK has none at all, so delivery paces itself here.  For
Telegram the pacer sits in PTB's rate-limiter seam (`PacedLimiter`, given to
`ApplicationBuilder().rate_limiter`), so every Bot API call the bot makes
waits its turn: alerts, command replies, photos, button answers, the menu.

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
  tokens (kept as a theoretical arrival time, i.e. GCRA), and a sliding
  window: no `global_window` seconds ever hold more than `global_limit` sends
  (the bucket's burst alone would let 31 into one second);
- penalties: after a 429, that chat (or everything) waits `retry_after`;
  `blame` says which: the chat only when its own limits explain the 429 (it
  was just written to, or its group window is full), else everyone.

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
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

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
    global_window: float = 1.0
    """Seconds of the sliding window that never holds more than `global_limit` sends."""

    def __post_init__(self) -> None:
        if self.chat_interval < 0 or self.group_window <= 0 or self.global_window <= 0:
            raise ValueError("chat_interval must be >= 0, group_window and global_window > 0")
        if self.group_limit < 0 or self.global_rate < 0:
            raise ValueError("group_limit and global_rate must be >= 0")
        if self.global_burst < 1:
            raise ValueError("global_burst must be at least 1")

    @property
    def global_limit(self) -> int:
        """Most sends any `global_window` may hold (0: no global limit): 30 in any second."""
        if self.global_rate <= 0:
            return 0
        return max(1, int(self.global_rate * self.global_window + 1e-9))


TELEGRAM = Limits(
    chat_interval=1.0, group_limit=20, group_window=60.0, global_rate=30.0, global_burst=2.0
)
"""Telegram Bot API: 1/s per chat, 20/min per group, 30/s overall (Bot FAQ).

A burst of 2 lets a sender that wakes up to 1/30 s late keep the full rate
instead of drifting below it; the sliding window caps what the burst may
add, so that no window of one second ever holds more than 30."""
TELEGRAM_SENDING = Limits(
    chat_interval=1.1, group_limit=20, group_window=60.0, global_rate=29.0, global_burst=2.0
)
"""What raqib's Telegram transport sends at: Telegram's limits with one message a second
under the global 30, and a tenth of a second over the 1 s per chat: margins for the jitter
between our clock and the API's (a request granted at the end of one second may reach it
with the next second's; two to one chat granted 1.0 s apart may reach it 0.9 s apart)."""
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
    global_sends: deque[float] = field(default_factory=deque)
    """The last `global_limit` send times, oldest first (the sliding window)."""
    chat_prev: dict[ChatKey, float] = field(default_factory=dict)
    """The time of the send before the latest to each chat (to tell whom a 429 is for)."""
    commits: int = 0
    """Sends booked so far (drives occasional pruning)."""


def chat_delay(
    state: PacerState, limits: Limits, chat: ChatKey | None, now: float, group: bool
) -> float:
    """Seconds `chat`'s own limits (interval, group window, its penalty) make a send wait
    (None: a call to no chat, which only the global limits hold)."""
    if chat is None:
        return 0.0
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
        n = limits.global_limit
        if len(state.global_sends) >= n:
            # the window (t - global_window, t] holds the n-th most recent send until then
            ready = max(ready, state.global_sends[-n] + limits.global_window)
    return ready - now


def plan(state: PacerState, limits: Limits, chat: ChatKey | None, now: float, group: bool) -> float:
    """Seconds the next send to `chat` must wait at `now` so that every limit holds."""
    return max(chat_delay(state, limits, chat, now, group), global_delay(state, limits, now))


def commit(state: PacerState, limits: Limits, chat: ChatKey | None, at: float, group: bool) -> None:
    """Record a send to `chat` (None: a call to no chat) at time `at`."""
    if limits.global_rate > 0:
        state.global_tat = max(state.global_tat, at) + 1.0 / limits.global_rate
        state.global_sends.append(at)
        while len(state.global_sends) > limits.global_limit:
            state.global_sends.popleft()
    state.commits += 1
    if chat is None:
        return
    last = state.chat_next.get(chat)
    if last is not None:
        state.chat_prev[chat] = last - limits.chat_interval
    if limits.chat_interval > 0:
        state.chat_next[chat] = at + limits.chat_interval
    if group and limits.group_limit > 0:
        sends = state.group_sends.setdefault(chat, deque())
        sends.append(at)
        while sends and sends[0] <= at - limits.group_window:
            sends.popleft()
    if state.commits % 1024 == 0:
        prune(state, limits, at)


JUST_WRITTEN = 1.5
"""A chat counts as just written to when its send before the one refused went less than
this many `chat_interval`s earlier."""


def blame(
    state: PacerState, limits: Limits, chat: ChatKey | None, now: float, group: bool
) -> ChatKey | None:
    """Whom a 429 on a send to `chat` is for: the chat when its own limits can explain it
    (it was just written to, or its group window is full), else everyone (None): the pacer
    keeps every chat's limits, so a 429 on a chat that had a quiet spell is the global one."""
    if chat is None:
        return None
    prev = state.chat_prev.get(chat)
    last = state.chat_next.get(chat)
    if prev is not None and last is not None:
        gap = (last - limits.chat_interval) - prev
        if gap < JUST_WRITTEN * limits.chat_interval:
            return chat
    if group and limits.group_limit > 0:
        sends = state.group_sends.get(chat)
        in_window = [t for t in sends or () if t > now - limits.group_window]
        if len(in_window) >= limits.group_limit:
            return chat
    return None


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
        state.chat_prev.pop(chat, None)
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
        in_flight: int | None = None,
    ) -> None:
        self.limits = limits
        self.state = PacerState()
        self._is_group = is_group
        self._clock = clock
        self._sleep = sleep
        self._turn = asyncio.Lock()
        self._slots = asyncio.Semaphore(in_flight) if in_flight else None
        """At most this many requests between `acquire` and `release` (None: no cap)."""

    @classmethod
    def for_telegram(
        cls,
        limits: Limits = TELEGRAM,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        in_flight: int | None = None,
    ) -> Pacer:
        """A pacer with Telegram's limits; negative chat ids are groups."""
        return cls(
            limits, is_group=telegram_is_group, clock=clock, sleep=sleep, in_flight=in_flight
        )

    def delay(self, chat: ChatKey | None) -> float:
        """How long a send to `chat` would wait now (nothing is booked)."""
        group = chat is not None and self._is_group(chat)
        return plan(self.state, self.limits, chat, self._clock(), group)

    async def acquire(self, chat: ChatKey | None, *, slot: bool = False) -> float:
        """Wait until a send to `chat` keeps every limit, record it, and return the seconds waited.

        The chat's own wait happens first, concurrently with other chats; the global
        wait is taken one sender at a time, in arrival order, and the send is recorded
        at the moment it is allowed, so a stalled event loop never releases a burst.
        With `slot` (the rate limiter's requests) it also takes one of the `in_flight`
        slots, which the caller gives back with `release` once the answer is in.
        """
        group = chat is not None and self._is_group(chat)
        started = self._clock()
        while True:
            while (wait := chat_delay(self.state, self.limits, chat, self._clock(), group)) > 0:
                log.debug("pacing: %s waits %.3fs", chat, wait)
                await self._sleep(wait)
            async with self._turn:
                slots = self._slots if slot else None
                if slots is not None:  # back-pressure: the API is slow to answer
                    await slots.acquire()
                try:
                    while (wait := global_delay(self.state, self.limits, self._clock())) > 0:
                        await self._sleep(wait)
                except BaseException:  # cancelled while waiting: the slot is not taken
                    if slots is not None:
                        slots.release()
                    raise
                now = self._clock()
                if chat_delay(self.state, self.limits, chat, now, group) > 0:
                    if slots is not None:
                        slots.release()
                    continue  # another send to this chat, or a penalty, came first
                commit(self.state, self.limits, chat, now, group)
                return now - started

    def release(self) -> None:
        """The request `acquire(slot=True)` allowed has its answer (frees its in-flight
        slot; a pacer without `in_flight` has none)."""
        if self._slots is not None:
            self._slots.release()

    def refused(self, chat: ChatKey | None, retry_after: float | dt.timedelta) -> ChatKey | None:
        """A send to `chat` got a 429: penalize whom it is for (`blame`); that chat or None."""
        group = chat is not None and self._is_group(chat)
        who = blame(self.state, self.limits, chat, self._clock(), group)
        self.penalize(who, retry_after)
        return who

    def penalize(self, chat: ChatKey | None, retry_after: float | dt.timedelta) -> None:
        """After a 429: `chat` (or everything, when None) waits `retry_after` seconds."""
        wait = seconds(retry_after)
        log.info("pacing: %s told to retry after %ss", "everyone" if chat is None else chat, wait)
        penalize(self.state, chat, self._clock() + wait)


# ---------------------------------------------------------------- PTB's rate-limiter seam

IN_FLIGHT = 4
"""Bot API requests the bot keeps in flight at most: when the API is slow to answer, the
pacer stops granting turns instead of piling up granted requests that would then reach
the API together (a burst its own clock counts in one second)."""
UNPACED = frozenset({"getUpdates"})
"""Bot API methods the limiter lets through unpaced: the long poll for updates sends nothing."""
NO_CHAT_ENDPOINTS = frozenset({"sendChatAction"})
"""Sending methods that put no message in the chat: they take a global turn only."""


def paced_chat(endpoint: str, data: Mapping[str, Any]) -> ChatKey | None:
    """The chat whose limits a Bot API call counts against: a method that sends or copies a
    message into a chat (`send…`, `copyMessage`, `forwardMessage`) counts against
    `data["chat_id"]`; every other call (answers to buttons, edits, `setMyCommands`) only
    against the global limit."""
    sends = endpoint.startswith("send") or endpoint in {"copyMessage", "forwardMessage"}
    if not sends or endpoint in NO_CHAT_ENDPOINTS:
        return None
    chat = data.get("chat_id")
    if isinstance(chat, str):
        try:
            return int(chat)
        except ValueError:
            return chat  # "@channelname"
    return chat if isinstance(chat, int) else None


class PacedLimiter(BaseRateLimiter[None]):
    """`telegram.ext.BaseRateLimiter` over a `Pacer`: every Bot API request of the bot
    (alerts, command replies, photos, button answers, `setMyCommands`) waits its turn, and a
    429 is charged to whom `blame` says before it is raised to the caller (no retry here:
    the transport and the delivery loop decide what to do next)."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the pacer, make the request, and charge a 429 to whom it is for."""
        if endpoint in UNPACED:
            return await callback(*args, **kwargs)
        chat = paced_chat(endpoint, data)
        await self.pacer.acquire(chat, slot=True)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            who = self.pacer.refused(chat, exc.retry_after)
            log.warning(
                "pacing: %s to %s got 429 (retry after %ss), charged to %s",
                endpoint,
                chat,
                seconds(exc.retry_after),
                "everyone" if who is None else who,
            )
            raise
        finally:
            self.pacer.release()
