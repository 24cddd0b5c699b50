"""The `rss` source: RSS 0.9x/1.0/2.0 and Atom through feedparser.

feedparser is only ever given the **bytes** our client fetched (wrapped in a
file object, so that it can never take them for a URL or a local path), with
the response's Content-Type so it can pick the charset.  Entries it recovered
from a malformed (bozo) feed are used all the same.
"""

from __future__ import annotations

import asyncio
import calendar
import io
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import feedparser  # type: ignore[import-untyped]

from scrapers.base import FetchContext
from scrapers.clean import clean_text, find_arabic_date, http_url
from scrapers.http import FetchError, HttpClient, detect_charset
from scrapers.model import Article, FetchResult, content_hash
from scrapers.page import html_text, parse_page

if TYPE_CHECKING:
    from bot.config import SourceConfig

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
"""Accept header sent for feeds."""
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
"""Accept header sent for article pages."""
SUMMARY_ONLY_CHARS = 600
"""An entry whose only text is a summary shorter than this is a teaser."""

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


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
    data: bytes, *, base_url: str | None = None, content_type: str | None = None
) -> tuple[list[FeedEntry], str | None]:
    """Entries of a feed given as bytes, and why it is malformed (None when
    it is not).  Never raises on bad input."""
    headers = {"content-type": feed_content_type(data, content_type)}
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser should not raise; never let it break a poll
        log.warning("feedparser failed on %s: %r", base_url or "a feed", exc)
        return [], f"unreadable feed: {type(exc).__name__}"
    problem = None
    if parsed.get("bozo"):
        problem = str(parsed.get("bozo_exception") or "malformed feed")[:200]
    entries = []
    for raw in parsed.get("entries", []):
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


def feed_content_type(data: bytes, content_type: str | None) -> str:
    """The Content-Type to tell feedparser: the server's when it names a
    charset; else one naming the charset detected when neither a BOM nor an
    XML declaration names one and the bytes are not UTF-8."""
    if content_type and _CHARSET.search(content_type):
        return content_type
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or _XML_DECL.match(data):
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
    entry: FeedEntry, *, source: str, outlet: str | None, page_text: str | None = None
) -> Article | None:
    """The Article for an entry (with the page's text when it was fetched);
    None when there is no text at all."""
    text = page_text or entry.text
    if not text and not entry.title:
        return None
    return Article(
        url=entry.url,
        guid=entry.guid,
        title=entry.title,
        published=entry.published or (find_arabic_date(text) if text else None),
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


class RssSource:
    """A feed, with the article pages of summary-only entries when asked."""

    kind: ClassVar[str] = "rss"

    def __init__(self, config: SourceConfig) -> None:
        if not config.url:
            raise ValueError("url: an rss source needs a url")
        self.name = config.name
        self.config = config
        self.url = config.url

    async def fetch(self, ctx: FetchContext) -> FetchResult:
        """Poll the feed once (conditional GET), then fetch pages if asked."""
        client = _client(ctx)
        try:
            response = await client.get(self.url, validators=ctx.validators, accept=FEED_ACCEPT)
        except FetchError as exc:
            return FetchResult(error=exc.message, validators=dict(ctx.validators))
        if response.not_modified:
            return FetchResult(not_modified=True, validators=response.validators)
        entries, problem = await asyncio.to_thread(
            parse_feed,
            response.content,
            base_url=response.url,
            content_type=response.headers.get("content-type"),
        )
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
        entries = entries[: self.config.max_articles]
        outlet = self.config.outlet
        pages = await asyncio.gather(*(self._page_text(client, e, ctx) for e in entries))
        articles = [
            a
            for e, page in zip(entries, pages, strict=True)
            if (a := entry_article(e, source=self.name, outlet=outlet, page_text=page))
        ]
        empty = not any(a.text for a in articles)
        return FetchResult(
            articles=tuple(articles), empty_content=empty, validators=response.validators
        )

    async def _page_text(
        self, client: HttpClient, entry: FeedEntry, ctx: FetchContext
    ) -> str | None:
        """The article page's text for a summary-only entry (None: keep the summary)."""
        if not self.config.fetch_pages or entry.full or not entry.page_url:
            return None
        if ctx.is_known(entry.url):
            return None
        try:
            response = await client.get(entry.page_url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            log.info("source %s: page %s not fetched: %s", self.name, entry.page_url, exc.message)
            return None
        page = await asyncio.to_thread(
            parse_page,
            response.text(),
            response.url,
            content_selector=self.config.content_selector,
            remove_selectors=self.config.remove_selectors,
        )
        return page.text or None


def _client(ctx: FetchContext) -> HttpClient:
    if ctx.client is None:
        raise RuntimeError("an rss source needs the HTTP client in its FetchContext")
    return ctx.client
