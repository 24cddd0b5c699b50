"""The store's small queries for chats, subscriptions and the outbox, which the
delivery loop, the digest, the console and the chat commands use (the
subscriptions and the outbox rows themselves are written in `bot.store.db`).

Every write runs in `store.write` (a `BEGIN IMMEDIATE` transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.store.db import HELD, PENDING, iso, write

# ---------------------------------------------------------------- chats


def chat_lang(db: Database, transport: str, chat_id: str) -> str | None:
    """The language a chat set with /lang (None: never set)."""
    row = db.execute(
        "select lang from chats where transport = ? and chat_id = ?", [transport, str(chat_id)]
    ).fetchone()
    return row[0] if row and row[0] else None


def set_chat_lang(db: Database, transport: str, chat_id: str, lang: str, now: datetime) -> None:
    """Store a chat's language and give it to the chat's subscriptions, at once."""
    with write(db):
        db.execute(
            "insert into chats (transport, chat_id, lang, updated_at) values (?, ?, ?, ?)"
            " on conflict (transport, chat_id) do update set lang = excluded.lang,"
            " updated_at = excluded.updated_at",
            [transport, str(chat_id), lang, iso(now)],
        )
        db.execute(
            "update subscriptions set lang = ? where transport = ? and chat_id = ?",
            [lang, transport, str(chat_id)],
        )


# ---------------------------------------------------------------- subscriptions


def subscription_of_chat(db: Database, transport: str, chat_id: str) -> tuple[int, bool] | None:
    """The (id, active) of the chat's first subscription, active or not (None: none)."""
    row = db.execute(
        "select id, active from subscriptions where transport = ? and chat_id = ? order by id",
        [transport, str(chat_id)],
    ).fetchone()
    return None if row is None else (int(row[0]), bool(row[1]))


def reactivate_subscription(db: Database, sub_id: int) -> None:
    """Make a stopped subscription active again."""
    with write(db):
        db.execute(
            "update subscriptions set active = 1, deactivated_reason = null where id = ?",
            [sub_id],
        )


def subscription_langs(db: Database) -> dict[int, str]:
    """The language of every subscription, by id."""
    return {r[0]: r[1] or "en" for r in db.execute("select id, lang from subscriptions")}


def digest_subscriptions(db: Database) -> list[tuple[int, str, str, str | None, str | None, Any]]:
    """Every active digest subscription: (id, transport, chat_id, lang, created_at,
    the time its last digest row was sent), by id."""
    return db.execute(
        """
        select s.id, s.transport, s.chat_id, s.lang, s.created_at,
               (select max(o.sent_at) from outbox o where o.subscription_id = s.id)
        from subscriptions s where s.active = 1 and s.digest = 1 order by s.id
        """
    ).fetchall()


# ---------------------------------------------------------------- outbox


def hold_outbox(db: Database, outbox_id: int, until: datetime) -> None:
    """Put a pending row off until `until` without counting an attempt."""
    with write(db):
        db.execute(
            "update outbox set next_attempt_at = ? where id = ? and status = ?",
            [iso(until), outbox_id, PENDING],
        )


def outbox_counts(db: Database) -> dict[str, int]:
    """Outbox rows by status."""
    return {r[0]: r[1] for r in db.execute("select status, count(*) from outbox group by status")}


def outbox_summary(db: Database) -> tuple[int, str | None, int, str | None]:
    """(pending rows, the oldest pending row's creation, dead rows, the last sending)."""
    pending, oldest = db.execute(
        "select count(*), min(created_at) from outbox where status = 'pending'"
    ).fetchone()
    dead = db.execute("select count(*) from outbox where status = 'dead'").fetchone()[0]
    last_sent = db.execute("select max(sent_at) from outbox where status = 'sent'").fetchone()[0]
    return int(pending), oldest, int(dead), last_sent


def held_rows(db: Database, sub_id: int) -> list[tuple[int, int]]:
    """The (row id, change id) held for a digest subscription, oldest first."""
    return [
        (int(r[0]), int(r[1]))
        for r in db.execute(
            "select id, change_id from outbox where subscription_id = ? and status = ? order by id",
            [sub_id, HELD],
        )
    ]


def mark_held_sent(db: Database, outbox_ids: Sequence[int], now: datetime) -> None:
    """The digest holding these rows went out: all of them are sent, at once."""
    stamp = iso(now)
    with write(db):
        db.conn.executemany(
            "update outbox set status = 'sent', sent_at = ?, last_error = null"
            " where id = ? and status = ?",
            [(stamp, i, HELD) for i in outbox_ids],
        )


def mark_held_dead(db: Database, outbox_ids: Sequence[int], error: str) -> None:
    """Give up on held rows (the platform refused their digest outright)."""
    with write(db):
        db.conn.executemany(
            "update outbox set status = 'dead', last_error = ? where id = ? and status = ?",
            [(error, i, HELD) for i in outbox_ids],
        )
