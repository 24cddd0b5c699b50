"""A fake Telegram Bot API server, for the real python-telegram-bot to talk to.

URL form, as the real API: `{url}/bot{TOKEN}/{method}`.  PTB's `Bot(token,
base_url=...)` appends the token to `base_url` and then `/{method}`, so the
value to give PTB (and `[telegram] api_base_url`) is `FakeTelegram.base_url`,
i.e. `http://127.0.0.1:PORT/bot`.

What it does, like the real thing (https://core.telegram.org/bots/api):

- a token other than the configured one gets 401 `Unauthorized`; an unknown
  method gets 404;
- parameters come as query string, JSON, urlencoded or multipart form (PTB
  sends forms, with non-string values JSON-encoded);
- `getUpdates` long-polls and honours `offset` (confirming everything below
  it), `limit` and `timeout`;
- `sendMessage` with `parse_mode=HTML` is parsed like Telegram does: only the
  allowed tags, balanced, `&` only as an entity; errors are 400 `Bad Request:
  can't parse entities: ...`; text over 4096 UTF-16 units after parsing is 400
  `Bad Request: message is too long`; callback data over 64 bytes is 400
  `Bad Request: BUTTON_DATA_INVALID`;
- flood limits (`TelegramLimits`): 429 with `parameters.retry_after`;
- chats marked blocked get 403, migrated chats 400 with
  `parameters.migrate_to_chat_id`, unknown chats 400 `chat not found`.

Stricter than Telegram in one place, on purpose: a bare `&` that does not
start an entity is refused, so that unescaped article text is caught in tests.
MarkdownV2 text is accepted without parsing.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from aiohttp import web

from . import BodyError, FakeServer, maybe_json, read_params

log = logging.getLogger(__name__)

TOKEN = "123456:TEST-fake-telegram-token"
"""A token of the real shape, the default for tests."""

MAX_TEXT = 4096
"""Longest message text after entity parsing, in UTF-16 code units."""
MAX_CAPTION = 1024
"""Longest photo caption after entity parsing."""
MAX_CALLBACK_DATA = 64
"""Longest callback_data of an inline button, in bytes."""


@dataclass(frozen=True)
class TelegramLimits:
    """Flood limits the fake enforces (Telegram Bot FAQ numbers by default)."""

    global_per_second: int = 30
    """Messages per second over all chats."""
    chat_interval: float = 1.0
    """Seconds that must pass between two messages to one chat."""
    chat_burst: int = 0
    """Extra messages one chat may get within `chat_interval` before a 429."""
    group_per_window: int = 20
    """Messages to one group (negative chat id) per `group_window`."""
    group_window: float = 60.0
    """Seconds of the group window."""
    slack: float = 0.1
    """Seconds of tolerance on every window, for clock and network jitter."""
    enabled: bool = True
    """False: no flood limits at all."""


# ---------------------------------------------------------------- Telegram HTML

ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
"""Tags (and their attributes) Telegram's HTML parse mode accepts."""
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
"""href schemes the fake accepts in `<a>`."""

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR = re.compile(r"""([A-Za-z][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


class EntityError(ValueError):
    """Text Telegram would refuse with `can't parse entities`."""


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text of Telegram-HTML `text`; EntityError if Telegram would refuse it."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG.match(text, pos)
            offset = len(text[:pos].encode())
            if not m:
                raise EntityError(f"Unsupported start tag at byte offset {offset}")
            closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
            if name not in ALLOWED_TAGS or selfclose:
                kind = "end" if closing else "start"
                raise EntityError(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
            if closing:
                if attrs.strip():
                    raise EntityError(f"Unexpected attributes in end tag at byte offset {offset}")
                if not stack:
                    raise EntityError(f'Unexpected end tag "{name}" at byte offset {offset}')
                if stack[-1] != name:
                    raise EntityError(
                        f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", '
                        f'found "</{name}>"'
                    )
                stack.pop()
            else:
                _check_attributes(name, attrs, offset)
                if name == "a" and "a" in stack:
                    raise EntityError(f"Nested links are not allowed at byte offset {offset}")
                stack.append(name)
            pos = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, pos)
            if not m:
                offset = len(text[:pos].encode())
                raise EntityError(f"Character '&' is not an entity at byte offset {offset}")
            out.append(unescape(m.group(0)))
            pos = m.end()
        elif ch == ">":
            # Telegram tolerates a bare '>' in text; keep it
            out.append(ch)
            pos += 1
        else:
            nxt = min(
                (i for i in (text.find("<", pos), text.find("&", pos)) if i >= 0), default=len(text)
            )
            nxt = max(nxt, pos + 1)
            out.append(text[pos:nxt])
            pos = nxt
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _check_attributes(name: str, attrs: str, offset: int) -> None:
    found: dict[str, str] = {}
    for m in _ATTR.finditer(attrs):
        value = m.group(2) or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        found[m.group(1).lower()] = unescape(value)
    for attr in found:
        if attr not in ALLOWED_TAGS[name]:
            raise EntityError(
                f'Unsupported attribute "{attr}" of tag "{name}" at byte offset {offset}'
            )
    if name == "a":
        href = found.get("href", "")
        if not href.lower().startswith(LINK_SCHEMES):
            raise EntityError(f"Wrong HTTP URL at byte offset {offset}: {href!r}")
    if name == "span" and found.get("class") != "tg-spoiler":
        raise EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')


# ---------------------------------------------------------------- records


@dataclass
class SentMessage:
    """A message the fake accepted (sendMessage or sendPhoto)."""

    message_id: int
    """Id the fake gave it (per fake, increasing)."""
    chat_id: int
    """Chat it went to."""
    text: str
    """Text (or caption) as sent, markup included."""
    plain: str
    """Text after parsing: what a user reads."""
    parse_mode: str | None
    """HTML, MarkdownV2... or None."""
    reply_markup: dict[str, Any] | None
    """Decoded reply_markup, if any."""
    at: float
    """time.monotonic() when accepted (comparable across processes on this machine)."""
    kind: str = "text"
    """text or photo."""
    photo: bytes | str | None = None
    """Uploaded bytes, or the file_id/URL given, for photos."""
    edits: list[str] = field(default_factory=list)
    """Earlier texts, oldest first, when editMessageText changed it."""
    params: dict[str, Any] = field(default_factory=dict)
    """Every other parameter of the call."""


@dataclass(frozen=True)
class Call:
    """One API request, accepted or not."""

    method: str
    """Bot API method name."""
    chat_id: int | None
    """Target chat, where the method has one."""
    status: int
    """HTTP status the fake answered."""
    description: str
    """Error description ('' when ok)."""
    at: float
    """time.monotonic() of the request."""


class TelegramError(Exception):
    """An error answer of the Bot API."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


# ---------------------------------------------------------------- the server

SEND_METHODS = {"sendMessage", "sendPhoto"}
"""Methods that count against the flood limits."""


class FakeTelegram(FakeServer):
    """A Telegram Bot API server on 127.0.0.1; see the module docstring."""

    name = "fake-telegram"

    def __init__(
        self,
        token: str = TOKEN,
        *,
        limits: TelegramLimits | None = None,
        bot_id: int = 777000111,
        bot_username: str = "raqib_test_bot",
    ) -> None:
        super().__init__()
        self.token = token
        self.limits = limits or TelegramLimits()
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "raqib",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.sent: list[SentMessage] = []
        """Every accepted message and photo, in order."""
        self.calls: list[Call] = []
        """Every request with a method, in order."""
        self.too_many_requests = 0
        """How many 429s the fake answered."""
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """setMyCommands: (scope type, language_code) -> commands."""
        self.callback_answers: list[dict[str, Any]] = []
        """answerCallbackQuery parameters, in order."""
        self.chat_actions: list[tuple[int, str]] = []
        """sendChatAction (chat id, action), in order."""
        self.webhook_deleted = 0
        """How many times deleteWebhook was called."""
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = itertools.count(100001)
        self._next_message_id = itertools.count(1)
        self._next_callback_id = itertools.count(1)
        self.confirmed_offset = 0
        """Highest offset a getUpdates confirmed (updates below it are gone)."""
        self.delivered_update_ids: list[int] = []
        """Update ids handed out by getUpdates (repeats included)."""
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._not_found: set[int] = set()
        self._throttled: dict[int | None, float] = {}
        self._forced: dict[int | None, list[int]] = {}
        self._fail_next: list[int] = []
        self.chat_admins: dict[int, set[int]] = {}
        """Group id -> user ids that are its administrators (see `make_admin`)."""
        self.chat_owners: dict[int, int] = {}
        """Group id -> the user id of its creator."""
        self._window_all: deque[float] = deque()
        self._window_chat: dict[int, deque[float]] = {}

    @property
    def base_url(self) -> str:
        """What PTB's `base_url` (and `[telegram] api_base_url`) should be: `{url}/bot`."""
        return f"{self.url}/bot"

    def build_app(self) -> web.Application:
        """Routes: /bot{token}/{method}, any verb."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found_route)
        return app

    # ------------------------------------------------------------ test helpers: chats

    def block(self, chat_id: int) -> None:
        """The user blocked the bot (or the group kicked it): sends get 403."""
        with self.lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo `block`."""
        with self.lock:
            self._blocked.discard(chat_id)

    def make_admin(self, chat_id: int, user_id: int, *, owner: bool = False) -> None:
        """`user_id` administers the group `chat_id` (its creator with `owner`): getChatMember
        and getChatAdministrators say so; everyone else is a plain member."""
        with self.lock:
            if owner:
                self.chat_owners[chat_id] = user_id
            else:
                self.chat_admins.setdefault(chat_id, set()).add(user_id)

    def migrate(self, chat_id: int, new_id: int) -> None:
        """The group became a supergroup: sends to `chat_id` get 400 with migrate_to_chat_id."""
        with self.lock:
            self._migrated[chat_id] = new_id

    def mark_not_found(self, chat_id: int) -> None:
        """Sends to `chat_id` get 400 `Bad Request: chat not found`."""
        with self.lock:
            self._not_found.add(chat_id)

    def throttle(self, retry_after: int, chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` sends (to `chat_id`, or to anyone) get 429 with this retry_after;
        then, like Telegram, sends before the retry_after has passed get 429 too."""
        with self.lock:
            self._forced.setdefault(chat_id, []).extend([retry_after] * times)

    def fail_next(self, times: int = 1, status: int = 502) -> None:
        """The next `times` requests of any send method get this HTTP status (a network error)."""
        with self.lock:
            self._fail_next.extend([status] * times)

    # ------------------------------------------------------------ test helpers: updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (its update_id is assigned here) and return its id."""
        with self.lock:
            update = dict(update)
            update["update_id"] = next(self._next_update_id)
            self._updates.append(update)
        self._wake()
        return int(update["update_id"])

    def push_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        first_name: str = "Tester",
        username: str | None = None,
        language_code: str | None = None,
        chat_type: str | None = None,
    ) -> int:
        """Queue a text message from `user_id` in `chat_id`; a leading /command gets its entity."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self.lock:
            message_id = next(self._next_message_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat_dict(chat_id, chat_type),
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self.push_update({"message": message})

    def push_command(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> int:
        """Queue a command such as `/subscribe displaced` (a `/` is added if missing)."""
        if not text.startswith("/"):
            text = "/" + text
        return self.push_message(chat_id, user_id, text, **kwargs)

    def push_callback(
        self, chat_id: int, user_id: int, data: str, message_id: int | None = None
    ) -> str:
        """Queue a press of an inline button with `data` on a bot message; returns the query id.

        `message_id` defaults to the bot's last message in that chat."""
        with self.lock:
            mine = [m for m in self.sent if m.chat_id == chat_id]
            if message_id is None and mine:
                message_id = mine[-1].message_id
            shown = next((m for m in mine if m.message_id == message_id), None)
            query_id = str(next(self._next_callback_id))
        message: dict[str, Any] = {
            "message_id": message_id or 0,
            "date": int(time.time()),
            "chat": self.chat_dict(chat_id),
            "from": self.bot_user,
            "text": shown.plain if shown else "",
        }
        if shown and shown.reply_markup:
            message["reply_markup"] = shown.reply_markup
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": {"id": user_id, "is_bot": False, "first_name": "Tester"},
                    "chat_instance": f"ci{chat_id}",
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self.lock:
            return len(self._updates)

    # ------------------------------------------------------------ test helpers: records

    def messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Accepted messages and photos (to one chat, or all), in order."""
        with self.lock:
            return [m for m in self.sent if chat_id is None or m.chat_id == chat_id]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """The plain texts of accepted text messages, in order."""
        return [m.plain for m in self.messages(chat_id) if m.kind == "text"]

    def photos(self, chat_id: int | None = None) -> list[SentMessage]:
        """Accepted photos, in order."""
        return [m for m in self.messages(chat_id) if m.kind == "photo"]

    def errors(self, chat_id: int | None = None) -> list[Call]:
        """Requests the fake refused, in order."""
        with self.lock:
            return [
                c
                for c in self.calls
                if c.status != 200 and (chat_id is None or c.chat_id == chat_id)
            ]

    def my_commands(self, language_code: str = "", scope: str = "default") -> list[dict[str, Any]]:
        """What setMyCommands registered for this language and scope type."""
        with self.lock:
            return list(self.commands.get((scope, language_code), []))

    def describe(self) -> str:
        """Recorded state, for failure messages."""
        with self.lock:
            lines = [f"  {m.chat_id}: {m.plain[:100]!r}" for m in self.sent[-20:]]
            errors = [
                f"  {c.method} {c.chat_id}: {c.status} {c.description}"
                for c in self.calls
                if c.status != 200
            ]
            return "sent (last 20):\n" + "\n".join(lines) + "\nerrors:\n" + "\n".join(errors[-20:])

    @staticmethod
    def chat_dict(chat_id: int, chat_type: str | None = None) -> dict[str, Any]:
        """A Chat object for this id: private when positive, group or supergroup when negative."""
        if chat_type is None:
            chat_type = (
                "private" if chat_id > 0 else ("supergroup" if chat_id < -(10**12) else "group")
            )
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Tester"
        else:
            chat["title"] = f"Chat {chat_id}"
        return chat

    # ------------------------------------------------------------ HTTP

    async def _not_found_route(self, request: web.Request) -> web.Response:
        return _error(
            404, f"Not Found: {request.path} is not a Bot API URL (expected /bot<token>/<method>)"
        )

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_m_{method}", None)
        if handler is None:
            self._record(method, None, 404, "Not Found")
            return _error(404, f"Not Found: method {method!r} is not known")
        chat_id: int | None = None
        try:
            params = await read_params(request)
            if "chat_id" in params:
                chat_id = _chat_id(params["chat_id"])
                params["chat_id"] = chat_id
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                with self.lock:
                    result = handler(params)
        except TelegramError as exc:
            with self.lock:
                self._record(method, chat_id, exc.status, exc.description)
                if exc.status == 429:
                    self.too_many_requests += 1
            return _error(exc.status, exc.description, exc.parameters)
        except BodyError as exc:
            self._record(method, chat_id, 400, str(exc))
            return _error(400, f"Bad Request: {exc}")
        with self.lock:
            self._record(method, chat_id, 200, "")
        return web.json_response({"ok": True, "result": result})

    def _record(self, method: str, chat_id: int | None, status: int, description: str) -> None:
        with self.lock:
            self.calls.append(Call(method, chat_id, status, description, time.monotonic()))

    # ------------------------------------------------------------ methods

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    def _m_logOut(self, params: dict[str, Any]) -> Any:
        return True

    def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_deleted += 1
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_getUpdates(self, params: dict[str, Any]) -> Any:  # routed to _get_updates
        raise AssertionError("unreachable")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params.get("offset"), "offset", 0)
        limit = min(max(_int(params.get("limit"), "limit", 100), 1), 100)
        timeout = max(float(_int(params.get("timeout"), "timeout", 0)), 0.0)
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if offset > 0:
                    while self._updates and self._updates[0]["update_id"] < offset:
                        self._updates.popleft()
                    self.confirmed_offset = max(self.confirmed_offset, offset)
                    ready = list(self._updates)[:limit]
                elif offset < 0:
                    ready = list(self._updates)[offset:][:limit]
                else:
                    ready = list(self._updates)[:limit]
                if ready:
                    self.delivered_update_ids.extend(u["update_id"] for u in ready)
                    return ready
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            await self._wait_change(remaining)

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        plain = _parse(text, parse_mode)
        if utf16_len(plain) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        markup = _markup(params.get("reply_markup"))
        self._flood_check(chat_id)
        message = SentMessage(
            message_id=next(self._next_message_id),
            chat_id=chat_id,
            text=text,
            plain=plain,
            parse_mode=parse_mode,
            reply_markup=markup,
            at=time.monotonic(),
            params={
                k: v
                for k, v in params.items()
                if k not in {"chat_id", "text", "parse_mode", "reply_markup"}
            },
        )
        self.sent.append(message)
        return self._message_json(message)

    def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = params.get(photo.removeprefix("attach://"))
        if isinstance(photo, web.FileField):
            data: bytes | str = photo.file.read()
            if not data:
                raise TelegramError(400, "Bad Request: file must be non-empty")
        elif isinstance(photo, str) and photo:
            data = photo
        else:
            raise TelegramError(400, "Bad Request: there is no photo in the request")
        caption = params.get("caption") or ""
        parse_mode = params.get("parse_mode") or None
        plain = _parse(caption, parse_mode) if caption else ""
        if utf16_len(plain) > MAX_CAPTION:
            raise TelegramError(400, "Bad Request: message caption is too long")
        markup = _markup(params.get("reply_markup"))
        self._flood_check(chat_id)
        message = SentMessage(
            message_id=next(self._next_message_id),
            chat_id=chat_id,
            text=caption,
            plain=plain,
            parse_mode=parse_mode,
            reply_markup=markup,
            at=time.monotonic(),
            kind="photo",
            photo=data,
        )
        self.sent.append(message)
        result = self._message_json(message)
        result.pop("text", None)
        if caption:
            result["caption"] = plain
        size = len(data) if isinstance(data, bytes) else 0
        result["photo"] = [
            {
                "file_id": f"photo-{message.message_id}",
                "file_unique_id": f"u{message.message_id}",
                "width": 800,
                "height": 600,
                "file_size": size,
            }
        ]
        return result

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        message_id = _int(params.get("message_id"), "message_id", 0)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode") or None
        plain = _parse(text, parse_mode)
        if utf16_len(plain) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        markup = _markup(params.get("reply_markup"))
        message = next(
            (m for m in self.sent if m.chat_id == chat_id and m.message_id == message_id), None
        )
        if message is None or message.kind != "text":
            raise TelegramError(400, "Bad Request: message to edit not found")
        if message.text == text and message.reply_markup == markup:
            raise TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.edits.append(message.text)
        message.text, message.plain, message.parse_mode = text, plain, parse_mode
        message.reply_markup = markup
        result = self._message_json(message)
        result["edit_date"] = int(time.time())
        return result

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise TelegramError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers.append(dict(params))
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        self.chat_actions.append((chat_id, str(params.get("action", ""))))
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = maybe_json(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise TelegramError(
                400, "Bad Request: commands must be a list of at most 100 BotCommand"
            )
        for c in commands:
            ok = (
                isinstance(c, dict)
                and isinstance(c.get("command"), str)
                and re.fullmatch(r"[a-z0-9_]{1,32}", c["command"])
                and isinstance(c.get("description"), str)
                and 1 <= len(c["description"]) <= 256
            )
            if not ok:
                raise TelegramError(400, f"Bad Request: BOT_COMMAND_INVALID: {c!r}")
        self.commands[(_scope(params), str(params.get("language_code") or ""))] = commands
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get((_scope(params), str(params.get("language_code") or "")), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop((_scope(params), str(params.get("language_code") or "")), None)
        return True

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        if self.chat_owners.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self.chat_admins.get(chat_id, set()):
            rights = [
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            member: dict[str, Any] = {"status": "administrator", "user": user}
            member.update({r: r not in {"can_be_edited", "is_anonymous"} for r in rights})
            return member
        return {"status": "member", "user": user}

    def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        user_id = _int(params.get("user_id"), "user_id", 0)
        if not user_id:
            raise TelegramError(400, "Bad Request: invalid user_id specified")
        return self._member(chat_id, user_id)

    def _m_getChatAdministrators(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        ids = sorted(self.chat_admins.get(chat_id, set()))
        if chat_id in self.chat_owners:
            ids.insert(0, self.chat_owners[chat_id])
        return [self._member(chat_id, i) for i in ids]

    def _m_getChat(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        chat = self.chat_dict(chat_id)
        chat["accent_color_id"] = 0
        chat["max_reaction_count"] = 11
        return chat

    # ------------------------------------------------------------ checks

    def _target(self, params: dict[str, Any]) -> int:
        """The chat of a call, after the blocked/migrated/not-found checks."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise TelegramError(400, "Bad Request: chat not found")
        if chat_id in self._not_found:
            raise TelegramError(400, "Bad Request: chat not found")
        if chat_id in self._migrated:
            raise TelegramError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._blocked:
            if chat_id > 0:
                raise TelegramError(403, "Forbidden: bot was blocked by the user")
            raise TelegramError(403, "Forbidden: bot was kicked from the group chat")
        return chat_id

    def _flood_check(self, chat_id: int) -> None:
        """Raise 429 if this send breaks a limit; otherwise count it."""
        now = time.monotonic()
        if self._fail_next:
            status = self._fail_next.pop(0)
            raise TelegramError(status, f"Bad Gateway (fake failure {status})")
        for key in (chat_id, None):
            until = self._throttled.get(key, 0.0)
            if now < until:
                raise _retry(until - now)
            forced = self._forced.get(key)
            if forced:
                retry_after = forced.pop(0)
                self._throttled[key] = now + retry_after
                raise _retry(retry_after)
        lim = self.limits
        if lim.enabled:
            window = self._window_all
            while window and window[0] <= now - 1.0 + lim.slack:
                window.popleft()
            if len(window) >= lim.global_per_second:
                raise _retry(window[0] + 1.0 - lim.slack - now)
            sends = self._window_chat.setdefault(chat_id, deque())
            horizon = max(lim.group_window if chat_id < 0 else 0.0, lim.chat_interval)
            while sends and sends[0] <= now - horizon:
                sends.popleft()
            recent = [t for t in sends if t > now - lim.chat_interval + lim.slack]
            if len(recent) > lim.chat_burst:
                raise _retry(recent[0] + lim.chat_interval - lim.slack - now)
            if chat_id < 0:
                in_window = [t for t in sends if t > now - lim.group_window + lim.slack]
                if len(in_window) >= lim.group_per_window:
                    raise _retry(in_window[0] + lim.group_window - lim.slack - now)
            sends.append(now)
            window.append(now)

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self.chat_dict(message.chat_id),
            "from": self.bot_user,
            "text": message.plain,
        }
        if message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result


# ---------------------------------------------------------------- helpers


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _retry(seconds: float) -> TelegramError:
    retry_after = max(1, math.ceil(seconds))
    return TelegramError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _chat_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TelegramError(400, f"Bad Request: {name} must be an integer") from None


def _bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


def _scope(params: dict[str, Any]) -> str:
    scope = maybe_json(params.get("scope"))
    if isinstance(scope, dict):
        extra = scope.get("chat_id")
        return str(scope.get("type", "default")) + (f":{extra}" if extra is not None else "")
    return "default"


def _parse(text: str, parse_mode: str | None) -> str:
    if parse_mode is None:
        return text
    if parse_mode == "HTML":
        try:
            return parse_html(text)
        except EntityError as exc:
            raise TelegramError(400, f"Bad Request: can't parse entities: {exc}") from None
    if parse_mode in {"MarkdownV2", "Markdown"}:
        return text
    raise TelegramError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")


def _markup(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    markup = maybe_json(value)
    if not isinstance(markup, dict):
        raise TelegramError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []) or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not str(url).lower().startswith(LINK_SCHEMES):
                raise TelegramError(400, "Bad Request: inline keyboard button URL is invalid")
    return markup
