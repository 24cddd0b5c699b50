"""The SQLite store: connections, and the queries the pipeline, the delivery
loop and the commands use.  All SQL of the package lives here and in three
siblings by topic: `bot.store.schema` (the migrations), `bot.store.outbox`
(chats, subscriptions' small queries, the outbox's holds, counts and digest
rows) and `bot.store.admin` (admin edits, the audit log, the status reads);
`tests/test_store_only.py` keeps it so.

Every connection (`open_db`) sets:

- `journal_mode=WAL`: readers (chat commands) never block the writer (the
  pipeline) and the writer never blocks them;
- `synchronous=NORMAL`, explicitly: in WAL mode this is safe against an
  application crash (a committed transaction is in the WAL before COMMIT
  returns) and only a power loss can forget the last few commits, never
  corrupt the file; `FULL` would fsync on every poll's commit, which costs
  far more than it buys for data that the next poll fetches again.  The
  outbox stays whole either way: a change, its outbox rows, the state it
  moved and the source's validators are one transaction, so a commit lost to
  a power cut loses all of them together, and the next poll (no 304: the
  validators were lost too) stores and queues them again (at worst an alert
  sent in the moment before the cut is sent twice; none is ever lost);
- `busy_timeout`: a second process waits for the lock instead of failing;
- `cache_size`: a page cache of `CACHE_KIB` instead of 2 MiB;
- `foreign_keys=ON`: outbox rows cannot point at a missing change.

Writes that read first (the diff reads the state it then replaces) run in
`write(db)`, a `BEGIN IMMEDIATE` transaction: the write lock is taken up
front, so two writers cannot both read the old state.

Times are stored as ISO 8601 UTC text with seconds (`2019-02-12T12:00:00+00:00`),
so text order is time order.  An open upper bound (math.inf) is stored as NULL.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store.schema import migrations
from figures.diff import Key, PastEvent, State
from figures.model import Metric, Qualifier, Scope, Unit

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer's lock."""
CACHE_KIB = 32_768
"""Page cache per connection, in KiB (SQLite's default is 2 MiB): the state
table and the hot ends of the indexes stay in memory, so `totals` and the
pipeline's index inserts read few pages from the file.  Memory is taken only
as pages are read."""

PENDING = "pending"
"""Outbox status of a message waiting for the per-change delivery."""
HELD = "held"
"""Outbox status of a change waiting for its subscription's digest (never
delivered on its own; `bot.delivery.digest` sends and marks these)."""


# ---------------------------------------------------------------- time and keys


@lru_cache(maxsize=4096)
def iso(moment: datetime) -> str:
    """`moment` as stored: UTC, seconds, `+00:00` (remembered: an article's
    figures share its publication time, and a run shares its `now`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """Inverse of `iso`."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=65536)
def key_text(key: Key) -> str:
    """The key as one indexed column: the fields joined by `|` (remembered:
    each figure's key is written to its observation, state and change)."""
    parts = [key.metric.value, key.place, key.party, key.scope.value, key.window, key.since]
    return "|".join(p or "" for p in [*parts, key.unit.value])


def key_from_text(text: str) -> Key:
    """Inverse of `key_text`."""
    metric, place, party, scope, window, since, unit = text.split("|")
    return Key(
        metric=Metric(metric),
        place=place or None,
        party=party or None,
        scope=Scope(scope),
        window=window or None,
        since=since or None,
        unit=Unit(unit),
    )


def _high(value: float) -> float | None:
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------- connections


def connect(path: Path | str) -> Database:
    """A connection with WAL, synchronous=NORMAL, busy_timeout, the page cache
    and foreign keys."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = Database(conn)
    with db.ensure_autocommit_on():
        if str(path) != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        db.execute("PRAGMA foreign_keys=ON")
    return db


def open_db(path: Path | str, *, stop_before: str | None = None) -> Database:
    """Connect and apply every pending migration (`stop_before` is for tests
    that need a database at an earlier level)."""
    db = connect(path)
    migrations.apply(db, stop_before=stop_before)
    return db


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """A `BEGIN IMMEDIATE` transaction: commit on success, roll back on error."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


# ---------------------------------------------------------------- articles


def article_seen(db: Database, url: str, content_hash: str) -> bool:
    """True when this very version of the article is stored."""
    return bool(seen_versions(db, [(url, content_hash)]))


def seen_versions(db: Database, versions: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (URL, content hash) versions are stored, in one query
    (each looked up in the unique (url, content_hash) index)."""
    wanted = [list(v) for v in versions]
    if not wanted:
        return set()
    rows = db.conn.execute(
        "select a.url, a.content_hash from json_each(?) j join articles a"
        " on a.url = json_extract(j.value, '$[0]') and a.content_hash = json_extract(j.value, '$[1]')",
        [json.dumps(wanted, ensure_ascii=False)],
    )
    return {(url, digest) for url, digest in rows}


def url_known(db: Database, url: str) -> bool:
    """True when some version of the article at `url` is stored."""
    return db.execute("select 1 from articles where url = ? limit 1", [url]).fetchone() is not None


def insert_row(db: Database, table: str, row: dict[str, Any], *, replace: bool = False) -> int:
    """Insert `row` into `table` with one plain statement (the hot path:
    sqlite-utils' insert inspects the table on every call); the new rowid.
    The statement text is built once per column set, so sqlite3's statement
    cache hands back the prepared statement."""
    cursor = db.conn.execute(_insert_sql(table, tuple(row), replace, 1), list(row.values()))
    return int(cursor.lastrowid or 0)


MAX_VARIABLES = 32_000
"""Bound values one statement takes at most (SQLite's limit is 32,766 since 3.32)."""


def insert_rows(db: Database, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of the same keys) into `table` in as few statements
    as the variable limit allows: one multi-row `insert … values (…), (…)`
    each (rows given in full, ids included, so nothing is read back)."""
    if not rows:
        return
    columns = tuple(rows[0])
    most = max(1, MAX_VARIABLES // len(columns))
    for at in range(0, len(rows), most):
        chunk = rows[at : at + most]
        values = [v for row in chunk for v in row.values()]
        db.conn.execute(_insert_sql(table, columns, False, len(chunk)), values)


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], replace: bool, rows: int) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    verb = "insert or replace" if replace else "insert"
    return f"{verb} into {table} ({cols}) values {', '.join([marks] * rows)}"


def next_id(db: Database, table: str) -> int:
    """The rowid SQLite would give the next row of `table` (inside `write`,
    where no other writer can take it first)."""
    return next_ids(db, (table,))[0]


def next_ids(db: Database, tables: Sequence[str]) -> list[int]:
    """`next_id` of each of `tables`, in one query."""
    parts = ", ".join(f"(select coalesce(max(rowid), 0) + 1 from {t})" for t in tables)
    return [int(n) for n in db.conn.execute(f"select {parts}").fetchone()]


def insert_article(db: Database, row: dict[str, Any]) -> int:
    """Store an article row; its id."""
    return insert_row(db, "articles", row)


def insert_articles(db: Database, rows: Sequence[dict[str, Any]]) -> None:
    """Store article rows that carry their ids (`next_ids`)."""
    insert_rows(db, "articles", rows)


def insert_observations(db: Database, rows: Sequence[dict[str, Any]]) -> None:
    """Store observation rows that carry their ids (`next_ids`)."""
    insert_rows(db, "observations", rows)


def insert_change(db: Database, row: dict[str, Any]) -> int:
    """Store a change row; its id."""
    return insert_row(db, "changes", row)


def insert_outbox(db: Database, rows: Sequence[dict[str, Any]]) -> None:
    """Queue outbox rows (one statement for the lot)."""
    insert_rows(db, "outbox", rows)


# ---------------------------------------------------------------- state


def get_state(db: Database, key: Key) -> State | None:
    """The current state for `key`."""
    cursor = db.conn.execute("select * from state where key = ?", [key_text(key)])
    row = cursor.fetchone()
    if row is None:
        return None
    cols = [d[0] for d in cursor.description]
    return state_from_row(dict(zip(cols, row, strict=True)))


def get_states(db: Database, keys: Iterable[Key]) -> dict[Key, State]:
    """The current states of `keys` that have one, read in one query."""
    texts = {key_text(k): k for k in keys}
    if not texts:
        return {}
    cursor = db.conn.execute(
        "select * from state where key in (select value from json_each(?))", [json.dumps([*texts])]
    )
    cols = [d[0] for d in cursor.description]
    return {texts[row[0]]: state_from_row(dict(zip(cols, row, strict=True))) for row in cursor}


def state_from_row(row: dict[str, Any]) -> State:
    """A State from a `state` row."""
    return State(
        key=key_from_text(row["key"]),
        value=row["value"],
        unit=Unit(row["unit"]),
        qualifier=Qualifier(row["qualifier"]),
        vague=bool(row["vague"]),
        low=row["low"],
        high=math.inf if row["high"] is None else row["high"],
        as_of=parse_iso(row["as_of"]),
        url=row["url"],
        stated_at=parse_iso(row["stated_at"] or row["as_of"]),
        quote=row["quote"],
        outlet=row["outlet"],
        sources=tuple(json.loads(row["sources"])),
    )


KEY_COLUMNS = ("key", "metric", "place", "party", "scope", "window", "since", "unit")
"""`key` and the seven key fields it joins, in `key_text` order: the first columns of `state`."""

STATE_COLUMNS = (
    *KEY_COLUMNS,
    "value",
    "qualifier",
    "vague",
    "low",
    "high",
    "as_of",
    "url",
    "stated_at",
    "quote",
    "outlet",
    "sources",
    "updated_at",
)
"""The columns of `state`, in table order (the keys of a `totals` row)."""

_STATE_VALUES = STATE_COLUMNS[len(KEY_COLUMNS) :]
"""The columns of `state` after its key's: what an update writes, what `totals` fetches."""


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# an upsert updates the row in place: the key's fields (and so every index of
# `state`) stay as they are, where a replace would delete and re-insert it


def put_state(db: Database, state: State, now: datetime) -> None:
    """Insert or update the state row for `state.key`."""
    put_states(db, [state], now)


def put_states(db: Database, states: Sequence[State], now: datetime) -> None:
    """Insert or update the state rows of `states` (distinct keys), in one
    statement per chunk of rows."""
    if not states:
        return
    most = MAX_VARIABLES // len(STATE_COLUMNS)
    for at in range(0, len(states), most):
        chunk = states[at : at + most]
        values = [v for st in chunk for v in _state_values(st, now)]
        db.conn.execute(_put_states_sql(len(chunk)), values)


@lru_cache(maxsize=64)
def _put_states_sql(rows: int) -> str:
    marks = "(" + ", ".join("?" * len(STATE_COLUMNS)) + ")"
    return (
        f"insert into state ({_names(STATE_COLUMNS)}) values {', '.join([marks] * rows)}"
        ' on conflict ("key") do update set '
        + ", ".join(f'"{c}" = excluded."{c}"' for c in _STATE_VALUES)
    )


def _state_values(state: State, now: datetime) -> tuple[Any, ...]:
    k = state.key
    return (
        key_text(k),
        k.metric.value,
        k.place,
        k.party,
        k.scope.value,
        k.window,
        k.since,
        k.unit.value,
        state.value,
        state.qualifier.value,
        int(state.vague),
        state.low,
        _high(state.high),
        iso(state.as_of),
        state.url,
        iso(state.stated_at),
        state.quote,
        state.outlet,
        json.dumps(list(state.sources), ensure_ascii=False),
        iso(now),
    )


def events_near(db: Database, key: Key, moment: datetime, seconds: float) -> list[PastEvent]:
    """The events (window and batch changes) of `key` published within `seconds` of
    `moment`, oldest first: what `event_dedupe` compares a report with."""
    lo = iso(moment - timedelta(seconds=seconds))
    hi = iso(moment + timedelta(seconds=seconds))
    rows = db.execute(
        "select value, qualifier, vague, published, sources from changes"
        " where key = ? and published between ? and ? and kind = 'event' order by published, id",
        [key_text(key), lo, hi],
    ).fetchall()
    return [
        PastEvent(
            value=value,
            qualifier=Qualifier(qualifier),
            vague=bool(vague),
            published=parse_iso(published),
            outlets=tuple(json.loads(sources)) if sources else (),
        )
        for value, qualifier, vague, published, sources in rows
    ]


# ---------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """A source's fetch state as stored."""

    name: str
    """Source name."""
    validators: dict[str, str]
    """ETag / Last-Modified from the last poll."""
    consecutive_failures: int
    """Failed polls in a row."""
    next_due: datetime | None
    """When the source should be polled next (None: now)."""
    last_success: datetime | None
    """Last poll that worked."""
    last_error: str | None
    """Why the last failed poll failed."""
    empty_content: bool
    """The last poll fetched fine but found no article text."""
    enabled: bool
    """False while paused by an admin."""


_HEALTH = (
    "select name, validators, consecutive_failures, next_due, last_success, last_error,"
    " empty_content, enabled from sources"
)


def source_health(db: Database, name: str) -> SourceHealth:
    """The stored fetch state of source `name` (a fresh one if never polled)."""
    row = db.execute(f"{_HEALTH} where name = ?", [name]).fetchone()
    return _health(row) if row else SourceHealth(name, {}, 0, None, None, None, False, True)


def sources_health(db: Database, names: Sequence[str]) -> dict[str, SourceHealth]:
    """The stored fetch state of each of `names` that was ever polled, in one query."""
    rows = db.execute(
        f"{_HEALTH} where name in (select value from json_each(?))", [json.dumps(list(names))]
    )
    return {row[0]: _health(row) for row in rows}


def _health(row: Sequence[Any]) -> SourceHealth:
    name, validators, failures, next_due, success, error, empty, enabled = row
    return SourceHealth(
        name=name,
        validators=json.loads(validators) if validators else {},
        consecutive_failures=failures or 0,
        next_due=parse_iso(next_due) if next_due else None,
        last_success=parse_iso(success) if success else None,
        last_error=error,
        empty_content=bool(empty),
        enabled=bool(enabled),
    )


def record_poll(
    db: Database,
    name: str,
    *,
    now: datetime,
    next_due: datetime,
    error: str | None = None,
    empty_content: bool = False,
    validators: dict[str, str] | None = None,
    problem: str | None = None,
) -> None:
    """Store the outcome of one poll of `name`; `problem` says which documents
    of a successful poll failed alone (kept as its last error, not a failure)."""
    with write(db):
        save_poll(
            db,
            name,
            now=now,
            next_due=next_due,
            error=error,
            empty_content=empty_content,
            validators=validators,
            problem=problem,
        )


def save_poll(
    db: Database,
    name: str,
    *,
    now: datetime,
    next_due: datetime,
    error: str | None = None,
    empty_content: bool = False,
    validators: dict[str, str] | None = None,
    problem: str | None = None,
) -> None:
    """`record_poll` inside the caller's `write` transaction (one statement:
    a failure counts up in SQL, not from a value read first)."""
    row: dict[str, Any] = {
        "name": name,
        "last_polled": iso(now),
        "next_due": iso(next_due),
        "empty_content": int(empty_content),
    }
    if error is None:
        row |= {"last_success": iso(now), "consecutive_failures": 0}
        if validators is not None:
            row["validators"] = json.dumps(validators)
        if problem is not None:
            row |= {"last_error": problem, "last_error_at": iso(now)}
    else:
        row |= {"last_error": error, "last_error_at": iso(now), "consecutive_failures": 1}
    columns = tuple(row)
    updates = [
        '"consecutive_failures" = consecutive_failures + 1'
        if c == "consecutive_failures" and error is not None
        else f'"{c}" = excluded."{c}"'
        for c in columns[1:]
    ]
    db.conn.execute(
        _insert_sql("sources", columns, False, 1)
        + ' on conflict ("name") do update set '
        + ", ".join(updates),
        list(row.values()),
    )


# ---------------------------------------------------------------- subscriptions and outbox


@dataclass(frozen=True, slots=True)
class Subscription:
    """One chat's subscription."""

    id: int
    """Row id."""
    transport: str
    """telegram, slack or console."""
    chat_id: str
    """The chat on that transport."""
    metrics: tuple[str, ...] | None
    """Metric names to hear about (None: all)."""
    places: tuple[str, ...] | None
    """Place ids to hear about, descendants included (None: all)."""
    lang: str
    """ar or en."""
    digest: bool
    """A daily digest instead of one message per change."""


def add_subscription(
    db: Database,
    transport: str,
    chat_id: str,
    *,
    metrics: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    lang: str = "en",
    digest: bool = False,
    chat_type: str | None = None,
    created_by: str | None = None,
    now: datetime | None = None,
) -> int:
    """Create an active subscription; its id."""
    if transport not in {"telegram", "slack", "console"}:
        raise ValueError(f"transport: expected telegram, slack or console, got {transport!r}")
    if lang not in {"ar", "en"}:
        raise ValueError(f"lang: expected ar or en, got {lang!r}")
    with write(db):
        return insert_row(
            db,
            "subscriptions",
            {
                "transport": transport,
                "chat_id": str(chat_id),
                "chat_type": chat_type,
                "metrics": json.dumps(list(metrics)) if metrics else None,
                "places": json.dumps(list(places)) if places else None,
                "lang": lang,
                "digest": int(digest),
                "active": 1,
                "created_at": iso(now or datetime.now(UTC)),
                "created_by": created_by,
            },
        )


def active_subscriptions(db: Database) -> list[Subscription]:
    """Every active subscription."""
    rows = db.execute(
        "select id, transport, chat_id, metrics, places, lang, digest from subscriptions"
        " where active = 1 order by id"
    ).fetchall()
    return [
        Subscription(
            id=r[0],
            transport=r[1],
            chat_id=r[2],
            metrics=tuple(json.loads(r[3])) if r[3] else None,
            places=tuple(json.loads(r[4])) if r[4] else None,
            lang=r[5] or "en",
            digest=bool(r[6]),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting to be delivered."""

    id: int
    """Row id."""
    change_id: int
    """The change to render."""
    subscription_id: int
    """The subscription it is for."""
    transport: str
    """telegram, slack or console."""
    chat_id: str
    """Destination chat."""
    attempts: int
    """Failed attempts so far."""


def pending_outbox(
    db: Database, transport: str, now: datetime, limit: int = 100, chat_id: str | None = None
) -> list[OutboxRow]:
    """Pending rows of `transport` (to `chat_id`, when given) due by `now`, oldest first."""
    chat = "" if chat_id is None else " and chat_id = ?"
    rows = db.execute(
        "select id, change_id, subscription_id, transport, chat_id, attempts from outbox"
        " where status = 'pending' and transport = ?"
        f" and (next_attempt_at is null or next_attempt_at <= ?){chat} order by id limit ?",
        [transport, iso(now), *([] if chat_id is None else [chat_id]), limit],
    ).fetchall()
    return [OutboxRow(*r) for r in rows]


def mark_sent(db: Database, outbox_id: int, now: datetime) -> None:
    """The message went out."""
    with write(db):
        db.execute(
            "update outbox set status = 'sent', sent_at = ?, last_error = null where id = ?",
            [iso(now), outbox_id],
        )


def mark_retry(db: Database, outbox_id: int, error: str, next_attempt_at: datetime) -> None:
    """A failed attempt: try again at `next_attempt_at`."""
    with write(db):
        db.execute(
            "update outbox set attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
            " where id = ?",
            [error, iso(next_attempt_at), outbox_id],
        )


def mark_dead(db: Database, outbox_id: int, error: str) -> None:
    """Give up on a message (it stays in the table for the admins)."""
    with write(db):
        db.execute(
            "update outbox set status = 'dead', attempts = attempts + 1, last_error = ?"
            " where id = ?",
            [error, outbox_id],
        )


def deactivate_subscription(db: Database, sub_id: int, reason: str) -> None:
    """Stop a subscription (the chat blocked the bot, or it unsubscribed);
    its pending messages, and the changes held for its digest, die with it."""
    with write(db):
        db.execute(
            "update subscriptions set active = 0, deactivated_reason = ? where id = ?",
            [reason, sub_id],
        )
        # a row serves every subscription of its chat that matched: it passes to the
        # next of them still active, and dies only with the last
        rows = db.execute(
            "select id, subscriptions from outbox where subscription_id = ? and status in (?, ?)",
            [sub_id, PENDING, HELD],
        ).fetchall()
        active = {r[0] for r in db.execute("select id from subscriptions where active = 1")}
        for row_id, subs in rows:
            rest = [s for s in (json.loads(subs) if subs else []) if s in active]
            if rest:
                db.execute(
                    "update outbox set subscription_id = ?, subscriptions = ? where id = ?",
                    [rest[0], json.dumps(rest), row_id],
                )
            else:
                db.execute(
                    "update outbox set status = 'dead', last_error = ? where id = ?",
                    [f"subscription deactivated: {reason}", row_id],
                )


def move_chat(db: Database, transport: str, old_chat_id: str, new_chat_id: str) -> None:
    """A chat changed id (a Telegram group became a supergroup)."""
    with write(db):
        db.execute(
            "update subscriptions set chat_id = ? where transport = ? and chat_id = ?",
            [str(new_chat_id), transport, str(old_chat_id)],
        )
        # one waiting row per change and chat: where the new id already has the alert,
        # the old id's row is not needed (it is marked so, never sent twice)
        db.execute(
            "update or ignore outbox set chat_id = ? where transport = ? and chat_id = ?",
            [str(new_chat_id), transport, str(old_chat_id)],
        )
        db.execute(
            "update outbox set status = 'dead', last_error = ? where transport = ?"
            " and chat_id = ? and status in (?, ?)",
            [
                f"chat moved to {new_chat_id}, which has it already",
                transport,
                str(old_chat_id),
                PENDING,
                HELD,
            ],
        )
        db.execute(
            "update or ignore chats set chat_id = ? where transport = ? and chat_id = ?",
            [str(new_chat_id), transport, str(old_chat_id)],
        )


# ---------------------------------------------------------------- reading for alerts and commands


@dataclass(frozen=True, slots=True)
class AlertView:
    """Everything an alert renders for one change."""

    change_id: int
    """The change."""
    kind: str
    """new, increase, decrease, conflict or event."""
    key: Key
    """The series."""
    value: float
    """The new value as stated."""
    qualifier: Qualifier
    """Its hedge."""
    vague: bool
    """A quantity word, not a number."""
    unit: Unit
    """Canonical unit."""
    prev_value: float | None
    """The value before (None for new, or an event with no earlier one)."""
    prev_qualifier: Qualifier | None
    """Its hedge."""
    prev_vague: bool | None
    """Whether it was a quantity word."""
    prev_as_of: datetime | None
    """When the value before was published."""
    quote: str
    """The sentence around the figure, as written."""
    quote_start: int
    """Offset of the figure's words inside `quote` (to bold them)."""
    quote_end: int
    """Offset just past them."""
    fine_place: str | None
    """The place the article named (the key holds its governorate)."""
    party: str | None
    """The party the article named."""
    url: str
    """Article link."""
    title: str
    """Article headline."""
    outlet: str
    """Outlet of the article."""
    published: datetime
    """Its publication time."""
    sources: tuple[str, ...]
    """The outlets that had reported the value when the change was recorded (its own
    first); a later corroboration, or a later figure, never joins them."""
    alert: bool
    """Whether the rules asked for an alert."""


def change_for_alert(db: Database, change_id: int) -> AlertView | None:
    """Everything needed to render change `change_id` (None if unknown)."""
    row = db.execute(
        """
        select c.kind, c.key, c.value, c.qualifier, c.vague, c.unit, c.prev_value,
               c.prev_qualifier, c.prev_vague, c.prev_as_of, o.sentence, o.sentence_start,
               o.sentence_end, o.fine_place, o.party, a.url, a.title, o.outlet, a.published,
               c.sources, c.alert, o.quote
        from changes c
        join observations o on o.id = c.observation_id
        join articles a on a.id = c.article_id
        where c.id = ?
        """,
        [change_id],
    ).fetchone()
    if row is None:
        return None
    (kind, key, value, qual, vague, unit, pv, pq, pvague, pas, sentence, ss, se) = row[:13]
    fine, party, url, title, outlet, published, sources, alert, quote = row[13:]
    outlets = json.loads(sources) if sources else [outlet]
    if outlet not in outlets:
        outlets = [outlet, *outlets]
    return AlertView(
        change_id=change_id,
        kind=kind,
        key=key_from_text(key),
        value=value,
        qualifier=Qualifier(qual),
        vague=bool(vague),
        unit=Unit(unit),
        prev_value=pv,
        prev_qualifier=Qualifier(pq) if pq else None,
        prev_vague=None if pvague is None else bool(pvague),
        prev_as_of=parse_iso(pas) if pas else None,
        quote=sentence or quote,
        quote_start=ss if sentence else 0,
        quote_end=se if sentence else len(quote),
        fine_place=fine,
        party=party,
        url=url,
        title=title,
        outlet=outlet,
        published=parse_iso(published),
        sources=tuple(outlets),
        alert=bool(alert),
    )


_TOTALS = (
    f"select key, {_names(_STATE_VALUES)} from state"
    " {where} order by metric, place, scope, window, since, rowid"
)


def totals(db: Database, place: str | None = None) -> list[dict[str, Any]]:
    """The state of every key (optionally of keys at `place`), by metric and
    place (then first seen): one dict per row, keyed by `STATE_COLUMNS`.

    This is the one query that reads every key, so it reads lean: in index
    order (no sort), and the seven key fields are split from `key` (which
    joins them) rather than fetched as seven more columns each."""
    if place is None:
        cursor = db.conn.execute(_TOTALS.format(where=""))
    else:
        cursor = db.conn.execute(_TOTALS.format(where="where place = ?"), [place])
    rows = []
    for key, value, qual, vague, low, high, as_of, url, stated, quote, outlet, srcs, upd in cursor:
        metric, place_, party, scope, window, since, unit = key.split("|")
        rows.append(
            {
                "key": key,
                "metric": metric,
                "place": place_ or None,
                "party": party or None,
                "scope": scope,
                "window": window or None,
                "since": since or None,
                "unit": unit,
                "value": value,
                "qualifier": qual,
                "vague": vague,
                "low": low,
                "high": high,
                "as_of": as_of,
                "url": url,
                "stated_at": stated,
                "quote": quote,
                "outlet": outlet,
                "sources": srcs,
                "updated_at": upd,
            }
        )
    return rows


def history(
    db: Database, metric: str, place: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every observation of `metric` (at `place`), oldest first, with the kind
    of any change it made."""
    # with a place, read through (metric, place, published): the planner would
    # otherwise walk the time-ordered index of the whole metric to skip a sort
    index = "idx_observations_metric_place_published" if place else None
    sql = (
        "select o.*, c.kind as change_kind, a.url, a.title from observations o"
        + (f" indexed by {index}" if index else "")
        + " join articles a on a.id = o.article_id"
        " left join changes c on c.id = o.change_id where o.metric = ?"
    )
    params: list[Any] = [metric]
    if place is not None:
        sql += " and o.place = ?"
        params.append(place)
    sql += " order by o.published, o.article_id, o.start"
    if limit is not None:
        sql += " limit ?"
        params.append(limit)
    return _dicts(db, sql, params)


def _dicts(db: Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = db.conn.execute(sql, list(params))
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def changes_since(db: Database, after_id: int = 0) -> list[dict[str, Any]]:
    """Changes with id above `after_id`, in order."""
    return list(db.query("select * from changes where id > ? order by id", [after_id]))


def max_change_id(db: Database) -> int:
    """The highest change id so far (0 when none)."""
    row = db.execute("select coalesce(max(id), 0) from changes").fetchone()
    return int(row[0])
