"""Why a fetch failed: one `FetchError` family with a `kind` and a message for people.

Apart from the HTTP client, so that the sources (and the worker processes that
parse their feeds) can tell a failed fetch without importing an HTTP stack.
"""

from __future__ import annotations

from typing import ClassVar

from scrapers.urls import mask_urls

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses worth asking again (after a wait)."""


class FetchError(Exception):
    """A fetch failed; `message` says why in words a user understands."""

    kind: ClassVar[str] = "fetch"
    """Which kind of failure: blocked, timeout, connect, status, too_large…"""

    def __init__(self, message: str, *, url: str) -> None:
        message = mask_urls(message)
        super().__init__(message)
        self.message = message
        """Why, naming the URL (its secrets masked: see `mask_url`)."""
        self.url = url
        """The URL that failed."""

    @property
    def retryable(self) -> bool:
        """True when trying again later may work."""
        return self.kind in {"timeout", "connect"}


class BlockedURL(FetchError):
    """Refused before connecting: a scheme other than http(s), or a private address."""

    kind = "blocked"


class FetchTimeout(FetchError):
    """No complete answer in time."""

    kind = "timeout"


class ConnectFailed(FetchError):
    """The host could not be resolved or reached, or the connection broke."""

    kind = "connect"


class HttpStatusError(FetchError):
    """The server answered with an error status."""

    kind = "status"

    def __init__(self, message: str, *, url: str, status: int, retry_after: float | None) -> None:
        super().__init__(message, url=url)
        self.status = status
        """The HTTP status code."""
        self.retry_after = retry_after
        """Seconds the server asked us to wait (429/503 Retry-After), if any."""

    @property
    def retryable(self) -> bool:
        return self.status in RETRY_STATUSES


class TooLarge(FetchError):
    """The decoded body is larger than `max_body_bytes`."""

    kind = "too_large"


class TooManyRedirects(FetchError):
    """More than `max_redirects` hops, or a loop."""

    kind = "redirects"


class BadResponse(FetchError):
    """An answer we cannot read (unknown or corrupt content encoding…)."""

    kind = "bad_response"
