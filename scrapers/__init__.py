"""Sources of articles (rss, html, files) over one careful HTTP client."""

from scrapers.base import KINDS, FetchContext, Source, SourceFactory, build_source
from scrapers.files import FilesSource
from scrapers.html import HtmlSource
from scrapers.model import Article, FetchResult, content_hash
from scrapers.rss import RssSource, articles_from_feed

KINDS.update({"rss": RssSource, "html": HtmlSource, "files": FilesSource})

__all__ = [
    "KINDS",
    "Article",
    "FetchContext",
    "FetchResult",
    "FilesSource",
    "HtmlSource",
    "RssSource",
    "Source",
    "SourceFactory",
    "articles_from_feed",
    "build_source",
    "content_hash",
]
