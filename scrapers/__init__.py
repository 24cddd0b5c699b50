"""Sources of articles (rss, html, files) over one careful HTTP client."""

from scrapers.base import KINDS, FetchContext, Source, build_source
from scrapers.model import Article, FetchResult, content_hash

__all__ = [
    "KINDS",
    "Article",
    "FetchContext",
    "FetchResult",
    "Source",
    "build_source",
    "content_hash",
]
