"""A poll never blocks the chat: a real `raqib run` polls many feeds of full seed articles
(real parsing and extraction work) and one feed the server holds, and a `/help` sent through
the fake Bot API while the poll is provably in progress is answered before it ends — before
the held feed is released and before the other feeds are all stored."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from fakes.telegram_api import FakeTelegram
from loopback import LoopbackServer, Reply, Request
from running import RunLog, start_run
from story import seed_articles

FEEDS = 24
"""Feeds answered at once, each with ITEMS full seed articles (the CPU work of the poll)."""
ITEMS = 8
HOLD = 120.0
"""Seconds the held feed waits at most for the test to release it."""
CHAT, USER = 31337, 4242


def feed(n: int, articles: list[tuple[str, str]], base: str) -> bytes:
    items = []
    for i in range(ITEMS):
        title, text = articles[(n + i) % len(articles)]
        body = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
        when = format_datetime(datetime(2019, 2, 1 + i, 12, tzinfo=UTC))
        link = f"{base}/news/{n}/{i}"
        items.append(
            f"<item><title>{escape(title)} ({n}-{i})</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape(text[:200])}</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>feed {n}</title><link>{base}/</link><description>d</description>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


def test_help_is_answered_while_a_poll_of_many_feeds_is_in_progress(
    tmp_path: Path, seeds_dir: Path
) -> None:
    articles = [(a.title, a.text) for a in seed_articles(seeds_dir)]
    release = threading.Event()
    with LoopbackServer() as site, FakeTelegram() as tg:
        for n in range(FEEDS):
            body = feed(n, articles, site.url(""))
            site.route(
                f"/feed/{n}.xml", Reply(body=body, headers={"Content-Type": "application/rss+xml"})
            )

        def held(request: Request) -> Reply:
            release.wait(HOLD)
            return Reply(body=feed(FEEDS, articles, site.url("")))

        site.route("/held.xml", held)
        sources = [
            f'[[sources]]\nname = "feed{n}"\nkind = "rss"\nurl = "{site.url(f"/feed/{n}.xml")}"\n'
            for n in range(FEEDS)
        ]
        sources.append(
            f'[[sources]]\nname = "held"\nkind = "rss"\nurl = "{site.url("/held.xml")}"\n'
        )
        wanted = {f"/feed/{n}.xml" for n in range(FEEDS)} | {"/held.xml"}
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[network]
allow_private_networks = true
retries = 0
max_connections = 40
read_timeout = "300s"
total_timeout = "300s"

[telegram]
api_base_url = "{tg.base_url}"

{"".join(sources)}
""",
            encoding="utf-8",
        )
        proc = start_run([sys.executable, "-m", "bot.cli.app"], config, tmp_path)
        log = RunLog(proc)
        try:
            log.wait_for("raqib is running")
            deadline = time.monotonic() + 120  # every feed fetched: their CPU work is under way
            while {r.path for r in site.requests} < wanted:
                assert proc.poll() is None, log.text()[-3000:]
                assert time.monotonic() < deadline, f"not every feed was requested: {site.requests}"
                time.sleep(0.01)
            tg.push_command(CHAT, USER, "/help")
            tg.wait_for_sync(lambda: tg.messages(CHAT), timeout=HOLD / 2, what="the /help answer")
            sources_done = log.count("alert(s) queued")
            held_open = not release.is_set()
            release.set()
            deadline = time.monotonic() + 300
            while log.count("alert(s) queued") < FEEDS + 1:  # the poll ends, every source stored
                assert proc.poll() is None, log.text()[-3000:]
                assert time.monotonic() < deadline, log.text()[-3000:]
                time.sleep(0.05)
        finally:
            release.set()
            if proc.poll() is None:
                proc.send_signal(2)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert held_open  # answered while the held feed was still on the wire
    assert sources_done < FEEDS, f"answered only after all {FEEDS} feeds were stored"
    assert "/help" in tg.messages(CHAT)[0].plain
    assert proc.returncode == 0, log.text()[-3000:]
