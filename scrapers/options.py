"""The settings the scrapers take, as light frozen records: the value types
their fields are written in (durations, http(s) URLs) and the HTTP client's
own settings.  Each source kind declares its options beside its code
(`RssOptions` in scrapers/rss.py…); the configuration (bot/config/schema.py) reads
all of them from TOML by their type hints, so a field's validation lives with
the field.  Nothing here imports a network or parsing library."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from urllib.parse import urlsplit

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> float:
    """Seconds from `90`, `90.5`, `"30s"`, `"15m"`, `"2h"`, `"3d"`, `"1w"`."""
    if isinstance(value, bool):
        raise ValueError('expected a duration such as 900 or "15m"')
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2) or "s"]
    else:
        raise ValueError(f'expected a duration such as 900 or "15m", got {value!r}')
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """`3d`, `15m`, `90s`, `1.5s`: a duration as it would be written in the file."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def check_http_url(value: str) -> str:
    """An absolute http(s) URL with a host, else ValueError."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return value


def require(value: str | None, key: str, source: str) -> None:
    """ValueError `<key>: <source> needs a <key>` when `value` is unset or
    empty: the check of a key a source kind cannot do without (`url`, `path`),
    in its options' `__post_init__`."""
    if not value:
        raise ValueError(f"{key}: {source} needs a {key}")


Duration = typing.Annotated[float, parse_duration]
"""A field in seconds, written in TOML as a number or `"15m"`."""
HttpUrl = typing.Annotated[str, check_http_url]
"""A field that must be an http(s) URL."""


@dataclass(frozen=True)
class HttpSettings:
    """The one HTTP client's settings (the `[network]` table)."""

    connect_timeout: Duration = 10.0
    """Seconds to connect."""
    read_timeout: Duration = 20.0
    """Seconds between bytes."""
    total_timeout: Duration = 60.0
    """Seconds for a whole fetch: body, redirects, retries and their waits included."""
    max_body_bytes: int = 10 * 1024 * 1024
    """Decoded body cap; longer bodies are cut off and the fetch fails."""
    max_redirects: int = 5
    """Redirect hops followed at most."""
    retries: int = 3
    """Retries on timeouts, 5xx and 429."""
    max_connections: int = 20
    """Concurrent requests overall."""
    per_host_connections: int = 4
    """Concurrent requests per host."""
    user_agent: str = "raqib/0.1 (+https://github.com/raqib-news/raqib)"
    """User-Agent sent with every request."""
    contact_url: str | None = None
    """Appended to the User-Agent so site owners can reach you."""
    allow_private_networks: bool = False
    """Allow loopback/private/link-local targets (tests, intranet feeds)."""


@dataclass(frozen=True)
class PageOptions:
    """How an article page is read (html sources, and .html files): CSS selectors."""

    content_selector: str | None = None
    """The article body (without one, the page's main text is guessed)."""
    remove_selectors: tuple[str, ...] = ()
    """Furniture to drop from the body."""
    title_selector: str | None = None
    """The headline."""
    date_selector: str | None = None
    """The publication date."""
