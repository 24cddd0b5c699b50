"""The console transport: alerts printed to stdout, for the embedded default and for cron.

It is on when no chat transport is configured (or `[service] console = "on"`).
Each alert is a few plain lines — headline, quote, outlet/date/link — flushed
at once so a pipe or a test sees it immediately.  Logs go to stderr, so stdout
holds alerts only.
"""

from __future__ import annotations

import logging
import sys
from typing import ClassVar, TextIO

from sqlite_utils import Database

from bot import store
from bot.delivery import SENT, Message, SendResult
from bot.store import AlertView
from figures import gazetteer

log = logging.getLogger(__name__)

CHAT_ID = "stdout"
"""The one console chat."""

QUALIFIER_WORDS = {
    "exact": "",
    "approx": "about ",
    "more_than": "more than ",
    "at_least": "at least ",
    "less_than": "less than ",
    "at_most": "at most ",
}
"""How a qualifier reads before a number."""

KIND_MARKS = {
    "new": "●",
    "increase": "▲",
    "decrease": "▼",
    "conflict": "≠",
    "event": "◆",
}
"""A mark per change kind, so a column of alerts scans quickly."""


def amount(value: float, qualifier: str, vague: bool, unit: str) -> str:
    """`about 1,500`, `less than 2 km2`, `tens (10+)`."""
    number = f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2g}"
    if vague:
        number = f"{number}+ (vague)"
    suffix = "" if unit in {"person", "place"} else f" {unit}"
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{number}{suffix}"


def place_name(place_id: str | None) -> str | None:
    """The English name of a place id (the id itself if unknown)."""
    if place_id is None:
        return None
    entry = gazetteer.place(place_id)
    return entry.name_en if entry else place_id


def render(alert: AlertView) -> str:
    """An alert as plain text lines."""
    key = alert.key
    where = place_name(alert.fine_place or key.place)
    series = " · ".join(
        part
        for part in (
            key.metric.value,
            where,
            f"last {key.window}" if key.window else None,
            f"since {key.since}" if key.since else None,
            key.scope.value if key.scope.value != "total" else None,
        )
        if part
    )
    now = amount(alert.value, alert.qualifier.value, alert.vague, alert.unit.value)
    was = ""
    if alert.prev_value is not None and alert.prev_qualifier is not None:
        before = amount(
            alert.prev_value, alert.prev_qualifier.value, bool(alert.prev_vague), alert.unit.value
        )
        was = f" (was {before})"
    mark = KIND_MARKS.get(alert.kind, "•")
    quote = " ".join(alert.quote.split())
    also = [s for s in alert.sources if s != alert.outlet]
    credit = f"{alert.outlet}, {alert.published:%Y-%m-%d}"
    lines = [
        f"{mark} {alert.kind} · {series}: {now}{was}",
        f"  «{quote}»",
        f"  {credit} · {alert.url}" + (f" · also: {', '.join(also)}" if also else ""),
    ]
    return "\n".join(lines)


class ConsoleTransport:
    """Prints each alert to `stream` (stdout)."""

    name: ClassVar[str] = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, message: Message) -> SendResult:
        """Print the alert and a blank line."""
        out = self.stream if self.stream is not None else sys.stdout
        try:
            print(render(message.alert), file=out, end="\n\n", flush=True)
        except OSError as exc:  # stdout closed (a pipe reader went away): retry later
            return SendResult(ok=False, error=f"cannot write to the console: {exc}")
        return SENT


def set_console_subscription(db: Database, on: bool) -> None:
    """Make the console's one subscription active (or not), creating it the first time.

    While off it has no active subscription, so no rows are queued for nobody to read.
    """
    row = db.execute(
        "select id, active from subscriptions where transport = 'console' and chat_id = ?",
        [CHAT_ID],
    ).fetchone()
    if row is None:
        if on:
            store.add_subscription(db, "console", CHAT_ID, created_by="raqib run")
        return
    sub_id, active = row
    if on and not active:
        with store.write(db):
            db.execute(
                "update subscriptions set active = 1, deactivated_reason = null where id = ?",
                [sub_id],
            )
    elif not on and active:
        store.deactivate_subscription(db, sub_id, "console transport off")
