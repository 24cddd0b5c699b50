"""Hostile input never stalls the service (issue 15): pages, feeds, files and
servers built to cost too much, against the real code paths on loopback."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from loopback import LoopbackServer, Reply, Request, static

from bot.config.schema import AlertsConfig, Config, NetworkConfig, SourceConfig, StorageConfig
from bot.ingest.pipeline import MAX_TEXT_CHARS, rules_from_config
from bot.ingest.poll import poll_due, poll_source
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import sources as store_sources
from scrapers import FetchContext
from scrapers.files import FilesSource
from scrapers.html import HtmlSource
from scrapers.http import FetchTimeout, HttpClient
from scrapers.page import MAX_DEPTH, PageError, element_text, parse_page
from scrapers.rss import RssSource, parse_feed, repair_utf8
from scrapers.work import WorkerPool, WorkTimeout

RULES = rules_from_config(AlertsConfig())
STORY = "قالت الأمم المتحدة إن عدد النازحين من مدينة الرقة ارتفع إلى {n} شخص منذ بداية الشهر."
PARAGRAPH = "<p>" + STORY.format(n=12000) + "</p>"


# ---------------------------------------------------------------- helpers


def nested(n: int, tag: str = "div", inner: str = PARAGRAPH) -> str:
    return f"<html><body>{f'<{tag}>' * n}{inner}{f'</{tag}>' * n}</body></html>"


def article_page(n: int = 12000) -> str:
    return (
        f"<html><head><title>خبر</title></head><body><nav>الرئيسية</nav><article><h1>خبر</h1>"
        f"<p>{STORY.format(n=n)}</p></article></body></html>"
    )


def _call(out: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        out.put(("ok", fn(*args)))
    except Exception as exc:  # the test looks at what came out
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def bounded(seconds: float, fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """`fn(*args)` in a child process that may take `seconds` at most: ("ok",
    result) or ("error", why); AssertionError when it takes longer (the child
    is killed, so a quadratic case fails the test instead of hanging it)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_call, args=(out, fn, args), daemon=True)
    child.start()
    try:
        result: tuple[str, Any] = out.get(timeout=seconds)
    except Exception:
        raise AssertionError(f"{fn.__name__} took more than {seconds:g} s") from None
    finally:
        child.kill()
        child.join(5)
    return result


def page_text(html: str) -> str:
    return parse_page(html, "http://example.test/a").text


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as s:
        yield s


def make_client(**network: object) -> HttpClient:
    settings: dict[str, object] = {"allow_private_networks": True, "retries": 0}
    settings.update(network)
    return HttpClient(NetworkConfig(**settings), backoff_base=0.01, backoff_max=0.05)  # type: ignore[arg-type]


@pytest.fixture
async def pool() -> Any:
    workers = WorkerPool(2, timeout=30)
    yield workers
    workers.close()


# ---------------------------------------------------------------- 1. cleaning is linear, pages bounded


def test_cleaning_is_linear_in_the_number_of_elements() -> None:
    # 150 blocks of 500 nested wrappers (75,000 elements, each block at the
    # depth bound): asking every element whether its subtree holds the article
    # made this cost 150 × 500² / 2 subtree visits; one pass costs 75,000.
    blocks = "".join(
        f"{'<div class=wrap>' * 499}<p>{STORY.format(n=i)}</p>{'</div>' * 499}" for i in range(150)
    )
    html = f"<html><body><article>{blocks}</article></body></html>"
    status, text = bounded(30, page_text, html)
    assert status == "ok", text
    assert text.count("عدد النازحين") == 1  # the block with the most text, cleaned


@pytest.mark.parametrize(
    ("html", "words"),
    [
        (nested(30_000), f"nested over {MAX_DEPTH} levels deep"),
        (nested(8_000), f"nested over {MAX_DEPTH} levels deep"),
        (nested(1_500, "span"), f"nested over {MAX_DEPTH} levels deep"),
        ("<html><body>" + "<b>x</b>" * 120_000 + "</body></html>", "page too large"),
        ("<html><body>" + "<i>" * 300_000 + "</body></html>", "page too large"),
    ],
    ids=["30000-divs", "8000-divs", "1500-spans", "120000-elements", "300000-tags"],
)
def test_a_page_beyond_the_bounds_fails_at_once_with_a_clear_error(html: str, words: str) -> None:
    status, why = bounded(20, page_text, html)
    assert status == "error" and words in why and why.startswith("PageError")


def test_a_page_at_the_bounds_is_read() -> None:
    status, text = bounded(20, page_text, nested(MAX_DEPTH - 10))
    assert status == "ok" and "عدد النازحين" in text


def test_a_wrapper_around_the_article_is_spared_and_furniture_dropped() -> None:
    html = (
        "<html><body><div class='layout with-sidebar'><div class='share'>شارك</div>"
        f"<main><p>{STORY.format(n=5)}</p></main></div>"
        "<div class='related'><p>خبر آخر عن شيء آخر تماما لا علاقة له بالموضوع</p></div></body></html>"
    )
    text = page_text(html)
    assert "عدد النازحين" in text and "شارك" not in text and "خبر آخر" not in text


# ---------------------------------------------------------------- 2. deep pages, one bad page fails alone


def test_text_of_a_deep_tree_is_walked_without_recursion() -> None:
    soup = BeautifulSoup(nested(5_000, "div", "<p>عمق</p>"), "lxml")  # past the recursion limit
    text = element_text(soup)
    assert text.strip() == "عمق"


def listing(base: str, paths: list[str]) -> bytes:
    links = "".join(f"<li><a href='{base}{p}'>خبر</a></li>" for p in paths)
    return f"<html><body><ul>{links}</ul></body></html>".encode()


async def test_one_bad_page_fails_alone_and_the_rest_of_the_poll_is_stored(
    server: LoopbackServer, tmp_path: Path
) -> None:
    base = server.url("")
    server.route("/news", static(listing(base, ["/deep", "/good"]), "text/html"))
    server.route("/deep", static(nested(1_500, "span").encode(), "text/html"))
    server.route("/good", static(article_page().encode(), "text/html"))
    db = store.open_db(tmp_path / "raqib.db")
    source = HtmlSource(SourceConfig.of(name="site", kind="html", url=f"{base}/news"))
    async with make_client() as client:
        result = await poll_source(db, source, 60, RULES, client=client)
    assert result.error is None
    assert [a.url for a in result.articles if not a.skipped] == [f"{base}/good"]
    assert any(f"{base}/deep" in p and "too complex" in p for p in result.problems)
    assert store_figures.url_known(db, f"{base}/good") and not store_figures.url_known(
        db, f"{base}/deep"
    )
    health = store_sources.source_health(db, "site")
    assert health.consecutive_failures == 0
    assert health.last_error and "/deep" in health.last_error


async def test_one_bad_file_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a-deep.html").write_text(nested(3_000), encoding="utf-8")
    (folder / "b-good.txt").write_text("خبر\n\n" + STORY.format(n=7000), encoding="utf-8")
    source = FilesSource(SourceConfig.of(name="local", kind="files", path=str(folder)))
    result = await source.fetch(FetchContext(client=None))
    assert result.error is None
    assert [Path(a.url).name for a in result.articles] == ["b-good.txt"]
    assert len(result.problems) == 1 and "a-deep.html" in result.problems[0]
    assert [a.url for a in source.read_all()] == [result.articles[0].url]  # replay too


# ---------------------------------------------------------------- 3./4. the pool: bounded, fair, timed, stoppable


async def test_one_key_never_holds_the_whole_pool(pool: WorkerPool) -> None:
    await asyncio.gather(pool.run(time.sleep, 0.2, key="a"), pool.run(time.sleep, 0.2, key="b"))
    assert len(pool.pids) == 2
    began = time.monotonic()
    hostile = [asyncio.create_task(pool.run(time.sleep, 1.5, key="hostile")) for _ in range(6)]
    await asyncio.sleep(0.2)
    await pool.run(time.sleep, 0, key="healthy")
    waited = time.monotonic() - began
    assert waited < 6.0, waited  # behind one hostile job at most, not six (9 s)
    assert not all(t.done() for t in hostile)
    await asyncio.gather(*hostile)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has no work left: it only waits to be reaped
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split()[2] != "Z"


async def test_a_job_over_its_time_limit_is_stopped_and_its_worker_replaced(
    pool: WorkerPool,
) -> None:
    with pytest.raises(WorkTimeout, match=r"more than 0\.5 s"):
        await pool.run(time.sleep, 60, timeout=0.5)
    assert pool.pids == []
    assert await pool.run(sum, [1, 2, 3]) == 6  # a new worker


async def test_a_cancelled_job_kills_its_worker(pool: WorkerPool) -> None:
    job = asyncio.create_task(pool.run(time.sleep, 60))
    while not pool.pids:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    (pid,) = pool.pids
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert not _alive(pid)


async def test_an_error_in_a_worker_is_raised_here_and_the_worker_kept(pool: WorkerPool) -> None:
    with pytest.raises(PageError, match="too complex"):
        await pool.run(parse_page, nested(MAX_DEPTH + 5), "http://example.test/")
    assert len(pool.pids) == 1
    assert "عدد النازحين" in (await pool.run(parse_page, article_page(), "http://e.test/")).text


# ---------------------------------------------------------------- 5. memory per article


async def test_a_long_text_is_cut_before_extraction_and_the_cut_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraphs = [STORY.format(n=1000 + i) for i in range(3_000)]  # ~300,000 characters
    (folder / "long.txt").write_text("تقرير طويل\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    db = store.open_db(tmp_path / "raqib.db")
    source = FilesSource(SourceConfig.of(name="local", kind="files", path=str(folder)))
    result = await poll_source(db, source, 60, RULES)
    assert len(result.articles) == 1 and not result.articles[0].skipped
    (stored,) = db.execute("select text from articles").fetchone()
    assert len(stored) <= MAX_TEXT_CHARS + 40 and stored.endswith("منذ بداية الشهر.")
    assert any("long.txt" in p and "cut to" in p for p in result.problems)
    assert "long.txt" in (store_sources.source_health(db, "local").last_error or "")
    again = await poll_source(db, source, 60, RULES)  # the same version: seen, not cut again
    assert [a.skipped for a in again.articles] == [True] and again.problems == ()


# ---------------------------------------------------------------- 6. one bad byte


def story_feed(base: str, values: list[int], *, days: list[int] | None = None) -> bytes:
    days = days or list(range(len(values)))
    items = "".join(
        f"<item><title>النازحون {i}</title><link>{base}/a/{i}</link>"
        f"<pubDate>{format_datetime(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=d))}</pubDate>"
        f"<description>{STORY.format(n=n)}</description></item>"
        for i, (n, d) in enumerate(zip(values, days, strict=True))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


async def test_one_bad_byte_keeps_a_utf8_feed_readable(
    server: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = server.url("")
    feed = story_feed(base, [10_000, 20_000]).replace(b"</title><link>", b"\xff</title><link>", 1)
    server.route("/feed.xml", static(feed, "application/rss+xml; charset=utf-8"))
    db = store.open_db(tmp_path / "raqib.db")
    source = RssSource(SourceConfig.of(name="feed", kind="rss", url=f"{base}/feed.xml"))
    with caplog.at_level(logging.WARNING, logger="scrapers.rss"):
        async with make_client() as client:
            result = await poll_source(db, source, 60, RULES, client=client)
    assert result.error is None
    values = {r[0] for r in db.execute("select value from observations")}
    assert {10_000, 20_000} <= values  # the figures of both entries
    titles = [r[0] for r in db.execute("select title from articles order by id")]
    assert titles[0] == "النازحون 0\ufffd" and titles[1] == "النازحون 1"
    assert any("not valid UTF-8" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("data", "content_type", "repaired"),
    [
        ("<rss>نزح آلاف المدنيين من المدينة</rss>".encode() + b"\xff", None, True),
        (
            "<rss>نزح آلاف المدنيين من المدينة</rss>".encode() + b"\xff",
            "text/xml; charset=UTF-8",
            True,
        ),
        ("<rss>نزح آلاف المدنيين من المدينة</rss>".encode("cp1256"), None, False),
        (
            "<rss>نزح آلاف المدنيين من المدينة</rss>".encode("cp1256"),
            "text/xml; charset=windows-1256",
            False,
        ),
        ("<rss>café</rss>".encode("latin-1"), None, False),
        ("<rss>نزح</rss>".encode(), None, False),
    ],
    ids=["utf8-bad-byte", "declared-utf8-bad-byte", "cp1256", "declared-cp1256", "latin1", "clean"],
)
def test_which_feeds_are_repaired(data: bytes, content_type: str | None, repaired: bool) -> None:
    fixed, _ = repair_utf8(data, content_type)
    assert (fixed != data) is repaired
    if repaired:
        assert fixed.decode("utf-8").startswith("<rss>نزح آلاف المدنيين")


# ---------------------------------------------------------------- 7. parse only what is kept


async def test_an_oldest_first_feed_gives_its_newest_entries(server: LoopbackServer) -> None:
    base = server.url("")
    server.route("/feed.xml", static(story_feed(base, [1000 + i for i in range(120)]), "text/xml"))
    source = RssSource(
        SourceConfig.of(name="feed", kind="rss", url=f"{base}/feed.xml", max_articles=50)
    )
    async with make_client() as client:
        result = await source.fetch(FetchContext(client=client))
    assert sorted(a.url for a in result.articles) == sorted(f"{base}/a/{i}" for i in range(70, 120))


def test_entries_are_kept_by_date_not_by_place() -> None:
    days = [5, 1, 9, 3, 7, 2, 8]  # no order at all
    entries, _ = parse_feed(story_feed("http://e.test", [1] * 7, days=days), limit=3)
    assert [e.url for e in entries] == [
        "http://e.test/a/2",
        "http://e.test/a/4",
        "http://e.test/a/6",
    ]


def count_kept(data: bytes, limit: int) -> int:
    return len(parse_feed(data, limit=limit)[0])


def test_a_feed_of_100000_entries_costs_what_its_50_kept_cost() -> None:
    items = "".join(
        f"<item><title>t{i}</title><link>http://e.test/a/{i}</link>"
        f"<pubDate>{format_datetime(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i))}"
        "</pubDate></item>"
        for i in range(100_000)
    )
    data = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
    status, kept = bounded(20, count_kept, data, 50)  # 28.6 s (and 281 MB) before
    assert (status, kept) == ("ok", 50)


# ---------------------------------------------------------------- 9. a slow site is one slow source


def dribble(seconds: int) -> Reply:
    return Reply(body=(b"<" for _ in range(seconds * 4)), chunk_delay=0.25)


async def test_a_fetch_is_bounded_in_total_retries_included(server: LoopbackServer) -> None:
    server.route("/slow", dribble(60))
    async with make_client(total_timeout=1.5, read_timeout=5, retries=3) as client:
        began = time.monotonic()
        with pytest.raises(FetchTimeout, match="retries and redirects included"):
            await client.get(server.url("/slow"))
    assert time.monotonic() - began < 3.5  # before: 1.5 s per attempt, 4 attempts and waits
    assert len(server.hits("/slow")) >= 1


async def test_sources_are_polled_at_once_and_reported_in_order(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # each feed answers only once the other has been asked: one after the other, both fail
    both = threading.Barrier(2, timeout=10)

    def feed(n: int) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            try:
                both.wait()
            except threading.BrokenBarrierError:
                return Reply(status=404)
            return Reply(body=story_feed(server.url("") + f"/{n}", [1000 * n]),
                         headers={"Content-Type": "text/xml"})  # fmt: skip

        return handler

    server.route("/one.xml", feed(1))
    server.route("/two.xml", feed(2))
    config = Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        network=NetworkConfig(allow_private_networks=True, retries=0),
        sources=(
            SourceConfig.of(name="one", kind="rss", url=server.url("/one.xml")),
            SourceConfig.of(name="two", kind="rss", url=server.url("/two.xml")),
        ),
    )
    db = store.open_db(config.storage.database)
    order: list[str] = []
    await poll_due(db, config, on_result=lambda r: order.append(f"{r.source}:{r.error}"))
    assert order == ["one:None", "two:None"]
