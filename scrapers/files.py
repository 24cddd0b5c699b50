"""The `files` source: `.txt` and `.html` articles in a directory or a glob.

Files only ever come from the configuration (a chat can never add a files
source), and even then only files that really live under the configured path
are read: a symlink that escapes it is refused.

Metadata comes from an `index.toml` beside the files when there is one
(`[[articles]]` tables with `file`, `outlet`, `title`, `published`), else from
the file: the first non-empty line is the title, the date is the first Arabic
date in the text, else the file's modification time.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import os
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from scrapers.base import FetchContext, KindSource, SourceSpec
from scrapers.charset import decode
from scrapers.clean import clean_text, find_arabic_date
from scrapers.model import Article, FetchResult, PageProblem, content_hash
from scrapers.options import PageOptions, require
from scrapers.page import parse_page
from scrapers.work import run_cpu

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".html", ".htm"})
"""File kinds read; everything else in the directory is ignored."""
INDEX_NAME = "index.toml"
"""Metadata file looked for in each directory holding articles."""
MAX_FILE_BYTES = 5 * 1024 * 1024
"""A larger file is not an article: it is skipped with a warning."""
_GLOB_CHARS = frozenset("*?[")


class FilesError(Exception):
    """The configured path cannot be read (missing, or a bad index.toml)."""


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One `[[articles]]` table of an index.toml."""

    outlet: str | None
    """Outlet that published the article."""
    title: str | None
    """Headline."""
    published: datetime | None
    """Publication time in UTC."""


@dataclass(frozen=True)
class FilesOptions(PageOptions):
    """The options of a `files` source: keys of its `[[sources]]` table (the
    page selectors of `PageOptions` apply to its .html files)."""

    path: str | None = None
    """Directory or glob of .txt/.html files."""

    def __post_init__(self) -> None:
        require(self.path, "path", "a files source")


class FilesSource(KindSource[FilesOptions]):
    """Articles from local files named by the configuration."""

    kind = "files"
    Options = FilesOptions

    def __init__(self, spec: SourceSpec) -> None:
        super().__init__(spec)
        self.path: str = self.config.path or ""

    async def fetch(self, ctx: FetchContext) -> FetchResult:
        """Read every article file: the listing in a thread (file I/O blocks),
        each file in the worker pool; a file that cannot be read fails alone."""
        try:
            plan = await asyncio.to_thread(self.plan)
        except FilesError as exc:
            return FetchResult(error=str(exc))
        except OSError as exc:
            return FetchResult(error=f"cannot read {self.path}: {exc.strerror or exc}")
        results = await asyncio.gather(
            *(run_cpu(ctx.pool, self.read_one, path, meta, key=self.name) for path, meta in plan),
            return_exceptions=True,
        )
        articles: list[Article] = []
        problems: list[str] = []
        for (path, _meta), result in zip(plan, results, strict=True):
            if isinstance(result, Article):
                articles.append(result)
            elif isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result  # a cancellation
                problem = PageProblem(str(path), result)
                log.warning("source %s: skipping %s", self.name, problem)
                problems.append(str(problem))
        articles = self.newest(articles)
        if not articles:
            return FetchResult(empty_content=not problems, problems=tuple(problems))
        return FetchResult(articles=tuple(articles), problems=tuple(problems))

    def plan(self) -> list[tuple[Path, IndexEntry | None]]:
        """The article files under the configured path, each with its index
        entry (None when its folder's index.toml does not list it)."""
        _root, files = resolve_files(self.path)
        indexes: dict[Path, dict[str, IndexEntry]] = {}
        plan: list[tuple[Path, IndexEntry | None]] = []
        for path in files:
            folder = path.parent
            if folder not in indexes:
                indexes[folder] = read_index(folder / INDEX_NAME)
            plan.append((path, indexes[folder].get(path.name)))
        return plan

    def newest(self, articles: list[Article]) -> list[Article]:
        """`articles` oldest first: all of them (`max_articles` bounds what a feed
        or listing page is asked for; here the files are the user's own, and one
        left unread would never be)."""
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(articles, key=lambda a: (a.published or epoch, a.url))

    def read_all(self) -> list[Article]:
        """Every article under the configured path, oldest first; a file that
        cannot be read is skipped with a warning."""
        articles: list[Article] = []
        for path, meta in self.plan():
            try:
                article = self.read_one(path, meta)
            except Exception as exc:  # one bad file (deep HTML, bad bytes…) fails alone
                log.warning("source %s: skipping %s", self.name, PageProblem(str(path), exc))
                continue
            if article is not None:
                articles.append(article)
        return self.newest(articles)

    def read_one(self, path: Path, meta: IndexEntry | None) -> Article | None:
        """One file as an Article (None when it holds no text)."""
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            raise ValueError(f"larger than {MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
        url = path.as_uri()
        outlet = (meta.outlet if meta else None) or self.outlet
        if path.suffix.lower() == ".txt":
            text = clean_text(decode_text(raw))
            title = (meta.title if meta else None) or _first_line(text)
            published = meta.published if meta else None
            published = published or find_arabic_date(text)
        else:
            page = parse_page(
                decode(raw),
                url,
                content_selector=self.config.content_selector,
                remove_selectors=self.config.remove_selectors,
                title_selector=self.config.title_selector,
                date_selector=self.config.date_selector,
            )
            text = page.text
            title = (meta.title if meta else None) or page.title or _first_line(text)
            published = (meta.published if meta else None) or page.published
        if not text:
            log.info("source %s: %s holds no text", self.name, path)
            return None
        published = published or datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        return Article(
            url=url,
            guid=url,
            title=title,
            published=published,
            source=self.name,
            text=text,
            content_hash=content_hash(title, text),
            outlet=outlet,
        )


def resolve_files(spec: str) -> tuple[Path, list[Path]]:
    """The root that `spec` (a directory or a glob) confines reading to, and
    the article files under it, sorted; symlinks escaping the root refused."""
    expanded = os.path.expanduser(spec)
    if any(ch in _GLOB_CHARS for ch in expanded):
        parts = Path(expanded).parts
        fixed = _takewhile_plain(parts)
        root = Path(*fixed) if fixed else Path(".")
        candidates = [Path(p) for p in glob.glob(expanded, recursive=True)]
    else:
        root = Path(expanded)
        if not root.exists():
            raise FilesError(f"{spec}: no such directory")
        if root.is_file():
            candidates, root = [root], root.parent
        else:
            candidates = list(root.iterdir())
    real_root = root.resolve()
    if not real_root.is_dir():
        raise FilesError(f"{spec}: not a directory")
    files: list[Path] = []
    for path in sorted(candidates):
        if path.suffix.lower() not in SUFFIXES:
            continue
        real = path.resolve()
        if not real.is_relative_to(real_root):
            log.warning("refusing %s: it resolves outside %s", path, real_root)
            continue
        if real.is_file():
            files.append(path.absolute())
    return real_root, files


def _takewhile_plain(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if any(ch in _GLOB_CHARS for ch in part):
            break
        out.append(part)
    return out


def read_index(path: Path) -> dict[str, IndexEntry]:
    """The `[[articles]]` of an index.toml by file name ({} when there is none)."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FilesError(f"{path}: not a valid TOML index: {exc}") from exc
    entries = data.get("articles", [])
    if not isinstance(entries, list):
        raise FilesError(f"{path}: articles: expected [[articles]] tables")
    index: dict[str, IndexEntry] = {}
    for i, entry in enumerate(entries):
        where = f"{path}: articles[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise FilesError(f"{where}.file: required, a file name")
        unknown = set(entry) - {"file", "outlet", "title", "published"}
        if unknown:
            raise FilesError(f"{where}.{sorted(unknown)[0]}: unknown key")
        for key in ("outlet", "title"):
            if key in entry and not isinstance(entry[key], str):
                raise FilesError(f"{where}.{key}: expected a string")
        index[entry["file"]] = IndexEntry(
            outlet=entry.get("outlet"),
            title=entry.get("title"),
            published=_toml_time(entry.get("published"), f"{where}.published"),
        )
    return index


def _toml_time(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise FilesError(f"{where}: expected a TOML date or date-time")


def decode_text(raw: bytes) -> str:
    """A text file's text (`scrapers.charset.decode`: a BOM, UTF-8,
    windows-1256 for Arabic, then detection); ValueError for bytes that are
    not text."""
    return decode(raw, is_html=False, strict=True)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
