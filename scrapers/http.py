"""The one careful HTTP client every source fetches through.

- one `aiohttp.ClientSession` (no proxies from the environment, redirects by
  hand; aiohttp rather than httpx: 500 conditional GETs on loopback take it
  0.03 s against httpx's 0.56 s, and a poll is mostly such requests);
- connect and read timeouts from aiohttp, and `total_timeout` for the whole
  fetch (every hop, retry and wait included) with `asyncio.timeout`, so a
  server that dribbles a byte a second costs one source that long, no more;
- the body streamed and decoded here, with a cap on the **decoded** size: a
  gzip bomb or an endless body is cut off and memory stays bounded;
- conditional GET from stored validators (`etag`, `last_modified`), 304 is
  "not modified";
- retries with exponential backoff and jitter on timeouts, connection errors,
  5xx and 429; `Retry-After` honoured (capped) on 429 and 503;
- a global and a per-host limit on concurrent requests;
- only http and https; unless `allow_private_networks`, loopback, private,
  link-local, multicast, reserved and unspecified addresses are refused in every
  spelling of the host, on every redirect hop, and on the address actually
  connected to: the name is resolved here, the address checked, and the
  connection pinned to that address (the Host header and TLS SNI keep the
  name), so a DNS answer that changes between check and connect changes
  nothing.

Every failure is a `FetchError` with a `kind` and a message for people.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from scrapers.charset import decode
from scrapers.errors import (
    BadResponse,
    BlockedURL,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    TooLarge,
    TooManyRedirects,
)
from scrapers.options import HttpSettings
from scrapers.retry import RetryPolicy, retrying
from scrapers.urls import mask_url

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> the addresses the name resolves to."""

ETAG = "etag"
"""Validators key: the ETag of the last 200 answer."""
LAST_MODIFIED = "last_modified"
"""Validators key: the Last-Modified of the last 200 answer."""

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ALLOWED_SCHEMES = frozenset({"http", "https"})
BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
"""Names refused without asking DNS (and any name ending in `.localhost`)."""
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CHUNK = 64 * 1024
_MAX_HEADER_LINE = 64 * 1024
"""The longest response header line read (aiohttp's default is 8 KiB)."""


# ---------------------------------------------------------------- the response


@dataclass(frozen=True, slots=True)
class Response:
    """A complete answer (the body already read and decoded from gzip/deflate)."""

    url: str
    """The final URL, after redirects (as requested, never the pinned address)."""
    status: int
    """200…299, or 304."""
    headers: CIMultiDictProxy[str]
    """Response headers (names case-insensitive)."""
    content: bytes
    """The decoded body (empty for 304)."""
    not_modified: bool = False
    """The server said 304 to our conditional GET."""
    validators: dict[str, str] = field(default_factory=dict)
    """ETag / Last-Modified to send next time."""

    def text(self) -> str:
        """The body as text: charset from the header, the document, then detection."""
        return decode_body(self.content, self.headers.get("content-type"))


# ---------------------------------------------------------------- addresses


def parse_ip_loose(host: str) -> IPAddress | None:
    """The address a host spells, in any form a resolver accepts: dotted
    quads, `127.1`, `0x7f000001`, `2130706433`, octal `0177.0.0.1`, IPv6 with
    or without brackets; None for a name."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part.startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            else:
                if not part.isdigit():
                    return None
                numbers.append(int(part))
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + last
    return ipaddress.IPv4Address(value)


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address; False for loopback,
    private, link-local, multicast, reserved, unspecified, shared, and IPv6
    forms that embed one of those (IPv4-mapped, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
        if ip.teredo:
            return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, from the system resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a checked URL connects (see `check_url`)."""

    url: str
    """What is connected to (the checked address when pinned)."""
    host_header: str | None
    """Host header when the URL was pinned to an address."""
    sni: str | None
    """TLS server name when pinned (https)."""


async def check_url(
    url: str,
    *,
    allow_private_networks: bool = False,
    resolver: Resolver = system_resolver,
    address_allowed: Callable[[IPAddress], bool] = is_public_address,
) -> Target:
    """The one private-address guard: check `url` and, unless private networks are
    allowed, resolve its host and pin the connection to an address that is allowed.

    Raises `BlockedURL` (a scheme other than http(s), this machine, a private or
    reserved address in any spelling) or `ConnectFailed` (the name does not resolve)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BlockedURL(f"{url}: not a valid URL", url=url) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedURL(f"{url}: only http:// and https:// addresses can be fetched", url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise BlockedURL(f"{url}: the address has no host", url=url)
    try:
        hurl = URL(url)
        ascii_host = hurl.raw_host or ""
        authority = hurl.host_port_subcomponent or ascii_host
    except (ValueError, UnicodeError) as exc:
        raise BlockedURL(f"{url}: not a valid URL ({exc})", url=url) from None
    if allow_private_networks:
        return Target(url=wire_url(url, ascii_host), host_header=None, sni=None)
    ip = parse_ip_loose(host)
    if ip is not None:
        if not address_allowed(ip):
            raise BlockedURL(f"{url}: {ip} is a private or reserved address", url=url)
        return Target(url=wire_url(url, ascii_host), host_header=None, sni=None)
    if host in BLOCKED_NAMES or host.endswith(".localhost"):
        raise BlockedURL(f"{url}: {host} is this machine", url=url)
    default_port = 443 if parts.scheme.lower() == "https" else 80
    try:
        addresses = await resolver(ascii_host, port or default_port)
    except (OSError, UnicodeError) as exc:
        raise ConnectFailed(f"{url}: cannot resolve {host} ({_reason(exc)})", url=url) from None
    for address in addresses:
        resolved = parse_ip_loose(address)
        if resolved is not None and address_allowed(resolved):
            return Target(
                url=wire_url(url, str(resolved)),
                host_header=authority,
                sni=ascii_host if parts.scheme.lower() == "https" else None,
            )
    shown = ", ".join(addresses[:3]) or "nothing"
    raise BlockedURL(f"{url}: {host} resolves to a private address ({shown})", url=url)


_WIRE_SAFE = "!#$%&'()*+,-./:;=?@[]~_|"
"""Characters a URL keeps as written on the wire (with letters and digits; `%`
among them, so an escape already in the URL stays as it is)."""


def wire_url(url: str, host: str) -> str:
    """`url` as it is requested, with `host` (its ASCII form, or the address it
    is pinned to) in place of its host: non-ASCII characters and spaces in the
    path and query percent-encoded as UTF-8 (Arabic slugs are common in feeds),
    everything else as written (`%2F` stays `%2F`)."""
    parts = urlsplit(url)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if parts.port is not None:
        netloc += f":{parts.port}"
    path = quote(parts.path, safe=_WIRE_SAFE) or "/"
    query = quote(parts.query, safe=_WIRE_SAFE)
    return urlunsplit((parts.scheme, netloc, path, query, ""))


# ---------------------------------------------------------------- bodies


class _Inflater:
    """gzip/deflate decoding that never makes more than `_CHUNK` bytes at once."""

    def __init__(self, encoding: str, url: str) -> None:
        self.url = url
        self.encoding = encoding
        self._z: zlib._Decompress | None = None
        if encoding in {"gzip", "x-gzip"}:
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in {"deflate", "identity", ""}:
            raise BadResponse(
                f"{url}: the server used a content encoding we cannot read ({encoding})", url=url
            )

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding in {"identity", ""}:
            yield data
            return
        if self._z is None:  # deflate: zlib-wrapped as the RFC says, or raw as IIS sends
            wrapped = (
                len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
            )
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        buf = data
        try:
            while buf and not self._z.eof:
                out = self._z.decompress(buf, _CHUNK)
                if out:
                    yield out
                buf = self._z.unconsumed_tail
        except zlib.error as exc:
            msg = f"{self.url}: corrupt {self.encoding} body ({exc})"
            raise BadResponse(msg, url=self.url) from None


decode_body = decode
"""Bytes to text (`scrapers.charset.decode`: header, BOM, the document's own
declaration, UTF-8, windows-1256, detection)."""


# ---------------------------------------------------------------- the client


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After value (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def user_agent(config: HttpSettings) -> str:
    """The User-Agent: the configured one, plus the contact URL."""
    if config.contact_url and config.contact_url not in config.user_agent:
        return f"{config.user_agent} (+{config.contact_url})"
    return config.user_agent


class HttpClient:
    """The one HTTP client: use `async with HttpClient(config) as client`."""

    def __init__(
        self,
        config: HttpSettings | None = None,
        *,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 300.0,
        resolver: Resolver = system_resolver,
        address_allowed: Callable[[IPAddress], bool] = is_public_address,
    ) -> None:
        """`backoff_base` seconds before the first retry, doubling up to
        `backoff_max`, with jitter; a Retry-After longer than
        `retry_after_max` is not waited for (the fetch fails and the source
        backs off instead).  `resolver` and `address_allowed` decide which
        addresses may be connected to when private networks are not allowed."""
        self.config = config or HttpSettings()
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self._resolver = resolver
        self._address_allowed = address_allowed
        c = self.config
        self._session: aiohttp.ClientSession | None = None
        """Made at the first request, inside the running event loop."""
        self._global = asyncio.Semaphore(max(1, c.max_connections))
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            c = self.config
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=max(1, c.max_connections),
                    limit_per_host=0,  # ours, per host name (the pinned address is not the host)
                    ssl=_tls_context(),
                ),
                timeout=aiohttp.ClientTimeout(
                    total=None,  # ours: asyncio.timeout over every hop, retry and wait
                    sock_connect=c.connect_timeout,
                    sock_read=c.read_timeout,
                ),
                headers={"User-Agent": user_agent(c), "Accept-Encoding": "gzip, deflate"},
                auto_decompress=False,  # decoded here, under the size cap
                cookie_jar=aiohttp.CookieJar(unsafe=True),  # pinned URLs name an address
                trust_env=False,
                # aiohttp refuses a header line over 8 KiB; sites send longer
                # Content-Security-Policy and Set-Cookie lines than that
                max_line_size=_MAX_HEADER_LINE,
                max_field_size=_MAX_HEADER_LINE,
            )
        return self._session

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        if self._session is not None:
            await self._session.close()

    async def get(
        self,
        url: str,
        *,
        validators: Mapping[str, str] | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET `url`, conditionally when `validators` are given; raises
        `FetchError` (after the retries) when there is no usable answer."""
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        validators = dict(validators or {})
        if validators.get(ETAG):
            headers["If-None-Match"] = validators[ETAG]
        if validators.get(LAST_MODIFIED):
            headers["If-Modified-Since"] = validators[LAST_MODIFIED]
        total = self.config.total_timeout
        try:
            async with asyncio.timeout(total):
                return await self._attempts(url, headers, validators)
        except TimeoutError:
            raise FetchTimeout(
                f"{url}: no complete answer within {total:g} s (retries and redirects included)",
                url=url,
            ) from None

    async def _attempts(
        self, url: str, headers: dict[str, str], validators: dict[str, str]
    ) -> Response:
        """The first answer that is not worth retrying, or the last error."""
        return await retrying(
            lambda: self._follow(url, headers, validators),
            RetryPolicy(
                attempts=self.config.retries + 1,
                wait_initial=self.backoff_base,
                wait_max=self.backoff_max,
                jitter=self.backoff_base / 2,
                asked_max=self.retry_after_max,
            ),
            retryable=lambda exc: isinstance(exc, FetchError) and exc.retryable,
            asked=lambda exc: exc.retry_after if isinstance(exc, HttpStatusError) else None,
            what=mask_url(url),
            describe=lambda exc: exc.message if isinstance(exc, FetchError) else str(exc),
        )

    async def _follow(
        self, url: str, headers: dict[str, str], validators: dict[str, str]
    ) -> Response:
        current = url
        seen = {url}
        for _hop in range(self.config.max_redirects + 1):
            status, resp_headers, body = await self._request(current, headers)
            if status in REDIRECT_STATUSES:
                location = resp_headers.get("location")
                if not location:
                    raise BadResponse(f"{current}: redirect ({status}) without a Location", url=url)
                target = urljoin(current, location.strip())
                if target in seen:
                    raise TooManyRedirects(f"{url}: redirect loop through {target}", url=url)
                seen.add(target)
                current = target
                continue
            if status == 304:
                return Response(
                    url=current,
                    status=status,
                    headers=resp_headers,
                    content=b"",
                    not_modified=True,
                    validators=validators | _validators(resp_headers),
                )
            return Response(
                url=current,
                status=status,
                headers=resp_headers,
                content=body,
                validators=_validators(resp_headers),
            )
        raise TooManyRedirects(f"{url}: more than {self.config.max_redirects} redirects", url=url)

    async def _request(
        self, url: str, headers: dict[str, str]
    ) -> tuple[int, CIMultiDictProxy[str], bytes]:
        """One hop: check, connect (pinned), read the body within the limits."""
        target = await self._target(url)
        host = (urlsplit(url).hostname or "").lower()
        hop_headers = dict(headers)
        if target.host_header:
            hop_headers["Host"] = target.host_header
        c = self.config
        async with self._host_limit(host), self._global:
            # aiohttp's timeouts are TimeoutErrors too: they are told apart first
            try:
                async with (
                    asyncio.timeout(c.total_timeout),
                    self._client().get(
                        URL(target.url, encoded=True),
                        headers=hop_headers,
                        allow_redirects=False,
                        server_hostname=target.sni,
                    ) as response,
                ):
                    status = response.status
                    if 200 <= status < 300:
                        body = await self._read_body(response, url)
                        return status, response.headers, body
                    if status in REDIRECT_STATUSES or status == 304:
                        # read the (empty or small, capped) body so that the
                        # connection goes back to the pool instead of closing
                        await self._read_body(response, url)
                        return status, response.headers, b""
                    raise _status_error(url, response)
            except aiohttp.ConnectionTimeoutError:
                raise FetchTimeout(
                    f"{url}: could not connect within {c.connect_timeout:g} s", url=url
                ) from None
            except aiohttp.ServerTimeoutError:
                raise FetchTimeout(
                    f"{url}: the server sent nothing for {c.read_timeout:g} s", url=url
                ) from None
            except TimeoutError:
                raise FetchTimeout(
                    f"{url}: no complete answer within {c.total_timeout:g} s", url=url
                ) from None
            except aiohttp.InvalidURL as exc:
                raise BlockedURL(f"{url}: not a valid URL ({exc})", url=url) from None
            except aiohttp.ClientConnectorError as exc:
                raise ConnectFailed(f"{url}: could not connect ({_reason(exc)})", url=url) from None
            except (aiohttp.ClientError, OSError) as exc:
                raise ConnectFailed(
                    f"{url}: the connection failed ({_reason(exc)})", url=url
                ) from None

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(max(1, self.config.per_host_connections))
        return sem

    async def _read_body(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        cap = self.config.max_body_bytes
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        length = response.headers.get("content-length", "")
        if encoding in {"identity", ""} and length.isdigit() and int(length) > cap:
            raise TooLarge(
                f"{url}: the answer is {int(length)} bytes, over the {cap}-byte cap", url=url
            )
        inflater = _Inflater(encoding, url)
        chunks: list[bytes] = []
        size = 0
        async for raw in _raw_chunks(response):
            for piece in inflater.feed(raw):
                size += len(piece)
                if size > cap:
                    raise TooLarge(f"{url}: the answer is over the {cap}-byte cap", url=url)
                chunks.append(piece)
        return b"".join(chunks)

    async def _target(self, url: str) -> Target:
        return await check_url(
            url,
            allow_private_networks=self.config.allow_private_networks,
            resolver=self._resolver,
            address_allowed=self._address_allowed,
        )


async def _raw_chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async for chunk in response.content.iter_chunked(_CHUNK):
        yield chunk


def _tls_context() -> ssl.SSLContext:
    """Certificates checked against certifi's roots where it is installed (as
    httpx did, for the same answer on every machine), else the system's."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _validators(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    out = {}
    if etag := headers.get("etag"):
        out[ETAG] = etag
    if modified := headers.get("last-modified"):
        out[LAST_MODIFIED] = modified
    return out


def _status_error(url: str, response: aiohttp.ClientResponse) -> HttpStatusError:
    status = response.status
    retry_after = None
    if status in RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    phrase = response.reason or ""
    wait = f", asked to wait {retry_after:g} s" if retry_after is not None else ""
    return HttpStatusError(
        f"{url}: the server answered {status} {phrase}".rstrip() + wait,
        url=url,
        status=status,
        retry_after=retry_after,
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
