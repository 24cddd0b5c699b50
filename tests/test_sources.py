"""rss and html sources against real servers on 127.0.0.1 serving the seeds."""

from __future__ import annotations

import asyncio
import dataclasses
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply, Request, static

from bot.config.schema import NetworkConfig, SourceConfig
from scrapers import KINDS, FetchContext, FetchResult, UnknownKind, build_source, source_class
from scrapers.html import HtmlSource, listing_links
from scrapers.http import HttpClient
from scrapers.rss import RssSource

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class Seed:
    file: str
    title: str
    published: datetime
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n") if p.strip()]

    @property
    def body(self) -> list[str]:
        """Real paragraphs: after the headline, longer than a caption or a counter."""
        return [p for p in self.paragraphs[1:] if len(p) >= 60]


def load_seeds() -> list[Seed]:
    index = tomllib.loads((SEEDS / "index.toml").read_text(encoding="utf-8"))
    return [
        Seed(
            file=a["file"],
            title=a["title"],
            published=a["published"],
            text=(SEEDS / a["file"]).read_text(encoding="utf-8"),
        )
        for a in index["articles"]
    ]


SEED_LIST = load_seeds()


def rss_feed(
    base: str, seeds: list[Seed], *, encoding: str = "utf-8", full: bool = True, decl: bool = True
) -> bytes:
    """An RSS 2.0 feed of the seeds: full text in <description>, or a teaser."""
    items = []
    for s in seeds:
        body = "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        if not full:
            body = escape(s.paragraphs[1][:120])
        items.append(
            f"<item><title>{escape(s.title)}</title>"
            f"<link>{base}/news/{s.file[:3]}?utm_source=rss&amp;utm_medium=feed</link>"
            f"<guid isPermaLink='false'>seed-{s.file[:3]}</guid>"
            f"<pubDate>{format_datetime(s.published)}</pubDate>"
            f"<description>{escape(body) if full else body}</description></item>"
        )
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if decl else ""
    xml = (
        f'{declaration}<rss version="2.0"><channel><title>بذور</title><link>{base}/</link>'
        + "".join(items)
        + "</channel></rss>"
    )
    return xml.encode(encoding)


FURNITURE = (
    '<nav><a href="/">الرئيسية</a> <a href="/politics">سياسة</a></nav>'
    '<div class="share-buttons">شارك فيسبوك تويتر واتساب</div>'
    '<div class="font-size">+ الخط -</div>'
)
RELATED = (
    '<aside class="related"><h3>أخبار ذات صلة</h3><ul><li><a href="/x">خبر آخر</a></li></ul></aside>'
    '<div id="comments"><p>تعليق طويل من قارئ لا علاقة له بالمقال ولا بأرقامه المنشورة 12345</p></div>'
    "<footer>جميع الحقوق محفوظة 2019</footer>"
)


def article_page(seed: Seed, *, meta_date: bool = True, wrapper: str = "article") -> bytes:
    """An article page around a seed, with the furniture of a news site."""
    body = "".join(f"<p>{escape(p)}</p>" for p in seed.paragraphs[1:])
    meta = (
        f'<meta property="article:published_time" content="{seed.published.isoformat()}">'
        if meta_date
        else ""
    )
    html = (
        f"<!doctype html><html lang=ar dir=rtl><head><meta charset=utf-8>"
        f"<title>{escape(seed.title)} | موقع</title>{meta}</head><body>{FURNITURE}"
        f'<{wrapper} class="story"><h1 class="headline">{escape(seed.title)}</h1>'
        f'<div class="body"><p class="caption">صورة من أرشيف الوكالة الفرنسية للتصوير الصحفي</p>{body}</div></{wrapper}>{RELATED}</body></html>'
    )
    return html.encode()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


@pytest.fixture
async def client() -> HttpClient:
    config = NetworkConfig(allow_private_networks=True, retries=1, read_timeout=2, total_timeout=5)
    async with HttpClient(config, backoff_base=0.01, backoff_max=0.05) as c:
        yield c  # type: ignore[misc]


def rss(url: str, **kw: object) -> RssSource:
    return RssSource(SourceConfig.of(name="seeds-rss", kind="rss", url=url, **kw))  # type: ignore[arg-type]


def test_registry_holds_the_three_kinds() -> None:
    assert set(KINDS) == {"rss", "html", "files"}
    for kind in KINDS:
        cls = source_class(kind)
        assert cls.kind == kind
        assert dataclasses.is_dataclass(cls.Options)  # each kind declares its own options


def test_an_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(UnknownKind, match=r"expected one of files, html, rss, got 'gopher'"):
        source_class("gopher")
    with pytest.raises(ValueError, match="expected one of files, html, rss"):
        SourceConfig.of(name="x", kind="gopher", url="https://x.example/")


def test_a_kind_takes_only_its_own_options() -> None:
    """Options are per kind: a files source has no url, an rss source no link selector."""
    with pytest.raises(TypeError, match="url"):
        SourceConfig.of(name="x", kind="files", path="/tmp", url="https://x.example/")
    with pytest.raises(TypeError, match="link_selector"):
        SourceConfig.of(name="x", kind="rss", url="https://x.example/", link_selector="a")
    with pytest.raises(TypeError, match="HtmlOptions"):
        SourceConfig("x", "rss", HtmlSource.Options(url="https://x.example/"))


# ---------------------------------------------------------------- rss


async def test_second_poll_is_304_and_an_edit_comes_again(
    server: LoopbackServer, client: HttpClient
) -> None:
    base = server.url("")
    server.route("/feed.xml", static(rss_feed(base, SEED_LIST), "application/rss+xml", etag='"1"'))
    source = rss(server.url("/feed.xml"))
    seen: set[tuple[str, str]] = set()

    first = await source.fetch(FetchContext(client=client))
    assert first.error is None and not first.not_modified
    assert len(first.articles) == len(SEED_LIST)
    seen |= {(a.url, a.content_hash) for a in first.articles}
    assert len(seen) == len(SEED_LIST)
    assert first.validators == {"etag": '"1"'}

    second = await source.fetch(FetchContext(client=client, validators=first.validators))
    assert second.not_modified and second.articles == ()
    assert server.hits("/feed.xml")[1].headers["if-none-match"] == '"1"'

    edited = list(SEED_LIST)
    edited[0] = Seed(
        edited[0].file, edited[0].title, edited[0].published, edited[0].text + "\nتحديث."
    )
    server.route("/feed.xml", static(rss_feed(base, edited), "application/rss+xml", etag='"2"'))
    third = await source.fetch(FetchContext(client=client, validators=second.validators))
    new = {(a.url, a.content_hash) for a in third.articles} - seen
    assert len(new) == 1
    ((url, _),) = new
    assert url == f"{base}/news/{SEED_LIST[0].file[:3]}"
    assert third.validators == {"etag": '"2"'}


async def test_feed_articles_are_clean(server: LoopbackServer, client: HttpClient) -> None:
    server.route("/feed.xml", static(rss_feed(server.url(""), SEED_LIST), "application/rss+xml"))
    result = await rss(server.url("/feed.xml"), outlet="Seeds").fetch(FetchContext(client=client))
    by_title = {a.title: a for a in result.articles}
    for seed in SEED_LIST:
        article = by_title[seed.title]
        assert "utm_" not in article.url and article.guid == f"seed-{seed.file[:3]}"
        assert article.published == seed.published.astimezone(UTC)
        assert article.outlet == "Seeds" and article.source == "seeds-rss"
        assert seed.body[-1][:40] in article.text
        assert "+ الخط -" not in article.text


@pytest.mark.parametrize(
    ("content_type", "decl"),
    [
        ("application/rss+xml; charset=windows-1256", False),
        ("application/rss+xml", True),
        ("text/xml", False),
    ],
    ids=["header-only", "xml-declaration-only", "undeclared"],
)
async def test_windows_1256_feed(
    server: LoopbackServer, client: HttpClient, content_type: str, decl: bool
) -> None:
    feed = rss_feed(server.url(""), SEED_LIST, encoding="windows-1256", decl=decl)
    server.route("/feed.xml", static(feed, content_type))
    result = await rss(server.url("/feed.xml")).fetch(FetchContext(client=client))
    assert result.error is None
    assert {a.title for a in result.articles} == {s.title for s in SEED_LIST}


async def test_malformed_feed_entries_are_recovered(
    server: LoopbackServer, client: HttpClient
) -> None:
    feed = rss_feed(server.url(""), SEED_LIST[:2]).decode()
    broken = feed.replace("<title>بذور</title>", "<title>بذور & أخبار</title>").replace(
        "</channel></rss>", "<item><title>بلا نهاية"
    )
    server.route("/feed.xml", static(broken.encode(), "application/rss+xml"))
    result = await rss(server.url("/feed.xml")).fetch(FetchContext(client=client))
    assert result.error is None
    assert {a.title for a in result.articles} >= {s.title for s in SEED_LIST[:2]}


async def test_not_a_feed_is_an_error(server: LoopbackServer, client: HttpClient) -> None:
    server.route(
        "/feed.xml", Reply(body=b"<html><body>Access denied", headers={"Content-Type": "text/html"})
    )
    result = await rss(server.url("/feed.xml")).fetch(FetchContext(client=client))
    assert result.error and "feed" in result.error
    assert result.articles == ()


async def test_fetch_pages_for_summary_only_entries(
    server: LoopbackServer, client: HttpClient
) -> None:
    base = server.url("")
    server.route("/feed.xml", static(rss_feed(base, SEED_LIST, full=False), "application/rss+xml"))
    for seed in SEED_LIST:
        server.route(f"/news/{seed.file[:3]}", Reply(body=article_page(seed)))
    known = f"{base}/news/{SEED_LIST[0].file[:3]}"
    source = rss(server.url("/feed.xml"), fetch_pages=True)
    result = await source.fetch(FetchContext(client=client, is_known=lambda u: u == known))
    assert len(result.articles) == len(SEED_LIST)
    fetched = {r.path for r in server.requests if r.path.startswith("/news/")}
    assert fetched == {f"/news/{s.file[:3]}" for s in SEED_LIST[1:]}
    for article, seed in zip(result.articles, SEED_LIST, strict=True):
        if article.url == known:
            assert len(article.text) < 200  # the teaser: its page is already stored
            continue
        assert seed.body[-1][:40] in article.text
        assert "شارك" not in article.text and "أخبار ذات صلة" not in article.text
        assert "تعليق طويل" not in article.text and "الحقوق" not in article.text


async def test_without_fetch_pages_the_summary_is_the_text(
    server: LoopbackServer, client: HttpClient
) -> None:
    server.route("/feed.xml", static(rss_feed(server.url(""), SEED_LIST, full=False), "text/xml"))
    result = await rss(server.url("/feed.xml")).fetch(FetchContext(client=client))
    assert len(result.articles) == len(SEED_LIST)
    assert [r.path for r in server.requests] == ["/feed.xml"]


async def test_network_failure_is_a_result_not_an_exception(client: HttpClient) -> None:
    with LoopbackServer() as gone:
        url = gone.url("/feed.xml")
    result = await rss(url).fetch(FetchContext(client=client, validators={"etag": '"7"'}))
    assert result.error and url in result.error
    assert result.validators == {"etag": '"7"'}  # kept for the next try


async def test_one_failing_source_never_delays_the_others(server: LoopbackServer) -> None:
    base = server.url("")
    server.route("/good1.xml", Reply(body=rss_feed(base, SEED_LIST[:2])))
    server.route("/good2.xml", Reply(body=rss_feed(base, SEED_LIST[2:])))
    server.route("/hang.xml", Reply(body=b"", delay=60))
    server.route("/boom.xml", Reply(status=500))
    config = NetworkConfig(
        allow_private_networks=True, retries=1, read_timeout=30, total_timeout=60
    )
    async with HttpClient(config, backoff_base=0.01) as client:
        ctx = FetchContext(client=client)
        tasks = {
            name: asyncio.create_task(rss(server.url(f"/{name}.xml")).fetch(ctx))
            for name in ("hang", "good1", "boom", "good2")
        }
        others = [tasks["good1"], tasks["good2"], tasks["boom"]]
        done, _ = await asyncio.wait(others, timeout=20)
        assert done == set(others)
        assert not tasks["hang"].done()  # still hanging, and it held nobody up
        tasks["hang"].cancel()
    good1, good2, boom = (tasks[n].result() for n in ("good1", "good2", "boom"))
    assert len(good1.articles) == 2 and len(good2.articles) == len(SEED_LIST) - 2
    assert boom.error and "500" in boom.error


# ---------------------------------------------------------------- html


def listing_page(base: str, seeds: list[Seed]) -> bytes:
    links = "".join(
        f'<li class="item"><a href="/news/{s.file[:3]}?utm_campaign=x#top">{escape(s.title)}</a></li>'
        for s in seeds
    )
    extra = (
        '<a href="https://elsewhere.example/story">خارجي</a>'
        '<a href="javascript:void(0)">قائمة</a>'
        f'<a href="/news/{seeds[0].file[:3]}">مكرر</a>'
    )
    return f"<html><body><nav>{extra}</nav><ul class=list>{links}</ul></body></html>".encode()


def test_listing_links() -> None:
    base = "http://127.0.0.1:1"
    page = listing_page(base, SEED_LIST)
    every = listing_links(page, base + "/list", link_selector=None, limit=50)
    assert every == [f"{base}/news/{SEED_LIST[0].file[:3]}"] + [
        f"{base}/news/{s.file[:3]}" for s in SEED_LIST[1:]
    ]
    picked = listing_links(page, base + "/list", link_selector="li.item a", limit=3)
    assert picked == [f"{base}/news/{s.file[:3]}" for s in SEED_LIST[:3]]


async def test_html_source_without_a_content_selector(
    server: LoopbackServer, client: HttpClient
) -> None:
    server.route("/list", static(listing_page(server.url(""), SEED_LIST), "text/html", etag='"L"'))
    for seed in SEED_LIST:
        server.route(f"/news/{seed.file[:3]}", Reply(body=article_page(seed, wrapper="div")))
    config = SourceConfig.of(
        name="site", kind="html", url=server.url("/list"), link_selector="li a"
    )
    source = build_source(config)
    assert isinstance(source, HtmlSource)
    result = await source.fetch(FetchContext(client=client))
    assert result.error is None and not result.empty_content
    assert [a.title for a in result.articles] == [s.title for s in SEED_LIST]
    for article, seed in zip(result.articles, SEED_LIST, strict=True):
        assert article.published == seed.published.astimezone(UTC)
        assert seed.body[0][:40] in article.text and seed.body[-1][:40] in article.text
        for furniture in ("شارك", "الخط", "أخبار ذات صلة", "تعليق طويل", "الحقوق", "سياسة"):
            assert furniture not in article.text
    again = await source.fetch(FetchContext(client=client, validators=result.validators))
    assert again.not_modified


async def test_html_source_with_selectors_and_known_pages(
    server: LoopbackServer, client: HttpClient
) -> None:
    server.route("/list", Reply(body=listing_page(server.url(""), SEED_LIST)))
    for seed in SEED_LIST:
        server.route(f"/news/{seed.file[:3]}", Reply(body=article_page(seed, meta_date=False)))
    known = server.url(f"/news/{SEED_LIST[0].file[:3]}")
    config = SourceConfig.of(
        name="site",
        kind="html",
        url=server.url("/list"),
        link_selector="ul.list a",
        content_selector="div.body",
        remove_selectors=(".caption", "nav"),
        title_selector="h1.headline",
        max_articles=3,
    )
    result = await HtmlSource(config).fetch(
        FetchContext(client=client, is_known=lambda u: u == known)
    )
    assert [a.url for a in result.articles] == [
        server.url(f"/news/{s.file[:3]}") for s in SEED_LIST[1:3]
    ]
    for article, seed in zip(result.articles, SEED_LIST[1:3], strict=True):
        assert article.title == seed.title
        assert "أرشيف الوكالة" not in article.text  # removed by remove_selectors
        assert seed.body[0][:40] in article.text
        assert seed.body[-1][:40] in article.text


async def test_html_pages_without_text_are_empty_content(
    server: LoopbackServer, client: HttpClient
) -> None:
    server.route("/list", Reply(body=listing_page(server.url(""), SEED_LIST[:2])))
    for seed in SEED_LIST[:2]:
        server.route(
            f"/news/{seed.file[:3]}", Reply(body=b"<html><body><div id=app></div></body></html>")
        )
    config = SourceConfig.of(
        name="site", kind="html", url=server.url("/list"), content_selector=".gone"
    )
    result = await HtmlSource(config).fetch(FetchContext(client=client))
    assert result.error is None and result.empty_content and result.articles == ()


async def test_html_article_pages_all_failing_is_an_error(
    server: LoopbackServer, client: HttpClient
) -> None:
    def fail(request: Request) -> Reply:
        return Reply(status=404) if request.path.startswith("/news/") else Reply(status=500)

    server.route("/list", Reply(body=listing_page(server.url(""), SEED_LIST[:2])))
    config = SourceConfig.of(name="site", kind="html", url=server.url("/list"))
    result = await HtmlSource(config).fetch(FetchContext(client=client))
    assert result.error and "404" in result.error and not result.empty_content


def test_fetch_result_defaults() -> None:
    assert FetchResult() == FetchResult(articles=(), not_modified=False, error=None)
