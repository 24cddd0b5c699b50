"""A fake Slack Web API server, for the real slack_sdk clients (and slack_bolt) to talk to.

URL form: `{url}/api/{method}`.  slack_sdk joins `base_url + method`, so the
value to give `AsyncWebClient(base_url=...)` (and `[slack] api_base_url`) is
`FakeSlack.api_base_url`, i.e. `http://127.0.0.1:PORT/api/` with the slash.

What it does, like Slack (https://docs.slack.dev/reference/methods):

- the bot token comes as `Authorization: Bearer ...` (or a `token` parameter);
  none is `not_authed`, a wrong one `invalid_auth` (HTTP 200, `ok: false`);
- parameters come as query string, form or JSON, as slack_sdk sends them;
- `chat.postMessage` checks `blocks` like Slack: at most 50, section text at
  most 3000 characters, header text at most 150 (`invalid_blocks`), a JSON
  string that does not parse is `invalid_blocks_format`, text over 40000
  characters is `msg_too_long`, neither text nor blocks is `no_text`;
- about 1 message per second per channel (`SlackLimits`): more is HTTP 429
  with a `Retry-After` header in seconds and `{"ok": false, "error": "ratelimited"}`;
- channels marked archived, not found or not joined answer `is_archived`,
  `channel_not_found`, `not_in_channel`;
- `files_upload_v2`'s three steps: `files.getUploadURLExternal`, a POST of the
  bytes to the upload URL (answered `text/plain`), `files.completeUploadExternal`;
- `{url}/response/{anything}` records what an app posts to a slash command's
  `response_url` (use `response_url()` to make one).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import BodyError, FakeServer, maybe_json, read_params

log = logging.getLogger(__name__)

BOT_TOKEN = "xoxb-0000000000-0000000000000-faketokenfortests"
"""A bot token of the real shape, the default for tests."""
TEAM_ID = "T0RAQIB"
"""The fake workspace."""
BOT_USER_ID = "U0RAQIBBOT"
"""The bot's user id."""
BOT_ID = "B0RAQIB"
"""The bot's bot id."""

MAX_BLOCKS = 50
"""Blocks per message."""
MAX_SECTION_TEXT = 3000
"""Characters of a section block's text."""
MAX_HEADER_TEXT = 150
"""Characters of a header block's text."""
MAX_SECTION_FIELDS = 10
"""Fields of a section block."""
MAX_FIELD_TEXT = 2000
"""Characters of one section field."""
MAX_CONTEXT_ELEMENTS = 10
"""Elements of a context block."""
MAX_MESSAGE_TEXT = 40000
"""Characters of a message's top-level text."""


@dataclass(frozen=True)
class SlackLimits:
    """Rate limits the fake enforces on chat.postMessage."""

    channel_interval: float = 1.0
    """Seconds that must pass between two messages to one channel."""
    channel_burst: int = 0
    """Extra messages one channel may get within `channel_interval` before a 429."""
    slack: float = 0.1
    """Seconds of tolerance, for clock and network jitter."""
    enabled: bool = True
    """False: no rate limit at all."""


@dataclass
class SlackMessage:
    """A message the fake accepted (chat.postMessage or chat.postEphemeral)."""

    channel: str
    """Channel id it went to."""
    text: str
    """Top-level text ('' when only blocks)."""
    blocks: list[dict[str, Any]]
    """Decoded blocks ([] when none)."""
    ts: str
    """Message timestamp the fake gave it."""
    at: float
    """time.monotonic() when accepted (comparable across processes on this machine)."""
    user: str | None = None
    """Recipient, for ephemeral messages."""
    params: dict[str, Any] = field(default_factory=dict)
    """Every other parameter (thread_ts, unfurl_links...)."""

    def all_text(self) -> str:
        """The top-level text and every text inside the blocks, joined by newlines."""
        parts = [self.text] if self.text else []
        parts.extend(_texts(self.blocks))
        return "\n".join(parts)


@dataclass
class SlackFile:
    """A file uploaded through files_upload_v2."""

    file_id: str
    """F... id."""
    filename: str
    """Name given to getUploadURLExternal."""
    data: bytes
    """The uploaded bytes."""
    title: str | None = None
    """Title given at completion."""
    channel: str | None = None
    """Channel shared to at completion."""
    initial_comment: str | None = None
    """Comment posted with it."""
    completed: bool = False
    """files.completeUploadExternal was called for it."""


@dataclass(frozen=True)
class SlackResponse:
    """A body posted to a response_url."""

    path: str
    """The URL path it was posted to."""
    body: dict[str, Any]
    """Decoded JSON body."""
    at: float
    """time.monotonic() when received."""


@dataclass(frozen=True)
class Call:
    """One Web API request, accepted or not."""

    method: str
    """Web API method name."""
    channel: str | None
    """Target channel, where the method has one."""
    status: int
    """HTTP status."""
    error: str
    """Slack error code ('' when ok)."""
    at: float
    """time.monotonic() of the request."""


class SlackError(Exception):
    """An error answer of the Web API."""

    def __init__(
        self, error: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}


class FakeSlack(FakeServer):
    """A Slack Web API server on 127.0.0.1; see the module docstring."""

    name = "fake-slack"

    def __init__(self, token: str = BOT_TOKEN, *, limits: SlackLimits | None = None) -> None:
        super().__init__()
        self.token = token
        self.limits = limits or SlackLimits()
        self.posted: list[SlackMessage] = []
        """Every accepted chat.postMessage, in order."""
        self.ephemerals: list[SlackMessage] = []
        """Every accepted chat.postEphemeral, in order."""
        self.files: dict[str, SlackFile] = {}
        """Uploads by file id."""
        self.responses: list[SlackResponse] = []
        """Bodies posted to response URLs, in order."""
        self.calls: list[Call] = []
        """Every Web API request, in order."""
        self.too_many_requests = 0
        """How many 429s the fake answered."""
        self.channel_names: dict[str, str] = {}
        """Names for conversations.info (default: the id in lower case)."""
        self._archived: set[str] = set()
        self._not_found: set[str] = set()
        self._not_in: set[str] = set()
        self._throttled: dict[str | None, float] = {}
        self._forced: dict[str | None, list[int]] = {}
        self._fail_next: list[int] = []
        self._sends: dict[str, deque[float]] = {}
        self._seq = itertools.count(1)

    @property
    def api_base_url(self) -> str:
        """What slack_sdk's `base_url` (and `[slack] api_base_url`) should be: `{url}/api/`."""
        return f"{self.url}/api/"

    def response_url(self, name: str | None = None) -> str:
        """A URL to pass as a slash command's `response_url`; posts to it are recorded."""
        return f"{self.url}/response/{name or next(self._seq)}"

    def build_app(self) -> web.Application:
        """Routes: /api/{method}, /upload/{file_id}, /response/{name}."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name}", self._response)
        return app

    # ------------------------------------------------------------ test helpers

    def archive(self, channel: str) -> None:
        """Posts to `channel` answer `is_archived`."""
        with self.lock:
            self._archived.add(channel)

    def mark_not_found(self, channel: str) -> None:
        """Posts to `channel` answer `channel_not_found`."""
        with self.lock:
            self._not_found.add(channel)

    def remove_bot(self, channel: str) -> None:
        """Posts to `channel` answer `not_in_channel`."""
        with self.lock:
            self._not_in.add(channel)

    def throttle(self, retry_after: int, channel: str | None = None, times: int = 1) -> None:
        """The next `times` posts (to `channel`, or anywhere) get 429 with this Retry-After;
        posts before it has passed get 429 too."""
        with self.lock:
            self._forced.setdefault(channel, []).extend([retry_after] * times)

    def fail_next(self, times: int = 1, status: int = 503) -> None:
        """The next `times` chat.postMessage calls get this HTTP status."""
        with self.lock:
            self._fail_next.extend([status] * times)

    def messages(self, channel: str | None = None) -> list[SlackMessage]:
        """Accepted chat.postMessage messages (to one channel, or all), in order."""
        with self.lock:
            return [m for m in self.posted if channel is None or m.channel == channel]

    def errors(self, channel: str | None = None) -> list[Call]:
        """Requests that failed, in order."""
        with self.lock:
            return [c for c in self.calls if c.error and (channel is None or c.channel == channel)]

    def describe(self) -> str:
        """Recorded state, for failure messages."""
        with self.lock:
            lines = [f"  {m.channel}: {m.all_text()[:100]!r}" for m in self.posted[-20:]]
            errors = [
                f"  {c.method} {c.channel}: {c.status} {c.error}" for c in self.calls if c.error
            ]
            return (
                "posted (last 20):\n" + "\n".join(lines) + "\nerrors:\n" + "\n".join(errors[-20:])
            )

    # ------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        channel: str | None = None
        try:
            params = await read_params(request)
            channel = str(params["channel"]) if params.get("channel") else None
            channel = channel or (str(params["channel_id"]) if params.get("channel_id") else None)
            token = _bearer(request) or params.pop("token", None)
            if not token:
                raise SlackError("not_authed")
            if token != self.token:
                raise SlackError("invalid_auth")
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackError("unknown_method", status=404)
            with self.lock:
                result = handler(params)
        except SlackError as exc:
            with self.lock:
                self.calls.append(Call(method, channel, exc.status, exc.error, time.monotonic()))
                if exc.status == 429:
                    self.too_many_requests += 1
            return web.json_response(
                {"ok": False, "error": exc.error}, status=exc.status, headers=exc.headers
            )
        except BodyError as exc:
            with self.lock:
                self.calls.append(Call(method, channel, 200, "invalid_json", time.monotonic()))
            return web.json_response({"ok": False, "error": "invalid_json", "detail": str(exc)})
        with self.lock:
            self.calls.append(Call(method, channel, 200, "", time.monotonic()))
        return web.json_response({"ok": True, **result})

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        with self.lock:
            upload = self.files.get(request.match_info["file_id"])
            if upload is None:
                return web.Response(status=404, text="unknown upload", content_type="text/plain")
            upload.data = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _response(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        with self.lock:
            self.responses.append(SlackResponse(request.path, body, time.monotonic()))
        return web.Response(text="ok", content_type="text/plain")

    # ------------------------------------------------------------ methods

    def _m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://raqib-test.slack.com/",
            "team": "raqib test",
            "user": "raqib",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._target(params.get("channel"))
        text, blocks = _content(params)
        self._rate_check(channel)
        message = self._store(channel, text, blocks, params)
        self.posted.append(message)
        return {
            "channel": channel,
            "ts": message.ts,
            "message": {
                "type": "message",
                "text": text,
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "ts": message.ts,
                "blocks": blocks,
            },
        }

    def _m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._target(params.get("channel"))
        if not params.get("user"):
            raise SlackError("user_not_in_channel")
        text, blocks = _content(params)
        message = self._store(channel, text, blocks, params)
        message.user = str(params["user"])
        self.ephemerals.append(message)
        return {"message_ts": message.ts}

    def _m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel or channel in self._not_found:
            raise SlackError("channel_not_found")
        return {
            "channel": {
                "id": channel,
                "name": self.channel_names.get(channel, channel.lower()),
                "is_channel": channel.startswith("C"),
                "is_group": channel.startswith("G"),
                "is_im": channel.startswith("D"),
                "is_private": channel.startswith("G"),
                "is_archived": channel in self._archived,
                "is_member": channel not in self._not_in,
                "created": 1700000000,
            }
        }

    def _m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename:
            raise SlackError("invalid_arguments")
        try:
            if int(length) <= 0:  # type: ignore[arg-type]
                raise ValueError
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        file_id = f"F{next(self._seq):08d}"
        self.files[file_id] = SlackFile(file_id=file_id, filename=str(filename), data=b"")
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = maybe_json(params.get("files"))
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = params.get("channel_id")
        if channel:
            channel = self._target(channel)
        done = []
        for item in files:
            upload = self.files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if upload is None or not upload.data:
                raise SlackError("file_not_found")
            upload.title = item.get("title")
            upload.channel = channel
            upload.initial_comment = params.get("initial_comment")
            upload.completed = True
            done.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title or upload.filename,
                    "size": len(upload.data),
                }
            )
        return {"files": done}

    # ------------------------------------------------------------ checks

    def _target(self, value: Any) -> str:
        channel = str(value or "")
        if not channel or channel in self._not_found:
            raise SlackError("channel_not_found")
        if channel in self._archived:
            raise SlackError("is_archived")
        if channel in self._not_in:
            raise SlackError("not_in_channel")
        return channel

    def _rate_check(self, channel: str) -> None:
        now = time.monotonic()
        if self._fail_next:
            raise SlackError("fatal_error", status=self._fail_next.pop(0))
        for key in (channel, None):
            until = self._throttled.get(key, 0.0)
            if now < until:
                raise _ratelimited(until - now)
            forced = self._forced.get(key)
            if forced:
                retry_after = forced.pop(0)
                self._throttled[key] = now + retry_after
                raise _ratelimited(retry_after)
        lim = self.limits
        if not lim.enabled:
            return
        sends = self._sends.setdefault(channel, deque())
        while sends and sends[0] <= now - lim.channel_interval + lim.slack:
            sends.popleft()
        if len(sends) > lim.channel_burst:
            raise _ratelimited(sends[0] + lim.channel_interval - lim.slack - now)
        sends.append(now)

    def _store(
        self, channel: str, text: str, blocks: list[dict[str, Any]], params: dict[str, Any]
    ) -> SlackMessage:
        ts = f"{int(time.time())}.{next(self._seq):06d}"
        extra = {k: v for k, v in params.items() if k not in {"channel", "text", "blocks", "user"}}
        return SlackMessage(channel, text, blocks, ts, time.monotonic(), params=extra)


# ---------------------------------------------------------------- helpers


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _ratelimited(seconds: float) -> SlackError:
    retry_after = max(1, math.ceil(seconds))
    return SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})


def _content(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of a post, validated as Slack does."""
    text = params.get("text") or ""
    if not isinstance(text, str):
        text = str(text)
    raw = params.get("blocks")
    blocks: Any = [] if raw in (None, "") else maybe_json(raw)
    if isinstance(raw, str) and isinstance(blocks, str):
        raise SlackError("invalid_blocks_format")
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise SlackError("invalid_blocks_format")
    if not text and not blocks:
        raise SlackError("no_text")
    if len(text) > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    if len(blocks) > MAX_BLOCKS:
        raise SlackError("invalid_blocks")
    for block in blocks:
        _check_block(block)
    return text, blocks


def _check_block(block: dict[str, Any]) -> None:
    kind = block.get("type")
    if not isinstance(kind, str):
        raise SlackError("invalid_blocks")
    if kind == "section":
        text = block.get("text")
        fields = block.get("fields") or []
        if text is None and not fields:
            raise SlackError("invalid_blocks")
        if text is not None and len(_text_of(text)) > MAX_SECTION_TEXT:
            raise SlackError("invalid_blocks")
        if len(fields) > MAX_SECTION_FIELDS or any(
            len(_text_of(f)) > MAX_FIELD_TEXT for f in fields
        ):
            raise SlackError("invalid_blocks")
    elif kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            raise SlackError("invalid_blocks")
        if len(_text_of(text)) > MAX_HEADER_TEXT:
            raise SlackError("invalid_blocks")
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            raise SlackError("invalid_blocks")


def _text_of(obj: Any) -> str:
    if not isinstance(obj, dict) or obj.get("type") not in {"mrkdwn", "plain_text"}:
        raise SlackError("invalid_blocks")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise SlackError("invalid_blocks")
    return text


def _texts(value: Any) -> list[str]:
    """Every `text` string inside blocks, depth first."""
    found: list[str] = []
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            found.append(value["text"])
        for key, inner in value.items():
            if key != "text" or not isinstance(inner, str):
                found.extend(_texts(inner))
    elif isinstance(value, list):
        for inner in value:
            found.extend(_texts(inner))
    return found
