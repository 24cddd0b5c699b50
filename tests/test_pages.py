"""Article pages on real and real-shaped markup: ASP.NET forms, datelines,
saved pages of Arabic outlets (tests/data/pages/, see PROVENANCE.md there)."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import soupsieve
from loopback import LoopbackServer, Reply, static

from bot.config.schema import NetworkConfig, SourceConfig
from scrapers import FetchContext, build_source
from scrapers.clean import clean_text
from scrapers.http import HttpClient
from scrapers.page import parse_page

PAGES = Path(__file__).parent / "data" / "pages"
EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"

BODY = (
    "قالت الأمم المتحدة إن أكثر من ألفي عائلة نزحت من القرى الواقعة على خط التماس "
    "خلال الأسبوع الماضي، وإن معظمها لجأ إلى المدارس والمساجد في المدينة."
)
SECOND = "وأضافت أن فرق الإغاثة وزعت سلالا غذائية على النازحين في ثلاثة مراكز إيواء مؤقتة."


def aspnet_page(article: str) -> str:
    """The shape ASP.NET WebForms gives a page: everything inside one
    <form id="aspnetForm">, hidden view-state inputs, a search box."""
    return (
        "<html><head><title>الخبر</title></head><body>"
        '<form name="aspnetForm" method="post" action="./News.aspx?id=7" id="aspnetForm">'
        '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWBA==" />'
        '<input type="hidden" name="__EVENTVALIDATION" value="/wEWAgKt3bHlDgKM54rGBg==" />'
        '<div id="ctl00_header"><ul id="ctl00_menu"><li><a href="/">الرئيسية</a></li>'
        '<li><a href="/n">أخبار</a></li></ul>'
        '<div class="search"><input name="ctl00$q" type="text" />'
        '<input type="submit" value="بحث" /></div></div>'
        f'<div id="ctl00_ContentPlaceHolder1_pnlNews">{article}</div>'
        '<div id="ctl00_footer">جميع الحقوق محفوظة</div>'
        "</form></body></html>"
    )


@pytest.mark.parametrize(
    "article",
    [
        f'<h1>نزوح جديد</h1><span id="ctl00_lblBody"><p>{BODY}</p><p>{SECOND}</p></span>',
        f"<h1>نزوح جديد</h1><div>{BODY}<br/><br/>{SECOND}</div>",
        f"<article><h1>نزوح جديد</h1><p>{BODY}</p><p>{SECOND}</p></article>",
    ],
    ids=["paragraphs", "br-separated", "article-element"],
)
def test_aspnet_form_keeps_the_article(article: str) -> None:
    page = parse_page(aspnet_page(article), "https://news.example/News.aspx?id=7")
    assert BODY in page.text
    assert SECOND in page.text
    assert "wEPDwUKMTY1" not in page.text
    assert "جميع الحقوق" not in page.text


def test_control_forms_are_dropped() -> None:
    """A form that is only controls and labels (a newsletter box inside the
    article) goes; the article around it stays."""
    html = (
        f"<html><body><article><p>{BODY}</p>"
        '<form action="/subscribe"><label>اشترك في النشرة البريدية اليومية</label>'
        '<input name="email"/><button>اشترك</button></form>'
        f"<p>{SECOND}</p></article></body></html>"
    )
    page = parse_page(html, "https://news.example/a")
    assert BODY in page.text and SECOND in page.text
    assert "النشرة البريدية" not in page.text


def dated(box: str, *, header: str = "") -> str:
    return (
        f"<html><body><header>{header}</header><div class='content'>"
        f"<h1>عنوان الخبر</h1>{box}<div class='body'><p>{BODY}</p><p>{SECOND}</p></div>"
        "</div></body></html>"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (dated('<div class="news-date">الخميس 14 شباط 2019</div>'), datetime(2019, 2, 14)),
        (dated('<span class="post-date">3 كانون الثاني 2021</span>'), datetime(2021, 1, 3)),
        (dated('<div class="date">الأحد ٥ يناير ٢٠٢٠ - ١٠:٣٠</div>'), datetime(2020, 1, 5)),
        (dated('<span class="timestamp">12 تشرين الأول 2016</span>'), datetime(2016, 10, 12)),
        (
            dated('<div class="article_created">نشر 24 نيسان / أبريل 2020</div>'),
            datetime(2020, 4, 24),
        ),
        (dated('<p class="dateline">بيروت - 30/06/2018</p>'), datetime(2018, 6, 30)),
        (dated('<span class="date">2017-11-02 14:00</span>'), datetime(2017, 11, 2)),
        (
            dated('<div class="date">9 جمادى الآخرة 1440 هـ - 14 فبراير 2019</div>'),
            datetime(2019, 2, 14),
        ),
        (dated("<time>الإثنين 7 أيار 2018</time>"), datetime(2018, 5, 7)),
        (
            dated(
                '<div class="article-date">الثلاثاء 2 آب 2016</div>',
                header='<div class="today-date">الخميس 4 ديسمبر 2026</div>',
            ),
            datetime(2016, 8, 2),
        ),
        (dated('<div class="date">9 جمادى الآخرة 1440 هـ</div>'), None),
        (dated('<div class="date">1440/06/09</div>'), None),
        (dated('<div class="views">1250 مشاهدة</div>'), None),
        (dated("", header='<div class="today-date">الخميس 4 ديسمبر 2026</div>'), None),
    ],
    ids=[
        "levantine",
        "levantine-two-words",
        "egyptian-indic-digits",
        "timestamp-class",
        "created-both-names",
        "numeric-day-first",
        "numeric-iso",
        "hijri-then-gregorian",
        "time-without-datetime",
        "site-header-today-ignored",
        "hijri-only",
        "hijri-numeric",
        "no-date",
        "only-today-widget",
    ],
)
def test_dateline_date(html: str, expected: datetime | None) -> None:
    """A page whose only date is its visible dateline is dated by it; a page
    with none says so (None), it is never dated today."""
    page = parse_page(html, "https://news.example/a")
    assert page.published == (expected.replace(tzinfo=UTC) if expected else None)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="article:published_time" content="2020-12-01 02:00:00">'
            '<script type="application/ld+json">{"datePublished": "2020-12-01T02:00:00+03:00"}'
            "</script>",
            datetime(2020, 11, 30, 23, tzinfo=UTC),
        ),
        (
            '<meta property="article:published_time" content="2020-12-01 02:00:00">',
            datetime(2020, 12, 1, 2, tzinfo=UTC),
        ),
        (
            '<meta property="article:published_time" content="2020-12-01 02:00:00">'
            '<script type="application/ld+json">{"datePublished": "2019-05-05T10:00:00Z"}'
            "</script>",
            datetime(2020, 12, 1, 2, tzinfo=UTC),
        ),
        (
            '<meta property="article:published_time" content="2020-12-01T02:00:00+04:00">'
            '<script type="application/ld+json">{"datePublished": "2020-12-01T09:00:00Z"}'
            "</script>",
            datetime(2020, 11, 30, 22, tzinfo=UTC),
        ),
    ],
    ids=["naive-meta-aware-json-ld", "naive-alone", "aware-of-another-day", "aware-meta-first"],
)
def test_a_time_with_its_offset_wins_over_a_naive_one(head: str, expected: datetime) -> None:
    html = f"<html><head>{head}</head><body><p>{BODY}</p></body></html>"
    assert parse_page(html, "https://news.example/a").published == expected


def test_metadata_date_wins_over_the_dateline() -> None:
    html = dated('<div class="date">1 كانون الثاني 2019</div>').replace(
        "<html>",
        '<html><head><meta property="article:published_time" content="2019-01-02T09:00:00Z">'
        "</head>",
    )
    assert parse_page(html, "https://news.example/a").published == datetime(
        2019, 1, 2, 9, tzinfo=UTC
    )


# ---------------------------------------------------------------- saved real pages

REAL = [
    # file, published (UTC), first words of the body, last words, boilerplate
    (
        "cnn-arabic-2013-syria-clashes.html",
        datetime(2013, 8, 28, tzinfo=UTC),
        "دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة",
        "وترك القرار للشعب السوري",
        ["الصفحة الرئيسية", "الآراء الواردة أدناه", "ترحب شبكة CNN بالنقاش"],
    ),
    (
        "sputnik-arabic-2020-03-17.html",
        datetime(2020, 3, 17, 17, 27, 41, tzinfo=UTC),
        "أعلنت وزارة الصحة والسكان المصرية",
        "احتمال تزايد المصابين بشكل كبير",
        ["sputniknews.com", "انسخ الرابط"],
    ),
    (
        "almadenahnews-2020-04-24.html",
        datetime(2020, 4, 24, tzinfo=UTC),
        "بلغت حصيلة الوفيات الناجمة عن فيروس كورونا",
        "فحصاً أجريت خلال الساعات الأربع والعشرين الأخيرة إيجابية",
        ["اصابات بفيروس كورونا  في امريكا"],
    ),
    (
        "albayan-2020-06-03.html",
        datetime(2020, 6, 2, 23, 1, tzinfo=UTC),  # 03:01 in Dubai (+04:00)
        "ثمّن أحمد ساير داودزي",
        "والحد من انتشاره والقضاء عليه",
        ["غوغل نيوز"],
    ),
    (
        "akhbarelyom-2020-10-07.html",
        datetime(2020, 10, 7, tzinfo=UTC),
        "يصادف اليوم ذكرى ميلاد الفنانة نعيمة عاكف",
        "بعد رحلة مع مرض سرطان الأمعاء",
        [],
    ),
    (
        "alyaum-2020-12-01.html",
        datetime(2020, 11, 30, 23, tzinfo=UTC),  # its meta 02:00 has no offset; JSON-LD +03:00
        "وسط تهديدات إيرانية بالانتقام",
        "ستواصل منع إيران من امتلاك سلاح نووي",
        ["بحث متقدم", "النسخة الرقمية", "المزيد من المقالات", "قبل 14 ساعة"],
    ),
    (
        "aljazeera-com-2026-06-11-trimmed.html",
        datetime(2026, 6, 11, 7, 49, 38, tzinfo=UTC),
        "More than 3,000 Malawians",
        "local government elections in November.",
        ["Recommended Stories", "Advertisement", "Add Al Jazeera on Google", "Sign up"],
    ),
    (
        "assabah-tn-2019.html",
        datetime(2019, 2, 8, tzinfo=UTC),
        "مالذي يحدث في السودان",
        "اعادة التفكير في العلاقة بين الخرطوم وتل ابيب",
        ["كورونا يقتل", "غائم جزئيا", "إضافة تعليق جديد"],
    ),
]


@pytest.mark.parametrize(
    ("name", "published", "first", "last", "boilerplate"),
    REAL,
    ids=[r[0].removesuffix(".html") for r in REAL],
)
def test_saved_page_without_selector(
    name: str, published: datetime, first: str, last: str, boilerplate: list[str]
) -> None:
    """The no-selector path on saved pages of Arabic outlets: the date, the
    whole body (its first and last sentences), none of the page around it."""
    page = parse_page((PAGES / name).read_bytes(), "https://outlet.example/a")
    assert page.published == published
    assert first in page.text
    assert last in page.text
    for furniture in boilerplate:
        assert furniture not in page.text
    assert page.title


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("تابعوا أخبار الإمارات من البيان عبر غوغل نيوز", True),
        ("تابعونا على قناتنا في تلغرام لآخر الأخبار", True),
        ("الآراء الواردة في التعليقات لا تعبر عن رأي الموقع", True),
        ("ترحب أسرة التحرير بتعليقاتكم المفيدة، على ألا تسيء إلى أحد.", True),
        ("المصدر:", True),
        ("تابع الجيش قصفه على القرى الواقعة على الطريق الدولي طوال الليل.", False),
        ("ترحب الحكومة بالنقاش حول الدستور الجديد، وفق بيان رسمي.", False),
        ("وقال المصدر: إن 12 مدنيا قتلوا في القصف.", False),
    ],
    ids=[
        "follow-google-news",
        "follow-telegram",
        "comment-disclaimer",
        "comment-invitation",
        "bare-label",
        "follow-is-a-verb",
        "welcome-is-news",
        "label-in-a-sentence",
    ],
)
def test_site_furniture_lines(line: str, furniture: bool) -> None:
    text = f"{BODY}\n{line}\n{SECOND}"
    assert (line not in clean_text(text)) is furniture


def test_saved_page_recall_against_its_gold_text() -> None:
    """CNN Arabic's page against the article text saved beside it (by the
    project the page comes from): nearly every word of it is found."""
    page = parse_page(
        (PAGES / "cnn-arabic-2013-syria-clashes.html").read_bytes(), "https://arabic.cnn.com/"
    )
    gold = (PAGES / "cnn-arabic-2013-syria-clashes.txt").read_text(encoding="utf-8").split()
    found = set(page.text.split())
    recall = sum(1 for w in gold if w in found) / len(gold)
    assert recall > 0.97


# ---------------------------------------------------------------- the sources, on loopback


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


@pytest.fixture
async def client() -> HttpClient:
    config = NetworkConfig(allow_private_networks=True, retries=1, read_timeout=2, total_timeout=5)
    async with HttpClient(config, backoff_base=0.01, backoff_max=0.05) as c:
        yield c  # type: ignore[misc]


def undated_feed(base: str) -> bytes:
    """A feed of teasers without dates (no pubDate), each linking to its page."""
    items = "".join(
        f"<item><title>خبر {i}</title><link>{base}/news/{i}</link>"
        f"<description>موجز الخبر {i}</description></item>"
        for i in (1, 2)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


async def test_feed_entry_without_a_date_takes_its_pages_dateline(
    server: LoopbackServer, client: HttpClient
) -> None:
    """A summary-only entry with no date of its own: the page fetched for it
    dates it by its dateline; a page with no date at all leaves it undated
    (None: never "published today")."""
    base = server.url("")
    server.route("/feed.xml", static(undated_feed(base), "application/rss+xml"))
    server.route("/news/1", Reply(body=dated('<div class="date">الأحد 3 آذار 2019</div>').encode()))
    server.route("/news/2", Reply(body=dated("").encode()))
    config = SourceConfig.of(name="feed", kind="rss", url=f"{base}/feed.xml", fetch_pages=True)
    result = await build_source(config).fetch(FetchContext(client=client))
    by_url = {a.url: a for a in result.articles}
    assert BODY in by_url[f"{base}/news/1"].text
    assert by_url[f"{base}/news/1"].published == datetime(2019, 3, 3, tzinfo=UTC)
    assert by_url[f"{base}/news/2"].published is None


async def test_html_source_dates_a_page_by_its_dateline(
    server: LoopbackServer, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A page dated only by its dateline is dated by it; a page with no date
    stays undated, and the log says which page that was."""
    base = server.url("")
    listing = f'<html><body><a href="{base}/news/1">خبر</a><a href="{base}/news/2">آخر</a>'
    server.route("/", Reply(body=listing.encode()))
    server.route(
        "/news/1", Reply(body=dated('<span class="post-date">12 تموز 2015</span>').encode())
    )
    server.route("/news/2", Reply(body=dated("").encode()))
    config = SourceConfig.of(name="site", kind="html", url=f"{base}/")
    with caplog.at_level(logging.INFO, logger="scrapers.html"):
        result = await build_source(config).fetch(FetchContext(client=client))
    assert [a.published for a in result.articles] == [datetime(2015, 7, 12, tzinfo=UTC), None]
    assert any(
        "no publication date" in r.getMessage()
        and r.getMessage().endswith(f"{base}/news/2 (none in its metadata or dateline)")
        for r in caplog.records
    )


# ---------------------------------------------------------------- the outlet profiles


def example_profiles() -> list[dict[str, object]]:
    sources = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["sources"]
    return [s for s in sources if s["kind"] in {"rss", "html"}]


@pytest.mark.parametrize("profile", example_profiles(), ids=lambda p: str(p["name"]))
def test_profile_selectors_compile(profile: dict[str, object]) -> None:
    """Every selector of every outlet profile is CSS that soupsieve reads
    (a typo would make the profile silently select nothing)."""
    selectors: list[str] = []
    for key in ("content_selector", "title_selector", "date_selector", "link_selector"):
        if isinstance(value := profile.get(key), str):
            selectors.append(value)
    remove = profile.get("remove_selectors", [])
    assert isinstance(remove, list)
    selectors += [str(r) for r in remove]
    for selector in selectors:
        soupsieve.compile(selector)


PLATFORM_PAGES = [
    # profile, saved page of the same publishing platform, first and last body words
    ("sohr", "akhbarelyom-2020-10-07.html", "يصادف اليوم ذكرى", "مرض سرطان الأمعاء"),
    ("enab-baladi", "akhbarelyom-2020-10-07.html", "يصادف اليوم ذكرى", "مرض سرطان الأمعاء"),
    ("meo", "assabah-tn-2019.html", "مالذي يحدث في السودان", "بين الخرطوم وتل ابيب"),
    ("aawsat", "assabah-tn-2019.html", "مالذي يحدث في السودان", "بين الخرطوم وتل ابيب"),
]


@pytest.mark.parametrize(
    ("name", "page", "first", "last"),
    PLATFORM_PAGES,
    ids=[f"{p[0]}-{p[1][:9]}" for p in PLATFORM_PAGES],
)
def test_profile_on_a_page_of_its_platform(name: str, page: str, first: str, last: str) -> None:
    """A profile's content selector on a real page of the platform it was
    written for (WordPress's `.entry-content`; Drupal's body field, which is
    `.field-name-body` up to Drupal 7 and `.field--name-body` after): the
    whole body, nothing around it."""
    profile = next(p for p in example_profiles() if p["name"] == name)
    remove = profile.get("remove_selectors", [])
    assert isinstance(remove, list)
    result = parse_page(
        (PAGES / page).read_bytes(),
        "https://outlet.example/a",
        content_selector=str(profile["content_selector"]),
        remove_selectors=[str(r) for r in remove],
    )
    assert first in result.text[:200]
    assert result.text.endswith(last + ".")


def test_aljazeera_profile_on_its_publishing_systems_page() -> None:
    """The aljazeera profile on a saved page of the same publishing system
    (Al Jazeera English): the body without its in-article "Recommended
    Stories" box and advertisement slot; the title and date from the page."""
    profile = next(p for p in example_profiles() if p["name"] == "aljazeera")
    remove = profile["remove_selectors"]
    assert isinstance(remove, list)
    page = parse_page(
        (PAGES / "aljazeera-com-2026-06-11-trimmed.html").read_bytes(),
        "https://www.aljazeera.com/news/2026/6/11/a",
        content_selector=str(profile["content_selector"]),
        remove_selectors=[str(r) for r in remove],
        title_selector=str(profile["title_selector"]),
        date_selector=str(profile["date_selector"]),
    )
    assert page.text.startswith("More than 3,000 Malawians")
    assert page.text.endswith("local government elections in November.")
    assert "Advertisement" not in page.text and "Recommended Stories" not in page.text
    assert page.title == "Malawians and Nigerians flee South Africa amid xenophobic threats"
    assert page.published == datetime(2026, 6, 11, 7, 49, 38, tzinfo=UTC)
