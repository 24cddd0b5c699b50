"""Send pacing: the pure planner on a table of situations, then schedules checked against limits.

No test sleeps: the pacer gets a fake clock whose `sleep` moves time forward.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Hashable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.pacing import (
    SLACK,
    TELEGRAM,
    Limits,
    Pacer,
    PacerState,
    blame,
    commit,
    penalize,
    plan,
    prune,
    telegram_is_group,
)


class FakeClock:
    """A clock that only moves when someone sleeps on it.

    A sleeper moves time to the end of its sleep (if that is later) and lets the
    other tasks run; concurrent sleepers may thus wake late, as in a stalled loop."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now = max(self.now, self.now + seconds)
        await asyncio.sleep(0)


def booked(limits: Limits, sends: Sequence[tuple[Hashable | None, float]]) -> PacerState:
    """A state with these (chat, time) sends already committed (None: a call to no chat)."""
    state = PacerState()
    for chat, at in sends:
        commit(state, limits, chat, at, chat is not None and telegram_is_group(chat))
    return state


STRICT = Limits(chat_interval=1.0, group_limit=20, group_window=60.0, global_rate=30.0)
"""Telegram's numbers without the global burst."""

PLAN_CASES = [
    # (limits, already sent [(chat, at)], penalties [(chat|None, until)], chat, now, expected wait)
    (TELEGRAM, [], [], 1, 0.0, 0.0),
    (TELEGRAM, [(1, 0.0)], [], 1, 0.0, 1.0),
    (TELEGRAM, [(1, 0.0)], [], 1, 0.4, 0.6),
    (TELEGRAM, [(1, 0.0)], [], 1, 5.0, 0.0),
    (STRICT, [(1, 0.0)], [], 2, 0.0, 1 / 30),
    (TELEGRAM, [(1, 0.0)], [], 2, 0.0, 0.0),
    (TELEGRAM, [(1, 0.0), (2, 0.0)], [], 3, 0.0, 1 / 30),
    (TELEGRAM, [(1, 0.0)], [], 2, 1.0, 0.0),
    (STRICT, [(c, (c - 1) / 30) for c in range(1, 31)], [], 99, 29 / 30, 1 / 30),
    (TELEGRAM, [(-5, float(i * 2)) for i in range(20)], [], -5, 40.0, 20.0),
    (TELEGRAM, [(-5, float(i * 2)) for i in range(20)], [], -5, 61.0, 0.0),
    (TELEGRAM, [(5, float(i * 2)) for i in range(20)], [], 5, 40.0, 0.0),
    (TELEGRAM, [], [(7, 12.0)], 7, 2.0, 10.0),
    (TELEGRAM, [], [(7, 12.0)], 8, 2.0, 0.0),
    (TELEGRAM, [], [(None, 12.0)], 8, 2.0, 10.0),
    (TELEGRAM, [(7, 0.0)], [(7, 0.5)], 7, 0.0, 1.0),
    (SLACK, [("C1", 0.0)], [], "C1", 0.2, 0.8),
    (SLACK, [("C1", 0.0)], [], "C2", 0.0, 0.0),
    (SLACK, [(f"C{i}", 0.0) for i in range(100)], [], "C100", 0.0, 0.0),
    (
        Limits(chat_interval=0, global_rate=10, global_burst=3),
        [(1, 0.0), (1, 0.0)],
        [],
        1,
        0.0,
        0.0,
    ),
    (Limits(chat_interval=0, global_rate=10, global_burst=3), [(1, 0.0)] * 3, [], 1, 0.0, 0.1),
    (
        TELEGRAM,
        [(1, 0.0), (2, 0.0), *((c, (c - 2) / 30) for c in range(3, 31))],
        [],
        99,
        0.97,
        0.03,
    ),
    (TELEGRAM, [(None, 0.0)], [], 1, 0.0, 0.0),
    (TELEGRAM, [(None, 0.0), (None, 0.0)], [], None, 0.0, 1 / 30),
]
PLAN_IDS = [
    "nothing-sent",
    "same-chat-at-once",
    "same-chat-part-way",
    "same-chat-long-after",
    "other-chat-global-spacing",
    "telegram-burst-of-two",
    "telegram-third-at-once-waits",
    "other-chat-after-a-second",
    "thirty-chats-in-a-second",
    "group-20-in-a-minute",
    "group-window-passed",
    "positive-id-is-no-group",
    "chat-penalty",
    "penalty-spares-other-chats",
    "global-penalty",
    "booked-slot-beats-shorter-penalty",
    "slack-same-channel",
    "slack-other-channel",
    "slack-no-global-limit",
    "global-burst-allows-three",
    "global-burst-exhausted",
    "burst-never-puts-31-in-a-second",
    "a-call-to-no-chat-takes-a-global-turn",
    "calls-to-no-chat-are-spaced",
]


@pytest.mark.parametrize(
    ("limits", "sent", "penalties", "chat", "now", "expected"), PLAN_CASES, ids=PLAN_IDS
)
def test_plan(
    limits: Limits,
    sent: list[tuple[Hashable, float]],
    penalties: list[tuple[Hashable | None, float]],
    chat: Hashable,
    now: float,
    expected: float,
) -> None:
    state = booked(limits, sent)
    for who, until in penalties:
        penalize(state, who, until)
    group = chat is not None and telegram_is_group(chat)
    assert plan(state, limits, chat, now, group) == pytest.approx(expected)


BLAME_CASES = [
    # (sends [(chat, at)], the refused chat, now, who pays)
    ([(1, 0.0)], 1, 0.1, None),
    ([(1, 0.0), (1, 5.0)], 1, 5.1, None),
    ([(1, 0.0), (1, 1.0)], 1, 1.1, 1),
    ([(1, 0.0), (1, 1.33), (2, 1.34)], 1, 1.4, 1),
    ([(1, 0.0), (1, 3.0)], 1, 3.1, None),
    ([(-5, float(i)) for i in range(0, 40, 2)], -5, 39.0, -5),
    ([(-5, 0.0), (-5, 30.0)], -5, 30.1, None),
    ([], None, 0.0, None),
]
BLAME_IDS = [
    "first-send-to-the-chat-is-global",
    "chat-quiet-for-seconds-is-global",
    "chat-written-a-second-before-is-its-own",
    "chat-written-1.33s-before-is-its-own",
    "chat-written-3s-before-is-global",
    "group-window-full-is-the-group",
    "group-with-room-is-global",
    "no-chat-is-global",
]


@pytest.mark.parametrize(("sent", "chat", "now", "who"), BLAME_CASES, ids=BLAME_IDS)
def test_blame(
    sent: list[tuple[Hashable, float]], chat: Hashable | None, now: float, who: Hashable | None
) -> None:
    state = booked(TELEGRAM, sent)
    group = chat is not None and telegram_is_group(chat)
    assert blame(state, TELEGRAM, chat, now, group) == who


async def test_a_429_after_a_quiet_spell_holds_everyone() -> None:
    # before, every 429 was charged to its chat: the other chats went on into the same limit
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep)
    await pacer.acquire(1)
    assert pacer.refused(1, 2) is None
    assert pacer.delay(2) == pytest.approx(2.0)
    await pacer.acquire(3)
    clock.now += 1.0
    await pacer.acquire(3)
    assert pacer.refused(3, 4) == 3
    assert pacer.delay(4) == pytest.approx(0.0)
    assert pacer.delay(3) == pytest.approx(4.0)


def test_plan_does_not_change_the_state() -> None:
    state = booked(TELEGRAM, [(1, 0.0), (-2, 0.0)])
    before = (dict(state.chat_next), state.global_tat, list(state.group_sends[-2]))
    plan(state, TELEGRAM, 1, 0.5, False)
    assert (dict(state.chat_next), state.global_tat, list(state.group_sends[-2])) == before


def check_schedule(limits: Limits, sends: Sequence[tuple[Hashable, float]]) -> None:
    """Assert that (chat, time) sends respect every limit."""
    eps = 1e-9
    per_chat: dict[Hashable, list[float]] = defaultdict(list)
    for chat, at in sends:
        per_chat[chat].append(at)
    for chat, times in per_chat.items():
        for a, b in itertools.pairwise(times):
            assert b - a >= limits.chat_interval - eps, (chat, a, b)
        if telegram_is_group(chat) and limits.group_limit:
            for i in range(len(times) - limits.group_limit):
                window = times[i + limits.group_limit] - times[i]
                assert window >= limits.group_window - eps, (chat, times)
    if limits.global_rate:
        times = sorted(at for _, at in sends)
        # no sliding window (t - global_window, t] holds more than global_limit sends
        n = limits.global_limit
        for i in range(len(times) - n):
            assert times[i + n] - times[i] >= limits.global_window - eps, (i, times[i : i + n + 1])
        # GCRA: any n sends span at least (n - burst) / rate seconds
        for i in range(len(times)):
            for j in range(i + 1, min(len(times), i + 3 * int(limits.global_rate))):
                count = j - i + 1
                assert (
                    count <= limits.global_burst + (times[j] - times[i]) * limits.global_rate + eps
                )


async def run(
    pacer: Pacer, clock: FakeClock, chats: Sequence[Hashable]
) -> list[tuple[Hashable, float]]:
    sends = []
    for chat in chats:
        await pacer.acquire(chat)
        sends.append((chat, clock.now))
    return sends


async def test_broadcast_runs_at_the_global_rate() -> None:
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep)
    chats = list(range(1, 601))
    sends = await run(pacer, clock, chats)
    check_schedule(TELEGRAM, sends)
    elapsed = sends[-1][1] - sends[0][1]
    assert elapsed == pytest.approx(598 / 30)  # two at once, then 30/s


async def acquire_all(
    pacer: Pacer, clock: FakeClock, chats: Sequence[Hashable]
) -> list[tuple[Hashable, float]]:
    """Acquire for every chat concurrently; (chat, time allowed) in the order allowed."""
    sends: list[tuple[Hashable, float]] = []

    async def one(chat: Hashable) -> None:
        await pacer.acquire(chat)
        sends.append((chat, clock.now))

    await asyncio.gather(*(one(c) for c in chats))
    return sends


async def test_concurrent_senders_to_one_chat_are_spaced() -> None:
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep)
    sends = await acquire_all(pacer, clock, [42] * 5)
    assert [at - 1000.0 for _, at in sends] == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])


async def test_concurrent_broadcast_never_bursts() -> None:
    """Many senders at once, groups among them, waking late: every limit still holds."""
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep)
    chats = [c for c in range(1, 200)] + [-5] * 25 + [7] * 4
    sends = await acquire_all(pacer, clock, chats)
    assert len(sends) == len(chats)
    check_schedule(TELEGRAM, sends)


async def test_penalize_delays_that_chat_by_retry_after() -> None:
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep)
    await pacer.acquire(1)
    clock.now += 5
    pacer.penalize(1, dt.timedelta(seconds=7))
    assert pacer.delay(1) == pytest.approx(7.0)
    assert pacer.delay(2) == 0.0
    assert await pacer.acquire(1) == pytest.approx(7.0)
    pacer.penalize(None, 3)
    assert pacer.delay(99) == pytest.approx(3.0)


async def test_slack_pacer_spaces_one_channel_only() -> None:
    clock = FakeClock()
    pacer = Pacer(SLACK, clock=clock, sleep=clock.sleep)
    sends = await run(pacer, clock, ["C1", "C2", "C1", "C3", "C1"])
    check_schedule(SLACK, sends)
    assert [at - 1000.0 for _, at in sends] == pytest.approx([0, 0, 1, 1, 2])


def test_prune_forgets_only_the_past() -> None:
    state = booked(TELEGRAM, [(1, 0.0), (-2, 0.0), (3, 100.0)])
    penalize(state, 4, 50.0)
    prune(state, TELEGRAM, 90.0)
    assert set(state.chat_next) == {3}
    assert state.group_sends == {}
    assert state.chat_penalty == {}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"chat_interval": -1},
        {"group_window": 0},
        {"group_limit": -1},
        {"global_rate": -5},
        {"global_burst": 0.5},
    ],
    ids=["negative-interval", "zero-window", "negative-group-limit", "negative-rate", "burst<1"],
)
def test_bad_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Limits(**kwargs)  # type: ignore[arg-type]


chat_ids = st.sampled_from([1, 2, 3, -10, -11, 4, 5])
steps = st.lists(st.tuples(chat_ids, st.floats(min_value=0, max_value=3)), max_size=80)


@settings(max_examples=60, deadline=None)
@given(steps)
def test_any_schedule_respects_every_limit(plan_steps: list[tuple[int, float]]) -> None:
    """Random chats at random gaps: every booked send respects every limit, and no send waits
    when it did not have to."""
    limits = Limits(chat_interval=1.0, group_limit=3, group_window=10.0, global_rate=4.0)
    clock = FakeClock()
    pacer = Pacer(limits, is_group=telegram_is_group, clock=clock, sleep=clock.sleep)

    async def go() -> list[tuple[Hashable, float]]:
        sends = []
        for chat, gap in plan_steps:
            clock.now += gap
            before = plan(pacer.state, limits, chat, clock.now, telegram_is_group(chat))
            waited = await pacer.acquire(chat)
            assert waited == pytest.approx(before)
            sends.append((chat, clock.now))
        return sends

    sends = asyncio.run(go())
    check_schedule(limits, sends)


async def test_in_flight_caps_the_requests_waiting_for_an_answer() -> None:
    # a slow API must not pile up granted requests that then reach it at once
    clock = FakeClock()
    pacer = Pacer.for_telegram(clock=clock, sleep=clock.sleep, in_flight=2)
    await pacer.acquire(1, slot=True)
    await pacer.acquire(2, slot=True)
    await pacer.acquire(4)  # without a slot (a send paced by hand): never held back
    third = asyncio.create_task(pacer.acquire(3, slot=True))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not third.done()  # two in flight: the third waits for an answer
    pacer.release()
    await asyncio.wait_for(third, 1)
    pacer.release()
    pacer.release()
