"""Message safety: escaping, links, splitting for Telegram; escaping, links, limits for Slack.

Chunks from `split_html` are checked with the fake Telegram server's own HTML
parser, so "well-formed" means "Telegram would accept it".
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes.slack_api import FakeSlack, SlackLimits
from fakes.telegram_api import parse_html
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.markup import (
    ELLIPSIS,
    escape_html,
    escape_mrkdwn,
    fit_blocks,
    fit_text,
    safe_link,
    slack_link,
    split_html,
    truncate,
    utf16_len,
)

# ---------------------------------------------------------------- Telegram escaping and links

ESCAPES = [
    ("plain", "plain", "plain"),
    ("a < b > c", "a &lt; b &gt; c", "a &lt; b &gt; c"),
    ("AT&T", "AT&amp;T", "AT&amp;T"),
    ("&amp;", "&amp;amp;", "&amp;amp;"),
    ('say "hi"', 'say "hi"', "say &quot;hi&quot;"),
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;", "&lt;b&gt;bold&lt;/b&gt;"),
    ("نزح 38550 <شخص>", "نزح 38550 &lt;شخص&gt;", "نزح 38550 &lt;شخص&gt;"),
]


@pytest.mark.parametrize(("text", "expected", "in_attribute"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_escape_html(text: str, expected: str, in_attribute: str) -> None:
    assert escape_html(text) == expected
    assert escape_html(text, attribute=True) == in_attribute
    assert parse_html(escape_html(text)) == text


LINKS = [
    (
        "https://example.org/a?b=1&c=2",
        "المصدر",
        '<a href="https://example.org/a?b=1&amp;c=2">المصدر</a>',
    ),
    ("http://example.org", "<x>", '<a href="http://example.org">&lt;x&gt;</a>'),
    (
        'https://example.org/"onmouseover="x',
        "l",
        '<a href="https://example.org/&quot;onmouseover=&quot;x">l</a>',
    ),
    ("HTTPS://EXAMPLE.ORG/", "l", '<a href="HTTPS://EXAMPLE.ORG/">l</a>'),
    ("javascript:alert(1)", "click <me>", "click &lt;me&gt;"),
    ("data:text/html,<b>x</b>", "l", "l"),
    ("ftp://example.org/f", "l", "l"),
    ("tg://resolve?domain=x", "l", "l"),
    ("/relative/path", "l", "l"),
    ("https://", "l", "l"),
    ("https://exa mple.org", "l", "l"),
    ("https://example.org/\nx", "l", "l"),
    ("", "l", "l"),
]


@pytest.mark.parametrize(
    ("url", "label", "expected"), LINKS, ids=[u[:28] or "empty" for u, _, _ in LINKS]
)
def test_safe_link(url: str, label: str, expected: str) -> None:
    assert safe_link(url, label) == expected
    assert parse_html(safe_link(url, label)) == label


# ---------------------------------------------------------------- split_html

SPLITS = [
    ("short", "<b>short</b>", 100, ["<b>short</b>"]),
    ("paragraph", "a" * 30 + "\n\n" + "b" * 30, 40, ["a" * 30 + "\n\n", "b" * 30]),
    ("line", "a" * 30 + "\n" + "b" * 30, 40, ["a" * 30 + "\n", "b" * 30]),
    ("word", "aaaa bbbb cccc dddd", 10, ["aaaa bbbb ", "cccc dddd"]),
    ("no-space-hard-cut", "x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ("entity-kept-whole", "&amp;" * 5, 12, ["&amp;&amp;", "&amp;&amp;", "&amp;"]),
    ("tag-reopened", "<b>aaaa bbbb cccc</b>", 17, ["<b>aaaa bbbb </b>", "<b>cccc</b>"]),
    (
        "nested-reopened",
        "<b><i>one two three</i></b>",
        23,
        ["<b><i>one two </i></b>", "<b><i>three</i></b>"],
    ),
    (
        "link-reopened",
        '<a href="https://e.org">aa bb</a>',
        31,
        ['<a href="https://e.org">aa </a>', '<a href="https://e.org">bb</a>'],
    ),
    ("close-tag-stays-before-cut", "<b>aaaa </b>bbbb", 13, ["<b>aaaa </b>", "bbbb"]),
    (
        "paragraph-too-early-uses-word",
        "a\n\n" + "b " * 20,
        20,
        ["a\n\n" + "b " * 8, "b " * 10, "b " * 2],
    ),
]


@pytest.mark.parametrize(
    ("html", "limit", "expected"), [s[1:] for s in SPLITS], ids=[s[0] for s in SPLITS]
)
def test_split_html(html: str, limit: int, expected: list[str]) -> None:
    chunks = split_html(html, limit)
    assert chunks == expected
    assert all(utf16_len(c) <= limit for c in chunks)
    assert "".join(parse_html(c) for c in chunks) == parse_html(html)


def test_split_html_counts_utf16_units() -> None:
    emoji = "🙂" * 10  # 2 UTF-16 units each
    chunks = split_html(emoji, 8)
    assert chunks == ["🙂" * 4, "🙂" * 4, "🙂" * 2]


def test_split_html_default_limit_is_telegrams() -> None:
    html = "\n\n".join("<b>فقرة</b> " + "كلمة " * 300 for _ in range(10))
    chunks = split_html(html)
    assert len(chunks) > 1
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert "".join(parse_html(c) for c in chunks) == parse_html(html)


@pytest.mark.parametrize(
    ("html", "limit", "error"),
    [
        ("<b>x", 100, "never closed"),
        ("<b>x</i>", 100, "unbalanced"),
        ("x</b>", 100, "unbalanced"),
        ('<a href="https://example.org/long">' + "x" * 50 + "</a>", 30, "no room"),
    ],
    ids=["unclosed", "crossed", "stray-close", "tags-bigger-than-limit"],
)
def test_split_html_refuses(html: str, limit: int, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        split_html(html, limit)


def test_split_html_empty() -> None:
    assert split_html("") == []


OPEN_TAGS = [
    ("b", "<b>"),
    ("i", "<i>"),
    ("u", "<u>"),
    ("s", "<s>"),
    ("code", "<code>"),
    ("pre", "<pre>"),
    ("blockquote", "<blockquote>"),
    ("span", '<span class="tg-spoiler">'),
    ("a", '<a href="https://example.org/?q=1&amp;r=%D8%A7">'),
]
texts = st.text(alphabet="ab نزوحشخص&<>\n🙂", min_size=1, max_size=30).map(escape_html)
trees: st.SearchStrategy[str] = st.recursive(
    texts,
    lambda children: st.one_of(
        st.tuples(st.sampled_from(OPEN_TAGS), st.lists(children, min_size=1, max_size=4)).map(
            lambda t: t[0][1] + "".join(t[1]) + f"</{t[0][0]}>"
        ),
        st.lists(children, min_size=2, max_size=4).map("".join),
    ),
    max_leaves=25,
)


def _max_overhead(html: str) -> int:
    """The most any stack of open tags in `html` costs to reopen and close."""
    worst, stack = 0, []
    for tag in __import__("re").finditer(r"<(/?)([a-z-]+)[^>]*>", html):
        if tag.group(1):
            stack.pop()
        else:
            stack.append(len(tag.group(0)) + len(tag.group(2)) + 3)
        worst = max(worst, sum(stack))
    return worst


@settings(max_examples=150, deadline=None)
@given(trees, st.integers(min_value=10, max_value=400))
def test_split_html_property(html: str, limit: int) -> None:
    """Random nested tags and text: every chunk fits, is well-formed for Telegram, has text,
    and the chunks' text content joined is the original's."""
    try:
        parse_html(html)
    except ValueError:
        assume(False)  # nested links: Telegram refuses the input itself
    assume(limit >= _max_overhead(html) + 8)
    chunks = split_html(html, limit)
    assert all(utf16_len(c) <= limit for c in chunks)
    plains = [parse_html(c) for c in chunks]
    assert all(plains)
    assert "".join(plains) == parse_html(html)


# ---------------------------------------------------------------- Slack

MRKDWN = [
    ("<!channel> alert", "&lt;!channel&gt; alert"),
    ("<!here>", "&lt;!here&gt;"),
    ("hi <@U123>", "hi &lt;@U123&gt;"),
    ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
    ("AT&T &amp;", "AT&amp;T &amp;amp;"),
    ("*bold* _it_ نزوح", "*bold* _it_ نزوح"),
]


@pytest.mark.parametrize(("text", "expected"), MRKDWN, ids=[m[0] for m in MRKDWN])
def test_escape_mrkdwn(text: str, expected: str) -> None:
    escaped = escape_mrkdwn(text)
    assert escaped == expected
    assert "<" not in escaped and ">" not in escaped


SLACK_LINKS = [
    ("https://example.org/a?b=1", "المصدر", "<https://example.org/a?b=1|المصدر>"),
    ("https://example.org/a|b<c>", "l", "<https://example.org/a%7Cb%3Cc%3E|l>"),
    ("https://example.org/", "<!channel>", "<https://example.org/|&lt;!channel&gt;>"),
    ("javascript:alert(1)", "<!here>", "&lt;!here&gt;"),
    ("mailto:a@b.c", "l", "l"),
    ("slack://channel?id=C1", "l", "l"),
]


@pytest.mark.parametrize(
    ("url", "label", "expected"), SLACK_LINKS, ids=[u[:28] for u, _, _ in SLACK_LINKS]
)
def test_slack_link(url: str, label: str, expected: str) -> None:
    assert slack_link(url, label) == expected


TRUNCATES = [
    ("short", "abc", 10, "abc"),
    ("exact", "a" * 10, 10, "a" * 10),
    ("cut", "a" * 20, 10, "a" * 9 + ELLIPSIS),
    ("entity-not-cut", "aaaaaa&amp;bbbb", 10, "aaaaaa" + ELLIPSIS),
    ("link-not-cut", "ab <https://e.org|x> cd", 12, "ab" + ELLIPSIS),
    ("trailing-space-dropped", "word word word", 11, "word word" + ELLIPSIS),
]


@pytest.mark.parametrize(
    ("text", "limit", "expected"), [t[1:] for t in TRUNCATES], ids=[t[0] for t in TRUNCATES]
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    result = truncate(text, limit)
    assert result == expected
    assert len(result) <= limit


def oversized_blocks() -> list[dict[str, Any]]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "H" * 200}},
        {"type": "section", "text": {"type": "mrkdwn", "text": escape_mrkdwn("<x> " * 1000)}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": "f" * 2500} for _ in range(12)],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"} for _ in range(12)]},
        *({"type": "divider"} for _ in range(60)),
    ]


def test_fit_blocks_respects_every_limit_and_copies() -> None:
    blocks = oversized_blocks()
    fitted = fit_blocks(blocks)
    assert len(fitted) == 50
    assert len(fitted[0]["text"]["text"]) == 150 and fitted[0]["text"]["text"].endswith(ELLIPSIS)
    section = fitted[1]["text"]["text"]
    assert len(section) <= 3000 and section.endswith("&gt;" + ELLIPSIS)
    assert len(fitted[2]["fields"]) == 10 and all(
        len(f["text"]) <= 2000 for f in fitted[2]["fields"]
    )
    assert len(fitted[3]["elements"]) == 10
    assert blocks[0]["text"]["text"] == "H" * 200  # the input is untouched
    assert len(fit_text("x" * 50000)) == 40000


async def test_fitted_blocks_are_accepted_by_the_fake_slack() -> None:
    async with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        client = AsyncWebClient(token=slack.token, base_url=slack.api_base_url)
        await client.chat_postMessage(
            channel="C1", text="fallback", blocks=fit_blocks(oversized_blocks())
        )
        [message] = slack.messages("C1")
        assert len(message.blocks) == 50
        assert "<x>" not in message.all_text()
