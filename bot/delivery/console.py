"""The console transport: alerts printed to stdout, for the embedded default and for cron.

It is on when no chat transport is configured (or `[service] console = "on"`).
Each alert is a few plain lines in the wording Telegram and Slack use
(`bot.render.messages.alert_plain`: "Displaced in Deir ez-Zor since 1 Dec: 38,550 (was
36,500)") — the headline behind a mark for the kind of change, then indented:
the kind, the quote, outlet · date · link, and who else reported it — flushed
at once so a pipe or a test sees it immediately.  Logs go to stderr, so stdout
holds alerts (and digests) only.
"""

from __future__ import annotations

import logging
import sys
from typing import ClassVar, TextIO

from sqlite_utils import Database

from bot.delivery.loop import SENT, Message, SendResult, Text
from bot.render.messages import alert_plain
from bot.store import outbox as store_outbox
from bot.store.outbox import AlertView

log = logging.getLogger(__name__)

CHAT_ID = "stdout"
"""The one console chat."""

KIND_MARKS = {
    "new": "●",
    "increase": "▲",
    "decrease": "▼",
    "conflict": "≠",
    "event": "◆",
}
"""A mark per change kind, so a column of alerts scans quickly."""
INDENT = "  "
"""What the lines under a headline start with."""


def render(alert: AlertView, lang: str = "en") -> str:
    """An alert as plain text lines: the marked headline, then the rest indented."""
    headline, *rest = alert_plain(alert, lang).splitlines()
    mark = KIND_MARKS.get(alert.kind, "•")
    return "\n".join([f"{mark} {headline}", *(INDENT + line for line in rest)])


class ConsoleTransport:
    """Prints each alert to `stream` (stdout)."""

    name: ClassVar[str] = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def send(self, message: Message) -> SendResult:
        """Print the alert and a blank line."""
        return self._print(render(message.alert, message.lang))

    async def send_text(self, chat_id: str, text: Text) -> SendResult:
        """Print a digest (plain text) and a blank line."""
        return self._print(text.plain)

    def _print(self, text: str) -> SendResult:
        out = self.stream if self.stream is not None else sys.stdout
        try:
            print(text, file=out, end="\n\n", flush=True)
        except OSError as exc:  # stdout closed (a pipe reader went away): retry later
            return SendResult(ok=False, error=f"cannot write to the console: {exc}")
        return SENT


def set_console_subscription(db: Database, on: bool) -> None:
    """Make the console's one subscription active (or not), creating it the first time.

    While off it has no active subscription, so no rows are queued for nobody to read.
    """
    row = store_outbox.subscription_of_chat(db, "console", CHAT_ID)
    if row is None:
        if on:
            store_outbox.add_subscription(db, "console", CHAT_ID, created_by="raqib run")
        return
    sub_id, active = row
    if on and not active:
        store_outbox.reactivate_subscription(db, sub_id)
    elif not on and active:
        store_outbox.deactivate_subscription(db, sub_id, "console transport off")
