"""What the sources read over HTTP share (`rss`, `html`): their own URL,
polled with a conditional GET, and the article pages they fetch and parse.

How each logs a failure, and what a failure means to its poll, stays with
the source: these return the failure (a `FetchError`, a `PageProblem`, or
the `FetchResult` that ends the poll) rather than log it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

from scrapers.base import FetchContext, KindSource, SourceSpec
from scrapers.errors import FetchError
from scrapers.model import FetchResult, PageProblem
from scrapers.options import PageOptions
from scrapers.page import Page, parse_page
from scrapers.work import run_cpu

if TYPE_CHECKING:  # the client is made by the poll; the worker processes never need it
    from scrapers.http import HttpClient, Response

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
"""Accept header sent for article pages."""


class UrlOptions(Protocol):
    """The options of a source read at one URL."""

    @property
    def url(self) -> str | None: ...


UrlOptionsT = TypeVar("UrlOptionsT", bound=UrlOptions)


class WebSource(KindSource[UrlOptionsT]):
    """A source polled at its own URL (`url` of its options)."""

    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self.url: str = self.config.url or ""

    def client(self, ctx: FetchContext) -> HttpClient:
        """The HTTP client of `ctx`, which a source read over HTTP cannot do without."""
        if ctx.client is None:
            raise RuntimeError(f"an {self.kind} source needs the HTTP client in its FetchContext")
        return ctx.client

    async def poll(
        self, client: HttpClient, ctx: FetchContext, accept: str
    ) -> Response | FetchResult:
        """The source's URL, fetched conditionally on the stored validators; or
        the result that ends the poll there: the fetch failed (its error, the
        validators kept), or nothing changed."""
        try:
            response = await client.get(self.url, validators=ctx.validators, accept=accept)
        except FetchError as exc:
            return FetchResult(error=exc.message, validators=dict(ctx.validators))
        if response.not_modified:
            return FetchResult(not_modified=True, validators=response.validators)
        return response

    async def page(
        self,
        client: HttpClient,
        url: str,
        ctx: FetchContext,
        selectors: PageOptions,
    ) -> Page | PageProblem | FetchError:
        """The article page at `url`, fetched and then parsed in the worker
        pool with `selectors`; the FetchError when it could not be fetched, a PageProblem when
        it was fetched but could not be read."""
        try:
            response = await client.get(url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            return exc
        try:
            page: Page = await run_cpu(
                ctx.pool,
                parse_page,
                response.text(),
                response.url,
                content_selector=selectors.content_selector,
                remove_selectors=selectors.remove_selectors,
                title_selector=selectors.title_selector,
                date_selector=selectors.date_selector,
                key=self.name,
            )
        except Exception as exc:  # the page fails alone; the source says what that means
            return PageProblem(url, exc)
        return page
