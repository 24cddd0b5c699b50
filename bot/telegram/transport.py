"""Telegram: the transport that delivers alerts and runs the bot for commands.

`TelegramTransport` is what `raqib run` uses (made by `telegram_transport`, named in
the table `bot.delivery.loop.TRANSPORTS`, imported when a token is set): it starts the bot
polling for commands, registers the command menu in English and Arabic
(`setMyCommands` with `language_code`), and delivers outbox rows:

- paced by `bot.delivery.pacing` (1/s per chat, 20/min per group, 30/s overall) before
  every Bot API request: the pacer is the Application's rate limiter
  (`PacedLimiter`), so command replies, button answers, photos and
  `setMyCommands` wait their turn as alerts do;
- `RetryAfter`: the limiter charges it to the chat or to everyone (`blame`),
  and a short wait is taken in place (so a chat's alerts stay in order); a
  long one goes back to the loop with `retry_after`;
- network errors: a few quick retries in place, then the loop's backoff;
- `Forbidden` (blocked, kicked): the subscription is deactivated;
- `ChatMigrated`: the subscription moves to the new chat id and the row is
  sent again there;
- `BadRequest`: never retried; the row is dead and the admins are told, as
  they are for a row that ran out of attempts.

The token comes from the environment variable named by `[telegram] token_env`
and is never logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from sqlite_utils import Database
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.chat.commands import AnswersCommands, Commands
from bot.config.logs import redact
from bot.config.schema import Config, ConfigError, secret
from bot.delivery.loop import IN_PLACE, SENT, Message, SendResult, Text
from bot.delivery.pacing import IN_FLIGHT, TELEGRAM_SENDING, Pacer, seconds
from bot.render.i18n import t
from bot.render.markup import split_html
from bot.render.messages import alert_html
from bot.store import outbox as store_outbox
from bot.telegram.app import _asked, build_application, notify_admins, register_commands
from scrapers.retry import RetryPolicy, retrying

log = logging.getLogger(__name__)

POLL_TIMEOUT = 5
"""Seconds a getUpdates long poll waits (also bounds how long stopping waits for it)."""
START_ATTEMPTS = 6
"""Tries to reach the Bot API at start-up before `raqib run` gives up on it."""
START_BACKOFF = 1.0
"""Seconds before the second start-up try; doubled each time."""
START_BACKOFF_MAX = 60.0
"""Longest wait between two tries to reach the Bot API at start-up."""
START_TRY_TIMEOUT = 15.0
"""Seconds one start-up try may take before it counts as unreachable."""
NOT_ONLINE_WAIT = 5.0
"""Seconds an alert is held (not counted as an attempt) while the Bot API is unreachable."""


def _retry_send(exc: Exception) -> bool:
    """Worth a quick retry in place: a 429, a network error or a timeout (not a
    BadRequest, which is a NetworkError to PTB but never gets better)."""
    return isinstance(exc, RetryAfter) or (
        isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)
    )


class TelegramTransport(AnswersCommands):
    """Delivers outbox rows to Telegram chats, and runs the bot for commands."""

    name: ClassVar[str] = "telegram"

    def __init__(
        self,
        config: Config,
        db_path: Path | str | None = None,
        *,
        token: str | None = None,
        pacer: Pacer | None = None,
        commands: Commands | None = None,
        poll: bool = True,
    ) -> None:
        self.config = config
        self.pacer = pacer or Pacer.for_telegram(TELEGRAM_SENDING, in_flight=IN_FLIGHT)
        self.app = build_application(
            config, db_path, token=token, commands=commands, pacer=self.pacer
        )
        self.poll = poll
        """Poll for commands (off for a send-only transport, e.g. the benchmark)."""
        self._secrets: tuple[str, ...] = tuple(self.app.bot_data["secrets"])
        self.online = asyncio.Event()
        """Set once the Bot API answered and polling runs."""
        self._connecting: asyncio.Task[None] | None = None

    @property
    def commands(self) -> Commands:
        """The command core the bot answers with."""
        core: Commands = self.app.bot_data["commands"]
        return core

    async def start(self) -> None:
        """Connect, register the command menu, and start polling for commands.

        A wrong token fails at once (ConfigError: `raqib run` stops with one line).  A Bot
        API that cannot be reached (a network error, a timeout, a 5xx) does not hold up the
        service: it is tried again in the background with backoff (capped at
        `START_BACKOFF_MAX`) while sources are polled; alerts wait in the outbox meanwhile
        (held, not counted as attempts) and go out once it answers."""
        try:
            await self._initialize()
        except NetworkError as exc:  # TimedOut is one; InvalidToken is not
            log.warning(
                "telegram: cannot reach the Bot API (%s); trying again in the background",
                self._safe(exc),
            )
            self._connecting = asyncio.create_task(self._connect(), name="telegram-connect")
            return
        await self._go_online()

    async def _initialize(self) -> None:
        try:
            await asyncio.wait_for(self.app.initialize(), START_TRY_TIMEOUT)
        except InvalidToken:  # its message holds the token: never shown, never chained
            raise ConfigError(
                "telegram.token_env",
                f"the Telegram token ({self.config.telegram.token_env}) was rejected"
                " by the Bot API",
            ) from None
        except TimeoutError:
            raise NetworkError("no answer from the Bot API in time") from None

    async def _connect(self) -> None:
        """Keep trying to reach the Bot API (in the background), then go online."""
        await asyncio.sleep(START_BACKOFF)  # the first try, in `start`, just failed
        try:
            await retrying(
                self._initialize,
                RetryPolicy(
                    attempts=None,
                    wait_initial=2 * START_BACKOFF,
                    wait_max=START_BACKOFF_MAX,
                    jitter=START_BACKOFF / 2,
                ),
                retryable=lambda exc: isinstance(exc, NetworkError),
                what="reaching the Bot API",
                describe=self._safe,
            )
        except ConfigError as exc:
            log.error("telegram: %s; Telegram stays off", exc.message)
            return
        await self._go_online()

    async def _go_online(self) -> None:
        try:
            await register_commands(self.app)
        except TelegramError as exc:
            log.warning("telegram: could not register the command menu: %s", self._safe(exc))
        await self.app.start()
        if self.poll and self.app.updater is not None:
            await self.app.updater.start_polling(
                poll_interval=0.0,
                timeout=POLL_TIMEOUT,
                allowed_updates=Update.ALL_TYPES,
                error_callback=self._polling_error,
                bootstrap_retries=START_ATTEMPTS,
            )
        self.online.set()
        me = self.app.bot.bot
        log.info("telegram: on as @%s", me.username)

    async def stop(self) -> None:
        """Stop trying to connect, stop polling and release the connection pools."""
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    def _polling_error(self, exc: TelegramError) -> None:
        log.warning("telegram: polling for updates failed: %s", self._safe(exc))

    def _safe(self, exc: BaseException) -> str:
        message = exc.message if isinstance(exc, TelegramError) else str(exc)
        return redact(f"{type(exc).__name__}: {message}", self._secrets)[:500]

    async def send(self, message: Message) -> SendResult:
        """Deliver one alert (in one or more messages); failures come back in the result."""
        try:
            chat_id = int(message.row.chat_id)
        except ValueError:
            return SendResult(
                False, error=f"not a Telegram chat id: {message.row.chat_id!r}", permanent=True
            )
        try:
            chunks = alert_html(message.alert, message.lang)
        except ValueError as exc:  # unbalanced markup: a bug in rendering, never retried
            return SendResult(False, error=str(exc), permanent=True)
        return await self.send_chunks(chat_id, chunks)

    async def send_text(self, chat_id: str, text: Text) -> SendResult:
        """Deliver a digest as HTML, split under Telegram's length limit."""
        try:
            chat = int(chat_id)
            chunks = split_html(text.html)
        except ValueError as exc:  # not a chat id, or unbalanced markup: never retried
            return SendResult(False, error=str(exc), permanent=True)
        return await self.send_chunks(chat, chunks)

    async def send_chunks(self, chat_id: int, chunks: Iterable[str]) -> SendResult:
        """Send the HTML `chunks` of one alert or digest in order, stopping at the first
        that fails (its result is returned; the rest are not sent)."""
        for chunk in chunks:
            result = await self.send_html(chat_id, chunk)
            if not result.ok:
                return result
        return SENT

    async def send_html(self, chat_id: int, html: str) -> SendResult:
        """One paced sendMessage in HTML mode, with the quick retries in place (held while
        the Bot API has not been reached yet)."""
        if not self.online.is_set():
            return SendResult(
                False,
                error="the Bot API is not reachable yet",
                retry_after=NOT_ONLINE_WAIT,
                held=True,
            )
        try:  # the bot's rate limiter (`PacedLimiter`) waits for the pacer before each try
            await retrying(
                lambda: self.app.bot.send_message(
                    chat_id,
                    html,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
                IN_PLACE,
                retryable=_retry_send,
                asked=_asked,
                what=f"a message to {chat_id}",
                describe=self._safe,
            )
        except RetryAfter as exc:  # long, or the last try: the loop reschedules the row
            return SendResult(False, error=self._safe(exc), retry_after=seconds(exc.retry_after))
        except Forbidden as exc:
            return SendResult(False, error=self._safe(exc), deactivate=True)
        except ChatMigrated as exc:
            return SendResult(False, error=self._safe(exc), moved_to=str(exc.new_chat_id))
        except BadRequest as exc:
            return SendResult(False, error=self._safe(exc), permanent=True)
        except TelegramError as exc:  # network errors after the retries, InvalidToken, Conflict…
            return SendResult(False, error=self._safe(exc))
        return SENT

    async def notify_admins(self, text: str) -> None:
        """Tell the admin chat (or else each admin privately); never raises."""
        await notify_admins(
            self.app.bot_data, self.app.bot, self.config, redact(text, self._secrets)
        )

    async def row_dead(self, row: store_outbox.OutboxRow, error: str) -> None:
        """The delivery loop gave up on `row`: tell the admins."""
        await notify_admins(
            self.app.bot_data,
            self.app.bot,
            self.config,
            t("notice.dead", "en", chat=row.chat_id, error=error),
        )


def telegram_transport(config: Config, db: Database) -> TelegramTransport | None:
    """The Telegram transport when `[telegram] token_env` names a set variable, else None.

    `config` is the file's (the command core lays the admin edits over it itself)."""
    token = secret(config.telegram.token_env)
    if token is None:
        return None
    return TelegramTransport(config, config.storage.database, token=token)
