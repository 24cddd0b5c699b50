"""The `rss` source: RSS 0.9x/1.0/2.0 and Atom through feedparser.

feedparser is only ever given the **bytes** our client fetched (wrapped in a
file object, so that it can never take them for a URL or a local path), with
the response's Content-Type so it can pick the charset.  Entries it recovered
from a malformed (bozo) feed are used all the same.

Two things are done before feedparser sees the bytes:

- a feed that is UTF-8 (declared, or by default) but holds a few invalid
  bytes is decoded here with replacement characters and handed over as
  clean UTF-8, with a warning; feedparser would otherwise give up on UTF-8
  and read the whole feed in another charset (mojibake, no figures);
- a feed with more entries than will be kept is cut down to the newest ones
  by date (a cheap scan of the bytes for the entries and their dates), so
  feedparser and the cleaner only ever work on what is kept.
"""

from __future__ import annotations

import asyncio
import calendar
import email.utils
import heapq
import io
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import feedparser  # type: ignore[import-untyped]

from scrapers.base import FetchContext
from scrapers.charset import bom_charset, charset_of, codec, declared_charset, detect_charset
from scrapers.clean import clean_text, find_arabic_date, http_url
from scrapers.errors import FetchError
from scrapers.model import Article, FetchResult, PageProblem, content_hash
from scrapers.options import HttpUrl, PageOptions, require
from scrapers.page import Page, html_text
from scrapers.web import WebSource
from scrapers.work import WorkError, run_cpu

if TYPE_CHECKING:
    from scrapers.http import HttpClient

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
"""Accept header sent for feeds."""
SUMMARY_ONLY_CHARS = 600
"""An entry whose only text is a summary shorter than this is a teaser."""

_ENTRY_OPEN = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?(?:item|entry))[\s>/]")
_ENTRY_DATE = re.compile(
    rb"<((?:[A-Za-z_][\w.-]*:)?(?:pubDate|published|updated|modified|date|issued|created))"
    rb"(?:\s[^>]*)?>\s*([^<]{4,80}?)\s*</"
)
UTF8_EVIDENCE = 10
"""A feed whose bytes are valid UTF-8 but for a few is taken for UTF-8 when it
holds this many valid non-ASCII characters for each invalid byte."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry as the feed gives it, before any page is fetched."""

    url: str
    """Canonical article URL (the guid when there is no http(s) link)."""
    guid: str
    """The entry id, else the URL."""
    title: str
    """Headline, plain text."""
    published: datetime | None
    """Publication (else update) time in UTC."""
    text: str
    """Cleaned text from `content`, else `summary`."""
    full: bool
    """True when the text came from `content` or is long enough to be the article."""
    page_url: str | None
    """The http(s) article page, when there is one to fetch."""


def parse_feed(
    data: bytes,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    limit: int | None = None,
) -> tuple[list[FeedEntry], str | None]:
    """Entries of a feed given as bytes (the newest `limit` by date, in
    document order), and why it is malformed (None when it is not).  Never
    raises on bad input."""
    data, content_type = repair_utf8(data, content_type, where=base_url)
    if limit is not None:
        data = newest_entries(data, limit)
    headers = {"content-type": feed_content_type(data, content_type)}
    if base_url:
        headers["content-location"] = base_url
    try:
        # the entries' markup is read for its text only (`html_text`, which drops
        # scripts and styles itself): rewriting the relative links inside it and
        # sanitising it would be two thirds of feedparser's time, for the same text
        # (tests/test_fragment_text.py, on feedparser's own 2,000 test feeds)
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser should not raise; never let it break a poll
        log.warning("feedparser failed on %s: %r", base_url or "a feed", exc)
        return [], f"unreadable feed: {type(exc).__name__}"
    problem = None
    if parsed.get("bozo"):
        problem = str(parsed.get("bozo_exception") or "malformed feed")[:200]
    raws = list(parsed.get("entries", []))
    if limit is not None and len(raws) > limit:
        raws = _newest(raws, limit)
    entries = []
    for raw in raws:
        try:
            entry = _entry(raw, base_url)
        except Exception as exc:  # one odd entry never loses the others
            log.warning("skipping a feed entry of %s: %r", base_url or "a feed", exc)
            continue
        if entry is not None:
            entries.append(entry)
    return entries, problem


_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S
)


def looks_like_html(data: bytes, content_type: str | None) -> bool:
    """True for an HTML page (a bot challenge, a login or error page) where a feed was
    expected: served as text/html, or starting like one (a doctype, <html>, <head>)."""
    if content_type and content_type.split(";")[0].strip().lower() in {
        "text/html",
        "application/xhtml+xml",
    }:
        return True
    return bool(_HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def _newest(raws: list[Any], limit: int) -> list[Any]:
    """The newest `limit` of feedparser's entries by date (undated ones after
    the dated, in document order), kept in document order."""
    far = float("-inf")

    def when(i: int) -> tuple[float, int]:
        t = _entry_time(raws[i])
        return (t.timestamp() if t else far, -i)

    keep = sorted(sorted(range(len(raws)), key=when, reverse=True)[:limit])
    return [raws[i] for i in keep]


def repair_utf8(
    data: bytes, content_type: str | None, *, where: str | None = None
) -> tuple[bytes, str | None]:
    """`data` as valid UTF-8 when it is UTF-8 (declared so, or undeclared)
    but for a few invalid bytes, each replaced by U+FFFD, with a warning;
    the Content-Type to use with it.  Anything else is returned unchanged."""
    charset = declared_charset(data, content_type, is_html=False)
    if charset is not None and codec(charset) != "utf-8":
        return data, content_type
    try:
        data.decode("utf-8")
        return data, content_type
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    if bad <= 0 or good < UTF8_EVIDENCE * bad:
        return data, content_type  # not UTF-8 after all: let feedparser find the charset
    log.warning(
        "feed %s: %d byte sequence(s) not valid UTF-8, replaced (the rest of the feed is kept)",
        where or "(bytes)",
        bad,
    )
    return text.encode("utf-8"), "application/xml; charset=utf-8"


def newest_entries(data: bytes, limit: int) -> bytes:
    """The feed with only its newest `limit` entries (`<item>` or `<entry>`,
    by their date element; undated ones count as oldest), found by a scan of
    the bytes, not a parse: what lies before the first entry and after the
    last is kept as it is.  Unchanged when it holds no more than `limit`
    entries, or when its entries cannot be told apart that way."""
    spans: list[tuple[int, int]] = []
    closers: dict[bytes, re.Pattern[bytes]] = {}
    pos = 0
    while (m := _ENTRY_OPEN.search(data, pos)) is not None:
        name = m.group(1)
        closer = closers.get(name)
        if closer is None:
            closer = closers[name] = re.compile(rb"</" + re.escape(name) + rb"\s*>")
        close = closer.search(data, m.end())
        if close is None:
            break
        spans.append((m.start(), close.end()))
        pos = close.end()
    if len(spans) <= limit:
        return data
    stamps: dict[bytes, float] = {}

    def when(i: int) -> tuple[float, int]:
        start, end = spans[i]
        m = _ENTRY_DATE.search(data, start, end)
        if m is None:
            return (float("-inf"), -i)
        raw = m.group(2)
        stamp = stamps.get(raw)
        if stamp is None:
            stamp = stamps[raw] = _timestamp(raw.decode("utf-8", "replace"))
        return (stamp, -i)

    keep = sorted(heapq.nlargest(limit, range(len(spans)), key=when), key=lambda i: i)
    head, tail = data[: spans[0][0]], data[spans[-1][1] :]
    return head + b"".join(data[spans[i][0] : spans[i][1]] for i in keep) + tail


def _timestamp(value: str) -> float:
    """Seconds since the epoch of a feed date (RFC 822 or ISO 8601, else
    whatever feedparser reads); minus infinity when it is not a date."""
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    except ValueError:
        pass
    parts = email.utils.parsedate_tz(value)
    if parts is not None:
        try:
            return float(email.utils.mktime_tz(parts))
        except (OverflowError, ValueError):
            pass
    from feedparser.datetimes import _parse_date  # type: ignore[import-untyped]

    parsed = _parse_date(value)
    try:
        return float(calendar.timegm(parsed)) if parsed else float("-inf")
    except (OverflowError, ValueError, TypeError):
        return float("-inf")


def feed_content_type(data: bytes, content_type: str | None) -> str:
    """The Content-Type to tell feedparser: the server's when it names a
    charset; else one naming the charset detected when neither a BOM nor an
    XML declaration names one and the bytes are not UTF-8."""
    if charset_of(content_type):
        return content_type or "application/xml"
    if bom_charset(data) or declared_charset(data, is_html=False):
        return "application/xml"
    try:
        data.decode("utf-8")
        return "application/xml"
    except UnicodeDecodeError:
        pass
    return f"application/xml; charset={detect_charset(data)}"


def articles_from_feed(
    data: bytes,
    *,
    source: str,
    base_url: str | None = None,
    outlet: str | None = None,
    content_type: str | None = None,
) -> list[Article]:
    """Every entry of a feed (bytes) with some text, as an Article: the pure
    path RssSource uses, and `raqib replay` too."""
    entries, _ = parse_feed(data, base_url=base_url, content_type=content_type)
    return [a for e in entries if (a := entry_article(e, source=source, outlet=outlet))]


def entry_article(
    entry: FeedEntry,
    *,
    source: str,
    outlet: str | None,
    page_text: str | None = None,
    page_published: datetime | None = None,
) -> Article | None:
    """The Article for an entry (with the page's text and date when it was
    fetched); None when there is no text at all.  Its date: the entry's, else
    the page's (metadata or dateline), else one in the text, else None."""
    text = page_text or entry.text
    if not text and not entry.title:
        return None
    return Article(
        url=entry.url,
        guid=entry.guid,
        title=entry.title,
        published=entry.published or page_published or (find_arabic_date(text) if text else None),
        source=source,
        text=text,
        content_hash=content_hash(entry.title, text),
        outlet=outlet,
    )


def _entry(raw: Mapping[str, Any], base_url: str | None) -> FeedEntry | None:
    link = raw.get("link")
    page_url = http_url(link, base_url) if isinstance(link, str) else None
    guid = raw.get("id") or raw.get("guid")
    guid = str(guid).strip() if guid else ""
    url = page_url or http_url(guid) or guid
    if not url:
        return None
    title = _plain(raw.get("title") or "")
    text, full = _entry_text(raw)
    if not text and not title:
        return None
    return FeedEntry(
        url=url,
        guid=guid or url,
        title=title,
        published=_entry_time(raw),
        text=text,
        full=full,
        page_url=page_url,
    )


def _entry_text(raw: Mapping[str, Any]) -> tuple[str, bool]:
    best = ""
    for content in raw.get("content") or []:
        value = content.get("value") if isinstance(content, Mapping) else None
        if isinstance(value, str) and len(value) > len(best):
            best = value
    if best:
        text = html_text(best)
        if text:
            return text, True
    summary = raw.get("summary")
    if isinstance(summary, str) and summary:
        text = html_text(summary)
        return text, len(text) >= SUMMARY_ONLY_CHARS
    return "", False


def _plain(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = html_text(value) if "<" in value or "&" in value else clean_text(value)
    return " ".join(text.split())


def _entry_time(raw: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


@dataclass(frozen=True)
class RssOptions:
    """The options of an `rss` source: keys of its `[[sources]]` table."""

    url: HttpUrl | None = None
    """The feed's URL."""
    fetch_pages: bool = False
    """Fetch each entry's page when the feed gives only a summary."""
    content_selector: str | None = None
    """Fetched pages: CSS selector of the article body."""
    remove_selectors: tuple[str, ...] = ()
    """Fetched pages: CSS selectors of furniture to drop from the body."""
    max_articles: int = 50
    """At most this many entries a poll (the newest)."""

    def __post_init__(self) -> None:
        require(self.url, "url", "an rss source")


class RssSource(WebSource[RssOptions]):
    """A feed, with the article pages of summary-only entries when asked."""

    kind = "rss"
    Options = RssOptions

    async def fetch(self, ctx: FetchContext) -> FetchResult:
        """Poll the feed once (conditional GET), then fetch pages if asked."""
        client = self.client(ctx)
        response = await self.poll(client, ctx, FEED_ACCEPT)
        if isinstance(response, FetchResult):
            return response
        try:
            entries, problem = await run_cpu(
                ctx.pool,
                parse_feed,
                response.content,
                base_url=response.url,
                content_type=response.headers.get("content-type"),
                limit=self.config.max_articles,
                key=self.name,
            )
        except WorkError as exc:
            return FetchResult(error=f"feed not parsed: {exc}", validators={})
        if problem and not entries:
            if looks_like_html(response.content, response.headers.get("content-type")):
                kind = response.headers.get("content-type") or "no content type"
                return FetchResult(
                    error=f"{self.url}: the server sent an HTML page, not a feed ({kind};"
                    " a challenge or block page?)",
                    validators={},
                )
            return FetchResult(error=f"not a readable feed: {problem}", validators={})
        if problem:
            log.info("source %s: malformed feed, %d entries recovered", self.name, len(entries))
        outlet = self.outlet
        pages = await asyncio.gather(*(self._page_text(client, e, ctx) for e in entries))
        problems = tuple(p for p in pages if isinstance(p, PageProblem))
        articles = [
            a
            for e, page in zip(entries, pages, strict=True)
            if (
                a := entry_article(
                    e,
                    source=self.name,
                    outlet=outlet,
                    page_text=page.text if isinstance(page, Page) else None,
                    page_published=page.published if isinstance(page, Page) else None,
                )
            )
        ]
        empty = not any(a.text for a in articles)
        return FetchResult(
            articles=tuple(articles),
            empty_content=empty,
            validators=response.validators,
            problems=tuple(str(p) for p in problems),
        )

    async def _page_text(
        self, client: HttpClient, entry: FeedEntry, ctx: FetchContext
    ) -> Page | PageProblem | None:
        """The article page of a summary-only entry, when it holds text (None:
        keep the summary; a PageProblem when the page could not be read: the
        summary is kept)."""
        if not self.config.fetch_pages or entry.full or not entry.page_url:
            return None
        if ctx.is_known(entry.url):
            return None
        c = self.config
        selectors = PageOptions(
            content_selector=c.content_selector, remove_selectors=c.remove_selectors
        )
        page = await self.page(client, entry.page_url, ctx, selectors)
        if isinstance(page, FetchError):
            log.info("source %s: page %s not fetched: %s", self.name, entry.page_url, page.message)
            return None
        if isinstance(
            page, PageProblem
        ):  # one bad page never fails the feed (it keeps the summary)
            log.warning("source %s: %s", self.name, page)
            return page
        return page if page.text else None
