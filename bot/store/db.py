"""The SQLite store's core: connections (`connect`, `open_db`), the write
transaction (`write`), plain inserts and the next row ids, and the time and
key texts every table stores.  The queries live beside it by topic:
`bot.store.figures` (articles, observations, changes, the state, totals and
history), `bot.store.sources` (source health and polls), `bot.store.outbox`
(chats, subscriptions, the outbox and the alerts it renders),
`bot.store.admin` (admin edits, the audit log, the status reads) and
`bot.store.schema` (the migrations).  All SQL of the package lives in these
modules; `tests/test_store_only.py` keeps it so.

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

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.store.schema import migrations
from figures.diff import Key
from figures.model import Metric, Scope, Unit

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer's lock."""
CACHE_KIB = 32_768
"""Page cache per connection, in KiB (SQLite's default is 2 MiB): the state
table and the hot ends of the indexes stay in memory, so `totals` and the
pipeline's index inserts read few pages from the file.  Memory is taken only
as pages are read."""


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


# ---------------------------------------------------------------- inserts and ids


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
