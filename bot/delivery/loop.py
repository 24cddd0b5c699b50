"""The delivery loop: drain the outbox to every transport, as promised.

One task per transport takes that transport's pending rows (oldest first),
with one worker per chat, side by side (a chat's rows in order, the chats
concurrently, so one chat's wait never idles the rest; the transport's pacer
decides when each send goes); it renders nothing itself — it hands each `Message` (the row, the change as an
`AlertView`, the chat's language) to `Transport.send` — and records the
outcome through the store: sent, retry later (the transport's `retry_after`,
else exponential backoff), or dead (a permanent error, or too many attempts).
A chat's alerts keep their order: when one of its rows must wait, its later
rows are held back to the same moment without counting an attempt (only real
sends count towards `MAX_ATTEMPTS`); when a chat turns out to be gone, the
rest of its subscription's rows are skipped (they died with it).

A task wakes when this process queued rows (`DeliveryLoop.notify`) and also
checks the table every `poll_interval` seconds, so rows written by another
process (`raqib once` from cron) go out too.  A row is marked sent only after
the send returned: a crash in between repeats one message at worst, and never
loses one.

Transports are plugged in by name: `TRANSPORTS`, the one table of them, names
each chat transport's factory (module and function) and the config key of its
token variable.  A transport's module is imported only when its token is set:
its factory returns a transport for the config, or None when it is not
configured.  A factory is given the file's config (the command core lays the
admin edits over it itself) and the service's database.  The console transport
is in `bot/delivery/console.py`.
Besides alerts, a transport sends digests (`Transport.send_text`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlite_utils import Database

from bot.config.schema import Config, secret
from bot.store import outbox as store_outbox
from bot.store.outbox import AlertView, OutboxRow
from scrapers.retry import RetryPolicy

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""A row that failed this many times is marked dead."""
BACKOFF_BASE = 2.0
"""Seconds before the first retry; doubled per attempt."""
BACKOFF_MAX = 3600.0
"""Never wait longer than this between attempts."""
MAX_CHATS = 256
"""Chats a transport sends to side by side (each one's rows in order)."""
FETCH = 2000
"""Due rows read from the outbox at a time, per transport (grouped by chat)."""
IN_PLACE = RetryPolicy(attempts=4, wait_initial=0.5, wait_max=4.0, jitter=0.25, asked_max=5.0)
"""The transports' quick retries of one send, before this loop's stored backoff takes
over: a network error, a 5xx, or a 429 whose wait (Telegram's `retry_after`, Slack's
`Retry-After`) is up to 5 s, waited out in place so a chat's alerts stay in order; a
longer wait goes back to the loop at once, as `SendResult.retry_after`."""


@dataclass(frozen=True)
class Message:
    """One alert to send: the outbox row and what it is about."""

    row: OutboxRow
    """The outbox row (destination chat, attempts so far)."""
    alert: AlertView
    """The change, with its quote, outlet, link and corroborating sources."""
    lang: str
    """The subscription's language: ar or en."""


@dataclass(frozen=True)
class SendResult:
    """What a transport made of one message."""

    ok: bool
    """Delivered."""
    error: str | None = None
    """Why not (kept on the row; never a token)."""
    retry_after: float | None = None
    """Seconds the platform asked us to wait (None: exponential backoff)."""
    permanent: bool = False
    """Never retry (a malformed message): the row is marked dead at once."""
    deactivate: bool = False
    """The chat is gone or blocked the bot: its subscription is deactivated."""
    moved_to: str | None = None
    """The chat has a new id (a group became a supergroup): retry there."""
    held: bool = False
    """Not attempted: held behind an earlier row's rate limit (no attempt is counted)."""


SENT = SendResult(ok=True)
"""The usual result."""


@dataclass(frozen=True)
class Text:
    """One message that is not an alert (a digest), in every markup a transport speaks."""

    html: str
    """Telegram HTML, every piece of article text escaped (split by the transport)."""
    mrkdwn: str
    """Slack mrkdwn, every piece of article text escaped."""
    plain: str
    """Plain text, for the console."""


class Transport(Protocol):
    """Something that delivers alerts to chats of one kind."""

    @property
    def name(self) -> str:
        """The `transport` column of the outbox rows it takes: telegram, slack or console."""
        ...

    async def send(self, message: Message) -> SendResult:
        """Deliver one message; report failures in the result rather than raising."""
        ...

    async def send_text(self, chat_id: str, text: Text) -> SendResult:
        """Deliver one message that is not an alert (a digest), in the markup the
        transport speaks; failures come back in the result."""
        ...


@runtime_checkable
class Lifecycle(Protocol):
    """A transport that runs something of its own (a bot polling for commands)."""

    async def start(self) -> None:
        """Start (connect, begin polling); called once before the first send."""
        ...

    async def stop(self) -> None:
        """Stop and release everything; called once at shutdown."""
        ...


@runtime_checkable
class DeadLetters(Protocol):
    """A transport that wants to hear when the loop gives up on one of its rows."""

    async def row_dead(self, row: OutboxRow, error: str) -> None:
        """The loop marked `row` dead (past its attempts, or a permanent failure):
        tell the admins. Never raises."""
        ...


TransportFactory = Callable[[Config, Database], Transport | None]
"""Builds a transport for the file's config (admin edits not applied: the command core
applies them itself) and the service's database, or None when it is not configured."""


@dataclass(frozen=True)
class TransportKind:
    """One chat transport: where its factory is, and which key of its config
    table (`[telegram]`, `[slack]`: the transport's name) names its token variable."""

    name: str
    factory: str
    """`module:function`, imported when the transport is configured."""
    token_key: str

    def token_env(self, config: Config) -> str:
        """The environment variable that holds this transport's token."""
        env: str = getattr(getattr(config, self.name), self.token_key)
        return env

    def configured(self, config: Config) -> bool:
        """True when its token variable is set (then the factory is worth importing)."""
        return secret(self.token_env(config)) is not None

    def load(self) -> TransportFactory:
        """The factory, its module imported now."""
        module, _, name = self.factory.partition(":")
        factory: TransportFactory = getattr(importlib.import_module(module), name)
        return factory


TRANSPORTS: Mapping[str, TransportKind] = {
    kind.name: kind
    for kind in (
        TransportKind("slack", "bot.slack.transport:slack_transport", "bot_token_env"),
        TransportKind("telegram", "bot.telegram.transport:telegram_transport", "token_env"),
    )
}
"""The chat transports by name, in the order they start and are listed: the one table of them."""


def transport_kind(name: str) -> TransportKind:
    """The chat transport called `name`; KeyError listing the known ones."""
    try:
        return TRANSPORTS[name]
    except KeyError:
        known = ", ".join(sorted(TRANSPORTS))
        raise KeyError(f"no chat transport {name!r} (known: {known})") from None


def backoff(attempts: int) -> float:
    """Seconds before retrying a row that has failed `attempts` times (1, 2, …)."""
    return min(BACKOFF_BASE * 2.0 ** max(0, attempts - 1), BACKOFF_MAX)


def whole_second(moment: datetime) -> datetime:
    """`moment` rounded up to a whole second (the outbox stores times to the second: a row
    rescheduled for 12:00:05.3 must not come back due at 12:00:05)."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def hold(db: Database, outbox_id: int, until: datetime) -> None:
    """Put a row off until `until` without counting an attempt (it was never sent)."""
    store_outbox.hold_outbox(db, outbox_id, until)


def subscription_langs(db: Database) -> dict[int, str]:
    """The language of every subscription, by id."""
    return store_outbox.subscription_langs(db)


class DeliveryLoop:
    """Drains the outbox to `transports`, one task each, until stopped."""

    def __init__(
        self,
        db: Database,
        transports: Sequence[Transport],
        *,
        poll_interval: float = 5.0,
        max_attempts: int = MAX_ATTEMPTS,
        on_dead: Callable[[OutboxRow, str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.transports = {t.name: t for t in transports}
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self.on_dead = on_dead
        self._died: list[tuple[OutboxRow, str]] = []
        """Rows `record` marked dead that the transport has not been told about yet."""
        self.clock = clock
        self.stopping = asyncio.Event()
        self._wake = {name: asyncio.Event() for name in self.transports}
        self._tasks: list[asyncio.Task[None]] = []
        self._held: dict[tuple[str, str], datetime] = {}
        """(transport, chat) → the moment its next row may go (after a row of it must wait)."""

    def notify(self) -> None:
        """New rows were queued by this process: look now, not at the next poll."""
        for event in self._wake.values():
            event.set()

    def start(self) -> None:
        """Start one task per transport."""
        for name in self.transports:
            self._tasks.append(asyncio.create_task(self._run(name), name=f"delivery:{name}"))

    async def stop(self, grace: float) -> None:
        """Finish the sends in flight (at most `grace` seconds), then stop."""
        self.stopping.set()
        self.notify()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if pending:
            log.warning(
                "delivery: stopped %d transport(s) mid-send after %.0fs", len(pending), grace
            )

    async def _run(self, name: str) -> None:
        wake = self._wake[name]
        while not self.stopping.is_set():
            wake.clear()
            try:
                await self.drain(name)
            except Exception:  # the loop must survive a bad row or a store hiccup
                log.exception("delivery: %s: draining the outbox failed", name)
            if self.stopping.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self.poll_interval)

    async def drain(self, name: str) -> int:
        """Send every due row of transport `name`; how many were sent.

        Each chat with due rows gets its own worker (`_drain_chat`), which sends that
        chat's rows one after the other, in order; the workers run side by side (at most
        `MAX_CHATS` at once), so one chat's wait (its 1/s, a retry_after) never idles the
        others: the pacer alone decides when a send goes.  Within a pass, a row is tried
        at most once; a subscription that turned out to be gone has its other rows
        skipped (they died with it), a chat that moved has its rows read again under the
        new id, and a chat whose row must wait holds its later rows back to the same
        moment (its alerts stay in order; a held row is not an attempt)."""
        transport = self.transports[name]
        now = self.clock()
        self._held = {key: until for key, until in self._held.items() if until > now}
        tried: set[int] = set()
        workers: dict[str, asyncio.Task[int]] = {}
        waiting: dict[str, list[OutboxRow]] = {}
        """Chats with due rows that wait for a worker (at most `MAX_CHATS` run at once)."""
        complete = False
        """The last read of the outbox saw every due row (no chat needs to read more)."""
        langs: dict[int, str] = {}
        sent = 0
        try:
            while not self.stopping.is_set():
                # read more when no chat waits for a worker, and either nothing runs or the
                # last read was cut short and half the workers are free (each read sorts
                # the whole queue: not once per finished chat)
                if not waiting and (
                    not workers or (not complete and len(workers) <= MAX_CHATS // 2)
                ):
                    rows = store_outbox.pending_outbox(self.db, name, self.clock(), limit=FETCH)
                    complete = len(rows) < FETCH
                    for row in rows:
                        if row.id not in tried and row.chat_id not in workers:
                            waiting.setdefault(row.chat_id, []).append(row)
                    langs = subscription_langs(self.db)
                while waiting and len(workers) < MAX_CHATS:
                    chat = next(iter(waiting))
                    first = waiting.pop(chat)
                    workers[chat] = asyncio.create_task(
                        self._drain_chat(transport, first, langs, tried),
                        name=f"delivery:{name}:{chat}",
                    )
                if not workers:
                    break
                done, _ = await asyncio.wait(workers.values(), return_when=asyncio.FIRST_COMPLETED)
                for chat in [c for c, task in workers.items() if task in done]:
                    sent += workers.pop(chat).result()
        finally:
            for task in workers.values():
                task.cancel()
            for task in workers.values():
                with contextlib.suppress(asyncio.CancelledError):
                    sent += await task
        return sent

    async def _drain_chat(
        self,
        transport: Transport,
        rows: list[OutboxRow],
        langs: Mapping[int, str],
        tried: set[int],
    ) -> int:
        """Send one chat's due `rows` in order (its later rows, if the read was cut short,
        go to its next worker: `drain` reads them once this one is done)."""
        sent = 0
        gone: set[int] = set()
        if not self.stopping.is_set():
            for row in rows:
                if self.stopping.is_set():
                    break
                if row.id in tried:
                    continue
                tried.add(row.id)
                if row.subscription_id in gone:
                    continue
                until = self._held_until(row)
                if until is not None:
                    hold(self.db, row.id, until)
                    continue
                result = await self._deliver(transport, row, langs.get(row.subscription_id, "en"))
                sent += self.record(row, result)
                await self._report_dead(transport)
                if result.deactivate and not result.ok:
                    gone.add(row.subscription_id)
                elif result.moved_to and not result.ok:
                    tried.discard(row.id)  # it goes again, at the new id, in this pass
                    return sent
        return sent

    async def _deliver(self, transport: Transport, row: OutboxRow, lang: str) -> SendResult:
        alert = store_outbox.change_for_alert(self.db, row.change_id)
        if alert is None:
            return SendResult(False, error=f"change {row.change_id} not found", permanent=True)
        try:
            return await transport.send(Message(row, alert, lang))
        except Exception as exc:  # a transport should not raise; treat it as a network error
            log.exception("delivery: %s raised on outbox row %d", transport.name, row.id)
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}")

    def _held_until(self, row: OutboxRow) -> datetime | None:
        """When the row's chat may have its next message, if that is still to come."""
        key = (row.transport, row.chat_id)
        until = self._held.get(key)
        if until is None:
            return None
        if until <= self.clock():
            del self._held[key]
            return None
        return until

    def record(self, row: OutboxRow, result: SendResult) -> int:
        """Store the outcome of one send: 1 if it was delivered."""
        now = self.clock()
        if result.ok:
            store_outbox.mark_sent(self.db, row.id, now)
            return 1
        error = result.error or "failed"
        if result.moved_to:
            store_outbox.move_chat(self.db, row.transport, row.chat_id, result.moved_to)
            store_outbox.mark_retry(self.db, row.id, error, now)
            return 0
        if result.deactivate:
            log.warning("delivery: %s chat %s is gone: %s", row.transport, row.chat_id, error)
            store_outbox.deactivate_subscription(self.db, row.subscription_id, error)
            return 0
        if result.held:
            wait = result.retry_after if result.retry_after is not None else 1.0
            until = whole_second(now + timedelta(seconds=wait))
            self._hold_chat(row, until)
            hold(self.db, row.id, until)
            return 0
        if result.permanent or row.attempts + 1 >= self.max_attempts:
            self._dead(row, error)
            return 0
        wait = result.retry_after if result.retry_after is not None else backoff(row.attempts + 1)
        until = whole_second(now + timedelta(seconds=wait))
        self._hold_chat(row, until)
        store_outbox.mark_retry(self.db, row.id, error, until)
        log.info("delivery: row %d to %s retries in %.0fs: %s", row.id, row.chat_id, wait, error)
        return 0

    def _hold_chat(self, row: OutboxRow, until: datetime) -> None:
        key = (row.transport, row.chat_id)
        self._held[key] = max(self._held.get(key, until), until)

    async def _report_dead(self, transport: Transport) -> None:
        """Tell `transport` about the rows `record` just gave up on (the loop alone
        decides when a row dies; the transport only passes the news on)."""
        died, self._died = self._died, []
        if isinstance(transport, DeadLetters):
            for row, error in died:
                await transport.row_dead(row, error)

    def _dead(self, row: OutboxRow, error: str) -> None:
        store_outbox.mark_dead(self.db, row.id, error)
        self._died.append((row, error))
        log.warning(
            "delivery: row %d to %s %s is dead: %s", row.id, row.transport, row.chat_id, error
        )
        if self.on_dead is not None:
            self.on_dead(row, error)


def chat_transports(config: Config, db: Database) -> list[Transport]:
    """The chat transports the file's `config` turns on: those whose token is set (only
    their modules are imported; a factory may still say None)."""
    out = []
    for name, kind in TRANSPORTS.items():
        transport = kind.load()(config, db) if kind.configured(config) else None
        if transport is not None:
            out.append(transport)
        else:
            log.info("delivery: %s is off (not configured)", name)
    return out


def counts(db: Database) -> Mapping[str, int]:
    """Outbox rows by status."""
    return store_outbox.outbox_counts(db)
