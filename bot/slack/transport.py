"""Slack: the transport that delivers alerts and takes `/raqib` commands.

`SlackTransport` is what `raqib run` uses (made by `slack_transport`, named in the table
`bot.delivery.loop.TRANSPORTS`, imported when a token is set).  It delivers outbox
rows with `chat.postMessage` as Block Kit plus a plain-text fallback:

- paced by `bot.delivery.pacing` (about 1 message a second per channel);
- 429: the channel is penalized for `Retry-After`; a wait of up to 5 s is
  taken in place (`bot.delivery.loop.IN_PLACE`, the policy Telegram's sends use
  too), a longer one reschedules the row after it; the channel's later rows
  wait for the same moment, so its alerts stay in order;
- `channel_not_found`, `not_in_channel`, `is_archived`: the subscription is
  deactivated;
- a malformed message (`invalid_blocks`, `msg_too_long`…): dead at once;
- network errors and 5xx: a few quick retries in place, then the loop's
  backoff; a row that runs out of attempts is dead and the admins are told
  (the `admin_channel`, else each admin by direct message).

Tokens come from the environment variables named in `[slack]` and are never
logged or put in an error message.  Without a bot token Slack is off; without
the app token (socket mode) or the signing secret (http mode) alerts are
still delivered but commands are not taken, and the log says why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.chat.commands import AnswersCommands, Commands, command_core
from bot.config.logs import redact
from bot.config.schema import Config, ConfigError, secret
from bot.delivery.loop import IN_PLACE, SENT, Message, SendResult, Text
from bot.delivery.pacing import SLACK, Pacer
from bot.render.i18n import t
from bot.render.markup import escape_mrkdwn, fit_text
from bot.slack.app import SlackHttpServer, _now, build_app
from bot.slack.blocks import alert_blocks, alert_fallback
from bot.store import outbox as store_outbox
from scrapers.retry import retrying

log = logging.getLogger(__name__)

HOLD_SLACK = 1.0
"""A row of a held channel due within this many seconds waits for it in place (the outbox
stores times to the second, so a rescheduled row may come back up to a second early)."""
REJECTED_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
"""Slack errors that mean the token itself is wrong: `raqib run` stops with one line."""
REQUEST_TIMEOUT = 15
"""Seconds a Web API request may take."""

GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
"""Errors that mean the channel will never take our messages: unsubscribe it."""
MALFORMED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "too_many_attachments",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_charset",
        "invalid_form_data",
        "invalid_post_type",
        "missing_post_type",
    }
)
"""Errors that repeat however often the same message is sent: the row is dead at once."""


class SlackTransport(AnswersCommands):
    """Delivers outbox rows to Slack channels, and takes `/raqib` commands."""

    name: ClassVar[str] = "slack"

    def __init__(
        self,
        config: Config,
        db_path: Path | str | None = None,
        *,
        token: str,
        app_token: str | None = None,
        signing_secret: str | None = None,
        pacer: Pacer | None = None,
        commands: Commands | None = None,
        serve: bool = True,
    ) -> None:
        self.config = config
        self.pacer = pacer or Pacer(SLACK)  # per channel; no groups
        self.client = AsyncWebClient(
            token=token,
            base_url=config.slack.api_base_url,
            timeout=REQUEST_TIMEOUT,
            logger=logging.getLogger("bot.slack.transport.sdk"),
        )
        self._secrets = tuple(s for s in (token, app_token, signing_secret) if s)
        self.commands = command_core(
            config, db_path, commands, notify_admins=self.notify_admins, secrets=self._secrets
        )
        """The command core the app answers with (a failed command: the admin channel hears)."""
        self.app = build_app(config, self.commands, self.client)
        self.serve = serve
        """Take commands (off for a send-only transport)."""
        self.http: SlackHttpServer | None = None
        """The HTTP mode server, once started."""
        self.socket: AsyncSocketModeHandler | None = None
        """The Socket Mode connection, once started."""
        self._app_token = app_token
        self._signing_secret = signing_secret
        self._held: dict[str, float] = {}
        """Channel → loop time before which its rows wait (after a 429)."""

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Check the token, then take commands in the configured mode."""
        slack = self.config.slack
        me = await self._token_check(
            "auth.test", self.client.auth_test, "slack.bot_token_env", "bot token"
        )
        if me is not None:
            log.info("slack: on as %s in %s", me.get("user_id"), me.get("team"))
        if not self.serve:
            return
        if slack.mode == "http":
            if not self._signing_secret:
                log.warning(
                    "slack: http mode without a signing secret (%s): commands are off",
                    slack.signing_secret_env,
                )
                return
            self.http = SlackHttpServer(
                self.app, self._signing_secret, slack.http_host, slack.http_port
            )
            await self.http.start()
            return
        if not self._app_token:
            log.warning(
                "slack: socket mode without an app-level token (%s): commands are off",
                slack.app_token_env,
            )
            return
        app_token = self._app_token
        await self._token_check(  # a wrong app-level token would be retried for ever, quietly
            "apps.connections.open",
            lambda: self.client.apps_connections_open(app_token=app_token),
            "slack.app_token_env",
            "app-level token",
        )
        self.socket = AsyncSocketModeHandler(
            self.app,
            self._app_token,
            logger=logging.getLogger("bot.slack.app.socket"),
            web_client=self.client,
        )
        await self.socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: connected in socket mode")

    async def _token_check(
        self, what: str, call: Callable[[], Awaitable[Any]], key: str, token: str
    ) -> Any:
        """`call()`'s answer; a ConfigError naming `key` when Slack rejects the token, and
        None (logged) when Slack cannot be asked now."""
        try:
            return await call()
        except SlackApiError as exc:
            if exc.response.get("error") in REJECTED_TOKEN_ERRORS:
                env = getattr(self.config.slack, key.removeprefix("slack."))
                raise ConfigError(key, f"the Slack {token} ({env}) was rejected by Slack") from None
            log.warning("slack: %s failed: %s", what, self._safe(exc))
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("slack: %s failed: %s", what, self._safe(exc))
        return None

    async def stop(self) -> None:
        """Stop taking commands and release the connections."""
        if self.http is not None:
            await self.http.stop()
            self.http = None
        if self.socket is not None:
            try:
                await self.socket.close_async()  # type: ignore[no-untyped-call]
            except Exception as exc:  # closing a dead socket must not stop the shutdown
                log.warning("slack: closing the socket failed: %s", self._safe(exc))
            self.socket = None
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()

    # ------------------------------------------------------------ delivery

    async def send(self, message: Message) -> SendResult:
        """Deliver one alert; failures come back in the result."""
        channel = message.row.chat_id
        held = self._held.get(channel, 0.0) - _now()
        if held > HOLD_SLACK:  # an earlier row of this channel got a 429: keep the channel's order
            return SendResult(
                False,
                error="ratelimited (channel held)",
                retry_after=float(math.ceil(held)),
                held=True,
            )
        try:
            blocks = alert_blocks(message.alert, message.lang)
            text = alert_fallback(message.alert, message.lang)
        except Exception as exc:  # a rendering bug: never retried
            log.exception("slack: rendering change %s failed", message.row.change_id)
            return SendResult(False, error=str(exc), permanent=True)
        result = await self.post(channel, text, blocks)
        return result

    async def send_text(self, chat_id: str, text: Text) -> SendResult:
        """Deliver a digest as mrkdwn (the channel's 429 hold applies as for alerts)."""
        held = self._held.get(chat_id, 0.0) - _now()
        if held > HOLD_SLACK:
            return SendResult(
                False, error="ratelimited (channel held)", retry_after=float(math.ceil(held))
            )
        return await self.post(chat_id, fit_text(text.mrkdwn))

    async def post(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> SendResult:
        """One paced chat.postMessage, with quick retries in place (network errors, 5xx,
        and a 429 whose Retry-After is short: `IN_PLACE`)."""

        async def once() -> None:
            await self.pacer.acquire(channel)
            try:
                await self.client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except SlackApiError as exc:
                if exc.response.status_code == 429:  # the channel waits, whoever retries
                    wait = _retry_after(exc.response.headers)
                    self.pacer.penalize(channel, wait)
                    self._held[channel] = max(self._held.get(channel, 0.0), _now() + wait)
                raise

        try:
            await retrying(
                once,
                IN_PLACE,
                retryable=_retry_send,
                asked=_asked,
                what=f"a post to {channel}",
                describe=self._safe,
            )
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error") or f"HTTP {status}")
            if status == 429:  # long, or the last try: the loop reschedules the row
                wait = _retry_after(exc.response.headers)
                return SendResult(False, error=f"ratelimited ({wait:g}s)", retry_after=wait)
            if error in GONE:
                return SendResult(False, error=error, deactivate=True)
            if error in MALFORMED:
                return SendResult(False, error=error, permanent=True)
            return SendResult(False, error=error)  # invalid_auth, 5xx…: the loop's backoff
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            return SendResult(False, error=self._safe(exc))
        return SENT

    async def row_dead(self, row: store_outbox.OutboxRow, error: str) -> None:
        """The delivery loop gave up on `row`: tell the admins."""
        await self.notify_admins(t("notice.dead", "en", chat=row.chat_id, error=error))

    async def notify_admins(self, text: str) -> None:
        """Tell the admin channel (or else each admin by direct message); never raises."""
        slack = self.config.slack
        targets = [slack.admin_channel] if slack.admin_channel else list(slack.admins)
        for target in targets:
            result = await self.post(target, fit_text(escape_mrkdwn(text)))
            if not result.ok:
                log.warning("slack: could not tell admins in %s: %s", target, result.error)

    def _safe(self, exc: BaseException) -> str:
        return redact(f"{type(exc).__name__}: {exc}", self._secrets)[:500]


def _retry_send(exc: Exception) -> bool:
    """Worth a quick retry in place: a network error, a 5xx, a 429."""
    if isinstance(exc, SlackApiError):
        status: int = exc.response.status_code
        return status == 429 or status >= 500
    return isinstance(exc, SlackClientError | aiohttp.ClientError | TimeoutError | OSError)


def _asked(exc: Exception) -> float | None:
    """The wait a 429 asked for (its Retry-After header)."""
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        return _retry_after(exc.response.headers)
    return None


def _retry_after(headers: Mapping[str, Any]) -> float:
    """Seconds from a 429's Retry-After header (1 when missing or unreadable)."""
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                seconds = float(str(raw).strip())
            except ValueError:
                break
            if math.isfinite(seconds) and seconds >= 0:
                return max(seconds, 1.0)
            break
    return 1.0


# ---------------------------------------------------------------- registration


def slack_transport(config: Config, db: Database) -> SlackTransport | None:
    """The Slack transport when `[slack] bot_token_env` names a set variable, else None.

    `config` is the file's (the command core lays the admin edits over it itself)."""
    slack = config.slack
    token = secret(slack.bot_token_env)
    if token is None:
        return None
    return SlackTransport(
        config,
        config.storage.database,
        token=token,
        app_token=secret(slack.app_token_env) if slack.mode == "socket" else None,
        signing_secret=secret(slack.signing_secret_env) if slack.mode == "http" else None,
    )
