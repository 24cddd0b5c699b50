"""Benchmark: threads or worker processes for the CPU work of a poll.

    .venv/bin/python bench/pool.py [--articles 200] [--workers 2]

The work is what a poll does per article: `parse_page` of an article page
(the seed texts as HTML pages), then `figures.extract` of its text.  Three
ways to run it, all from asyncio as the service does:

1. `inline`: on the event loop (the floor: no parallelism, no transfer);
2. `threads`: a ThreadPoolExecutor of `--workers` threads;
3. `processes`: `scrapers.work.WorkerPool` of `--workers` processes (the
   page's HTML goes to a worker and its Page comes back, then the text goes
   and the figures come back, pickled through a pipe).

Also: the cost of the transfer alone (pickling and unpickling every argument
and result), and how long a small job waits behind eight slow ones (a page
that costs ~1 s) from another source: the starvation the pool's per-source
limit is for.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import figures
from scrapers.page import parse_page
from scrapers.work import WorkerPool

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def pages(count: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    out = []
    for i in range(count):
        paras = "".join(f"<p>{line}</p>" for line in texts[i % len(texts)].splitlines() if line)
        out.append(
            f"<html><head><title>t{i}</title></head><body><nav><a href='/'>الرئيسية</a></nav>"
            f"<article>{paras}</article><aside class='related'>اقرأ أيضا</aside></body></html>"
        )
    return out


def work(html: str) -> int:
    page = parse_page(html, "http://example.test/a")
    return len(figures.extract(page.text))


def slow_page() -> str:
    """A page just within the bounds that costs about a second to read."""
    return "<html><body>" + "<div><p>نص قصير هنا</p></div>" * 30_000 + "</body></html>"


async def run_threads(docs: list[str], workers: int) -> float:
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(workers) as ex:
        began = time.perf_counter()

        async def one(html: str) -> int:
            page = await loop.run_in_executor(ex, parse_page, html, "http://example.test/a")
            return len(await loop.run_in_executor(ex, figures.extract, page.text))

        await asyncio.gather(*(one(d) for d in docs))
        return time.perf_counter() - began


async def run_pool(docs: list[str], workers: int) -> float:
    pool = WorkerPool(workers, per_key=workers)
    await asyncio.gather(*(pool.run(sum, [i], key=str(i)) for i in range(workers)))  # started
    began = time.perf_counter()

    async def one(i: int, html: str) -> int:
        page = await pool.run(parse_page, html, "http://example.test/a", key=str(i % 7))
        return len(await pool.run(figures.extract, page.text, key=str(i % 7)))

    await asyncio.gather(*(one(i, d) for i, d in enumerate(docs)))
    took = time.perf_counter() - began
    pool.close()
    return took


def transfer(docs: list[str]) -> float:
    began = time.perf_counter()
    for html in docs:
        page = parse_page(html, "http://example.test/a")
        found = figures.extract(page.text)
        for obj in (html, page, page.text, found):
            pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    whole = time.perf_counter() - began
    began = time.perf_counter()
    for html in docs:
        page = parse_page(html, "http://example.test/a")
        figures.extract(page.text)
    return whole - (time.perf_counter() - began)


async def starvation(workers: int, use_pool: bool) -> float:
    slow = slow_page()
    small = pages(1)[0]
    loop = asyncio.get_running_loop()
    if use_pool:
        pool = WorkerPool(workers)
        await asyncio.gather(*(pool.run(sum, [i], key=str(i)) for i in range(workers)))
        hostile = [
            asyncio.ensure_future(pool.run(parse_page, slow, "http://h/", key="hostile"))
            for _ in range(8)
        ]
        await asyncio.sleep(0.1)
        began = time.perf_counter()
        await pool.run(work, small, key="healthy")
        took = time.perf_counter() - began
        await asyncio.gather(*hostile)
        pool.close()
        return took
    with ThreadPoolExecutor(workers) as ex:
        hostile = [loop.run_in_executor(ex, parse_page, slow, "http://h/") for _ in range(8)]
        await asyncio.sleep(0.1)
        began = time.perf_counter()
        await loop.run_in_executor(ex, work, small)
        took = time.perf_counter() - began
        await asyncio.gather(*hostile)
        return took


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    docs = pages(args.articles)
    began = time.perf_counter()
    for d in docs:
        work(d)
    inline = time.perf_counter() - began
    threads = await run_threads(docs, args.workers)
    procs = await run_pool(docs, args.workers)
    moved = transfer(docs)
    n = len(docs)
    print(f"{n} articles (parse_page + extract), {args.workers} workers")
    print(f"  inline     {inline:6.2f} s  ({1000 * inline / n:5.1f} ms/article)")
    print(f"  threads    {threads:6.2f} s  ({1000 * threads / n:5.1f} ms/article)")
    print(f"  processes  {procs:6.2f} s  ({1000 * procs / n:5.1f} ms/article)")
    print(
        f"  transfer   {moved:6.2f} s  (pickling every argument and result, {1000 * moved / n:.2f} ms/article)"
    )
    t_starve = await starvation(args.workers, use_pool=False)
    p_starve = await starvation(args.workers, use_pool=True)
    print("a small job from another source behind 8 slow pages (~1 s each):")
    print(f"  threads    waited {t_starve:6.2f} s")
    print(f"  pool       waited {p_starve:6.2f} s  (a source holds at most half the workers)")


if __name__ == "__main__":
    asyncio.run(main())
