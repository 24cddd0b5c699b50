"""The store's source health: each source's fetch state (validators,
failures, when it is due, its last error, paused or not) as the scheduler and
`status` read it, and the outcome of each poll as the pipeline records it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.store.db import _insert_sql, iso, parse_iso, write


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


def record_poll(db: Database, name: str, **outcome: Any) -> None:
    """Store the outcome of one poll of `name` (`save_poll`'s keyword arguments) in a
    `write` transaction of its own."""
    with write(db):
        save_poll(db, name, **outcome)


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
    """Store the outcome of one poll of `name` inside the caller's `write` transaction
    (`record_poll` makes its own); `problem` says which documents of a successful poll
    failed alone (kept as its last error, not a failure).  One statement: a failure
    counts up in SQL, not from a value read first."""
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
