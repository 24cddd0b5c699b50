"""A real HTTP/1.1 server on 127.0.0.1 for tests: no mocks, real sockets.

    from loopback import LoopbackServer, Reply, static

    with LoopbackServer() as server:
        server.route("/feed.xml", static(feed_bytes, "application/rss+xml", etag='"v1"'))
        server.route("/boom", Reply(status=500))
        server.route("/echo", lambda req: Reply(body=req.headers.get("user-agent", "").encode()))
        url = server.url("/feed.xml")
        ...
        assert server.requests[-1].headers["if-none-match"] == '"v1"'

A route is a `Reply` (served every time), a list of them (served in turn, the
last one repeated) or a function `Request -> Reply`.  Unknown paths get 404.
Every request is recorded in `server.requests` (thread-safe list appends).

A reply can wait before its headers (`delay`) and between body chunks
(`chunk_delay`); every wait ends early when the server stops, so a test that
makes the server hang never hangs itself.  A body may be an iterable of chunks:
it is streamed (no Content-Length, connection closed at the end) so a test can
serve a 60 MB body without ever holding it.

The server runs in a daemon thread, so it serves sync and async tests alike
(the event loop of an async test is never blocked by it).  Nothing here ever
listens on anything but 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    """What the server received."""

    method: str
    """GET, POST…"""
    path: str
    """Path without the query."""
    query: dict[str, list[str]]
    """Parsed query string."""
    headers: Mapping[str, str]
    """Request headers, names lowercased."""
    body: bytes
    """Request body (Content-Length bytes)."""
    target: str = ""
    """The request target as it came on the wire (path and query, still escaped)."""


@dataclass(frozen=True)
class Reply:
    """What the server sends back."""

    status: int = 200
    """HTTP status."""
    body: bytes | Iterable[bytes] = b""
    """Bytes (sent with Content-Length) or chunks (streamed, then the connection closes)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers (Content-Type, ETag, Location, Retry-After…)."""
    delay: float = 0.0
    """Seconds to wait before sending anything."""
    chunk_delay: float = 0.0
    """Seconds to wait before each body chunk."""


Handler = Callable[[Request], Reply]
Route = Reply | list[Reply] | Handler


def static(
    body: bytes,
    content_type: str = "application/octet-stream",
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Handler:
    """A handler serving `body`, answering 304 to a matching conditional GET."""

    def handler(request: Request) -> Reply:
        headers = {"Content-Type": content_type}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        inm = request.headers.get("if-none-match")
        ims = request.headers.get("if-modified-since")
        if (etag and inm == etag) or (not etag and last_modified and ims == last_modified):
            return Reply(status=304, headers=headers)
        return Reply(body=body, headers=headers)

    return handler


def http_date(timestamp: float) -> str:
    """An HTTP date (for Last-Modified and Retry-After)."""
    return email.utils.formatdate(timestamp, usegmt=True)


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with routes set by the test."""

    def __init__(
        self, routes: Mapping[str, Route] | None = None, *, tls: ssl.SSLContext | None = None
    ) -> None:
        """With `tls` (a server-side context), it speaks HTTPS."""
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._turns: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        self.scheme = "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        """http://127.0.0.1:PORT/path (https with `tls`)"""
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, route: Route) -> None:
        """Serve `route` at `path` (replacing what was there)."""
        with self._lock:
            self.routes[path] = route
            self._turns.pop(path, None)

    def hits(self, path: str) -> list[Request]:
        """The requests received for `path`."""
        return [r for r in self.requests if r.path == path]

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path)
            if isinstance(route, list):
                turn = self._turns.get(request.path, 0)
                self._turns[request.path] = turn + 1
                return route[min(turn, len(route) - 1)]
        if route is None:
            return Reply(status=404, body=b"not found")
        if isinstance(route, Reply):
            return route
        return route(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                target=self.path,
            )
            reply = server._reply(request)
            if reply.delay and server.stopping.wait(reply.delay):
                self.close_connection = True
                return
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client hung up: fine
                self.close_connection = True

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes):
                if reply.status != 304 and "content-length" not in {
                    k.lower() for k in reply.headers
                }:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.body and self.command != "HEAD":
                    self.wfile.write(reply.body)
                return
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            for chunk in reply.body:
                if reply.chunk_delay and server.stopping.wait(reply.chunk_delay):
                    return
                self.wfile.write(chunk)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _handle

    return _Handler
