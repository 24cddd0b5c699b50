"""The store's figures: articles and their versions, observations, changes,
the state of each key (read, upserted, totalled) and the history of a metric
— what the pipeline writes and the commands, charts and replay read.

Every write runs in the caller's `db.write` transaction."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from bot.store.db import (
    MAX_VARIABLES,
    insert_row,
    insert_rows,
    iso,
    key_from_text,
    key_text,
    parse_iso,
)
from figures.diff import Key, PastEvent, State
from figures.model import Qualifier, Unit


def _high(value: float) -> float | None:
    return value if math.isfinite(value) else None


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


# ---------------------------------------------------------------- totals and history


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
