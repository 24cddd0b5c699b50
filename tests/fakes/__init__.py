"""Fake chat-platform servers for tests: real HTTP on 127.0.0.1, real wire formats.

`telegram_api.FakeTelegram` speaks the Telegram Bot API, `slack_api.FakeSlack`
the Slack Web API, closely enough for python-telegram-bot 22 and slack_sdk to
talk to them unchanged through their `base_url`.

Both run two ways, from the same object:

    async with FakeTelegram(token) as tg:      # in the test's own event loop
        ...
    with FakeTelegram(token) as tg:            # in a background thread, e.g. while
        ...                                    # `raqib run` runs as a subprocess

The helpers (`messages`, `push_command`, `block`, ...) may be called from any
thread; the state sits behind one lock.  `wait_for` is the async way to wait
for something to happen, `wait_for_sync` the blocking one (never call the
blocking one from the event loop that runs the server or the client).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

log = logging.getLogger(__name__)

T = TypeVar("T")

HOST = "127.0.0.1"
"""Fakes only ever listen on loopback."""


class FakeServer:
    """An aiohttp server on a free loopback port, runnable in-loop or in a thread."""

    name = "fake"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        """Guards every piece of recorded state."""
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._waiters: set[asyncio.Future[None]] = set()
        self._closing = False
        self.port = 0
        """The port bound once started."""

    # ------------------------------------------------------------ lifecycle

    def build_app(self) -> web.Application:
        """The routes; subclasses override."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT, without a trailing slash."""
        if not self.port:
            raise RuntimeError(f"{self.name} server is not started")
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        """Bind a free port on 127.0.0.1 (the same one again after a `stop`, so a
        test can take the server down and bring it back) and serve in the running loop."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, HOST, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.debug("%s server listening on %s", self.name, self.url)

    async def stop(self) -> None:
        """Release long polls and close the server."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __enter__(self) -> Self:
        ready = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.stop())
                loop.close()

        self._thread = threading.Thread(target=main, name=f"{self.name}-server", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        if not self.port:
            raise RuntimeError(f"{self.name} server did not start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(30)
        self._thread = None

    # ------------------------------------------------------------ waking long polls

    def _wake(self) -> None:
        """Wake every request waiting in `_wait_change` (callable from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake_in_loop()
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_in_loop)

    def _wake_in_loop(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _wait_change(self, timeout: float) -> None:
        """Sleep until something changes (`_wake`) or `timeout` passes (server loop only)."""
        if self._closing or timeout <= 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(fut)

    # ------------------------------------------------------------ waiting in tests

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition"
    ) -> T:
        """Poll `predicate` until it returns something truthy, and return that; else TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.name}: gave up waiting for {what} after {timeout}s\n{self.describe()}"
                )
            await asyncio.sleep(0.01)

    def wait_for_sync(
        self, predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition"
    ) -> T:
        """Blocking `wait_for`, for tests that run the server in a thread."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.name}: gave up waiting for {what} after {timeout}s\n{self.describe()}"
                )
            time.sleep(0.01)

    def describe(self) -> str:
        """A short dump of the recorded state, for failure messages."""
        return ""


# ---------------------------------------------------------------- request bodies


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string, JSON body, urlencoded or multipart form, merged into one dict.

    Uploaded files come back as `aiohttp.web.FileField`s.
    """
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise BodyError(f"the JSON body does not parse: {exc}") from exc
            if not isinstance(body, dict):
                raise BodyError("the JSON body must be an object")
            params.update(body)
        elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key in form:
                params[key] = form[key]
    return params


class BodyError(ValueError):
    """A request body the fake cannot read."""


def maybe_json(value: Any) -> Any:
    """A form value that carries JSON (`reply_markup`, `blocks`...) decoded; other values as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
