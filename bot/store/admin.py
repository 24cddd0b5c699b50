"""The store's queries for what admins change at run time: edits of the
configuration (`settings`), sources added or paused, the audit log, and the
sources' health as `status` shows it.

A change and its audit row are written in one `store.write` transaction by
the caller (`bot.config.settings`); these functions only run the statements."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.store.db import insert_row

# ---------------------------------------------------------------- settings and audit


def edits(db: Database) -> list[tuple[str, Any, str | None, str | None]]:
    """Every admin edit as (key, value, updated_by, updated_at), by key."""
    rows = db.execute(
        "select key, value, updated_by, updated_at from settings order by key"
    ).fetchall()
    return [(k, json.loads(v), by, at) for k, v, by, at in rows]


def put_edit(db: Database, key: str, value: Any, actor: str, at: str) -> None:
    """Store (or replace) the admin edit of `key`."""
    db.execute(
        "insert into settings (key, value, updated_by, updated_at) values (?, ?, ?, ?)"
        " on conflict (key) do update set value = excluded.value,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        [key, json.dumps(value), actor, at],
    )


def delete_edit(db: Database, key: str) -> None:
    """Drop the admin edit of `key`."""
    db.execute("delete from settings where key = ?", [key])


def audit(db: Database, row: dict[str, Any]) -> None:
    """Append one row to the audit log."""
    insert_row(db, "audit_log", row)


# ---------------------------------------------------------------- sources


def admin_source_configs(db: Database) -> list[dict[str, Any]]:
    """The configs of sources added by an admin (the `sources` rows that carry one)."""
    rows = db.execute(
        "select config from sources where config is not null and config != '' order by name"
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def paused_source_names(db: Database) -> set[str]:
    """Names of sources an admin paused."""
    return {r[0] for r in db.execute("select name from sources where enabled = 0").fetchall()}


def put_admin_source(db: Database, name: str, config: dict[str, Any], actor: str) -> None:
    """Store a source an admin added (enabled)."""
    db.execute(
        "insert into sources (name, config, enabled, added_by) values (?, ?, 1, ?)"
        " on conflict (name) do update set config = excluded.config, enabled = 1,"
        " added_by = excluded.added_by",
        [name, json.dumps(config), actor],
    )


def delete_source(db: Database, name: str, edits_like: str) -> None:
    """Forget source `name` and the edits whose key matches `edits_like` (a LIKE
    pattern with `\\` as its escape)."""
    db.execute("delete from sources where name = ?", [name])
    db.execute("delete from settings where key like ? escape '\\'", [edits_like])


def set_source_enabled(db: Database, name: str, enabled: bool) -> None:
    """Pause or resume source `name` (its row is made if it was never polled)."""
    db.execute(
        "insert into sources (name, enabled) values (?, ?)"
        " on conflict (name) do update set enabled = excluded.enabled",
        [name, int(enabled)],
    )


def sources_status(db: Database) -> dict[str, dict[str, Any]]:
    """Each polled source's health columns as `status` shows them, by name."""
    cursor = db.conn.execute(
        "select name, last_success, last_error, last_error_at, consecutive_failures,"
        " empty_content, next_due from sources"
    )
    cols = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(cols, row, strict=True)) for row in cursor}
