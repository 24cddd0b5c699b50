"""Slack: the `/raqib` slash command (slack_bolt, async): its wiring, bridge and HTTP mode.

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

The transport that delivers alerts and starts this app (Socket Mode, or the HTTP
mode server above) is `bot.slack.transport`; tokens come from the environment
variables named in `[slack]` and are never logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.commands import Commands
from bot.chat.table import SPECS, CommandContext, parse_command
from bot.config.schema import Config
from bot.render.i18n import t
from bot.render.markup import escape_mrkdwn
from bot.render.reply import Reply
from bot.slack.blocks import (
    CHOICE_ACTION,
    SLASH_COMMAND,
    reply_blocks,
    reply_text,
)
from bot.slack.signature import verify_slack_signature

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
MAX_BODY = 1024 * 1024
"""Largest request body the HTTP mode server reads (Slack's are a few kB)."""
EVENT_PATHS = ("/slack/events", "/slack/commands", "/slack/actions")
"""Where the HTTP mode server takes requests (set one as the Request URL in the app's config)."""
CHART_FILENAME = "raqib-chart.png"
"""Name of an uploaded chart."""

Ack = Callable[..., Awaitable[Any]]
"""Bolt's `ack` argument: acknowledges a request within three seconds, optionally answering it."""
Respond = Callable[..., Awaitable[Any]]
"""Bolt's `respond` argument: answers later through the request's response_url."""


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

    async def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
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

    async def on_choice(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
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

    async def finish(self, ctx: CommandContext, reply: Reply, respond: Respond) -> None:
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


def _now() -> float:
    return asyncio.get_running_loop().time()
