"""URL canonicalisation, text cleaning, Arabic dates and the page cleaner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers.clean import canonical_url, clean_text, find_arabic_date, http_url
from scrapers.page import html_text, parse_page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/A/b?x=1#frag", "https://www.example.com/A/b?x=1"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a?utm_source=rss&id=7&utm_medium=x", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=1&gclid=2&ref=home", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/%D8%AF%D9%8A%D8%B1", "https://example.com/%D8%AF%D9%8A%D8%B1"),
    ],
    ids=[
        "case-fragment",
        "default-port",
        "other-port",
        "utm",
        "click-ids",
        "order-kept",
        "root",
        "escaped-arabic",
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/news/1", "https://site.example/news/1"),
        ("javascript:void(0)", None),
        ("mailto:a@b.c", None),
        ("data:text/html,x", None),
        ("  ", None),
    ],
    ids=["relative", "javascript", "mailto", "data", "blank"],
)
def test_http_url(url: str, expected: str | None) -> None:
    assert http_url(url, "https://site.example/list") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("نص\u200f عربي\u200e\u200b هنا", "نص عربي هنا"),
        ("فقرة أولى\n\n\n\nفقرة   ثانية", "فقرة أولى\n\nفقرة ثانية"),
        ("العنوان\n+ الخط -\nالنص", "العنوان\nالنص"),
        ("العنوان\n29\nالنص", "العنوان\nالنص"),
        ("النص.\nشارك على فيسبوك\nتويتر | واتساب", "النص."),
        ("النص.\nاقرأ أيضا: عنوان خبر آخر\nتكملة.", "النص.\nتكملة."),
        (
            "النص الأول.\n\nأخبار ذات صلة\nخبر أول\nخبر ثان\n\nفقرة حقيقية تنتهي بنقطة وتكمل الخبر.",
            "النص الأول.\n\nفقرة حقيقية تنتهي بنقطة وتكمل الخبر.",
        ),
        ("02 نوفمبر 2017\nالنص", "02 نوفمبر 2017\nالنص"),
        ("قتل 12 شخصا\n1500", "قتل 12 شخصا"),
    ],
    ids=[
        "bidi-marks",
        "paragraphs",
        "font-widget",
        "counter",
        "share",
        "read-also-inline",
        "related-block",
        "dateline-kept",
        "trailing-counter",
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02 نوفمبر 2017", datetime(2017, 11, 2, tzinfo=UTC)),
        ("2 تشرين الثاني 2017", datetime(2017, 11, 2, tzinfo=UTC)),
        ("الخميس 14 شباط/فبراير 2019", datetime(2019, 2, 14, tzinfo=UTC)),
        ("الثلاثاء الـ 12 من شباط / فبراير 2019", datetime(2019, 2, 12, tzinfo=UTC)),
        ("١٢ أيار ٢٠١٨", datetime(2018, 5, 12, tzinfo=UTC)),
        ("5 جانفي 2020", datetime(2020, 1, 5, tzinfo=UTC)),
        ("3 أوت 2019", datetime(2019, 8, 3, tzinfo=UTC)),
        ("20 شتنبر 2021", datetime(2021, 9, 20, tzinfo=UTC)),
        ("1 كانون الأول 2018", datetime(2018, 12, 1, tzinfo=UTC)),
        ("30 يونيو من عام 2016", datetime(2016, 6, 30, tzinfo=UTC)),
        ("31 نوفمبر 2017", None),
        ("12 من شباط / فبراير الجاري", None),
        ("قتل 350 مدنيا في 2019", None),
    ],
    ids=lambda v: str(v),
)
def test_find_arabic_date(text: str, expected: datetime | None) -> None:
    assert find_arabic_date(f"بيروت – {text} – نص الخبر") == expected


def test_html_text_keeps_paragraphs() -> None:
    html = "<p>فقرة <b>أولى</b></p><p>فقرة<br>ثانية</p><script>x=1</script>"
    assert html_text(html) == "فقرة أولى\n\nفقرة\nثانية"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="article:published_time" content="2019-02-14T08:00:00Z">',
            "2019-02-14T08:00",
        ),
        ('<meta itemprop="datePublished" content="2019-02-14">', "2019-02-14T00:00"),
        ("", "2018-12-27T09:00"),
    ],
    ids=["meta", "itemprop-date", "time-element"],
)
def test_page_dates(head: str, expected: str) -> None:
    html = (
        f"<html><head>{head}</head><body><article><h1>ع</h1>"
        '<time datetime="2018-12-27T11:00:00+02:00">الخميس</time>'
        "<p>نص طويل بما يكفي ليكون فقرة من فقرات المقال المنشور.</p></article></body></html>"
    )
    page = parse_page(html, "https://site.example/a")
    assert page.published is not None
    assert page.published.strftime("%Y-%m-%dT%H:%M") == expected


def test_page_date_from_json_ld_and_from_text() -> None:
    ld = '<script type="application/ld+json">{"@graph":[{"datePublished":"2017-11-02T10:00:00+03:00"}]}</script>'
    body = "<p>نص طويل بما يكفي ليكون فقرة من فقرات المقال المنشور في الموقع.</p>"
    page = parse_page(f"<html><head>{ld}</head><body>{body}</body></html>", "https://s.example/")
    assert page.published == datetime(2017, 11, 2, 7, tzinfo=UTC)
    text_only = parse_page(
        f"<body><div>الخميس 14 شباط/فبراير 2019</div>{body}</body>", "https://s.example/"
    )
    assert text_only.published == datetime(2019, 2, 14, tzinfo=UTC)


def test_main_text_keeps_an_article_inside_a_wrapper_with_a_furniture_class() -> None:
    html = (
        '<body><div class="page with-sidebar"><article>'
        "<p>نزح أكثر من 38 ألف شخص من آخر مناطق سيطرة التنظيم منذ مطلع الشهر.</p>"
        '</article><div class="sidebar"><p>الأكثر قراءة اليوم في الموقع وما يتصل به من أخبار</p></div>'
        "</div></body>"
    )
    page = parse_page(html, "https://s.example/")
    assert page.text == "نزح أكثر من 38 ألف شخص من آخر مناطق سيطرة التنظيم منذ مطلع الشهر."
