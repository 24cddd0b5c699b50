"""Hostile input never stalls `raqib run` (issue 15), with real processes:
one service per database, and the whole service beside a hostile site."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply, Request, static
from test_service import RAQIB, ROOT, Proc, run

STORY = "قالت الأمم المتحدة إن عدد النازحين من مدينة الرقة ارتفع إلى {n} شخص منذ بداية الشهر."
ALERT_MARKS = "●▲▼≠◆"
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("RAQIB_TELEGRAM", "RAQIB_SLACK"))},
    "PYTHONPATH": str(ROOT),
}


def story_feed(base: str, values: list[int]) -> bytes:
    items = "".join(
        f"<item><title>تقرير عن النازحين</title><link>{base}/a/{i}</link>"
        f"<pubDate>{format_datetime(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i))}"
        f"</pubDate><description>{STORY.format(n=n)}</description></item>"
        for i, n in enumerate(values)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def growing_feed(base: str, every: float) -> Callable[[Request], Reply]:
    """A feed that gains an article every `every` seconds (the figure grows each time)."""
    began = time.monotonic()

    def handler(request: Request) -> Reply:
        count = 1 + int((time.monotonic() - began) / every)
        values = [10_000 + 5_000 * i for i in range(count)]
        return Reply(body=story_feed(base, values), headers={"Content-Type": "text/xml"})

    return handler


def config(tmp_path: Path, name: str, sources: str, grace: str = "2s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[network]
allow_private_networks = true
retries = 0

[service]
shutdown_grace = "{grace}"
console = "on"
{sources}
""",
        encoding="utf-8",
    )
    return path


def rss_source(name: str, url: str, interval: str = "1h") -> str:
    return f'\n[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\ninterval = "{interval}"\n'


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


def alerts(proc: Proc) -> list[str]:
    return [line for line in proc.out if line[:1] in ALERT_MARKS]


# ---------------------------------------------------------------- 8. one service per database


@pytest.mark.slow
def test_a_second_run_on_one_database_refuses_and_once_still_runs(
    tmp_path: Path, procs: list[Proc]
) -> None:
    with LoopbackServer() as server:
        server.route("/feed.xml", static(story_feed(server.url(""), [12_000]), "text/xml"))
        path = config(tmp_path, "config", rss_source("feed", server.url("/feed.xml")))
        first = run(procs, tmp_path, "--config", str(path), "run")
        first.wait_for("err", "raqib is running", timeout=60)

        second = subprocess.run(
            [*RAQIB, "--config", str(path), "run"],
            cwd=tmp_path,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2
        assert f"another raqib run (pid {first.p.pid}) is already using" in second.stderr
        assert str(tmp_path / "raqib.db") in second.stderr

        sqlite3.connect(tmp_path / "raqib.db").execute("update sources set next_due = null")
        once = subprocess.run(
            [*RAQIB, "--config", str(path), "once"],
            cwd=tmp_path,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert once.returncode == 0, once.stderr
        assert first.p.poll() is None  # the service runs on

        first.p.kill()  # SIGKILL: no clean-up at all
        first.p.wait(10)
        again = run(procs, tmp_path, "--config", str(path), "run")
        again.wait_for("err", "raqib is running", timeout=60)  # no stale lock
        assert again.stop(signal.SIGTERM) == 0


# ---------------------------------------------------------------- the whole service beside a hostile site


def nested_divs(n: int) -> bytes:
    return (
        f"<html><body>{'<div>' * n}<p>{STORY.format(n=1)}</p>{'</div>' * n}</body></html>".encode()
    )


@pytest.mark.slow
def test_a_hostile_site_is_one_slow_source(tmp_path: Path, procs: list[Proc]) -> None:
    """Eight pages of 30,000 nested <div>s, one 1,500 deep and a good article
    on one site, beside a feed that gains an article every 5 s: the feed is
    polled on schedule and keeps alerting, the good article is stored, a
    second service refuses the database, SIGTERM ends it all within 15 s."""
    with LoopbackServer() as server:
        base = server.url("")
        hostile = [f"/div/{i}" for i in range(8)]
        links = "".join(f"<a href='{base}{p}'>خبر</a>" for p in [*hostile, "/deep", "/good"])
        server.route("/news", static(f"<html><body>{links}</body></html>".encode(), "text/html"))
        for path in hostile:
            server.route(path, static(nested_divs(30_000), "text/html"))
        deep = f"<html><body><p>{'<span>' * 1500}x{'</span>' * 1500}</p></body></html>"
        server.route("/deep", static(deep.encode(), "text/html"))
        good = f"<html><body><article><h1>خبر</h1><p>{STORY.format(n=7_777)}</p></article></body></html>"
        server.route("/good", static(good.encode(), "text/html"))
        server.route("/feed.xml", growing_feed(base, every=5.0))
        sources = rss_source("healthy", server.url("/feed.xml"), interval="2s") + (
            f'\n[[sources]]\nname = "hostile"\nkind = "html"\nurl = "{base}/news"\ninterval = "1h"\n'
        )
        path = config(tmp_path, "config", sources)
        proc = run(procs, tmp_path, "--config", str(path), "run")
        proc.wait_for("err", "raqib is running", timeout=60)
        began = time.monotonic()

        deadline = began + 40
        while time.monotonic() < deadline:
            if len(server.hits("/feed.xml")) >= 8 and len(alerts(proc)) >= 3:
                break
            time.sleep(0.2)
        polls, alerted = len(server.hits("/feed.xml")), len(alerts(proc))
        assert polls >= 8 and alerted >= 3, (polls, alerted, "".join(proc.err)[-2000:])
        assert len(server.hits("/good")) == 1 and len(server.hits("/div/0")) == 1

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _stored(tmp_path, f"{base}/good"):
            time.sleep(0.2)
        assert _stored(tmp_path, f"{base}/good")

        second = subprocess.run(
            [*RAQIB, "--config", str(path), "run"],
            cwd=tmp_path,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2 and f"pid {proc.p.pid}" in second.stderr

        stopping = time.monotonic()
        assert proc.stop(signal.SIGTERM, timeout=30) == 0
        assert time.monotonic() - stopping < 15
        assert "service: stopped cleanly" in "".join(proc.err)


def _stored(tmp_path: Path, url: str) -> bool:
    db = sqlite3.connect(tmp_path / "raqib.db", timeout=10)
    try:
        return db.execute("select 1 from articles where url = ?", [url]).fetchone() is not None
    finally:
        db.close()


@pytest.mark.slow
def test_once_reads_a_utf8_feed_with_one_bad_byte(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        feed = story_feed(server.url(""), [12_000]).replace(b"</title>", b"\xff</title>", 1)
        server.route("/feed.xml", static(feed, "application/rss+xml; charset=utf-8"))
        path = config(tmp_path, "config", rss_source("feed", server.url("/feed.xml")))
        once = subprocess.run(
            [*RAQIB, "--config", str(path), "once", "--json"],
            cwd=tmp_path,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert once.returncode == 0, once.stderr
    assert '"value": 12000' in once.stdout
    assert "not valid UTF-8, replaced" in once.stderr


HANGING = """
import asyncio, time
from bot.service.run import _leave_if_threads_hang

async def main():
    asyncio.get_running_loop().run_in_executor(None, time.sleep, 120)
    await asyncio.sleep(0.1)
    await _leave_if_threads_hang()

asyncio.run(main())
print("waited for the thread")
"""


def test_a_thread_still_busy_after_the_stop_does_not_hold_the_exit(tmp_path: Path) -> None:
    began = time.monotonic()
    done = subprocess.run(
        [RAQIB[0], "-c", HANGING], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0
    assert "exiting without it" in done.stderr and "waited" not in done.stdout
    assert time.monotonic() - began < 60  # not the thread's 120 s
