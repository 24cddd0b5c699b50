"""Sources of articles (rss, html, files) over one careful HTTP client.

Importing the package imports none of its modules: each name below is loaded
from its module on first use (a source kind's module is imported when that
kind is configured, see `scrapers.base.KINDS`)."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "KINDS": "scrapers.base",
    "FetchContext": "scrapers.base",
    "Source": "scrapers.base",
    "SourceSpec": "scrapers.base",
    "UnknownKind": "scrapers.base",
    "build_source": "scrapers.base",
    "source_class": "scrapers.base",
    "Article": "scrapers.model",
    "FetchResult": "scrapers.model",
    "content_hash": "scrapers.model",
    "FilesSource": "scrapers.files",
    "HtmlSource": "scrapers.html",
    "RssSource": "scrapers.rss",
    "articles_from_feed": "scrapers.rss",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
