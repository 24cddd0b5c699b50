"""Service health: one function shared by `raqib status` and the `/sources` chat command.

`service_status` reads the store (and, inside `raqib run`, the scheduler's next
run times) into a `Status`; `format_status` renders it as plain text lines that
fit a terminal and a chat message alike.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from bot.config.schema import Config
from bot.config.settings import effective_config
from bot.store import admin as store_admin
from bot.store import db as store
from bot.store import outbox as store_outbox
from scrapers.urls import mask_urls

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceStatus:
    """One source's health."""

    name: str
    """Source name."""
    kind: str
    """rss, html or files."""
    enabled: bool
    """False while paused."""
    last_success: datetime | None
    """Last poll that worked."""
    last_error: str | None
    """Why the last failed poll failed (kept after a later success, for the record)."""
    last_error_at: datetime | None
    """When it failed."""
    consecutive_failures: int
    """Failed polls in a row (0: healthy)."""
    empty_content: bool
    """The last poll fetched fine but found no article text (a layout change?)."""
    next_run: datetime | None
    """When it is polled next (None: paused, or as soon as the service runs)."""


@dataclass(frozen=True)
class Status:
    """The service's health at one moment."""

    sources: tuple[SourceStatus, ...]
    """Every configured or admin-added source."""
    outbox_pending: int
    """Alerts waiting to be sent."""
    outbox_dead: int
    """Alerts given up on."""
    oldest_pending: datetime | None
    """When the oldest waiting alert was queued."""
    last_sent: datetime | None
    """When the last alert went out."""
    at: datetime
    """When this was read."""


def _time(text: str | None) -> datetime | None:
    return store.parse_iso(text) if text else None


def service_status(
    config: Config,
    db: Database,
    next_runs: Mapping[str, datetime | None] | None = None,
    now: datetime | None = None,
) -> Status:
    """Read the health of every source and of the outbox.

    `next_runs` are the scheduler's times (inside `raqib run`); without them the
    stored next due times are shown.
    """
    now = now or datetime.now(UTC)
    rows = store_admin.sources_status(db)
    sources = []
    for source in effective_config(config, db).sources:
        row = rows.get(source.name, {})
        if not source.enabled:
            next_run = None
        elif next_runs is not None:
            next_run = next_runs.get(source.name)
        else:
            next_run = _time(row.get("next_due"))
        sources.append(
            SourceStatus(
                name=source.name,
                kind=source.kind,
                enabled=source.enabled,
                last_success=_time(row.get("last_success")),
                last_error=row.get("last_error"),
                last_error_at=_time(row.get("last_error_at")),
                consecutive_failures=int(row.get("consecutive_failures") or 0),
                empty_content=bool(row.get("empty_content")),
                next_run=next_run,
            )
        )
    pending, oldest, dead, last_sent = store_outbox.outbox_summary(db)
    return Status(
        sources=tuple(sources),
        outbox_pending=int(pending),
        outbox_dead=int(dead),
        oldest_pending=_time(oldest),
        last_sent=_time(last_sent),
        at=now,
    )


def ago(moment: datetime | None, now: datetime) -> str:
    """`5m ago`, `in 2h`, `never`."""
    if moment is None:
        return "never"
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if span >= size:
            text = f"{span // size:.0f}{unit}"
            break
    else:
        text = f"{span:.0f}s"
    return f"in {text}" if seconds > 0 else f"{text} ago"


def source_line(s: SourceStatus, now: datetime) -> str:
    """One source as a line: state, last success, next run, last error."""
    if not s.enabled:
        state = "paused"
    elif s.consecutive_failures:
        state = f"failing ({s.consecutive_failures} in a row)"
    elif s.empty_content:
        state = "no text found"
    elif s.last_success is None:
        state = "not polled yet"
    else:
        state = "ok"
    parts = [f"{s.name} ({s.kind}): {state}", f"last success {ago(s.last_success, now)}"]
    if s.enabled:
        parts.append(f"next run {ago(s.next_run, now) if s.next_run else 'when the service runs'}")
    if s.last_error:
        error = mask_urls(s.last_error)[:200]
        parts.append(f"last error {ago(s.last_error_at, now)}: {error}")
    return " · ".join(parts)


def format_status(status: Status) -> str:
    """The status as plain text lines (terminal and chat)."""
    now = status.at
    lines = [f"Sources ({len(status.sources)}):"]
    lines += [f"  {source_line(s, now)}" for s in status.sources] or ["  none"]
    queue = f"Outbox: {status.outbox_pending} waiting"
    if status.oldest_pending is not None:
        queue += f" (oldest queued {ago(status.oldest_pending, now)})"
    if status.outbox_dead:
        queue += f", {status.outbox_dead} dead"
    lines.append(queue)
    lines.append(f"Last alert sent: {ago(status.last_sent, now)}")
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    """`raqib status`: each source's health, the outbox, the last alert sent."""
    config: Config = args.config_obj
    path = config.storage.database
    if not path.exists():
        print(f"raqib status: no database at {path} yet (start `raqib run` or `raqib once`)")
        return 0
    db = store.open_db(path)
    try:
        print(format_status(service_status(config, db)))
    finally:
        db.close()
    return 0


def add_status_arguments(p: argparse.ArgumentParser) -> None:
    """Fill in `raqib status`'s parser (the CLI's table names this function)."""
    p.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="TOML config (as before STATUS)"
    )
    p.set_defaults(func=cmd_status, needs_config=True)
