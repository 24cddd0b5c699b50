"""The store's chats, subscriptions and outbox: subscriptions added, stopped
and moved, the outbox rows queued, sent, retried, held and counted, and the
view of a change that an alert renders — what the delivery loop, the digest,
the console and the chat commands use.

Every write runs in `db.write` (a `BEGIN IMMEDIATE` transaction)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from bot.store.db import insert_row, insert_rows, iso, key_from_text, parse_iso, write
from figures.diff import Key
from figures.model import Qualifier, Unit

PENDING = "pending"
"""Outbox status of a message waiting for the per-change delivery."""
HELD = "held"
"""Outbox status of a change waiting for its subscription's digest (never
delivered on its own; `bot.delivery.digest` sends and marks these)."""

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


# ---------------------------------------------------------------- subscriptions and outbox rows


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


def insert_outbox(db: Database, rows: Sequence[dict[str, Any]]) -> None:
    """Queue outbox rows (one statement for the lot)."""
    insert_rows(db, "outbox", rows)


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
