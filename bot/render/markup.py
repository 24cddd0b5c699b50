"""Message safety: article text never becomes markup, and messages fit the platforms' limits.

Telegram (HTML parse mode, https://core.telegram.org/bots/api#html-style):
`escape_html` for every piece of text from outside, `safe_link` for links
(only http/https are ever rendered as links), `split_html` for messages over
4096 characters, cut at paragraph, line or word boundaries, never inside a
tag or an entity, closing the open tags at the end of a chunk and reopening
them at the start of the next.

Slack (mrkdwn, https://docs.slack.dev/messaging/formatting-message-text):
`escape_mrkdwn` turns `&`, `<`, `>` into entities, so that a feed can never
produce `<!channel>`, `<!here>`, `<@U123>` or a link; `slack_link` for links;
`fit_blocks` keeps Block Kit under Slack's limits (section text 3000
characters, header 150, 50 blocks) by truncating with an ellipsis.

Lengths for Telegram are counted as Telegram counts them, in UTF-16 code units.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import quote, urlsplit

log = logging.getLogger(__name__)

TELEGRAM_MAX_MESSAGE = 4096
"""Longest Telegram message text, in UTF-16 code units."""
SLACK_MAX_SECTION_TEXT = 3000
"""Longest text of a Slack section block."""
SLACK_MAX_HEADER_TEXT = 150
"""Longest text of a Slack header block."""
SLACK_MAX_FIELD_TEXT = 2000
"""Longest text of one section field or context element."""
SLACK_MAX_FIELDS = 10
"""Most fields in a section block; also most elements in a context block."""
SLACK_MAX_BLOCKS = 50
"""Most blocks in one message."""
SLACK_MAX_TEXT = 40000
"""Longest top-level message text."""
ELLIPSIS = "…"
"""What a truncated text ends with."""

LINK_SCHEMES = frozenset({"http", "https"})
"""The only URL schemes ever rendered as links."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters."""
    if not isinstance(url, str) or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc) and bool(parts.hostname)


# ---------------------------------------------------------------- Telegram HTML


def escape_html(text: str, *, attribute: bool = False) -> str:
    """`text` safe inside Telegram HTML: `&`, `<`, `>` (and `"` when `attribute`) escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def safe_link(url: str, label: str) -> str:
    """`<a href="url">label</a>` for an http(s) URL; otherwise just the escaped label."""
    if not is_web_url(url):
        return escape_html(label)
    return f'<a href="{escape_html(url, attribute=True)}">{escape_html(label)}</a>'


_ATOM = re.compile(
    r"(?P<tag><(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9A-Fa-f]+);)"
    r"|(?P<char>.)",
    re.DOTALL,
)

_PARAGRAPH, _LINE, _WORD = 3, 2, 1


def _atoms(html: str) -> list[tuple[str, str, str]]:
    """(kind, raw, tag name) for every tag, entity and character; kind: open, close or text."""
    atoms: list[tuple[str, str, str]] = []
    for m in _ATOM.finditer(html):
        if m.group("tag"):
            kind = "close" if m.group("close") else "open"
            atoms.append((kind, m.group("tag"), m.group("name").lower()))
        else:
            atoms.append(("text", m.group(0), ""))
    return atoms


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def split_html(html: str, limit: int = TELEGRAM_MAX_MESSAGE) -> list[str]:
    """Telegram-HTML `html` cut into well-formed chunks of at most `limit` UTF-16 units.

    Cuts prefer a paragraph break, then a line break, then a space, as long as
    that keeps the chunk at least half full; a tag or an entity is never cut.
    Tags open at a cut are closed at the end of the chunk and reopened at the
    start of the next, so the text content of the chunks, joined, is the text
    content of `html`.  ValueError for unbalanced tags, or when the open tags
    alone do not fit in `limit`.
    """
    if not html:
        return []
    atoms = _atoms(html)
    _check_balanced(atoms)
    if utf16_len(html) <= limit:
        return [html]
    chunks: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0
    while i < len(atoms):
        prefix = "".join(raw for _, raw in stack)
        budget = limit - utf16_len(prefix)
        cur = list(stack)
        used = 0
        j = i
        # best cut per priority: (position, stack there, content length there)
        cuts: dict[int, tuple[int, list[tuple[str, str]], int]] = {}
        prev = ""
        while j < len(atoms):
            kind, raw, name = atoms[j]
            nxt = _step(cur, kind, raw, name)
            size = used + utf16_len(raw)
            if size + utf16_len(_closers(nxt)) > budget:
                break
            cur, used, j = nxt, size, j + 1
            if kind == "text":
                if raw == "\n":
                    priority = _PARAGRAPH if prev == "\n" else _LINE
                elif raw.isspace():
                    priority = _WORD
                else:
                    priority = 0
                cuts[priority] = (j, list(cur), used)
                prev = raw
        if j == len(atoms):
            chunks.append(prefix + "".join(raw for _, raw, _ in atoms[i:]) + _closers(cur))
            break
        if not any(pos > i for pos, _, _ in cuts.values()):
            raise ValueError(f"split_html: the open tags leave no room for text within {limit}")
        cut = next(
            (cuts[p] for p in (_PARAGRAPH, _LINE, _WORD) if p in cuts and cuts[p][2] * 2 >= used),
            None,
        )
        if cut is None:
            cut = max(cuts.values(), key=lambda c: c[0])
        pos, cut_stack, _ = cut
        # closing tags right after the cut belong to this chunk (they cost the same either way)
        while pos < len(atoms) and atoms[pos][0] == "close":
            cut_stack = _step(cut_stack, *atoms[pos])
            pos += 1
        chunks.append(prefix + "".join(raw for _, raw, _ in atoms[i:pos]) + _closers(cut_stack))
        stack, i = cut_stack, pos
    return chunks


def _step(stack: list[tuple[str, str]], kind: str, raw: str, name: str) -> list[tuple[str, str]]:
    if kind == "open":
        return [*stack, (name, raw)]
    if kind == "close":
        return stack[:-1]
    return stack


def _check_balanced(atoms: list[tuple[str, str, str]]) -> None:
    names: list[str] = []
    for kind, raw, name in atoms:
        if kind == "open":
            names.append(name)
        elif kind == "close":
            if not names or names[-1] != name:
                raise ValueError(f"split_html: unbalanced tag {raw!r}")
            names.pop()
    if names:
        raise ValueError(f"split_html: <{names[-1]}> is never closed")


# ---------------------------------------------------------------- Slack mrkdwn


def escape_mrkdwn(text: str) -> str:
    """`text` safe in Slack mrkdwn: `&`, `<`, `>` as entities (no mentions, no links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, label: str) -> str:
    """`<url|label>` for an http(s) URL; otherwise just the escaped label."""
    if not is_web_url(url):
        return escape_mrkdwn(label)
    safe_url = quote(url, safe="".join(c for c in map(chr, range(33, 127)) if c not in "<>|"))
    return f"<{safe_url}|{escape_mrkdwn(label)}>"


_PROTECTED = re.compile(r"&[A-Za-z0-9#]+;|<[^<>]*>")


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters ending with `ellipsis`, never inside an
    `&entity;` or a `<link|label>`."""
    if len(text) <= limit:
        return text
    cut = max(limit - len(ellipsis), 0)
    for m in _PROTECTED.finditer(text, max(cut - 2000, 0)):
        if m.start() >= cut:
            break
        if m.end() > cut:
            cut = m.start()
            break
    return text[:cut].rstrip() + ellipsis


def _fit_text_object(obj: Any, limit: int) -> Any:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        obj["text"] = truncate(obj["text"], limit)
    return obj


def fit_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `blocks` truncated to Slack's limits (texts, fields, elements, block count)."""
    fitted = copy.deepcopy(blocks[:SLACK_MAX_BLOCKS])
    if len(blocks) > SLACK_MAX_BLOCKS:
        log.info("fit_blocks: dropped %s blocks over Slack's limit", len(blocks) - SLACK_MAX_BLOCKS)
    for block in fitted:
        kind = block.get("type")
        if kind == "section":
            _fit_text_object(block.get("text"), SLACK_MAX_SECTION_TEXT)
            if isinstance(block.get("fields"), list):
                block["fields"] = [
                    _fit_text_object(f, SLACK_MAX_FIELD_TEXT)
                    for f in block["fields"][:SLACK_MAX_FIELDS]
                ]
        elif kind == "header":
            _fit_text_object(block.get("text"), SLACK_MAX_HEADER_TEXT)
        elif kind == "context" and isinstance(block.get("elements"), list):
            block["elements"] = [
                _fit_text_object(e, SLACK_MAX_FIELD_TEXT)
                for e in block["elements"][:SLACK_MAX_FIELDS]
            ]
    return fitted


def fit_text(text: str) -> str:
    """A top-level Slack message text (the fallback) within Slack's length limit."""
    return truncate(text, SLACK_MAX_TEXT)
