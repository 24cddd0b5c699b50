"""The store's schema: numbered migrations, applied in order by `store.open_db`
(sqlite-utils' `Migrations` records which ran).  A migration stays as it was
applied: a change of schema is a new migration, never an edit of an old one."""

from __future__ import annotations

import json

from sqlite_utils import Database, Migrations

migrations = Migrations("raqib")


@migrations()
def m001_initial(db: Database) -> None:
    """Sources, articles, observations, state, changes, subscriptions, outbox,
    settings, audit log."""
    db.table("sources").create(
        {
            "name": str,
            "config": str,
            "enabled": int,
            "added_by": str,
            "validators": str,
            "last_success": str,
            "last_error": str,
            "last_error_at": str,
            "consecutive_failures": int,
            "next_due": str,
            "last_polled": str,
        },
        pk="name",
        defaults={"enabled": 1, "consecutive_failures": 0},
        not_null={"enabled", "consecutive_failures"},
    )
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "guid": str,
            "source": str,
            "outlet": str,
            "title": str,
            "published": str,
            "content_hash": str,
            "text": str,
            "fetched_at": str,
        },
        pk="id",
        not_null={"url", "content_hash", "source", "published", "fetched_at"},
    )
    db.table("articles").create_index(["url", "content_hash"], unique=True)
    # `changes` and `state` each carry the series key's columns, written out here:
    # a migration stays as it was applied, never built from constants that move on
    series_key = {
        "key": str,
        "metric": str,
        "place": str,
        "party": str,
        "scope": str,
        "window": str,
        "since": str,
        "unit": str,
    }
    db.table("changes").create(
        {
            "id": int,
            "kind": str,
            **series_key,
            "article_id": int,
            "observation_id": int,
            "value": float,
            "qualifier": str,
            "vague": int,
            "prev_value": float,
            "prev_qualifier": str,
            "prev_vague": int,
            "prev_as_of": str,
            "prev_outlet": str,
            "alert": int,
            "published": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"kind", "key", "article_id", "alert", "created_at"},
    )
    db.table("observations").create(
        {
            "id": int,
            "article_id": int,
            "key": str,
            "metric": str,
            "value": float,
            "unit": str,
            "qualifier": str,
            "vague": int,
            "low": float,
            "high": float,
            "scope": str,
            "window": str,
            "since": str,
            "place": str,
            "fine_place": str,
            "party": str,
            "quote": str,
            "start": int,
            "end": int,
            "sentence": str,
            "sentence_start": int,
            "sentence_end": int,
            "outlet": str,
            "published": str,
            "status": str,
            "verdict": str,
            "change_id": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("change_id", "changes", "id")],
        not_null={"article_id", "key", "metric", "value", "status", "published"},
    )
    db.table("state").create(
        {
            **series_key,
            "value": float,
            "qualifier": str,
            "vague": int,
            "low": float,
            "high": float,
            "as_of": str,
            "url": str,
            "stated_at": str,
            "quote": str,
            "outlet": str,
            "sources": str,
            "updated_at": str,
        },
        pk="key",
        not_null={"metric", "value", "as_of"},
    )
    db.table("subscriptions").create(
        {
            "id": int,
            "transport": str,
            "chat_id": str,
            "chat_type": str,
            "metrics": str,
            "places": str,
            "lang": str,
            "digest": int,
            "active": int,
            "created_at": str,
            "created_by": str,
            "deactivated_reason": str,
        },
        pk="id",
        defaults={"lang": "en", "digest": 0, "active": 1},
        not_null={"transport", "chat_id", "active"},
    )
    db.table("outbox").create(
        {
            "id": int,
            "change_id": int,
            "subscription_id": int,
            "transport": str,
            "chat_id": str,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        foreign_keys=[("change_id", "changes", "id"), ("subscription_id", "subscriptions", "id")],
        defaults={"status": "pending", "attempts": 0},
        not_null={"change_id", "subscription_id", "status", "attempts"},
    )
    db.table("settings").create(
        {"key": str, "value": str, "updated_by": str, "updated_at": str}, pk="key"
    )
    db.table("audit_log").create(
        {"id": int, "at": str, "actor": str, "transport": str, "action": str, "detail": str},
        pk="id",
    )


@migrations()
def m002_chats_health_indexes(db: Database) -> None:
    """Chats (language per chat), the empty-content flag on sources, and the
    indexes for the hot queries."""
    db.table("chats").create(
        {"transport": str, "chat_id": str, "lang": str, "title": str, "updated_at": str},
        pk=("transport", "chat_id"),
    )
    db.table("sources").add_column("empty_content", int, not_null_default=0)
    db.table("observations").create_index(["key", "published"])
    db.table("observations").create_index(["metric", "place", "published"])
    db.table("observations").create_index(["article_id"])
    db.table("changes").create_index(["key", "id"])
    db.table("state").create_index(["place"])
    db.table("outbox").create_index(["status", "transport", "next_attempt_at"])
    db.table("outbox").create_index(["change_id"])
    db.table("subscriptions").create_index(["transport", "chat_id"])
    db.table("articles").create_index(["url"])


@migrations()
def m003_history_order_index(db: Database) -> None:
    """`history METRIC` without a place reads in time order from an index."""
    db.table("observations").create_index(["metric", "published", "article_id", "start"])


@migrations()
def m004_state_order_outbox_subscription(db: Database) -> None:
    """`totals` reads the state in display order from an index (no sort), and
    a subscription's outbox rows (digests, deactivation) are found by index."""
    db.table("state").create_index(["metric", "place", "scope", "window", "since"])
    db.table("outbox").create_index(["subscription_id", "status"])


@migrations()
def m005_drop_unread_indexes(db: Database) -> None:
    """Drop the indexes no query reads: each cost every article's commit a few
    more pages (an observation's or a change's key lands anywhere in them).
    Lookups by URL use the unique (url, content_hash) index."""
    for index in (
        "idx_observations_key_published",
        "idx_changes_key_id",
        "idx_articles_url",
    ):
        db.execute(f"drop index if exists {index}")


@migrations()
def m006_outbox_one_row_per_chat(db: Database) -> None:
    """One outbox row per (change, chat) and kind (instant or digest): `subscriptions`
    lists every subscription of the chat the change matched (`subscription_id` is the
    first of them).  Rows of a database queued one per subscription are merged: the
    oldest row of each (change, chat, status) still waiting keeps the lot; a unique
    index keeps it so."""
    db.table("outbox").add_column("subscriptions", str)
    db.execute("update outbox set subscriptions = json_array(subscription_id)")
    waiting = db.execute(
        "select change_id, transport, chat_id, status, group_concat(id), count(*) from outbox"
        " where status in ('pending', 'held') group by change_id, transport, chat_id, status"
        " having count(*) > 1"
    ).fetchall()
    for _change, _transport, _chat, _status, ids, _n in waiting:
        rows = sorted(int(i) for i in ids.split(","))
        subs = [
            r[0]
            for r in db.execute(
                "select subscription_id from outbox where id in (select value from json_each(?))"
                " order by id",
                [json.dumps(rows)],
            )
        ]
        db.execute(
            "update outbox set subscriptions = ? where id = ?",
            [json.dumps(sorted(set(subs))), rows[0]],
        )
        db.execute(
            "delete from outbox where id in (select value from json_each(?))",
            [json.dumps(rows[1:])],
        )
    db.execute(
        "create unique index if not exists idx_outbox_one_per_chat"
        " on outbox (change_id, transport, chat_id, status) where status in ('pending', 'held')"
    )


@migrations()
def m007_change_sources_and_events(db: Database) -> None:
    """A change keeps the outlets that had reported its value when it was recorded
    (`sources`, JSON), so a late alert credits no later report; and a key's events are
    found by time (`event_dedupe` compares a report with every event of its period)."""
    db.table("changes").add_column("sources", str)
    db.table("changes").create_index(["key", "published"], if_not_exists=True)
