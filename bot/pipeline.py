"""From a source to changes: poll → new articles → figures → diff → changes
and outbox rows, one SQLite transaction per article.

`process_articles` is a plain function over a list of articles (no network),
used by `raqib replay` and the tests; `poll_source` polls one source and
records its health, so the scheduler calls it once per due source.

The text analysed is the article's text with the headline in front unless
the text already starts with it (files and many pages repeat the headline as
their first line): headlines carry figures ("يرفع لنحو 1500…") and a figure
stated in both counts once.  Offsets of figures refer to that text, which is
what `articles.text` stores.

A change that alerts gets one outbox row per matching subscription: `pending`
for the per-change delivery, or `held` (`store.HELD`) for a subscription with
a daily digest, which `bot.digest` sends and marks; a digest chat never gets
the change on its own.
"""

from __future__ import annotations

import logging
import math
import re
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

import figures as figure_engine
from bot import store
from bot.config import AlertsConfig, Config, SourceConfig
from bot.subscriptions import matches
from figures import gazetteer
from figures.diff import (
    Change,
    Key,
    Observation,
    Role,
    Rules,
    State,
    Threshold,
    Verdict,
    diff,
    interval,
    key_of,
    plan_article,
    top_place,
)
from figures.model import Figure
from figures.text import normalize
from scrapers.base import FetchContext, Source, build_source
from scrapers.model import Article, FetchResult

log = logging.getLogger(__name__)

MAX_BACKOFF = 24 * 3600.0
"""A failing source is retried at least once a day."""
SENTENCE_LIMIT = 240
"""At most this many characters of context each side of a figure in an alert quote."""
_SENTENCE_END = re.compile(r"[.!?؟\n]|،\s*و")


def rules_from_config(alerts: AlertsConfig) -> Rules:
    """The diff rules from `[alerts]` (figures/ knows nothing of bot/)."""
    thresholds = {
        name: Threshold(absolute=t.absolute, relative=t.relative)
        for name, t in alerts.thresholds.items()
    }
    return Rules(
        thresholds=types.MappingProxyType(thresholds),
        alert_new=alerts.alert_new,
        alert_conflicts=alerts.alert_conflicts,
        event_dedupe=alerts.event_dedupe,
    )


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A change as written, with what a one-line report needs."""

    id: int
    """Row id in `changes`."""
    change: Change
    """The change itself."""
    sources: tuple[str, ...]
    """Outlets that agree with the key's value after this article."""
    outbox_rows: int
    """Messages queued for it."""


@dataclass(frozen=True, slots=True)
class Note:
    """A statement that made no change, for reports."""

    verdict: Verdict
    """corroboration, repeat, minor or older."""
    key: Key
    """The series."""
    observation: Observation
    """The report."""
    state: State | None
    """The key's state after it."""


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What processing one article did."""

    url: str
    """The article."""
    skipped: bool
    """True when this version was already stored (nothing was done)."""
    observations: int
    """Figures recorded."""
    changes: tuple[StoredChange, ...]
    """Changes recorded, in text order."""
    notes: tuple[Note, ...] = ()
    """Statements that made no change (corroborations, repeats, minor, older)."""


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

    @property
    def changes(self) -> list[StoredChange]:
        """Every change recorded by this poll."""
        return [c for a in self.articles for c in a.changes]


# ---------------------------------------------------------------- articles


def document_text(article: Article) -> str:
    """The text to analyse: the headline, then the text, unless the text
    already starts with the headline."""
    head = " ".join(article.title.split())
    first = " ".join(article.text.lstrip()[: len(article.title) + 40].split())
    if not head or first.startswith(head):
        return article.text
    return f"{article.title}\n\n{article.text}"


def dominant_place(text: str) -> str | None:
    """The top-level place named most often in `text` (ties: first named)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for mention in gazetteer.find_places(normalize(text).text):
        top = top_place(mention.id) or mention.id
        counts[top] += 1
        first.setdefault(top, mention.start)
    if not counts:
        return None
    return min(counts, key=lambda p: (-counts[p], first[p]))


def sentence_around(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence holding text[start:end] and the figure's offsets in it."""
    lo = max(0, start - SENTENCE_LIMIT)
    left = text[lo:start]
    cuts = list(_SENTENCE_END.finditer(left))
    s = lo + cuts[-1].end() if cuts else lo
    right = text[end : end + SENTENCE_LIMIT]
    m = _SENTENCE_END.search(right)
    e = end + (m.start() if m else len(right))
    while s < start and text[s].isspace():
        s += 1
    return text[s:e].rstrip(), start - s, end - s


def process_article(
    db: Database,
    article: Article,
    rules: Rules,
    *,
    now: datetime | None = None,
    found: Sequence[Figure] | None = None,
) -> ArticleResult:
    """Store one article, its figures, the changes they make and their outbox
    rows, in one transaction.  The same version (URL and content hash) twice
    is skipped.  `found` gives the figures instead of extracting them (for
    callers that already have them)."""
    now = now or datetime.now(UTC)
    if store.article_seen(db, article.url, article.content_hash):
        return ArticleResult(article.url, True, 0, ())
    text = document_text(article)
    figs = list(figure_engine.extract(text) if found is None else found)
    published = article.published or now
    outlet = article.outlet or article.source
    # the engine places each figure itself (None: two countries, or none
    # named); figures given by a caller without any place take the text's
    default_place = dominant_place(text) if found is not None else None
    keyed: list[tuple[Key, Observation]] = []
    for f in figs:
        fine = f.place if f.place or f.country else default_place
        obs = Observation(f, article.url, article.title, article.source, outlet, published)
        keyed.append((key_of(f, top_place(fine)), obs))
    plan = plan_article(keyed)
    background: dict[Key, list[Observation]] = {}
    for key, obs, role in plan:
        if role is Role.CONTEXT:
            background.setdefault(key, []).append(obs)
    subs = store.active_subscriptions(db)
    stored: list[StoredChange] = []
    notes: list[Note] = []
    with store.write(db):
        if store.article_seen(db, article.url, article.content_hash):  # a racing writer
            return ArticleResult(article.url, True, 0, ())
        article_id = store.insert_article(
            db,
            {
                "url": article.url,
                "guid": article.guid,
                "source": article.source,
                "outlet": outlet,
                "title": article.title,
                "published": store.iso(published),
                "content_hash": article.content_hash,
                "text": text,
                "fetched_at": store.iso(now),
            },
        )
        # one statement per key per article (plan_article): each key's state is
        # read once, all of them in one query
        states = store.get_states(db, [key for key, _obs, role in plan if role is Role.STATEMENT])
        # observation ids are known up front, so a change row can point at its
        # observation and the observation at its change without a second write
        first_id = store.next_id(db, "observations")
        for obs_id, (key, obs, role) in enumerate(plan, start=first_id):
            fine = obs.figure.place or default_place
            if role is Role.CONTEXT:
                _insert_observation(db, obs_id, article_id, key, obs, fine, text, "context", None)
                continue
            state = states.get(key)
            decision = diff(state, obs, rules, key=key, background=background.get(key, ()))
            if decision.state is not None:
                store.put_state(db, decision.state, now)
            status = "older" if decision.verdict is Verdict.OLDER else "statement"
            verdict = decision.verdict.value
            if decision.change is None:
                _insert_observation(db, obs_id, article_id, key, obs, fine, text, status, verdict)
                notes.append(Note(decision.verdict, key, obs, decision.state or state))
                continue
            change_id = _insert_change(db, article_id, obs_id, decision.change, now)
            _insert_observation(
                db, obs_id, article_id, key, obs, fine, text, status, verdict, change_id
            )
            queued = 0
            if decision.change.alert:
                queued = _queue(db, subs, change_id, key, fine, now)
            current = decision.state or state
            sources = current.sources if current else (outlet,)
            stored.append(StoredChange(change_id, decision.change, sources, queued))
    log.info("article %s: %d figure(s), %d change(s)", article.url, len(figs), len(stored))
    return ArticleResult(article.url, False, len(figs), tuple(stored), tuple(notes))


def process_articles(
    db: Database, articles: Iterable[Article], rules: Rules, *, now: datetime | None = None
) -> list[ArticleResult]:
    """Process `articles` in publication order (unknown dates last, by URL)."""
    far = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(articles, key=lambda a: (a.published or far, a.url))
    return [process_article(db, a, rules, now=now) for a in ordered]


def _insert_observation(
    db: Database,
    obs_id: int,
    article_id: int,
    key: Key,
    obs: Observation,
    fine_place: str | None,
    text: str,
    status: str,
    verdict: str | None,
    change_id: int | None = None,
) -> int:
    f = obs.figure
    low, high = _stored_interval(f)
    sentence, s, e = sentence_around(text, f.start, f.end) if f.end > f.start else (f.quote, 0, 0)
    return store.insert_row(
        db,
        "observations",
        {
            "id": obs_id,
            "article_id": article_id,
            "key": store.key_text(key),
            "metric": f.metric.value,
            "value": f.value,
            "unit": f.unit.value,
            "qualifier": f.qualifier.value,
            "vague": int(f.vague),
            "low": low,
            "high": high,
            "scope": f.scope.value,
            "window": f.window,
            "since": f.since,
            "place": key.place,
            "fine_place": fine_place,
            "party": f.party,
            "quote": f.quote,
            "start": f.start,
            "end": f.end,
            "sentence": sentence,
            "sentence_start": s,
            "sentence_end": e,
            "outlet": obs.outlet,
            "published": store.iso(obs.published),
            "status": status,
            "verdict": verdict,
            "change_id": change_id,
        },
    )


def _stored_interval(f: Figure) -> tuple[float, float | None]:
    """The figure's interval as stored (an open end is NULL)."""
    low, high = interval(f.value, f.qualifier, f.vague)
    return low, high if math.isfinite(high) else None


def _insert_change(
    db: Database, article_id: int, obs_id: int, change: Change, now: datetime
) -> int:
    k, f, prev = change.key, change.observation.figure, change.previous
    row: dict[str, Any] = {
        "kind": change.kind.value,
        "key": store.key_text(k),
        "metric": k.metric.value,
        "place": k.place,
        "party": k.party,
        "scope": k.scope.value,
        "window": k.window,
        "since": k.since,
        "unit": k.unit.value,
        "article_id": article_id,
        "observation_id": obs_id,
        "value": f.value,
        "qualifier": f.qualifier.value,
        "vague": int(f.vague),
        "prev_value": prev.value if prev else None,
        "prev_qualifier": prev.qualifier.value if prev else None,
        "prev_vague": int(prev.vague) if prev else None,
        "prev_as_of": store.iso(prev.as_of) if prev else None,
        "prev_outlet": prev.outlet if prev else None,
        "alert": int(change.alert),
        "published": store.iso(change.observation.published),
        "created_at": store.iso(now),
    }
    return store.insert_row(db, "changes", row)


def _queue(
    db: Database,
    subs: Sequence[store.Subscription],
    change_id: int,
    key: Key,
    fine_place: str | None,
    now: datetime,
) -> int:
    """Queue `change_id` for every subscription whose filter matches (held for
    digest subscriptions); how many rows."""
    rows = [
        {
            "change_id": change_id,
            "subscription_id": s.id,
            "transport": s.transport,
            "chat_id": s.chat_id,
            "status": store.HELD if s.digest else store.PENDING,
            "attempts": 0,
            "created_at": store.iso(now),
        }
        for s in subs
        if matches(s.metrics, s.places, key.metric.value, (key.place, fine_place))
    ]
    for row in rows:
        store.insert_row(db, "outbox", row)
    return len(rows)


# ---------------------------------------------------------------- sources


def backoff(interval: float, failures: int) -> float:
    """Seconds to the next poll after `failures` failures in a row: the
    interval, doubled per failure, at most a day (never less than the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(interval * 2.0 ** min(failures, 20), MAX_BACKOFF))


def due_sources(db: Database, config: Config, now: datetime) -> list[SourceConfig]:
    """Enabled sources whose next poll is due by `now`."""
    due = []
    for sc in config.sources:
        if not sc.enabled:
            continue
        health = store.source_health(db, sc.name)
        if not health.enabled:
            continue
        if health.next_due is None or health.next_due <= now:
            due.append(sc)
    return due


async def poll_source(
    db: Database,
    source: Source,
    interval: float,
    rules: Rules,
    *,
    client: Any = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PollResult:
    """Poll `source` once, process what it returns, record its health."""
    health = store.source_health(db, source.name)
    ctx = FetchContext(
        client=client,
        validators=health.validators,
        is_known=lambda url: store.url_known(db, url),
    )
    try:
        result = await source.fetch(ctx)
    except Exception as exc:  # a source must not take the service down
        log.exception("source %s: fetch raised", source.name)
        result = FetchResult(error=f"{type(exc).__name__}: {exc}")
    started = now()
    if result.error is not None:
        failures = health.consecutive_failures + 1
        next_due = started + timedelta(seconds=backoff(interval, failures))
        log.warning("source %s: poll failed (%d in a row): %s", source.name, failures, result.error)
        store.record_poll(db, source.name, now=started, next_due=next_due, error=result.error)
        return PollResult(source.name, result.error, False, (), next_due)
    done = process_articles(db, result.articles, rules, now=started)
    next_due = started + timedelta(seconds=interval)
    if result.empty_content:
        log.warning("source %s: fetched, but found no article text", source.name)
    validators = dict(result.validators) if result.validators else None
    store.record_poll(
        db,
        source.name,
        now=now(),
        next_due=next_due,
        empty_content=result.empty_content,
        validators=validators,
    )
    return PollResult(source.name, None, result.empty_content, tuple(done), next_due)


async def poll_due(
    db: Database, config: Config, *, client: Any = None, now: datetime | None = None
) -> list[PollResult]:
    """Poll every due source once, one after the other (with one HTTP client
    for the lot, made here from `[network]` unless given)."""
    moment = now or datetime.now(UTC)
    rules = rules_from_config(config.alerts)
    due = due_sources(db, config, moment)
    if client is None and any(sc.kind != "files" for sc in due):
        from scrapers.http import HttpClient

        async with HttpClient(config.network) as own:
            return await poll_due(db, config, client=own, now=moment)
    results = []
    for sc in due:
        source = build_source(sc)
        results.append(await poll_source(db, source, sc.interval, rules, client=client))
    return results
