"""The Source protocol and the table of source kinds.

`KINDS` names, in this one place, each kind's class by module and name; a
kind's module is imported when a source of that kind is configured, never by
the side effect of importing another.  A source is built from a `SourceSpec`:
its name, kind, outlet and its kind's own options (`RssSource.Options`…, a
frozen dataclass declared beside the source's code, which validates itself)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from scrapers.model import FetchResult

if TYPE_CHECKING:
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


class SourceSpec(Protocol):
    """What a source is built from (bot/config/schema.py's `SourceConfig` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def outlet(self) -> str | None: ...
    @property
    def options(self) -> object: ...


KINDS: Mapping[str, str] = MappingProxyType(
    {
        "files": "scrapers.files:FilesSource",
        "html": "scrapers.html:HtmlSource",
        "rss": "scrapers.rss:RssSource",
    }
)
"""Each source kind (the `kind` key of `[[sources]]`) -> its class, `module:name`."""


class UnknownKind(ValueError):
    """A `kind` that is not in `KINDS`; the message lists the known ones."""

    def __init__(self, kind: object) -> None:
        super().__init__(f"expected one of {', '.join(sorted(KINDS))}, got {kind!r}")


def source_class(kind: str) -> Any:
    """The class of source kind `kind` (its module imported now), with its
    `Options` dataclass; UnknownKind when there is no such kind."""
    target = KINDS.get(kind) if isinstance(kind, str) else None
    if target is None:
        raise UnknownKind(kind)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def build_source(spec: SourceSpec) -> Source:
    """The Source for one `[[sources]]` entry (its kind was validated at load)."""
    source: Source = source_class(spec.kind)(spec)
    return source


OptionsT = TypeVar("OptionsT")


def options_of(spec: SourceSpec, cls: type[OptionsT]) -> OptionsT:
    """`spec`'s options, which must be of the kind's own options class `cls`."""
    if not isinstance(spec.options, cls):
        got = type(spec.options).__name__
        raise TypeError(f"source {spec.name}: expected {cls.__name__} options, got {got}")
    return spec.options


class KindSource(Generic[OptionsT]):
    """What the class of every source kind shares: its `kind`, its `Options`
    class, and how it is built from a `SourceSpec` (`config` is its options)."""

    kind: ClassVar[str]
    Options: ClassVar[type[Any]]

    def __init__(self, spec: SourceSpec) -> None:
        self.name = spec.name
        self.outlet = spec.outlet
        self.config: OptionsT = options_of(spec, self.Options)
