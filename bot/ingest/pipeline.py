"""From a source to changes: poll → new articles → figures → diff → changes
and outbox rows, one short SQLite transaction per source's poll (after its
extraction: `store_articles`), with the source's health record in it.

`process_articles` is a plain function over a list of articles (no network),
used by `raqib replay` and the tests; polling a source (and its health) is
`bot.ingest.poll`'s, which hands the fetched articles to `store_articles`.

The text analysed is the article's text with the headline in front unless
the text already starts with it (files and many pages repeat the headline as
their first line): headlines carry figures ("يرفع لنحو 1500…") and a figure
stated in both counts once.  Offsets of figures refer to that text, which is
what `articles.text` stores.

A change that alerts gets one outbox row per chat whose subscriptions match
(a chat subscribed to `displaced` and to `displaced deir-ez-zor` hears of it
once): `pending` for the per-change delivery, and `held` (`store_outbox.HELD`) when a
digest subscription of the chat matches, which `bot.delivery.digest` sends and marks; a
digest subscription never gets the change on its own, and a chat with both
kinds gets each once.  The change row keeps the outlets that had reported its
value at that moment (`changes.sources`): what the alert and the digest credit.
"""

from __future__ import annotations

import json
import logging
import math
import re
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

import figures as figure_engine
from bot.config.schema import AlertsConfig
from bot.ingest.subscriptions import matches
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
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
from scrapers.model import Article

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000
"""Characters of an article's text that are analysed and stored at most: a
news article is rarely over 100 KB, and the extractor's memory grows with the
text; a longer text is cut at a paragraph break, and the cut is recorded."""
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
    """The sentence holding text[start:end] and the figure's offsets in it.  A sentence
    longer than `SENTENCE_LIMIT` on a side is cut there at a word boundary, and the cut is
    marked with an ellipsis (the alert shows where the quote goes on)."""
    lo = max(0, start - SENTENCE_LIMIT)
    left = text[lo:start]
    cuts = list(_SENTENCE_END.finditer(left))
    s = lo + cuts[-1].end() if cuts else lo
    cut_left = not cuts and lo > 0 and not text[lo - 1].isspace()
    right = text[end : end + SENTENCE_LIMIT]
    m = _SENTENCE_END.search(right)
    e = end + (m.start() if m else len(right))
    cut_right = m is None and e < len(text) and not text[e].isspace()
    if cut_left:  # never start inside a word
        while s < start and not text[s].isspace():
            s += 1
    if cut_right:
        while e > end and not text[e - 1].isspace():
            e -= 1
    while s < start and text[s].isspace():
        s += 1
    head = "…" if (not cuts and lo > 0) else ""
    tail = "…" if (m is None and e < len(text) and text[e:].strip()) else ""
    body = text[s:e].rstrip()
    return f"{head}{body}{tail}", start - s + len(head), end - s + len(head)


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
    callers that already have them: a figure of theirs without any place
    takes the place the text names most)."""
    now = now or datetime.now(UTC)
    if store_figures.seen_versions(db, [(article.url, article.content_hash)]):
        return ArticleResult(article.url, True, 0, ())
    text = document_text(article)
    if found is None:
        analysed = Analysed(article, text, tuple(figure_engine.extract(text)))
    else:
        analysed = Analysed(article, text, tuple(found), dominant_place(text))
    (result,) = store_articles(db, [analysed], rules, now=now)
    return result


@dataclass(frozen=True, slots=True)
class Analysed:
    """An article with its figures, ready to store."""

    article: Article
    """The article (its text already bounded)."""
    text: str
    """`document_text(article)`: what the figures' offsets refer to."""
    figures: tuple[Figure, ...]
    """What was found in `text`."""
    default_place: str | None = None
    """The place of a figure that names neither a place nor a country (None
    for the engine's own figures: the engine places each figure itself, and
    one it leaves unplaced names two countries or none)."""


def store_articles(
    db: Database,
    items: Sequence[Analysed],
    rules: Rules,
    *,
    now: datetime,
    then: Callable[[Database], None] | None = None,
) -> list[ArticleResult]:
    """Store `items` in this order (their figures, the changes they make and
    the changes' outbox rows) in one transaction, and run `then` inside it (a
    poll's health record).  A version stored meanwhile by another writer is
    skipped.  One result per item.

    The transaction is one source's poll: short (the extraction is done
    before it), with few statements: the stored versions, the subscriptions,
    the next ids and the state of every key are each read once; the articles
    and the observations go in multi-row inserts and each key's final state
    in one upsert; only a change (and its outbox rows) is written on its own."""
    plans = [_plan(a, now) for a in items]  # (before the write lock is taken)
    done: dict[int, ArticleResult] = {}
    with store.write(db):
        seen = store_figures.seen_versions(
            db, [(a.article.url, a.article.content_hash) for a in items]
        )
        fresh: list[int] = []
        for i, a in enumerate(items):  # (a version twice in one batch, as a feed may list
            version = (a.article.url, a.article.content_hash)  # it, is stored once)
            if version not in seen:
                seen.add(version)
                fresh.append(i)
        if fresh:
            batch = _Batch(db, rules, now, [(items[i], plans[i]) for i in fresh])
            done = {i: batch.add(items[i], plans[i]) for i in fresh}
            batch.flush()
        if then is not None:
            then(db)
    for r in done.values():
        log.info("article %s: %d figure(s), %d change(s)", r.url, r.observations, len(r.changes))
    return [done.get(i) or ArticleResult(a.article.url, True, 0, ()) for i, a in enumerate(items)]


class _Batch:
    """The rows of one `store_articles` transaction: states read once and kept
    here as the articles move them, rows gathered until `flush`."""

    def __init__(
        self,
        db: Database,
        rules: Rules,
        now: datetime,
        items: Sequence[tuple[Analysed, list[tuple[Key, Observation, Role]]]],
    ):
        self.db = db
        self.rules = rules
        self.now = now
        ids = store.next_ids(db, ("articles", "observations"))
        # ids known up front (no other writer inside `write`): a change row points
        # at its observation and the observation at its change without a second write
        self.next_article, self.next_observation = ids
        store_figures.insert_articles(
            db, [_article_row(self.next_article + i, a, now) for i, (a, _p) in enumerate(items)]
        )
        self.subs = store_outbox.active_subscriptions(db)
        # one statement per key per article (plan_article): every key's state is
        # read once, all of them in one query
        keys = {key for _a, plan in items for key, _o, role in plan if role is Role.STATEMENT}
        self.states: dict[Key, State] = store_figures.get_states(db, keys)
        self.moved: set[Key] = set()
        self.observations: list[dict[str, Any]] = []

    def add(self, a: Analysed, plan: list[tuple[Key, Observation, Role]]) -> ArticleResult:
        """Diff one article's statements (`plan`) against the states so far."""
        db, rules, now = self.db, self.rules, self.now
        article_id = self.next_article
        self.next_article += 1
        outlet = a.article.outlet or a.article.source
        background: dict[Key, list[Observation]] = {}
        for key, obs, role in plan:
            if role is Role.CONTEXT:
                background.setdefault(key, []).append(obs)
        stored: list[StoredChange] = []
        notes: list[Note] = []
        for key, obs, role in plan:
            obs_id = self.next_observation
            self.next_observation += 1
            fine = obs.figure.place or a.default_place
            if role is Role.CONTEXT:
                self.observations.append(
                    _observation_row(obs_id, article_id, key, obs, fine, a.text, "context", None)
                )
                continue
            state = self.states.get(key)
            decision = diff(state, obs, rules, key=key, background=background.get(key, ()))
            if decision.verdict is Verdict.EVENT and state is not None:
                # a new event against the latest: is it one of the period's others again?
                events = store_figures.events_near(db, key, obs.published, rules.event_dedupe)
                if events:
                    decision = diff(
                        state,
                        obs,
                        rules,
                        key=key,
                        background=background.get(key, ()),
                        events=events,
                    )
            if decision.state is not None:
                self.states[key] = decision.state
                self.moved.add(key)
            status = "older" if decision.verdict is Verdict.OLDER else "statement"
            verdict = decision.verdict.value
            if decision.change is None:
                self.observations.append(
                    _observation_row(obs_id, article_id, key, obs, fine, a.text, status, verdict)
                )
                notes.append(Note(decision.verdict, key, obs, decision.state or state))
                continue
            # the credit as of the change: who had reported its value by now (a
            # conflict leaves the state alone, so only its own outlet)
            current = decision.state or state
            agreeing = current is not None and decision.verdict is not Verdict.CONFLICT
            sources = current.sources if agreeing and current else (outlet,)
            change_id = store_figures.insert_change(
                db, _change_row(article_id, obs_id, decision.change, now, sources)
            )
            self.observations.append(
                _observation_row(
                    obs_id, article_id, key, obs, fine, a.text, status, verdict, change_id
                )
            )
            queued = 0
            if decision.change.alert:
                queued = _queue(db, self.subs, change_id, key, fine, now)
            stored.append(StoredChange(change_id, decision.change, sources, queued))
        return ArticleResult(a.article.url, False, len(a.figures), tuple(stored), tuple(notes))

    def flush(self) -> None:
        """Write the observations and each moved key's final state."""
        store_figures.insert_observations(self.db, self.observations)
        store_figures.put_states(self.db, [self.states[k] for k in self.moved], self.now)
        self.observations = []
        self.moved = set()


def _plan(a: Analysed, now: datetime) -> list[tuple[Key, Observation, Role]]:
    """The article's figures keyed, each as a statement or context (`plan_article`)."""
    article = a.article
    published = article.published or now
    outlet = article.outlet or article.source
    keyed: list[tuple[Key, Observation]] = []
    for f in a.figures:
        fine = f.place if f.place or f.country else a.default_place
        obs = Observation(f, article.url, article.title, article.source, outlet, published)
        keyed.append((key_of(f, top_place(fine)), obs))
    return list(plan_article(keyed))


def _article_row(article_id: int, a: Analysed, now: datetime) -> dict[str, Any]:
    article = a.article
    return {
        "id": article_id,
        "url": article.url,
        "guid": article.guid,
        "source": article.source,
        "outlet": article.outlet or article.source,
        "title": article.title,
        "published": store.iso(article.published or now),
        "content_hash": article.content_hash,
        "text": a.text,
        "fetched_at": store.iso(now),
    }


def publication_order(articles: Iterable[Article]) -> list[Article]:
    """`articles` in publication order (unknown dates last, by URL)."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(articles, key=lambda a: (a.published or far, a.url))


def bounded(article: Article, limit: int = MAX_TEXT_CHARS) -> tuple[Article, str | None]:
    """`article` with its text cut to at most `limit` characters (at the last
    paragraph break, else the last space, before the limit), and a line saying
    so; the article itself and None when it is short enough.  The content hash
    stays the fetched version's, so the same long text is not cut twice."""
    text = article.text
    if len(text) <= limit:
        return article, None
    cut = text.rfind("\n\n", 0, limit + 1)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit + 1)
    if cut < limit // 2:
        cut = limit
    kept = text[:cut].rstrip()
    why = (
        f"{article.url}: text of {len(text):,} characters cut to {len(kept):,} "
        f"(at most {limit:,} are read)"
    )
    return replace(article, text=kept), why


def process_articles(
    db: Database,
    articles: Iterable[Article],
    rules: Rules,
    *,
    now: datetime | None = None,
    shown: Callable[[list[Article]], Iterable[Article]] = iter,
) -> list[ArticleResult]:
    """Process `articles` in publication order (unknown dates last, by URL),
    each text bounded (`bounded`), `REPLAY_BATCH` of them to a transaction;
    `shown` wraps the ordered list as it is worked through
    (`bot.cli.progress.progress` for a long replay)."""
    now = now or datetime.now(UTC)
    ordered = publication_order(articles)
    seen = store_figures.seen_versions(db, [(a.url, a.content_hash) for a in ordered])
    done: list[ArticleResult | None] = []
    batch: list[tuple[int, Analysed]] = []

    def flush() -> None:
        stored = store_articles(db, [a for _i, a in batch], rules, now=now)
        for (i, _a), result in zip(batch, stored, strict=True):
            done[i] = result
        batch.clear()

    for article in shown(ordered):
        if (article.url, article.content_hash) in seen:  # stored before: not analysed again
            done.append(ArticleResult(article.url, True, 0, ()))
            continue
        article, cut = bounded(article)
        if cut:
            log.warning("article %s", cut)
        text = document_text(article)
        batch.append((len(done), Analysed(article, text, tuple(figure_engine.extract(text)))))
        done.append(None)
        if len(batch) >= REPLAY_BATCH:
            flush()
    if batch:
        flush()
    return [r for r in done if r is not None]


REPLAY_BATCH = 50
"""Articles `process_articles` stores per transaction (their texts and figures are
held until then: a bound on memory, and on how long the write lock is held)."""


def _observation_row(
    obs_id: int,
    article_id: int,
    key: Key,
    obs: Observation,
    fine_place: str | None,
    text: str,
    status: str,
    verdict: str | None,
    change_id: int | None = None,
) -> dict[str, Any]:
    f = obs.figure
    low, high = _stored_interval(f)
    sentence, s, e = sentence_around(text, f.start, f.end) if f.end > f.start else (f.quote, 0, 0)
    return {
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
    }


def _stored_interval(f: Figure) -> tuple[float, float | None]:
    """The figure's interval as stored (an open end is NULL)."""
    low, high = interval(f.value, f.qualifier, f.vague)
    return low, high if math.isfinite(high) else None


def _change_row(
    article_id: int,
    obs_id: int,
    change: Change,
    now: datetime,
    sources: Sequence[str] = (),
) -> dict[str, Any]:
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
        "sources": json.dumps(list(sources), ensure_ascii=False),
    }
    return row


def _queue(
    db: Database,
    subs: Sequence[store_outbox.Subscription],
    change_id: int,
    key: Key,
    fine_place: str | None,
    now: datetime,
) -> int:
    """Queue `change_id` once per chat whose subscriptions match (the union of
    them: one row for the instant ones, one held row for the digest ones); how
    many rows.  A row lists every matching subscription, the first of them as
    `subscription_id` (its language is the alert's)."""
    groups: dict[tuple[str, str, bool], list[int]] = {}
    for s in subs:
        if matches(s.metrics, s.places, key.metric.value, (key.place, fine_place)):
            groups.setdefault((s.transport, s.chat_id, s.digest), []).append(s.id)
    store_outbox.insert_outbox(
        db,
        [
            {
                "change_id": change_id,
                "subscription_id": ids[0],
                "subscriptions": json.dumps(ids),
                "transport": transport,
                "chat_id": chat_id,
                "status": store_outbox.HELD if digest else store_outbox.PENDING,
                "attempts": 0,
                "created_at": store.iso(now),
            }
            for (transport, chat_id, digest), ids in groups.items()
        ],
    )
    return len(groups)
