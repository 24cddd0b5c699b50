"""Polling: which sources are due (`due_sources`), how long a failing one waits
(`backoff`), one source polled and its health recorded (`poll_source`), and every
due source polled at once (`poll_due`); what the articles become is
`bot.ingest.pipeline`'s job, which `poll_source` hands them to in one
transaction with the source's health record."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

import figures as figure_engine
from bot.config.schema import Config, SourceConfig
from bot.ingest.pipeline import (
    Analysed,
    ArticleResult,
    StoredChange,
    bounded,
    document_text,
    publication_order,
    rules_from_config,
    store_articles,
)
from bot.store import figures as store_figures
from bot.store import sources as store_sources
from figures.diff import Rules
from figures.model import Figure
from scrapers.base import FetchContext, Source, build_source
from scrapers.model import Article, FetchResult, describe
from scrapers.work import WorkerPool, run_cpu

log = logging.getLogger(__name__)

MAX_BACKOFF = 24 * 3600.0
"""A failing source is retried at least once a day."""


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one source did."""

    source: str
    """Source name."""
    error: str | None
    """Why the poll failed, if it did."""
    empty_content: bool
    """Fetched fine, no article text."""
    articles: tuple[ArticleResult, ...]
    """One per article the source returned."""
    next_due: datetime
    """When to poll it again."""
    problems: tuple[str, ...] = ()
    """Documents that failed alone (pages, files, articles cut or not
    analysed), one line each; the rest of the poll was stored."""

    @property
    def changes(self) -> list[StoredChange]:
        """Every change recorded by this poll."""
        return [c for a in self.articles for c in a.changes]


def backoff(interval: float, failures: int) -> float:
    """Seconds to the next poll after `failures` failures in a row: the
    interval, doubled per failure, at most a day (never less than the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(interval * 2.0 ** min(failures, 20), MAX_BACKOFF))


def due_sources(db: Database, config: Config, now: datetime) -> list[SourceConfig]:
    """Enabled sources whose next poll is due by `now`."""
    healths = store_sources.sources_health(db, [sc.name for sc in config.sources if sc.enabled])
    due = []
    for sc in config.sources:
        health = healths.get(sc.name)
        if not sc.enabled or (health is not None and not health.enabled):
            continue
        if health is None or health.next_due is None or health.next_due <= now:
            due.append(sc)
    return due


Found = tuple[Figure, ...] | str
"""What the engine found in one text, or why it could not read it."""


def extract_each(texts: Sequence[str]) -> list[Found]:
    """The figures of each text, in a worker: one job for a source's articles,
    so their texts and figures cross between processes once, not once each
    (bench/poll.py: about half the pool's time on a 20-article feed). A text the
    engine fails on fails alone: its entry is the error, not the batch."""
    found: list[Found] = []
    for text in texts:
        try:
            found.append(tuple(figure_engine.extract(text)))
        except Exception as exc:
            found.append(describe(exc))
    return found


async def analyse_all(pool: WorkerPool | None, texts: list[str], *, key: str) -> list[Found]:
    """`extract_each(texts)` as one job of `pool`; when that job fails as a
    whole (over the time limit of one document, a worker killed), each text
    again as its own job, so that the one that cannot be read fails alone and
    the others are stored."""
    if not texts:
        return []
    try:
        return await run_cpu(pool, extract_each, texts, key=key)
    except Exception as exc:
        if len(texts) == 1:
            return [describe(exc)]
        log.info("%s: %d articles analysed one by one (%s)", key, len(texts), describe(exc))
    alone = await asyncio.gather(*(analyse_all(pool, [text], key=key) for text in texts))
    return [found for (found,) in alone]


async def poll_source(
    db: Database,
    source: Source,
    interval: float,
    rules: Rules,
    *,
    client: Any = None,
    pool: WorkerPool | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PollResult:
    """Poll `source` once, process what it returns, record its health.

    Parsing and extraction run in `pool` (a thread without one); a document
    that fails (a page too deep, an extraction over its time limit) fails
    alone: it is logged and recorded, and the rest of the poll is stored."""
    health = store_sources.source_health(db, source.name)
    ctx = FetchContext(
        client=client,
        validators=health.validators,
        is_known=lambda url: store_figures.url_known(db, url),
        pool=pool,
    )
    try:
        result = await source.fetch(ctx)
    except Exception as exc:  # a source must not take the service down
        log.exception("source %s: fetch raised", source.name)
        result = FetchResult(error=f"{type(exc).__name__}: {exc}")
    started = now()
    if result.error is not None:
        from scrapers.urls import mask_urls

        result = replace(result, error=mask_urls(result.error))
        failures = health.consecutive_failures + 1
        next_due = started + timedelta(seconds=backoff(interval, failures))
        log.warning("source %s: poll failed (%d in a row): %s", source.name, failures, result.error)
        store_sources.record_poll(
            db, source.name, now=started, next_due=next_due, error=result.error
        )
        return PollResult(source.name, result.error, False, (), next_due)
    problems = list(result.problems)
    articles = publication_order(result.articles)
    seen = store_figures.seen_versions(db, [(a.url, a.content_hash) for a in articles])
    slots: list[ArticleResult | Analysed | None] = []
    todo: list[tuple[int, Article, str]] = []  # (slot, article, its text) to analyse
    for article in articles:
        if (article.url, article.content_hash) in seen:
            slots.append(ArticleResult(article.url, True, 0, ()))
            continue
        article, cut = bounded(article)  # (the hash is the fetched version's: seen above)
        if cut:
            log.warning("source %s: %s", source.name, cut)
            problems.append(cut)
        todo.append((len(slots), article, document_text(article)))
        slots.append(None)
    for (slot, article, text), found in zip(
        todo, await analyse_all(pool, [text for _s, _a, text in todo], key=source.name), strict=True
    ):
        if isinstance(found, str):  # one article that cannot be analysed fails alone
            problem = f"{article.url}: not analysed: {found}"
            log.warning("source %s: %s", source.name, problem)
            problems.append(problem)
        else:
            slots[slot] = Analysed(article, text, found)
    next_due = started + timedelta(seconds=interval)
    if result.empty_content:
        log.warning("source %s: fetched, but found no article text", source.name)
    validators = dict(result.validators) if result.validators else None
    summary = None
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        summary = f"{len(problems)} document(s) failed alone: {problems[0]}{more}"[:500]

    def health_record(db: Database) -> None:
        # in the articles' transaction: the validators that make the next poll a 304
        # are stored with the articles they stand for, or not at all
        store_sources.save_poll(
            db,
            source.name,
            now=now(),
            next_due=next_due,
            empty_content=result.empty_content,
            validators=validators,
            problem=summary,
        )

    fresh = [s for s in slots if isinstance(s, Analysed)]
    stored = iter(store_articles(db, fresh, rules, now=started, then=health_record))
    done = [s if isinstance(s, ArticleResult) else next(stored) for s in slots if s is not None]
    return PollResult(
        source.name, None, result.empty_content, tuple(done), next_due, tuple(problems)
    )


async def poll_due(
    db: Database,
    config: Config,
    *,
    client: Any = None,
    pool: WorkerPool | None = None,
    now: datetime | None = None,
    on_result: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every due source once, at most `[network] max_connections` of
    them at a time (with one HTTP client and one worker pool for the lot,
    made here unless given).

    With `on_result`, each result is handed to it as soon as it and every
    source listed before it are done (the configuration's order, so output
    reads the same every time), then dropped, and the list returned is
    empty; without it, the results are returned in that order."""
    moment = now or datetime.now(UTC)
    rules = rules_from_config(config.alerts)
    due = due_sources(db, config, moment)
    if pool is None and due:
        own_pool = WorkerPool()
        own_pool.warm()  # the workers start while the first fetches are on the wire
        try:
            return await poll_due(
                db, config, client=client, pool=own_pool, now=moment, on_result=on_result
            )
        finally:
            own_pool.close()
    if client is None and any(sc.kind != "files" for sc in due):
        from scrapers.http import HttpClient

        async with HttpClient(config.network) as own:
            return await poll_due(
                db, config, client=own, pool=pool, now=moment, on_result=on_result
            )
    kept: list[PollResult] = []
    emit = on_result or kept.append
    ready: dict[int, PollResult] = {}
    next_out = 0
    limit = asyncio.Semaphore(max(1, config.network.max_connections))

    async def one(i: int, sc: SourceConfig) -> None:
        nonlocal next_out
        async with limit:
            result = await poll_source(
                db, build_source(sc), sc.interval, rules, client=client, pool=pool
            )
        ready[i] = result
        while next_out in ready:
            emit(ready.pop(next_out))
            next_out += 1

    await asyncio.gather(*(one(i, sc) for i, sc in enumerate(due)))
    return kept
