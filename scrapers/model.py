"""What every source produces: articles, and a per-poll result."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def content_hash(title: str, text: str) -> str:
    """Stable hash of an article's content: a changed text is a new version."""
    return hashlib.sha256(f"{title}\n\n{text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned article, ready for the figure engine."""

    url: str
    """Canonical URL (fragment and tracking parameters dropped); `file://` for files."""
    guid: str
    """The feed's id for the entry, else the canonical URL."""
    title: str
    """Headline, cleaned."""
    published: datetime | None
    """Publication time in UTC, when known."""
    source: str
    """Name of the configured source that produced it."""
    text: str
    """Cleaned article text (title not included)."""
    content_hash: str
    """`content_hash(title, text)`."""
    outlet: str | None = None
    """Human name of the outlet (SOHR, AFP…) when the source or page says."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one poll of one source."""

    articles: tuple[Article, ...] = ()
    """New or changed articles (the source skips what it has seen, if it can)."""
    not_modified: bool = False
    """The server said 304: nothing to do."""
    error: str | None = None
    """Why the poll failed (could not fetch, or fetched but found no text)."""
    empty_content: bool = False
    """Fetched fine, but no article text was found (a layout change?)."""
    validators: dict[str, str] = field(default_factory=dict)
    """ETag / Last-Modified to send next time, for the store to keep."""
    problems: tuple[str, ...] = ()
    """Documents of this poll that could not be read (each failed alone: the
    rest of the poll is kept), one line each: which, and why."""


@dataclass(frozen=True, slots=True)
class PageProblem:
    """A page (or file) that failed alone: where, and why, for people."""

    where: str
    """The page URL or file path."""
    error: BaseException
    """What went wrong (a PageError, a time limit, a RecursionError…)."""

    def __str__(self) -> str:
        return f"{self.where}: {describe(self.error)}"


def describe(exc: BaseException) -> str:
    """An error in words: its message, its type when it has none or is not ours."""
    text = str(exc).strip()
    name = type(exc).__name__
    if not text:
        return name
    if name in {"PageError", "WorkTimeout", "WorkerDied", "FetchError"}:
        return text
    return f"{name}: {text}"[:300]
