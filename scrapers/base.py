"""The Source protocol and the registry of source kinds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from scrapers.model import FetchResult

if TYPE_CHECKING:
    from bot.config import SourceConfig
    from scrapers.http import HttpClient
    from scrapers.work import WorkerPool


def _never_known(_: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class FetchContext:
    """What a source needs for one poll besides its own configuration."""

    client: HttpClient | None
    """The one careful HTTP client (None for sources that never fetch)."""
    validators: Mapping[str, str] = field(default_factory=dict)
    """ETag / Last-Modified stored from the previous poll of this source."""
    is_known: Callable[[str], bool] = _never_known
    """True for an article URL already stored, so its page need not be fetched again."""
    pool: WorkerPool | None = None
    """The worker pool for parsing and cleaning (None: a thread, for tools and tests)."""


class Source(Protocol):
    """A configured source of articles."""

    kind: ClassVar[str]
    """The `kind` key in `[[sources]]` that selects this class."""
    name: str
    """The configured source name."""

    async def fetch(self, ctx: FetchContext) -> FetchResult:
        """Poll once; never raises for a network or parse failure (it goes in the result)."""
        ...


SourceFactory = Callable[["SourceConfig"], Source]

KINDS: dict[str, SourceFactory] = {}
"""Source kinds by name: filled in by `scrapers/__init__.py`."""


def build_source(config: SourceConfig) -> Source:
    """The Source for one `[[sources]]` entry (its kind was validated at load)."""
    return KINDS[config.kind](config)
