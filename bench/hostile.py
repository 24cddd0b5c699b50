"""Benchmark: time and peak memory of hostile documents, one per child process.

    .venv/bin/python bench/hostile.py [--timeout 120] [CASE ...]

Cases: `divs8000`, `divs30000` (nested <div>s), `deep1500` (1,500 nested
<span>s inside a <p>), `feed100000` (an RSS feed of 100,000 entries, 50 kept).
Each case runs in a fresh process (its peak RSS is its own): an html page
through `scrapers.page.parse_page`, the feed through `scrapers.rss.parse_feed`
with `limit=50` when that exists.  A case that outlives `--timeout` is
reported as such.  Prints one line per case: seconds, peak RSS, outcome.
"""

from __future__ import annotations

import argparse
import inspect
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = (
    "<p>" + "نزح أكثر من ألف شخص من المدينة خلال الأسبوع الماضي بحسب الأمم المتحدة. " * 3 + "</p>"
)


def nested_divs(n: int) -> str:
    return f"<html><body>{'<div>' * n}{PARAGRAPH}{'</div>' * n}</body></html>"


def deep(n: int) -> str:
    return f"<html><body><p>{'<span>' * n}نص{'</span>' * n}</p>{PARAGRAPH}</body></html>"


def big_feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>خبر {i}</title><link>http://example.test/a/{i}</link>"
        f"<pubDate>Mon, 0{1 + i % 9} Jan 2024 10:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;نص الخبر {i}&lt;/p&gt;</description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def run_case(name: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from scrapers import page, rss

    if name.startswith("divs"):
        doc: str | bytes = nested_divs(int(name[4:]))
    elif name.startswith("deep"):
        doc = deep(int(name[4:]))
    else:
        doc = big_feed(int(name[4:]))
    started = time.perf_counter()
    try:
        if name.startswith("feed"):
            kw = {"limit": 50} if "limit" in inspect.signature(rss.parse_feed).parameters else {}
            entries, _ = rss.parse_feed(doc, **kw)  # type: ignore[arg-type]
            outcome = f"{len(entries)} entries"
        else:
            p = page.parse_page(doc, "http://example.test/a")
            outcome = f"text {len(p.text)} chars"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:80]}"
    took = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((took, rss_mb, outcome, len(doc)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "cases", nargs="*", default=["divs8000", "divs30000", "deep1500", "feed100000"]
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    for name in args.cases:
        q = ctx.Queue()
        proc = ctx.Process(target=run_case, args=(name, q))
        began = time.perf_counter()
        proc.start()
        proc.join(args.timeout)
        if proc.is_alive():
            proc.kill()
            proc.join()
            print(f"{name:<12} > {args.timeout:.0f} s (killed)", flush=True)
            continue
        took, rss_mb, outcome, size = q.get(timeout=5)
        print(
            f"{name:<12} {size / 1024:8.0f} KB  {took:7.2f} s  peak {rss_mb:6.0f} MB  {outcome}",
            flush=True,
        )
        del began


if __name__ == "__main__":
    main()
