"""The answer a chat command gives, before any transport's markup: plain-text
paragraphs, an optional table, optional choices (buttons that run a command line)
and an optional photo.  The command core in `bot.chat` builds it; `bot.render.messages`,
`bot.slack.blocks` and the Telegram transport lay it out, escaping everything, so
article text can never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
"""Telegram's limit on a button's data: a choice's command line must fit."""


@dataclass(frozen=True)
class Choice:
    """One button: a label and the command line it runs."""

    label: str
    """What the button says."""
    command: str
    """The command line pressing it runs (at most 64 bytes)."""


@dataclass(frozen=True)
class Table:
    """A small table: a header and rows of cells, all plain text."""

    header: tuple[str, ...]
    """Column titles."""
    rows: tuple[tuple[str, ...], ...]
    """Cells, one tuple per row, as many as the header."""


@dataclass(frozen=True)
class Reply:
    """What a command answers, before any transport's markup."""

    paragraphs: tuple[str, ...] = ()
    """Plain-text paragraphs (may hold newlines)."""
    title: str | None = None
    """A bold first line."""
    table: Table | None = None
    """A table shown monospace after the paragraphs."""
    choices: tuple[tuple[Choice, ...], ...] = ()
    """Rows of buttons."""
    photo: bytes | None = None
    """A PNG to send (the title is its caption)."""
    ok: bool = True
    """False for a usage line, a refusal or an error."""
    public: bool = False
    """A confirmation the whole chat should see (a subscription, a language): Slack posts it
    to the channel instead of only to the person who typed."""
