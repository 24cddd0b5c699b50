"""Benchmark: the poll path a user runs, `raqib once`, beside lemon24/reader.

    .venv/bin/python bench/poll.py [--feeds 500] [--items 20] [--runs 1]
                                   [--no-reader] [--scale 100,800]

A server in a child process serves FEEDS RSS 2.0 feeds of ITEMS items each on
127.0.0.1, every item a *full* seed article (`content:encoded`, as WordPress
feeds carry it), with an ETag per feed.  Then, each in its own process and its
own fresh database:

1. `raqib once` with a config of FEEDS `rss` sources: the "new" cycle (fetch,
   parse, clean, extract, diff, store, outbox) and then the "unchanged" cycle
   (every feed answers 304);
2. when `reader` is installed (`pip install -e '.[bench]'`), reader 3.x on the
   same feeds: `update_feeds()` new, then unchanged (fetch, parse, store).

For each: wall time and the process's peak RSS (from `wait4`, so the server
and this script are not counted), and the ratios raqib/reader.  `--scale`
runs only the new cycle of `raqib once` at several feed counts and prints the
peak RSS of each, to show whether memory grows with the number of sources.

Targets (2 cores): new <= 1.0x reader, unchanged <= 1.0x reader, peak RSS
<= 150 MB, and the peak at 800 feeds within 1.25x of the peak at 100.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def seed_articles() -> list[tuple[str, str]]:
    """(title, full text) of each seed article."""
    index = tomllib.loads((SEEDS / "index.toml").read_text(encoding="utf-8"))
    return [
        (entry["title"], (SEEDS / entry["file"]).read_text(encoding="utf-8"))
        for entry in index["articles"]
    ]


def build_feed(n: int, items: int, articles: list[tuple[str, str]], base: str) -> bytes:
    """Feed `n`: ITEMS full articles, each with its own link and a date."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>feed {n}</title><link>{base}/</link><description>d</description>"
    ]
    for i in range(items):
        title, text = articles[(n + i) % len(articles)]
        when = format_datetime(datetime(2019, 2, 1 + i % 28, 12, tzinfo=UTC))
        body = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
        out.append(
            f"<item><title>{escape(title)} ({n}-{i})</title>"
            f"<link>{base}/news/{n}/{i}</link><guid>{base}/news/{n}/{i}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape(text[:200])}</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()


def serve(feeds: int, items: int, port_queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The child process: an aiohttp server on 127.0.0.1 with ETag/304."""
    from aiohttp import web

    articles = seed_articles()

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
                bodies[name] = build_feed(int(name), items, articles, base)
            return web.Response(
                body=bodies[name], content_type="application/rss+xml", headers={"ETag": etag}
            )

        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        port_queue.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass(frozen=True)
class Run:
    """One measured process."""

    seconds: float
    """Wall time from start to exit."""
    peak_mb: float
    """The process's maximum resident set size."""
    output: str
    """What it printed (stdout and stderr)."""


def measure(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> Run:
    """Run `cmd` to completion; its wall time and its own peak RSS (an exit
    code outside `ok` stops the benchmark: a failed run is no measurement)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:  # raqib's 1: some input failed, the rest was done
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}:\n{output[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, output)


def raqib_config(folder: Path, port: int, feeds: int) -> Path:
    """A config with one rss source per feed, its database in `folder`."""
    lines = [
        "[storage]",
        f'database = "{folder / "raqib.db"}"',
        "[network]",
        "allow_private_networks = true",
        "max_connections = 20",
        "per_host_connections = 20",
    ]
    for n in range(feeds):
        lines += [
            "[[sources]]",
            f'name = "feed{n}"',
            'kind = "rss"',
            f'url = "http://127.0.0.1:{port}/feed/{n}.xml"',
            f'outlet = "Outlet {n % 7}"',
            # a second: the unchanged cycle, a moment later, finds every feed due and
            # polls it again (each answers 304), as reader's does; at 15m `once` would
            # find nothing due and measure only its own start-up
            'interval = "1s"',
        ]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


READER_SCRIPT = """
import sys
from reader import make_reader
db, port, feeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reader = make_reader(db)
for n in range(feeds):
    reader.add_feed(f"http://127.0.0.1:{port}/feed/{n}.xml", exist_ok=True)
reader.update_feeds(workers=20)
print(reader.get_entry_counts())
"""


def raqib_cmd() -> list[str]:
    raqib = Path(sys.executable).with_name("raqib")
    return [str(raqib)] if raqib.exists() else [sys.executable, "-m", "bot.cli.app"]


def has_reader() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import reader"], capture_output=True)
    return probe.returncode == 0


def cycle_pair(port: int, feeds: int, with_reader: bool) -> dict[str, Run]:
    """New then unchanged, for raqib and (optionally) reader, fresh databases."""
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = raqib_config(folder, port, feeds)
        for label in ("new", "unchanged"):
            # --config before the subcommand: the spelling every version takes
            runs[f"raqib {label}"] = measure(
                [*raqib_cmd(), "--config", str(config), "once"], folder
            )
        if with_reader:
            db = str(folder / "reader.sqlite")
            script = [sys.executable, "-c", READER_SCRIPT, db, str(port), str(feeds)]
            for label in ("new", "unchanged"):
                runs[f"reader {label}"] = measure(script, folder, ok=(0,))
    return runs


def start_server(feeds: int, items: int) -> tuple[multiprocessing.Process, int]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    server = ctx.Process(target=serve, args=(feeds, items, queue), daemon=True)
    server.start()
    return server, queue.get(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="repeat the side-by-side run")
    parser.add_argument("--no-reader", action="store_true", help="skip reader")
    parser.add_argument(
        "--scale", default="", help="feed counts for the memory-growth run, e.g. 100,800"
    )
    args = parser.parse_args()
    scale = [int(n) for n in args.scale.split(",") if n.strip()]
    with_reader = not args.no_reader and has_reader()
    if not args.no_reader and not with_reader:
        print("reader is not installed (pip install -e '.[bench]'): raqib alone")
    most = max([args.feeds, *scale])
    server, port = start_server(most, args.items)
    try:
        print(
            f"{args.feeds} feeds x {args.items} full articles on 127.0.0.1:{port}; "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
            f"raqib: {shutil.which('raqib') or raqib_cmd()[0]}"
        )
        for i in range(args.runs):
            runs = cycle_pair(port, args.feeds, with_reader)
            print(f"run {i + 1}:")
            for name, run in runs.items():
                print(f"  {name:<17} {run.seconds:7.2f} s   peak RSS {run.peak_mb:6.0f} MB")
            if with_reader:
                for label in ("new", "unchanged"):
                    r, q = runs[f"raqib {label}"], runs[f"reader {label}"]
                    print(
                        f"  ratio {label:<11} time {r.seconds / q.seconds:5.2f}x   "
                        f"peak RSS {r.peak_mb / q.peak_mb:5.2f}x"
                    )
        if scale:
            peaks = []
            for feeds in scale:
                with tempfile.TemporaryDirectory() as tmp:
                    config = raqib_config(Path(tmp), port, feeds)
                    run = measure([*raqib_cmd(), "--config", str(config), "once"], Path(tmp))
                peaks.append(run.peak_mb)
                print(
                    f"  scale {feeds:>5} feeds: new {run.seconds:7.2f} s, peak {run.peak_mb:.0f} MB"
                )
            print(f"  peak at {scale[-1]} / peak at {scale[0]} feeds: {peaks[-1] / peaks[0]:.2f}x")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
