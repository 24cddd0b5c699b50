"""feedparser's 2,106 test feeds through raqib's feed path: bytes in, articles out.

The same function RssSource uses on a fetched body (`articles_from_feed`),
with a Content-Type like a server's.  No feed may raise, and none may take
more than a per-file budget; one test loops over them all and reports every
failure at once (2,106 parametrized cases would cost more in pytest than in
parsing).
"""

from __future__ import annotations

import time
from pathlib import Path

from scrapers.clean import http_url
from scrapers.rss import articles_from_feed

CORPUS = Path(__file__).resolve().parent / "data" / "feedparser-tests"
BUDGET = 1.0
"""CPU seconds one feed may take (they take milliseconds; CPU time, not wall time,
so that a machine loaded by other work does not fail it)."""


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.xml"))


def test_the_corpus_is_there() -> None:
    files = corpus_files()
    assert len(files) == 2106
    assert {p.relative_to(CORPUS).parts[0] for p in files} == {
        "encoding",
        "entities",
        "illformed",
        "wellformed",
    }


def test_every_feed_goes_through_without_an_exception() -> None:
    failures: list[str] = []
    slow: list[str] = []
    articles = 0
    for path in corpus_files():
        name = str(path.relative_to(CORPUS))
        data = path.read_bytes()
        started = time.process_time()
        try:
            found = articles_from_feed(
                data,
                source="corpus",
                base_url="http://example.test/feed.xml",
                content_type="application/xml",
            )
        except Exception as exc:  # the point of the test: report, don't stop
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        took = time.process_time() - started
        if took > BUDGET:
            slow.append(f"{name}: {took:.2f} s")
        for article in found:
            articles += 1
            if not (article.title or article.text):
                failures.append(f"{name}: an article with neither title nor text")
            if article.url.startswith(("javascript:", "data:", "file:")):
                failures.append(f"{name}: unsafe url {article.url}")
            if article.url.startswith("http") and http_url(article.url) != article.url:
                failures.append(f"{name}: url not canonical {article.url}")
    assert not failures, f"{len(failures)} feed(s) failed:\n" + "\n".join(failures[:50])
    assert not slow, "over budget:\n" + "\n".join(slow)
    # Most test feeds hold one bare element; 114 entries have a link or an id, and
    # 38 of those have a title or some text: an article each.
    assert articles >= 38
