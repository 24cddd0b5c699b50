"""Slack: the `/raqib` slash command (slack_bolt, async) and the transport that delivers alerts.

`build_app(config, commands, client)` holds the wiring: one slash command,
`/raqib <subcommand> [args]`, hands `/<subcommand> [args]` to the command
core in `bot.chat.commands` (the same core Telegram uses: nothing about figures,
subscriptions or admin rights is decided here) and renders the `Reply` as
Block Kit (`bot.slack.blocks`); a reply's buttons run their command line
through the core again.  Slack wants an answer within 3 seconds: a command
that is done by `ACK_BUDGET` answers in the acknowledgement; a slow one
(`source test`, `chart`, or anything still running) is acknowledged with
"working on it" and answers later through the `response_url`.  A chart is
uploaded to the channel with files_upload_v2.

Two ways to reach Slack, `[slack] mode`:

- `socket`: Socket Mode with the app-level token (`app_token_env`); no public
  URL;
- `http`: an aiohttp server on `http_host:http_port` that takes slash
  commands and button presses at `/slack/events` (also `/slack/commands` and
  `/slack/actions`).  Every request is checked by `verify_slack_signature`
  (slack_sdk's `SignatureVerifier`: HMAC-SHA256 of `v0:{timestamp}:{body}`
  with the signing secret, constant-time compare, timestamps more than 5
  minutes away refused) before Bolt sees it, and a signature already taken is
  refused as a replay; a request that fails gets 401 and changes nothing.
  Bolt's own check is off, so this one is the only gate and it is the one the
  tests drive.

`SlackTransport` is what `raqib run` uses (named in the table
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

import asyncio
import dataclasses
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlite_utils import Database

from bot.chat.commands import Commands
from bot.chat.table import SPECS, CommandContext, parse_command
from bot.config.logs import redact
from bot.config.schema import Config, ConfigError, secret
from bot.delivery.loop import IN_PLACE, SENT, Message, SendResult, Text
from bot.delivery.pacing import SLACK, Pacer
from bot.render.i18n import t
from bot.render.markup import escape_mrkdwn, fit_text
from bot.render.reply import Reply
from bot.slack.blocks import (
    CHOICE_ACTION,
    SLASH_COMMAND,
    alert_blocks,
    alert_fallback,
    reply_blocks,
    reply_text,
)
from bot.slack.signature import verify_slack_signature
from bot.store import db as store
from bot.store import outbox as store_outbox
from scrapers.retry import retrying

log = logging.getLogger(__name__)

ACK_BUDGET = 2.0
"""Seconds a command may take to answer in the acknowledgement (Slack allows 3)."""
SLOW = frozenset({("source", "test"), ("chart", None)})
"""(command, first argument) pairs acknowledged at once and answered through response_url."""
REPLAY_WINDOW = 2 * 5 * 60.0
"""Seconds a taken request's signature is remembered: a timestamp may be five minutes
in the past or in the future, so a signature verifies for at most ten."""
MAX_SEEN = 100_000
"""At most this many signatures remembered (oldest forgotten first)."""
HOLD_SLACK = 1.0
"""A row of a held channel due within this many seconds waits for it in place (the outbox
stores times to the second, so a rescheduled row may come back up to a second early)."""
REJECTED_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
"""Slack errors that mean the token itself is wrong: `raqib run` stops with one line."""
REQUEST_TIMEOUT = 15
"""Seconds a Web API request may take."""
MAX_BODY = 1024 * 1024
"""Largest request body the HTTP mode server reads (Slack's are a few kB)."""
EVENT_PATHS = ("/slack/events", "/slack/commands", "/slack/actions")
"""Where the HTTP mode server takes requests (set one as the Request URL in the app's config)."""
CHART_FILENAME = "raqib-chart.png"
"""Name of an uploaded chart."""

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


# ---------------------------------------------------------------- the app


def build_app(config: Config, commands: Commands, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app: `/raqib` and the reply buttons, answered by the command core.

    Bolt's own request verification is off: in HTTP mode `SlackHttpServer`
    verifies every request before dispatching it, and Socket Mode needs none.
    """
    app = AsyncApp(
        client=client,
        request_verification_enabled=False,
        ssl_check_enabled=True,
        url_verification_enabled=True,
        logger=logging.getLogger("bot.slack.app.bolt"),
    )
    bridge = CommandBridge(config, commands, client)
    app.command(SLASH_COMMAND)(bridge.on_command)
    app.action({"type": "block_actions", "action_id": _choice_pattern()})(bridge.on_choice)
    app.error(bridge.on_error)
    return app


def response_type(ctx: CommandContext, reply: Reply) -> str:
    """`in_channel` for a confirmation the channel should see (a subscription, a language),
    else `ephemeral` (only the person who typed sees it)."""
    return "in_channel" if reply.public and reply.ok and ctx.chat_type != "im" else "ephemeral"


def _choice_pattern() -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(CHOICE_ACTION)}:\d+$")


class CommandBridge:
    """Thin listeners: build the context, run the command line, send the reply."""

    def __init__(self, config: Config, commands: Commands, client: AsyncWebClient) -> None:
        self.config = config
        self.commands = commands
        self.client = client
        self._tasks: set[asyncio.Task[Any]] = set()

    def context(self, body: Mapping[str, Any]) -> CommandContext:
        """Who is asking where: a slash command's or a button press's payload."""
        channel = body.get("channel_id") or (body.get("channel") or {}).get("id") or ""
        user = body.get("user_id") or (body.get("user") or {}).get("id") or ""
        name = body.get("channel_name") or (body.get("channel") or {}).get("name") or ""
        is_im = str(channel).startswith("D") or name == "directmessage"
        return CommandContext(
            transport="slack",
            chat_id=str(channel),
            chat_type="im" if is_im else "channel",
            user_id=str(user),
            is_admin=bool(user) and str(user) in self.config.slack.admins,
            lang=self.commands.lang_of("slack", str(channel)),
        )

    async def on_command(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        respond: Callable[..., Awaitable[Any]],
    ) -> None:
        """/raqib <subcommand> [args]: the core's command of that name (help without one)."""
        ctx = self.context(body)
        line = "/" + (str(body.get("text") or "").strip() or "help")
        name, args = parse_command(line)
        log.info("slack: %s in %s: /raqib %s", ctx.actor, ctx.chat_id, name)
        first = args[0].lower() if args else None
        if (name, first) in SLOW or (name, None) in SLOW:
            await ack(text=t("slack.working", ctx.lang), response_type="ephemeral")
            await self.finish(ctx, await self.commands.handle(ctx, line), respond)
            return
        task = asyncio.ensure_future(self.commands.handle(ctx, line))
        done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET)
        if done and task.result().photo is None:
            reply = task.result()
            if name and name not in SPECS:  # "Unknown command /x": as it was typed here
                typed = f"{SLASH_COMMAND} {name}"
                reply = dataclasses.replace(
                    reply, paragraphs=tuple(p.replace(f"/{name}", typed) for p in reply.paragraphs)
                )
            await ack(
                text=reply_text(reply),
                blocks=reply_blocks(reply),
                response_type=response_type(ctx, reply),
            )
            return
        await ack(text=t("slack.working", ctx.lang), response_type="ephemeral")
        await self.finish(ctx, await task, respond)

    async def on_choice(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        respond: Callable[..., Awaitable[Any]],
    ) -> None:
        """A reply's button: run its command line; the answer replaces the buttons' message."""
        await ack()
        actions = body.get("actions") or []
        line = str(actions[0].get("value") or "") if actions else ""
        if not line.startswith("/"):
            return
        ctx = self.context(body)
        reply = await self.commands.handle(ctx, line)
        if reply.photo is not None:
            await self.finish(ctx, reply, respond)
            return
        if response_type(ctx, reply) == "in_channel":  # the buttons go, the channel is told
            await respond(delete_original=True)
            await respond(
                text=reply_text(reply),
                blocks=reply_blocks(reply),
                replace_original=False,
                response_type="in_channel",
            )
            return
        await respond(
            text=reply_text(reply),
            blocks=reply_blocks(reply),
            replace_original=True,
            response_type="ephemeral",
        )

    async def finish(
        self, ctx: CommandContext, reply: Reply, respond: Callable[..., Awaitable[Any]]
    ) -> None:
        """Answer a slow command later: its chart to the channel, its text to response_url."""
        if reply.photo is not None:
            try:
                await self.client.files_upload_v2(
                    channel=ctx.chat_id,
                    content=reply.photo,
                    filename=CHART_FILENAME,
                    title=reply.title or "raqib",
                    initial_comment=escape_mrkdwn(reply.title or ""),
                )
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "error")
                log.warning("slack: uploading a chart to %s failed: %s", ctx.chat_id, error)
                await respond(text=t("slack.upload_failed", ctx.lang, error=error))
                return
            except SlackClientError as exc:
                log.warning("slack: uploading a chart failed: %s", type(exc).__name__)
                await respond(text=escape_mrkdwn(t("error", ctx.lang)))
                return
            rest = Reply(paragraphs=reply.paragraphs, table=reply.table)
            if not rest.paragraphs and rest.table is None:
                return
            reply = rest
        await respond(
            text=reply_text(reply),
            blocks=reply_blocks(reply),
            response_type=response_type(ctx, reply),
            replace_original=False,
        )

    async def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        """A listener failed: log it with the traceback (the command core already answered)."""
        log.error("slack: handling a request failed", exc_info=error)


# ---------------------------------------------------------------- HTTP mode


class SlackHttpServer:
    """HTTP mode: takes Slack's signed requests on `host:port` and hands them to Bolt."""

    def __init__(self, app: AsyncApp, signing_secret: str, host: str, port: int) -> None:
        self.app = app
        self._secret = signing_secret
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._seen: dict[str, float] = {}
        """Signatures of the requests taken, and when each can no longer verify anyway."""

    @property
    def url(self) -> str:
        """`http://host:port` once started (the port actually bound)."""
        return f"http://{self.host}:{self.port}"

    def web_app(self) -> web.Application:
        """The aiohttp application: the event paths, and a health check at `/`."""
        app = web.Application(client_max_size=MAX_BODY)
        for path in EVENT_PATHS:
            app.router.add_post(path, self.handle)
        app.router.add_get("/", self.health)
        return app

    async def start(self) -> None:
        """Listen (port 0 picks a free one)."""
        runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("slack: taking requests on %s%s", self.url, EVENT_PATHS[0])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def health(self, request: web.Request) -> web.Response:
        """GET /: the server is up."""
        return web.Response(text="raqib", content_type="text/plain")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """A request from Slack: 401 unless its signature verifies, else Bolt's answer."""
        body = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not verify_slack_signature(self._secret, timestamp, body, signature):
            log.warning("slack: refused a request to %s with a bad signature", request.path)
            return web.Response(status=401, text="invalid signature", content_type="text/plain")
        if self._replayed(signature):
            log.warning("slack: refused a replayed request to %s", request.path)
            return web.Response(status=401, text="replayed request", content_type="text/plain")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="not UTF-8", content_type="text/plain")
        bolt_request = AsyncBoltRequest(
            body=text,
            query=request.query_string,
            headers={k: v for k, v in request.headers.items()},
        )
        response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    def _replayed(self, signature: str) -> bool:
        """True when a request with this signature was already taken while it is fresh
        (the verifier accepts a captured request for `REPLAY_WINDOW` seconds)."""
        now = _now()
        for old in [s for s, until in self._seen.items() if until <= now]:
            del self._seen[old]
        if signature in self._seen:
            return True
        self._seen[signature] = now + REPLAY_WINDOW
        while len(self._seen) > MAX_SEEN:
            self._seen.pop(next(iter(self._seen)))
        return False


# ---------------------------------------------------------------- the transport


class SlackTransport:
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
            logger=logging.getLogger("bot.slack.app.sdk"),
        )
        if commands is None:
            commands = Commands(config, store.open_db(db_path or config.storage.database))
        self.commands = commands
        """The command core the app answers with."""
        self.app = build_app(config, commands, self.client)
        self.serve = serve
        """Take commands (off for a send-only transport)."""
        self.http: SlackHttpServer | None = None
        """The HTTP mode server, once started."""
        self.socket: AsyncSocketModeHandler | None = None
        """The Socket Mode connection, once started."""
        self._app_token = app_token
        self._signing_secret = signing_secret
        self._secrets = tuple(s for s in (token, app_token, signing_secret) if s)
        if commands.on_failure is None:  # a failed command: the admin channel hears of it

            async def tell_admins(text: str) -> None:
                await self.notify_admins(redact(text, self._secrets))

            commands.on_failure = tell_admins
        self._held: dict[str, float] = {}
        """Channel → loop time before which its rows wait (after a 429)."""

    def bind(
        self,
        on_change: Callable[[], object] | None,
        next_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
    ) -> None:
        """Let admin edits apply at once (`Service.reload`) and /sources show the scheduler's
        next runs (as `TelegramTransport.bind`)."""
        self.commands.on_change = on_change
        self.commands.next_runs = next_runs

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


def _now() -> float:
    return asyncio.get_running_loop().time()


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
