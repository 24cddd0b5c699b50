"""The HTTP client against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest
import trustme
from loopback import LoopbackServer, Reply, Request, http_date, static

import scrapers.http as http_module
from bot.config.schema import NetworkConfig
from scrapers.http import (
    ETAG,
    LAST_MODIFIED,
    BlockedURL,
    ConnectFailed,
    FetchTimeout,
    HttpClient,
    HttpStatusError,
    IPAddress,
    TooLarge,
    TooManyRedirects,
    decode_body,
    is_public_address,
    parse_ip_loose,
    parse_retry_after,
)

ARABIC = "نزح أكثر من 38 ألف شخص من آخر مناطق سيطرة التنظيم منذ مطلع كانون الأول/ديسمبر."
MB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


def make_client(**network: object) -> HttpClient:
    settings: dict[str, object] = {"allow_private_networks": True, "retries": 2}
    settings.update(network)
    config = NetworkConfig(**settings)  # type: ignore[arg-type]
    return HttpClient(config, backoff_base=0.01, backoff_max=0.05)


# ---------------------------------------------------------------- basics


async def test_user_agent_names_raqib_and_the_contact(server: LoopbackServer) -> None:
    server.route("/", Reply(body=b"ok"))
    async with make_client(contact_url="https://example.org/contact") as client:
        response = await client.get(server.url("/"))
    assert response.content == b"ok"
    agent = server.requests[0].headers["user-agent"]
    assert agent.startswith("raqib/")
    assert "https://example.org/contact" in agent


async def test_conditional_get_gets_304_the_second_time(server: LoopbackServer) -> None:
    modified = http_date(1_550_000_000)
    server.route(
        "/feed", static(b"<rss/>", "application/rss+xml", etag='"v1"', last_modified=modified)
    )
    async with make_client() as client:
        first = await client.get(server.url("/feed"))
        second = await client.get(server.url("/feed"), validators=first.validators)
    assert first.validators == {ETAG: '"v1"', LAST_MODIFIED: modified}
    assert not first.not_modified and first.content == b"<rss/>"
    assert second.not_modified and second.content == b""
    assert second.validators == first.validators
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == modified
    assert "if-none-match" not in server.requests[0].headers


async def test_500_then_recovery(server: LoopbackServer) -> None:
    server.route("/", [Reply(status=500), Reply(status=503), Reply(body=b"fine")])
    async with make_client(retries=3) as client:
        response = await client.get(server.url("/"))
    assert response.content == b"fine"
    assert len(server.hits("/")) == 3


async def test_500_for_good_fails_after_the_retries(server: LoopbackServer) -> None:
    server.route("/", Reply(status=500))
    async with make_client(retries=2) as client:
        with pytest.raises(HttpStatusError) as info:
            await client.get(server.url("/"))
    assert info.value.status == 500
    assert "500" in info.value.message and server.url("/") in info.value.message
    assert len(server.hits("/")) == 3


async def test_404_is_not_retried(server: LoopbackServer) -> None:
    async with make_client(retries=3) as client:
        with pytest.raises(HttpStatusError) as info:
            await client.get(server.url("/missing"))
    assert info.value.status == 404 and not info.value.retryable
    assert len(server.hits("/missing")) == 1


async def test_read_timeout(server: LoopbackServer) -> None:
    server.route("/slow", Reply(body=b"late", delay=30))
    async with make_client(read_timeout=0.3, retries=1) as client:
        with pytest.raises(FetchTimeout) as info:
            await client.get(server.url("/slow"))
    assert "0.3 s" in info.value.message
    assert len(server.hits("/slow")) == 2


async def test_total_timeout_cuts_a_trickling_body(server: LoopbackServer) -> None:
    server.route("/trickle", Reply(body=(b"x" for _ in range(1000)), chunk_delay=0.05))
    async with make_client(read_timeout=5, total_timeout=0.5, retries=0) as client:
        with pytest.raises(FetchTimeout) as info:
            await client.get(server.url("/trickle"))
    assert "within 0.5 s" in info.value.message


async def test_429_waits_for_retry_after(server: LoopbackServer) -> None:
    server.route("/", [Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"ok")])
    async with make_client() as client:
        started = time.monotonic()
        response = await client.get(server.url("/"))
        waited = time.monotonic() - started
    assert response.content == b"ok"
    assert waited >= 0.95  # the server asked for a second; jittered backoff alone is ~0.01 s


async def test_503_waits_for_an_http_date_retry_after(server: LoopbackServer) -> None:
    later = http_date(time.time() + 2)
    server.route("/", [Reply(status=503, headers={"Retry-After": later}), Reply(body=b"ok")])
    async with make_client() as client:
        started = time.monotonic()
        response = await client.get(server.url("/"))
        waited = time.monotonic() - started
    assert response.content == b"ok"
    assert waited >= 0.9  # the date is 1-2 s ahead (HTTP dates are whole seconds)
    assert len(server.hits("/")) == 2


async def test_429_with_a_long_retry_after_fails_at_once(server: LoopbackServer) -> None:
    server.route("/", Reply(status=429, headers={"Retry-After": "3600"}))
    async with make_client(retries=3) as client:
        with pytest.raises(HttpStatusError) as info:
            await client.get(server.url("/"))
    assert info.value.retry_after == 3600
    assert "3600" in info.value.message
    assert len(server.hits("/")) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("soon", None),
        ("", None),
    ],
    ids=["seconds", "zero", "http-date", "garbage", "empty"],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    from datetime import UTC, datetime

    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


# ---------------------------------------------------------------- redirects


async def test_redirect_followed_by_hand(server: LoopbackServer) -> None:
    server.route("/old", Reply(status=301, headers={"Location": "/new?x=1"}))
    server.route("/new", Reply(body=b"moved"))
    async with make_client() as client:
        response = await client.get(server.url("/old"))
    assert response.content == b"moved"
    assert response.url == server.url("/new?x=1")


async def test_redirect_loop(server: LoopbackServer) -> None:
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    async with make_client() as client:
        with pytest.raises(TooManyRedirects) as info:
            await client.get(server.url("/a"))
    assert "loop" in info.value.message
    assert len(server.requests) == 2


async def test_too_many_redirects(server: LoopbackServer) -> None:
    for i in range(10):
        server.route(f"/r{i}", Reply(status=307, headers={"Location": f"/r{i + 1}"}))
    async with make_client(max_redirects=5) as client:
        with pytest.raises(TooManyRedirects) as info:
            await client.get(server.url("/r0"))
    assert "more than 5" in info.value.message
    assert len(server.requests) == 6


# ---------------------------------------------------------------- bodies


def _endless(chunk: bytes, count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield chunk  # the same object every time: the server holds 1 MB, not 60


async def test_60_mb_body_is_cut_off_with_bounded_memory(server: LoopbackServer) -> None:
    server.route("/huge", Reply(body=_endless(b"x" * MB, 60)))
    tracemalloc.start()
    try:
        async with make_client(max_body_bytes=2 * MB, retries=0) as client:
            with pytest.raises(TooLarge) as info:
                await client.get(server.url("/huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "cap" in info.value.message
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"


async def test_declared_length_over_the_cap_is_refused_before_reading(
    server: LoopbackServer,
) -> None:
    server.route(
        "/big", Reply(body=_endless(b"x" * MB, 60), headers={"Content-Length": str(60 * MB)})
    )
    async with make_client(max_body_bytes=MB, retries=0) as client:
        with pytest.raises(TooLarge) as info:
            await client.get(server.url("/big"))
    assert str(60 * MB) in info.value.message


_BOMB = gzip.compress(b"\0" * (64 * MB), compresslevel=9)


async def test_gzip_bomb_is_cut_off_with_bounded_memory(server: LoopbackServer) -> None:
    assert len(_BOMB) < MB // 4  # 64 MB of zeros in ~64 KB
    server.route("/bomb", Reply(body=_BOMB, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        async with make_client(max_body_bytes=2 * MB, retries=0) as client:
            with pytest.raises(TooLarge):
                await client.get(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
async def test_compressed_bodies_are_decoded(
    server: LoopbackServer, encoding: str, compress
) -> None:  # type: ignore[no-untyped-def]
    body = ARABIC.encode() * 200
    server.route("/", Reply(body=compress(body), headers={"Content-Encoding": encoding}))
    async with make_client() as client:
        response = await client.get(server.url("/"))
    assert response.content == body


# ---------------------------------------------------------------- charsets


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (ARABIC.encode("utf-8"), "text/html; charset=utf-8"),
        (ARABIC.encode("cp1256"), "text/html; charset=windows-1256"),
        (b'<meta charset="windows-1256"><p>' + ARABIC.encode("cp1256"), "text/html"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><p>'
            + ARABIC.encode("cp1256"),
            None,
        ),
        (b'<?xml version="1.0" encoding="windows-1256"?><x>' + ARABIC.encode("cp1256"), None),
        (ARABIC.encode("utf-8"), None),
        ((ARABIC * 3).encode("cp1256"), "text/html"),
        (ARABIC.encode("utf-8-sig"), "text/plain"),
    ],
    ids=[
        "utf8-header",
        "cp1256-header",
        "cp1256-meta-charset",
        "cp1256-http-equiv",
        "cp1256-xml-declaration",
        "utf8-undeclared",
        "cp1256-undeclared-detected",
        "utf8-bom",
    ],
)
async def test_charsets(server: LoopbackServer, body: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    server.route("/", Reply(body=body, headers=headers))
    async with make_client() as client:
        response = await client.get(server.url("/"))
    assert ARABIC in response.text()


def test_a_lying_utf8_header_falls_back_to_the_document() -> None:
    body = b'<meta charset="windows-1256">' + ARABIC.encode("cp1256")
    assert ARABIC in decode_body(body, "text/html; charset=utf-8")


# ---------------------------------------------------------------- what may be fetched


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/feed.xml",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "gopher://127.0.0.1/",
        "//127.0.0.1/no-scheme",
    ],
    ids=["file", "ftp", "javascript", "data", "gopher", "scheme-relative"],
)
async def test_only_http_and_https(server: LoopbackServer, url: str) -> None:
    async with make_client() as client:
        with pytest.raises(BlockedURL):
            await client.get(url)
    assert server.requests == []


PRIVATE_FORMS = [
    ("http://127.0.0.1:{port}/", "dotted"),
    ("http://127.1:{port}/", "short"),
    ("http://0x7f000001:{port}/", "hex"),
    ("http://2130706433:{port}/", "decimal"),
    ("http://0177.0.0.1:{port}/", "octal"),
    ("http://0x7f.1:{port}/", "mixed-hex"),
    ("http://127.0.0.1.:{port}/", "trailing-dot"),
    ("http://[::1]:{port}/", "ipv6-loopback"),
    ("http://[::ffff:127.0.0.1]:{port}/", "ipv4-mapped"),
    ("http://[::ffff:7f00:1]:{port}/", "ipv4-mapped-hex"),
    ("http://[64:ff9b::7f00:1]:{port}/", "nat64"),
    ("http://[2002:7f00:1::]:{port}/", "6to4"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fe80::1]/", "ipv6-link-local"),
    ("http://10.1.2.3/", "rfc1918-10"),
    ("http://172.16.0.1/", "rfc1918-172"),
    ("http://192.168.1.1/", "rfc1918-192"),
    ("http://100.64.0.1/", "shared-cgnat"),
    ("http://0.0.0.0:{port}/", "unspecified"),
    ("http://[::]:{port}/", "ipv6-unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://localhost:{port}/", "localhost"),
    ("http://LOCALHOST.:{port}/", "localhost-dot"),
    ("http://feeds.localhost:{port}/", "dot-localhost"),
]


@pytest.mark.parametrize(("url", "form"), PRIVATE_FORMS, ids=[f for _, f in PRIVATE_FORMS])
async def test_private_addresses_refused_before_connecting(
    server: LoopbackServer, url: str, form: str
) -> None:
    async with make_client(allow_private_networks=False, retries=0) as client:
        with pytest.raises(BlockedURL) as info:
            await client.get(url.format(port=server.port))
    assert "private" in info.value.message or "this machine" in info.value.message
    assert server.requests == []


def _only(address: str):  # type: ignore[no-untyped-def]
    """An address policy for tests: this one loopback address plays 'the internet'."""
    allowed = ipaddress.ip_address(address)
    return lambda ip: ip == allowed


def _guarded(resolver=None) -> HttpClient:  # type: ignore[no-untyped-def]
    config = NetworkConfig(allow_private_networks=False, retries=0)
    kwargs = {"resolver": resolver} if resolver else {}
    return HttpClient(config, address_allowed=_only("127.0.0.1"), **kwargs)


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/secret",
        "http://[::1]:{port}/secret",
        "http://127.0.0.2:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
    ids=["localhost", "ipv6-loopback", "other-loopback", "metadata", "file"],
)
async def test_redirect_to_a_private_address_is_refused(
    server: LoopbackServer, location: str
) -> None:
    server.route("/go", Reply(status=302, headers={"Location": location.format(port=server.port)}))
    server.route("/secret", Reply(body=b"secret"))
    async with _guarded() as client:
        with pytest.raises(BlockedURL):
            await client.get(server.url("/go"))
    assert [r.path for r in server.requests] == ["/go"]


async def test_the_connection_is_pinned_to_the_checked_address(server: LoopbackServer) -> None:
    """DNS rebinding: the name is resolved once per hop, and the connection
    goes to the address that was checked, with the name in the Host header."""
    answers = [["127.0.0.1"], ["10.0.0.5"]]
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls) - 1, 1)]

    server.route("/feed", Reply(body=b"public"))
    async with _guarded(rebinding) as client:
        response = await client.get(f"http://news.test:{server.port}/feed")
        assert response.content == b"public"
        assert response.url == f"http://news.test:{server.port}/feed"
        assert server.requests[0].headers["host"] == f"news.test:{server.port}"
        with pytest.raises(BlockedURL) as info:  # the second answer is private
            await client.get(f"http://news.test:{server.port}/feed")
    assert "10.0.0.5" in info.value.message
    assert calls == ["news.test", "news.test"]
    assert len(server.requests) == 1


async def test_a_name_with_a_private_and_a_public_address_uses_the_public_one(
    server: LoopbackServer,
) -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["10.0.0.5", "127.0.0.1"]

    server.route("/", Reply(body=b"ok"))
    async with _guarded(mixed) as client:
        assert (await client.get(f"http://mixed.test:{server.port}/")).content == b"ok"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.0.0.1", None),
        ("08.0.0.1", None),
        ("4294967296", None),
    ],
    ids=lambda v: str(v),
)
def test_parse_ip_loose(host: str, expected: str | None) -> None:
    ip = parse_ip_loose(host)
    assert (str(ip) if ip else None) == expected


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001::1", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::a00:1", False),
        ("2002:a00:1::", False),
    ],
    ids=lambda v: str(v),
)
def test_is_public_address(address: str, public: bool) -> None:
    ip: IPAddress = ipaddress.ip_address(address)
    assert is_public_address(ip) is public


# ---------------------------------------------------------------- concurrency


async def test_per_host_and_global_limits(server: LoopbackServer) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: Request) -> Reply:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        server.stopping.wait(0.2)
        with lock:
            active -= 1
        return Reply(body=b"ok")

    server.route("/slow", slow)
    async with make_client(per_host_connections=2, max_connections=10) as client:
        results = await asyncio.gather(*(client.get(server.url("/slow")) for _ in range(6)))
    assert all(r.content == b"ok" for r in results)
    assert peak == 2


# ---------------------------------------------------------------- TLS, pinned


@pytest.fixture
def tls_name(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LoopbackServer, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose certificate names only `news.test`,
    from a test authority the client is made to trust; the SNI names it saw."""
    authority = trustme.CA()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("news.test").configure_cert(server_side)
    seen: list[str] = []
    server_side.sni_callback = lambda sock, name, ctx: seen.append(name or "")  # type: ignore[assignment,misc,return-value]

    def trusting() -> ssl.SSLContext:
        client_side = ssl.create_default_context()
        authority.configure_trust(client_side)
        return client_side

    monkeypatch.setattr(http_module, "_tls_context", trusting)
    with LoopbackServer(tls=server_side) as s:
        yield s, seen


async def test_https_pinned_to_the_address_keeps_the_name_for_sni_and_the_certificate(
    tls_name: tuple[LoopbackServer, list[str]],
) -> None:
    """The connection goes to the checked address, while TLS still asks for
    and verifies the name: SNI `news.test`, the certificate checked against it."""
    server, seen = tls_name
    server.route("/feed", Reply(body=b"over tls"))

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async with _guarded(resolver) as client:
        response = await client.get(f"https://news.test:{server.port}/feed")
    assert response.content == b"over tls"
    assert seen == ["news.test"]
    assert server.requests[0].headers["host"] == f"news.test:{server.port}"


async def test_https_to_an_address_whose_certificate_names_another_host_fails(
    tls_name: tuple[LoopbackServer, list[str]],
) -> None:
    server, _ = tls_name
    server.route("/feed", Reply(body=b"over tls"))

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async with _guarded(resolver) as client:
        with pytest.raises(ConnectFailed) as info:
            await client.get(f"https://other.test:{server.port}/feed")
    assert "certificate" in info.value.message.lower()
    assert server.requests == []


async def test_a_long_header_line_is_read(server: LoopbackServer) -> None:
    """Sites send Content-Security-Policy and Set-Cookie lines over 8 KiB."""
    policy = "default-src 'self' " + " ".join(f"https://cdn{i}.example.com" for i in range(900))
    assert len(policy) > 20_000
    server.route("/feed", Reply(body=b"ok", headers={"Content-Security-Policy": policy}))
    async with HttpClient(NetworkConfig(allow_private_networks=True, retries=0)) as client:
        response = await client.get(server.url("/feed"))
    assert response.content == b"ok"
    assert response.headers["content-security-policy"] == policy


@pytest.mark.parametrize(
    ("path", "on_the_wire"),
    [
        ("/أخبار/نزوح", "/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D9%86%D8%B2%D9%88%D8%AD"),
        ("/a b?q=نازح&x=a%2Fb", "/a%20b?q=%D9%86%D8%A7%D8%B2%D8%AD&x=a%2Fb"),
        ("/%D8%A3?x=1", "/%D8%A3?x=1"),
    ],
    ids=["arabic-slug", "space-arabic-query-escape-kept", "already-encoded"],
)
async def test_the_url_goes_on_the_wire_percent_encoded(
    server: LoopbackServer, path: str, on_the_wire: str
) -> None:
    """Feeds link Arabic slugs as written; they are requested encoded as UTF-8,
    and what is already escaped stays as it is."""
    seen: list[str] = []

    def record(request: Request) -> Reply:
        seen.append(request.target)
        return Reply(body=b"ok")

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    server.route(on_the_wire.split("?")[0], record)
    async with _guarded(resolver) as client:
        response = await client.get(f"http://news.test:{server.port}{path}")
    assert response.content == b"ok"
    assert seen == [on_the_wire]
