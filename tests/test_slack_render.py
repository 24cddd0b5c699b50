"""Slack rendering: Block Kit for alerts and replies, escaping of article text, Slack's limits."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat.table import COMMANDS
from bot.render.markup import (
    SLACK_MAX_BLOCKS,
    SLACK_MAX_FIELD_TEXT,
    SLACK_MAX_HEADER_TEXT,
    SLACK_MAX_SECTION_TEXT,
)
from bot.render.messages import alert_text
from bot.render.reply import Choice, Reply, Table
from bot.slack.blocks import (
    CHOICE_ACTION,
    alert_blocks,
    alert_fallback,
    reply_blocks,
    reply_text,
    slack_commands,
)
from bot.slack.transport import _retry_after
from bot.store.outbox import AlertView
from figures.diff import Key
from figures.model import Metric, Qualifier, Scope, Unit

QUOTE = "وقال المرصد إن أكثر من 15 ألف شخص نزحوا من المنطقة"
FIGURE = "أكثر من 15 ألف شخص"

ALERT = AlertView(
    change_id=1,
    kind="increase",
    key=Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, None),
    value=15000,
    qualifier=Qualifier.MORE_THAN,
    vague=False,
    unit=Unit.PERSON,
    prev_value=11500,
    prev_qualifier=Qualifier.EXACT,
    prev_vague=False,
    prev_as_of=datetime(2019, 2, 1, tzinfo=UTC),
    quote=QUOTE,
    quote_start=QUOTE.index(FIGURE),
    quote_end=QUOTE.index(FIGURE) + len(FIGURE),
    fine_place="baghuz",
    party=None,
    url="https://www.syriahr.com/en/1234/",
    title="Thousands flee Baghuz",
    outlet="SOHR",
    published=datetime(2019, 2, 12, 9, 30, tzinfo=UTC),
    sources=("SOHR", "Enab Baladi"),
    alert=True,
)

MENTIONS = re.compile(r"<[!@#]|<https?:")
"""What Slack would turn into a mention, a channel link or a link."""


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text Slack parses as mrkdwn in `blocks`."""
    out = []
    for block in blocks:
        for obj in [block.get("text"), *block.get("elements", []), *block.get("fields", [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                out.append(obj["text"])
    return out


def links(text: str) -> list[str]:
    """The `<url|label>` links in a mrkdwn text."""
    return re.findall(r"<(https?://[^|>]*)\|", text)


# ---------------------------------------------------------------- alerts


def test_alert_layout_header_quote_and_source_line() -> None:
    header, body, context = alert_blocks(ALERT, "en")
    parts = alert_text(ALERT, "en")
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": parts.headline, "emoji": False},
    }
    assert header["text"]["text"].startswith("Displaced in Baghuz")
    assert body["text"]["text"] == f"_Increase_\n> وقال المرصد إن *{FIGURE}* نزحوا من المنطقة"
    source_line, also = (e["text"] for e in context["elements"])
    assert (
        source_line
        == "SOHR, 12 Feb 2019 · <https://www.syriahr.com/en/1234/|Thousands flee Baghuz>"
    )
    assert also == "Also reported by: Enab Baladi"


def test_arabic_alert_uses_arabic_words_and_digits() -> None:
    header, body, context = alert_blocks(ALERT, "ar")
    assert header["text"]["text"].startswith("نازحون")
    assert "١٥٬٠٠٠" in header["text"]["text"]
    assert body["text"]["text"].startswith("_ارتفاع_")
    assert "٢٠١٩" in context["elements"][0]["text"]


HOSTILE = [
    ("title", "<!channel> please read <@U123>"),
    ("title", "<https://evil.example|bank login> & more"),
    ("quote", "<!here> أكثر من 15 ألف شخص <@U123>"),
    ("outlet", "<!everyone>"),
    ("sources", ("SOHR", "<!subteam^S1>")),
    ("url", "javascript:alert(1)"),
    ("url", "https://ok.example/a>b|<!channel>"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    HOSTILE,
    ids=["title-mentions", "title-link", "quote", "outlet", "also", "js-url", "url-with-markup"],
)
def test_article_text_can_never_become_a_mention_or_a_link(field: str, value: object) -> None:
    alert = dataclasses.replace(ALERT, **{field: value})
    if field == "quote":
        alert = dataclasses.replace(alert, quote_start=0, quote_end=0)
    blocks = alert_blocks(alert, "en")
    for text in [*mrkdwn_texts(blocks), alert_fallback(alert, "en")]:
        assert not MENTIONS.search(re.sub(r"<https://[^<>|\s]*\|", "", text)), text
        for url in links(text):  # the article's own link, and nothing else
            assert url.startswith(("https://www.syriahr.com/", "https://ok.example/")), url
            assert "<" not in url and ">" not in url and "|" not in url
        assert len(links(text)) <= 1
    assert "&lt;" in json.dumps(blocks, ensure_ascii=False) or field == "url"


def test_non_web_link_is_shown_as_text_only() -> None:
    alert = dataclasses.replace(ALERT, url="ftp://files.example/x")
    [_, _, context] = alert_blocks(alert, "en")
    assert links(context["elements"][0]["text"]) == []
    assert "Thousands flee Baghuz" in context["elements"][0]["text"]


def test_huge_alert_stays_within_slacks_limits() -> None:
    quote = "& نزح الآلاف <!channel> " * 800
    alert = dataclasses.replace(
        ALERT,
        quote=quote,
        quote_start=0,
        quote_end=len(quote) // 2,
        title="عنوان طويل جداً " * 500,
        sources=tuple(f"outlet {i} &" for i in range(400)),
        fine_place="x" * 400,
    )
    header, body, context = alert_blocks(alert, "en")
    assert len(header["text"]["text"]) <= SLACK_MAX_HEADER_TEXT
    assert len(body["text"]["text"]) <= SLACK_MAX_SECTION_TEXT
    assert all(len(e["text"]) <= SLACK_MAX_FIELD_TEXT for e in context["elements"])
    assert "…" in body["text"]["text"]  # the quote is cut (about 300 characters of it)
    for text in mrkdwn_texts([body, context]):
        assert not re.search(r"&[a-z]*…", text), "an entity was cut"
        # the article's own link is the one link (its label capped, so it is never cut away)
        assert not MENTIONS.search(text.replace(f"<{ALERT.url}|", ""))
    assert f"<{ALERT.url}|" in context["elements"][0]["text"]
    assert len(alert_fallback(alert, "en")) <= 3000


# ---------------------------------------------------------------- replies


def test_reply_title_paragraphs_table_and_buttons() -> None:
    reply = Reply(
        paragraphs=("Send /subscribe displaced <!channel> & co",),
        title="Current totals",
        table=Table(("Figure", "Value"), (("Displaced", "15,000"), ("Killed", "<@U1>"))),
        choices=((Choice("Killed", "/subscribe killed"), Choice("All", "/subscribe all")),),
    )
    blocks = reply_blocks(reply)
    assert [b["type"] for b in blocks] == ["section", "section", "section", "actions"]
    assert blocks[0]["text"]["text"] == "*Current totals*"
    assert blocks[1]["text"]["text"] == (
        "Send /raqib subscribe displaced &lt;!channel&gt; &amp; co"
    )
    table = blocks[2]["text"]["text"]
    assert table.startswith("```Figure") and table.endswith("```") and "&lt;@U1&gt;" in table
    buttons = blocks[3]["elements"]
    assert [b["value"] for b in buttons] == ["/subscribe killed", "/subscribe all"]
    assert len({b["action_id"] for b in buttons}) == 2
    assert all(b["action_id"].startswith(CHOICE_ACTION + ":") for b in buttons)
    assert reply_text(reply).startswith("Current totals\n\nSend /raqib subscribe")


def test_long_table_is_cut_into_sections_at_line_ends() -> None:
    rows = tuple((f"row {i} &", "x" * 60) for i in range(400))
    blocks = reply_blocks(Reply(table=Table(("a", "b"), rows)))
    assert len(blocks) > 1
    lines = []
    for block in blocks:
        text = block["text"]["text"]
        assert len(text) <= SLACK_MAX_SECTION_TEXT
        assert text.startswith("```") and text.endswith("```")
        lines += text.strip("`").split("\n")
    assert len(lines) == len(rows) + 1  # every row, none cut in two
    assert lines[1].startswith("row 0 &amp;")


def test_too_many_paragraphs_keep_the_buttons_within_fifty_blocks() -> None:
    reply = Reply(
        paragraphs=tuple(f"p{i}" for i in range(80)),
        choices=tuple((Choice(f"b{i}", f"/unsubscribe {i}"),) for i in range(30)),
    )
    blocks = reply_blocks(reply)
    assert len(blocks) <= SLACK_MAX_BLOCKS
    actions = [b for b in blocks if b["type"] == "actions"]
    assert sum(len(a["elements"]) for a in actions) == 30
    assert all(len(a["elements"]) <= 25 for a in actions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/subscribe displaced", "/raqib subscribe displaced"),
        ("Usage: /history METRIC [place]", "Usage: /raqib history METRIC [place]"),
        ("/sources and /source add", "/raqib sources and /raqib source add"),
        ("see https://x.example/help", "see https://x.example/help"),
        ("/subscriber", "/subscriber"),
        ("a/help", "a/help"),
    ],
    ids=["command", "usage", "prefix-names", "url-path", "longer-word", "inside-word"],
)
def test_commands_are_written_as_slack_users_type_them(text: str, expected: str) -> None:
    assert slack_commands(text) == expected


def test_every_command_is_rewritten() -> None:
    for spec in COMMANDS:
        assert slack_commands(spec.example).startswith(f"/raqib {spec.name}")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>&!@#|*_ abcنزح\n"), max_size=4000))
def test_any_text_in_a_reply_is_escaped_and_fits(text: str) -> None:
    reply = Reply(paragraphs=(text,), title=text[:100], table=Table(("h",), ((text[:300],),)))
    blocks = reply_blocks(reply)
    for inner in mrkdwn_texts(blocks):
        assert "<" not in inner and ">" not in inner
        assert len(inner) <= SLACK_MAX_SECTION_TEXT
    assert "<" not in reply_text(reply)


# ---------------------------------------------------------------- 429 headers


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": ["30"]}, 30.0),
        ({"Retry-After": "0"}, 1.0),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "nan"}, 1.0),
        ({}, 1.0),
    ],
    ids=["seconds", "list-lowercase", "zero", "junk", "nan", "missing"],
)
def test_retry_after_header(headers: dict[str, Any], seconds: float) -> None:
    assert _retry_after(headers) == seconds
