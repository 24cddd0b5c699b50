"""The `html` source: a listing page, its article links, and the article pages.

Links come from `link_selector` (every `<a href>` in the page when unset),
resolved against the listing URL, kept on the same site, deduplicated, at most
`max_articles`.  Pages already stored (`FetchContext.is_known`) are not fetched
again.  Each page is cleaned by `scrapers.page.parse_page`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bs4 import Tag

from scrapers.base import FetchContext
from scrapers.clean import http_url
from scrapers.errors import FetchError
from scrapers.model import Article, FetchResult, PageProblem, content_hash, describe
from scrapers.options import HttpUrl, PageOptions, require
from scrapers.page import soup_of
from scrapers.web import PAGE_ACCEPT, WebSource
from scrapers.work import run_cpu

if TYPE_CHECKING:
    from scrapers.http import HttpClient

log = logging.getLogger(__name__)


def same_site(a: str, b: str) -> bool:
    """True when both hosts are the same once a leading `www.` is dropped, or
    one is a subdomain of the other (`www.bbc.com` and `bbc.com`)."""
    ha = (urlsplit(a).hostname or "").removeprefix("www.")
    hb = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(ha and hb) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def listing_links(
    html: str | bytes,
    page_url: str,
    *,
    link_selector: str | None,
    limit: int,
    same_site_only: bool = True,
) -> list[str]:
    """Article URLs on a listing page: canonical, same site, no duplicates,
    in page order, at most `limit`; the listing itself and non-http links left out."""
    soup = soup_of(html)
    if link_selector:
        try:
            nodes = soup.select(link_selector)
        except Exception as exc:  # soupsieve's SelectorSyntaxError
            log.warning("bad link_selector %r: %s", link_selector, exc)
            return []
    else:
        nodes = soup.find_all("a", href=True)
    listing = http_url(page_url)
    links: list[str] = []
    seen: set[str] = set()
    for node in nodes:
        anchor = node if node.name == "a" else node.find("a", href=True)
        if not isinstance(anchor, Tag) or not anchor.get("href"):
            continue
        url = http_url(str(anchor["href"]), page_url)
        if url is None or url == listing or url in seen:
            continue
        if same_site_only and not same_site(url, page_url):
            continue
        seen.add(url)
        links.append(url)
        if len(links) >= limit:
            break
    return links


@dataclass(frozen=True)
class HtmlOptions(PageOptions):
    """The options of an `html` source: keys of its `[[sources]]` table (and the
    page selectors of `PageOptions`)."""

    url: HttpUrl | None = None
    """The listing page's URL."""
    link_selector: str | None = None
    """CSS selector of the article links on the listing page (else every link
    on the site that looks like an article)."""
    max_articles: int = 50
    """At most this many links a poll."""

    def __post_init__(self) -> None:
        require(self.url, "url", "an html source")


class HtmlSource(WebSource[HtmlOptions]):
    """A site without a feed: listing page, then article pages."""

    kind = "html"
    Options = HtmlOptions

    async def fetch(self, ctx: FetchContext) -> FetchResult:
        """Poll the listing page (conditional GET), then each new article page."""
        client = self.client(ctx)
        listing = await self.poll(client, ctx, PAGE_ACCEPT)
        if isinstance(listing, FetchResult):
            return listing
        try:
            links = await run_cpu(
                ctx.pool,
                listing_links,
                listing.text(),
                listing.url,
                link_selector=self.config.link_selector,
                limit=self.config.max_articles,
                key=self.name,
            )
        except Exception as exc:  # the listing is the source: it fails, with why
            return FetchResult(
                error=f"listing {self.url} not read: {describe(exc)}",
                validators=dict(ctx.validators),
            )
        if not links:
            return FetchResult(empty_content=True, validators=listing.validators)
        fresh = [u for u in links if not ctx.is_known(u)]
        results = await asyncio.gather(*(self._article(client, u, ctx) for u in fresh))
        articles = tuple(a for a in results if isinstance(a, Article))
        failures = [r for r in results if isinstance(r, str)]
        problems = tuple(str(r) for r in results if isinstance(r, PageProblem))
        if fresh and not articles and len(failures) == len(fresh):
            return FetchResult(
                error=f"no article page could be fetched: {failures[0]}",
                validators=dict(ctx.validators),
            )
        empty = bool(fresh) and not articles and not problems
        return FetchResult(
            articles=articles,
            empty_content=empty,
            validators=listing.validators,
            problems=problems,
        )

    async def _article(
        self, client: HttpClient, url: str, ctx: FetchContext
    ) -> Article | PageProblem | str | None:
        """The article at `url`; the error message when it could not be
        fetched; a PageProblem when it was fetched but could not be read (it
        fails alone); None when the page holds no text."""
        page = await self.page(client, url, ctx, self.config)
        if isinstance(page, FetchError):
            log.info("source %s: %s", self.name, page.message)
            return page.message
        if isinstance(page, PageProblem):  # one bad page fails alone, never the poll
            log.warning("source %s: page not read: %s", self.name, page)
            return page
        if not page.text:
            log.info("source %s: no article text at %s", self.name, url)
            return None
        if page.published is None:
            log.info(
                "source %s: no publication date on %s (none in its metadata or dateline)",
                self.name,
                url,
            )
        return Article(
            url=url,
            guid=url,
            title=page.title,
            published=page.published,
            source=self.name,
            text=page.text,
            content_hash=content_hash(page.title, page.text),
            outlet=self.outlet,
        )
