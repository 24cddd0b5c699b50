"""Slack rendering: alerts and command replies as Block Kit, with a plain-text fallback.

The wording is `bot.render.messages`'s (`alert_text` for alerts, the `Reply` pieces for
commands); this module only lays those pieces out as blocks:

- an alert is a header (the headline: our own words and numbers, plain text),
  a section with the kind of change and the quote (the figure's words in
  bold), and a context line with the outlet, the date and the article link,
  plus the corroborating outlets when there are some;
- a command reply is its title, its paragraphs, its table (monospace, cut into
  sections under 3000 characters) and its choices as buttons whose value is
  the command line they run.

Every piece of text that reaches a `mrkdwn` object goes through
`escape_mrkdwn` (`&`, `<`, `>` as entities), so an article can never make
Slack render `<!channel>`, `<@U123>` or a link of its own; links are made only
by `slack_link`, for http(s) URLs.  `fit_blocks` keeps every block under
Slack's limits, `fit_text` the fallback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.chat.table import COMMANDS
from bot.render.markup import (
    SLACK_MAX_BLOCKS,
    SLACK_MAX_SECTION_TEXT,
    escape_mrkdwn,
    fit_blocks,
    fit_text,
    slack_link,
    truncate,
)
from bot.render.messages import alert_plain, alert_text, table_text
from bot.render.reply import Reply
from bot.store.outbox import AlertView

log = logging.getLogger(__name__)

SLASH_COMMAND = "/raqib"
"""The one slash command the Slack app registers."""
CHOICE_ACTION = "raqib_choice"
"""Prefix of the action id of a reply's buttons (`raqib_choice:3`)."""
MAX_BUTTONS = 25
"""Most elements in one actions block."""
MAX_BUTTON_TEXT = 75
"""Longest button label."""
MAX_BUTTON_VALUE = 2000
"""Longest button value."""

Block = dict[str, Any]
"""One Block Kit block, as JSON."""

_COMMAND_WORD = re.compile(
    r"(?<![\w/])/(" + "|".join(sorted((c.name for c in COMMANDS), key=len, reverse=True)) + r")\b"
)


def slack_commands(text: str) -> str:
    """`/subscribe displaced` → `/raqib subscribe displaced` (how commands are typed on Slack)."""
    return _COMMAND_WORD.sub(lambda m: f"{SLASH_COMMAND} {m.group(1)}", text)


def mrkdwn(text: str) -> Block:
    """A mrkdwn text object (the text must already be escaped)."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> Block:
    """A plain_text text object (Slack shows it as is)."""
    return {"type": "plain_text", "text": text, "emoji": False}


# ---------------------------------------------------------------- alerts


def alert_blocks(alert: AlertView, lang: str) -> list[Block]:
    """The alert as Block Kit: headline, kind and quote, outlet · date · link, corroborations."""
    a = alert_text(alert, lang)
    if a.quote_figure.strip():
        quote = (
            f"{escape_mrkdwn(a.quote_before)}*{escape_mrkdwn(a.quote_figure.strip())}*"
            f"{escape_mrkdwn(a.quote_after)}"
        )
    else:
        quote = escape_mrkdwn(a.quote_before + a.quote_after)
    body = f"_{escape_mrkdwn(a.kind)}_"
    if quote.strip():
        body += f"\n> {quote.strip()}"
    link = slack_link(a.url, a.link_label) if a.url else escape_mrkdwn(a.link_label)
    context = [mrkdwn(f"{escape_mrkdwn(a.credit)} · {link}")]
    if a.also:
        context.append(mrkdwn(escape_mrkdwn(a.also)))
    blocks: list[Block] = [
        {"type": "header", "text": plain(a.headline or "raqib")},
        {"type": "section", "text": mrkdwn(body)},
        {"type": "context", "elements": context},
    ]
    return fit_blocks(blocks)


def alert_fallback(alert: AlertView, lang: str) -> str:
    """The message's top-level `text`: what notifications and screen readers show (escaped)."""
    return fit_text(escape_mrkdwn(alert_plain(alert, lang)))


# ---------------------------------------------------------------- command replies


def reply_blocks(reply: Reply) -> list[Block]:
    """A command reply as Block Kit (title, paragraphs, table, buttons)."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append(section(f"*{escape_mrkdwn(slack_commands(reply.title))}*"))
    for paragraph in reply.paragraphs:
        if paragraph.strip():
            blocks.append(section(escape_mrkdwn(slack_commands(paragraph))))
    if reply.table is not None and reply.table.rows:
        body = table_text(reply.table.header, reply.table.rows)
        for chunk in _line_chunks(escape_mrkdwn(body), SLACK_MAX_SECTION_TEXT - 6):
            blocks.append(section(f"```{chunk}```"))
    buttons = [
        {
            "type": "button",
            "text": plain(truncate(choice.label, MAX_BUTTON_TEXT) or "?"),
            "value": choice.command,
            "action_id": f"{CHOICE_ACTION}:{i}",
        }
        for i, choice in enumerate(c for row in reply.choices for c in row)
        if 0 < len(choice.command) <= MAX_BUTTON_VALUE
    ]
    room = SLACK_MAX_BLOCKS - (len(buttons) + MAX_BUTTONS - 1) // MAX_BUTTONS
    if len(blocks) > room:
        log.info("slack: a reply of %d blocks is cut to %d", len(blocks), room)
        blocks = blocks[:room]
    for start in range(0, len(buttons), MAX_BUTTONS):
        blocks.append({"type": "actions", "elements": buttons[start : start + MAX_BUTTONS]})
    return fit_blocks(blocks)


def reply_text(reply: Reply) -> str:
    """A command reply's top-level `text` (the notification; escaped mrkdwn)."""
    parts = [reply.title] if reply.title else []
    parts += [p for p in reply.paragraphs if p.strip()]
    text = "\n\n".join(parts)
    if not text and reply.table is not None and reply.table.rows:
        text = " · ".join(reply.table.header)
    return fit_text(escape_mrkdwn(slack_commands(text)) or "raqib")


def section(text: str) -> Block:
    """A section block of escaped mrkdwn."""
    return {"type": "section", "text": mrkdwn(text)}


def _line_chunks(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than a chunk: cut it (never in an entity)
            head = truncate(line, limit, ellipsis="") or line[:limit]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
