"""Alert rendering: headlines in both languages, escaping, links, splitting."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from fakes.telegram_api import parse_html

from bot.render.i18n import STRINGS, t
from bot.render.markup import TELEGRAM_MAX_MESSAGE, utf16_len
from bot.render.messages import (
    HEADLINE_LIMIT,
    NAME_LIMIT,
    QUOTE_LIMIT,
    TITLE_LIMIT,
    alert_html,
    alert_mrkdwn,
    alert_text,
    amount,
    format_since,
    format_window,
    number,
    quote_parts,
)
from bot.store.outbox import AlertView
from figures.diff import Key
from figures.model import Metric, Qualifier, Scope, Unit

QUOTE = "فيما يرتفع إلى 38550 عدد الخارجين منذ الأول من ديسمبر"
START = QUOTE.index("38550")

BASE = AlertView(
    change_id=1,
    kind="increase",
    key=Key(Metric.DISPLACED, "deir-ez-zor", None, Scope.TOTAL, None, "--12-01", Unit.PERSON),
    value=38550,
    qualifier=Qualifier.EXACT,
    vague=False,
    unit=Unit.PERSON,
    prev_value=36500,
    prev_qualifier=Qualifier.MORE_THAN,
    prev_vague=False,
    prev_as_of=datetime(2019, 2, 10, tzinfo=UTC),
    quote=QUOTE,
    quote_start=START,
    quote_end=START + 5,
    fine_place=None,
    party=None,
    url="https://www.syriahr.com/?p=1",
    title="خروج نحو 350 مدني",
    outlet="SOHR",
    published=datetime(2019, 2, 12, 12, tzinfo=UTC),
    sources=("SOHR", "AFP Arabic"),
    alert=True,
)


@pytest.mark.parametrize(
    ("lang", "headline"),
    [
        ("en", "Displaced in Deir ez-Zor since 1 Dec: 38,550 (was more than 36,500)"),
        ("ar", "نازحون في دير الزور منذ ١ ديسمبر: ٣٨٬٥٥٠ (كان أكثر من ٣٦٬٥٠٠)"),
    ],
    ids=["en", "ar"],
)
def test_headline(lang: str, headline: str) -> None:
    assert alert_text(BASE, lang).headline == headline


def test_the_whole_message_in_english() -> None:
    [html] = alert_html(BASE, "en")
    plain = parse_html(html)
    assert plain.splitlines() == [
        "Displaced in Deir ez-Zor since 1 Dec: 38,550 (was more than 36,500)",
        "",
        "Increase",
        "",
        QUOTE,
        "",
        "SOHR, 12 Feb 2019 · خروج نحو 350 مدني",
        "",
        "Also reported by: AFP Arabic",
    ]
    assert "<b>38550</b>" in html
    assert '<a href="https://www.syriahr.com/?p=1">' in html


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"kind": "new", "prev_value": None}, "Displaced in Deir ez-Zor since 1 Dec: 38,550"),
        (
            {
                "key": Key(
                    Metric.AREA_CONTROLLED,
                    "east-euphrates",
                    "is",
                    Scope.TOTAL,
                    None,
                    None,
                    Unit.KM2,
                ),
                "kind": "decrease",
                "value": 2,
                "qualifier": Qualifier.LESS_THAN,
                "unit": Unit.KM2,
                "prev_value": 4,
                "prev_qualifier": Qualifier.EXACT,
            },
            "Area held (Islamic State) in East of the Euphrates: less than 2 km² (was 4 km²)",
        ),
        (
            {
                "key": Key(Metric.DISPLACED, "hasakah", None, Scope.WINDOW, "48h", None),
                "kind": "event",
                "value": 1500,
                "qualifier": Qualifier.APPROX,
                "prev_value": 1400,
            },
            "Displaced in Hasakah in 48 hours: about 1,500",
        ),
        (
            {
                "vague": True,
                "value": 1000,
                "kind": "new",
                "prev_value": None,
                "fine_place": "baghuz",
            },
            "Displaced in Baghuz since 1 Dec: thousands (1,000+)",
        ),
    ],
    ids=["new-has-no-was", "territory-shrinks", "window-event", "vague-fine-place"],
)
def test_headlines_of_each_kind(change: dict[str, object], expected: str) -> None:
    assert alert_text(dataclasses.replace(BASE, **change), "en").headline == expected  # type: ignore[arg-type]


HOSTILE = '<script>alert("x")</script> & <b>bold</b> &amp; <a href="javascript:1">'


def test_article_text_is_escaped_everywhere() -> None:
    alert = dataclasses.replace(
        BASE,
        quote=HOSTILE + " 38550 " + HOSTILE,
        quote_start=len(HOSTILE) + 1,
        quote_end=len(HOSTILE) + 6,
        title=HOSTILE,
        outlet="A&B <i>",
        sources=("A&B <i>", "<b>x</b>"),
    )
    for lang in ("en", "ar"):
        chunks = alert_html(alert, lang)
        plain = "".join(parse_html(c) for c in chunks)  # raises if Telegram would refuse it
        assert HOSTILE in plain and "A&B <i>" in plain and "<b>x</b>" in plain
        assert "<script>" not in "".join(chunks)
    mrkdwn = alert_mrkdwn(alert, "en")
    assert "<script>" not in mrkdwn and "&lt;script&gt;" in mrkdwn


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "ftp://x.org/a", ""],
    ids=["javascript", "file", "data", "ftp", "empty"],
)
def test_non_http_links_are_never_rendered(url: str) -> None:
    alert = dataclasses.replace(BASE, url=url)
    html = "".join(alert_html(alert, "en"))
    assert "<a " not in html and "href" not in html
    assert alert_text(alert, "en").url is None
    assert "<http" not in alert_mrkdwn(alert, "en") and "|" not in alert_mrkdwn(alert, "en")


def test_a_long_quote_is_cut_around_the_figure_and_the_alert_is_one_message() -> None:
    # before, the whole 20,000-character quote went out, in five messages
    long = "نزوح " * 2000
    alert = dataclasses.replace(
        BASE, quote=long + "38550" + long, quote_start=len(long), quote_end=len(long) + 5
    )
    [html] = alert_html(alert, "ar")
    text = parse_html(html)
    assert utf16_len(text) <= TELEGRAM_MAX_MESSAGE
    quote = text.split("\n\n")[2]
    assert quote.startswith("…نزوح") and quote.endswith("نزوح…")
    assert len(quote) <= QUOTE_LIMIT + 2
    left, right = quote.split("38550")
    assert abs(len(left) - len(right)) <= 6  # centred on the figure


SENTENCE = "وقال المرصد إن القصف أدى إلى نزوح بالمئات من أهالي البلدة نحو المخيمات"


@pytest.mark.parametrize(
    ("quote", "figure", "limit", "expected"),
    [
        (SENTENCE, "مئات", 300, (SENTENCE.split("بالمئات")[0], "بالمئات", None)),
        ("نزح 1500شخص", "1500", 300, ("نزح ", "1500شخص", "")),
        ("كلمة " * 100 + "38550 " + "كلمة " * 100, "38550", 60, ("…", "38550", "…")),
        ("أ" * 50 + " 700 " + "ب" * 50, "700", 30, ("…", "700", "…")),
        ("short 12 text", "12", 300, ("short ", "12", " text")),
    ],
    ids=["prefix-joins-the-bold", "suffix-joins-the-bold", "cut-both-sides", "long-words", "whole"],
)
def test_quote_parts_cut_at_word_boundaries(
    quote: str, figure: str, limit: int, expected: tuple[str, str, str | None]
) -> None:
    # before, the bold began inside the word (بال<b>مئات</b>) and a cut fell mid-word
    start = quote.index(figure)
    before, bold, after = quote_parts(quote, start, start + len(figure), limit)
    assert bold == expected[1]
    assert before + bold + after == quote or before.startswith("…") or after.endswith("…")
    if expected[0] == "…":
        assert before.startswith("…") and after.endswith("…")
        assert len(before) + len(bold) + len(after) <= limit + 2
        for piece in (before[1:], after[:-1]):  # whole words only
            assert all(w in quote.split() for w in piece.split())
    else:
        assert before == expected[0]
    if expected[2] is not None and expected[0] != "…":
        assert after == expected[2]


def test_article_text_in_an_alert_is_capped_so_one_alert_is_one_message() -> None:
    # before, a 20,000-character title (the link label) made one alert five messages
    alert = dataclasses.replace(
        BASE,
        title="عنوان طويل جداً " * 1300,
        outlet="وكالة " * 500,
        quote="نزوح " * 3000,
        quote_start=0,
        quote_end=len("نزوح " * 3000),
        sources=tuple(f"outlet {i}" * 20 for i in range(300)),
        fine_place="x" * 5000,
    )
    for lang in ("en", "ar"):
        [html] = alert_html(alert, lang)
        text = parse_html(html)
        assert utf16_len(text) <= 2000
        a = alert_text(alert, lang)
        assert len(a.link_label) <= TITLE_LIMIT and a.link_label.endswith("…")
        assert a.link_label[:-1].split()[-1] in {"عنوان", "طويل", "جداً"}  # at a word boundary
        assert len(a.credit) <= NAME_LIMIT + 20
        assert len(a.headline) <= HEADLINE_LIMIT
        assert len(alert_mrkdwn(alert, lang)) <= 3000


def test_offsets_outside_the_quote_bold_nothing() -> None:
    alert = dataclasses.replace(BASE, quote_start=500, quote_end=510)
    [html] = alert_html(alert, "en")
    assert parse_html(html).count(QUOTE) == 1
    assert "<b>" in html  # the headline only
    assert html.count("<b>") == 1


@pytest.mark.parametrize(
    ("value", "qualifier", "vague", "unit", "lang", "expected"),
    [
        (38550, Qualifier.EXACT, False, Unit.PERSON, "en", "38,550"),
        (38550, Qualifier.MORE_THAN, False, Unit.PERSON, "ar", "أكثر من ٣٨٬٥٥٠"),
        (0.0007, Qualifier.EXACT, False, Unit.KM2, "en", "0.0007 km²"),
        (95, Qualifier.MORE_THAN, False, Unit.PERCENT, "en", "more than 95%"),
        (100, Qualifier.EXACT, True, Unit.HOUSEHOLD, "en", "hundreds (100+) families"),
        (10000, Qualifier.APPROX, True, Unit.PERSON, "ar", "نحو عشرات الآلاف (١٠٬٠٠٠+)"),
        (2.5, Qualifier.AT_MOST, False, Unit.KM2, "en", "at most 2.5 km²"),
        (100, Qualifier.EXACT, True, Unit.KM2, "en", "100+ km²"),
        (100, Qualifier.EXACT, True, Unit.PERSON, "ar", "مئات (١٠٠+)"),
        (250, Qualifier.EXACT, True, Unit.PERSON, "en", "250+"),
    ],
    ids=[
        "exact",
        "ar-more-than",
        "small-area",
        "percent",
        "vague-families",
        "ar-vague",
        "decimal",
        "vague-area-is-a-floor",
        "ar-hundreds",
        "vague-without-a-word",
    ],
)
def test_amount(
    value: float, qualifier: Qualifier, vague: bool, unit: Unit, lang: str, expected: str
) -> None:
    assert amount(value, qualifier, vague, unit, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("--12-01", "en", "1 Dec"),
        ("2018-12-01", "en", "1 Dec 2018"),
        ("--02-10", "ar", "١٠ فبراير"),
        ("2024-09-30", "ar", "٣٠ سبتمبر ٢٠٢٤"),
        ("--02-30", "en", "--02-30"),
        ("someday", "en", "someday"),
    ],
    ids=["month-day", "full-date", "arabic", "arabic-full", "impossible", "unknown"],
)
def test_format_since(text: str, lang: str, expected: str) -> None:
    assert format_since(text, lang) == expected


@pytest.mark.parametrize(
    ("window", "lang", "expected"),
    [
        ("48h", "en", "in 48 hours"),
        ("1d", "en", "in 1 day"),
        ("2w", "ar", "خلال أسبوعين"),
        ("3d", "ar", "خلال ٣ أيام"),
        ("20d", "ar", "خلال ٢٠ يوماً"),
        ("100d", "ar", "خلال ١٠٠ يوم"),
        ("103d", "ar", "خلال ١٠٣ أيام"),
        ("111d", "ar", "خلال ١١١ يوماً"),
        ("200h", "ar", "خلال ٢٠٠ ساعة"),
        ("1m", "ar", "خلال شهر"),
        ("1w", "en", "in 1 week"),
        ("odd", "en", "odd"),
    ],
    ids=[
        "hours",
        "one-day",
        "ar-dual",
        "ar-plural",
        "ar-11-plus",
        "ar-hundred-takes-the-singular",
        "ar-103-few",
        "ar-111-many",
        "ar-200-other",
        "ar-one",
        "en-one",
        "unknown",
    ],
)
def test_format_window(window: str, lang: str, expected: str) -> None:
    assert format_window(window, lang) == expected


def test_number_round_trips_digits() -> None:
    assert number(1234567, "en") == "1,234,567"
    assert (
        number(1234567, "ar").translate(str.maketrans("٠١٢٣٤٥٦٧٨٩٬", "0123456789,")) == "1,234,567"
    )


def test_every_string_has_both_languages_and_the_same_placeholders() -> None:
    import string

    for key, texts in STRINGS.items():
        assert set(texts) == {"en", "ar"}, key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for text in texts.values()
        ]
        assert fields[0] == fields[1], key
        values = dict.fromkeys(fields[0], "x")
        assert t(key, "ar", **values) and t(key, "fr", **values) == t(key, "en", **values)
