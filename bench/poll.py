"""Benchmark: one poll cycle of many feeds on loopback, new then unchanged.

    .venv/bin/python bench/poll.py [--feeds 500] [--items 20] [--concurrency 20]
                                   [--no-extract] [--tracemalloc]

A server in a child process (so that its work is not counted here) serves
FEEDS RSS feeds of ITEMS items each, built from the seed articles (each item
one seed paragraph, as feed descriptions are), with an ETag per feed.  Then:

1. the "new" cycle: every feed fetched, parsed and cleaned by `RssSource`,
   and every article's text through `figures.extract`;
2. the "unchanged" cycle: every feed polled again with its validators: 304s.

Prints the wall time of each cycle (fetch+parse+clean and extraction apart),
and peak memory: the process's maximum RSS after each cycle, and with
`--tracemalloc` the peak of Python allocations during each cycle (slower).
Goals: unchanged under 2 s; new bounded by parsing and extraction; memory
under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import time
import tomllib
import tracemalloc
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import NetworkConfig, SourceConfig
from figures import extract
from scrapers import FetchContext
from scrapers.http import HttpClient
from scrapers.rss import RssSource

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_paragraphs() -> list[tuple[str, str]]:
    """(headline, paragraph) pairs from the seeds."""
    index = tomllib.loads((SEEDS / "index.toml").read_text(encoding="utf-8"))
    pairs = []
    for entry in index["articles"]:
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        for para in text.split("\n"):
            if len(para.strip()) >= 120:
                pairs.append((entry["title"], para.strip()))
    return pairs


def build_feed(n: int, items: int, pairs: list[tuple[str, str]], base: str) -> bytes:
    out = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{n}</title>']
    for i in range(items):
        title, para = pairs[(n * items + i) % len(pairs)]
        when = format_datetime(datetime(2019, 2, 1 + i % 28, 12, tzinfo=UTC))
        out.append(
            f"<item><title>{escape(title)} {n}-{i}</title>"
            f"<link>{base}/news/{n}/{i}?utm_source=rss</link><guid>{base}/news/{n}/{i}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape('<p>' + escape(para) + '</p>')}"
            "</description></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()


def serve(feeds: int, items: int, port_queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The child process: an aiohttp server on 127.0.0.1 with ETag/304."""
    from aiohttp import web

    pairs = seed_paragraphs()

    async def main() -> None:
        bodies: dict[str, bytes] = {}

        async def feed(request: web.Request) -> web.StreamResponse:
            name = request.match_info["n"]
            if not name.isdigit() or int(name) >= feeds:
                raise web.HTTPNotFound()
            etag = f'"{name}-v1"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            if name not in bodies:
                bodies[name] = build_feed(int(name), items, pairs, base)
            return web.Response(
                body=bodies[name], content_type="application/rss+xml", headers={"ETag": etag}
            )

        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        port_queue.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def cycle(
    sources: list[RssSource],
    client: HttpClient,
    validators: list[dict[str, str]],
    concurrency: int,
    do_extract: bool,
) -> tuple[list[dict[str, str]], int, int, int, float, float]:
    gate = asyncio.Semaphore(concurrency)

    async def one(source: RssSource, v: dict[str, str]):  # type: ignore[no-untyped-def]
        async with gate:
            return await source.fetch(FetchContext(client=client, validators=v))

    started = time.perf_counter()
    cpu = time.process_time()
    results = await asyncio.gather(*(one(s, v) for s, v in zip(sources, validators, strict=True)))
    fetched = time.perf_counter() - started
    fetch_cpu = time.process_time() - cpu
    figures = 0
    if do_extract:
        for r in results:
            for article in r.articles:
                figures += len(extract(f"{article.title}\n\n{article.text}"))
    extracted = time.perf_counter() - started - fetched
    errors = [r.error for r in results if r.error]
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}")
    articles = sum(len(r.articles) for r in results)
    not_modified = sum(1 for r in results if r.not_modified)
    print(f"  client CPU time: fetch+parse+clean {fetch_cpu:.2f} s", end="; ")
    return [r.validators for r in results], articles, not_modified, figures, fetched, extracted


async def run(args: argparse.Namespace, port: int) -> None:
    config = NetworkConfig(
        allow_private_networks=True,
        max_connections=args.concurrency,
        per_host_connections=args.concurrency,
    )
    sources = [
        RssSource(
            SourceConfig(name=f"feed{n}", kind="rss", url=f"http://127.0.0.1:{port}/feed/{n}.xml")
        )
        for n in range(args.feeds)
    ]
    validators: list[dict[str, str]] = [{} for _ in sources]
    async with HttpClient(config) as client:
        for label in ("new", "unchanged"):
            if args.tracemalloc:
                tracemalloc.start()
            validators, articles, nm, figures, fetched, extracted = await cycle(
                sources, client, validators, args.concurrency, not args.no_extract
            )
            traced = ""
            if args.tracemalloc:
                traced = f", traced peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MB"
                tracemalloc.stop()
            print(
                f"{label:>9}: {fetched + extracted:6.2f} s wall "
                f"(fetch+parse+clean {fetched:.2f} s, extract {extracted:.2f} s); "
                f"{articles} articles, {figures} figures, {nm} not modified; "
                f"max RSS {max_rss_mb():.0f} MB{traced}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--no-extract", action="store_true", help="skip figures.extract")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    server = ctx.Process(target=serve, args=(args.feeds, args.items, queue), daemon=True)
    server.start()
    try:
        port = queue.get(timeout=30)
        print(
            f"{args.feeds} feeds x {args.items} items on 127.0.0.1:{port}, "
            f"concurrency {args.concurrency}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        )
        asyncio.run(run(args, port))
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
