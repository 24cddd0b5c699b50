"""Admins hear about failing sources: after `notify_after_failures` failed polls in a row the
admin chat gets one notice naming the error, and one when the source works again — a real
`raqib run` against the fake Bot API (in a thread) and a loopback site that serves a bot
challenge page where its feed should be."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakes.telegram_api import TOKEN, FakeTelegram
from loopback import LoopbackServer, Reply

from scrapers.rss import RssSource, looks_like_html

ROOT = Path(__file__).resolve().parent.parent
ADMIN_CHAT = -777
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<p>Checking your browser&nbsp;&hellip; &mdash; enable JavaScript</p></body></html>"
)
FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<link>https://example.org/</link><description>d</description>"
    b"<item><title>x</title><link>https://example.org/a/1</link><description>hello"
    b"</description></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "content_type", "html"),
    [
        (CHALLENGE, "text/html; charset=utf-8", True),
        (CHALLENGE, None, True),
        (b"\xef\xbb\xbf  <!-- cdn --><html lang='en'><body>blocked</body></html>", None, True),
        (b"<head><title>Login</title></head>", "application/octet-stream", True),
        (FEED, "application/rss+xml", False),
        (b"<rss><channel><title>&bogus;</title></channel></rss>", None, False),
    ],
    ids=["challenge", "no-type", "bom-comment", "head-only", "feed", "broken-feed"],
)
def test_looks_like_html(body: bytes, content_type: str | None, html: bool) -> None:
    assert looks_like_html(body, content_type) is html


async def test_an_html_page_where_a_feed_was_expected_is_reported_as_such() -> None:
    from bot.config.schema import NetworkConfig, SourceConfig
    from scrapers.base import FetchContext
    from scrapers.http import HttpClient

    with LoopbackServer() as site:
        site.route("/feed", Reply(body=CHALLENGE, headers={"Content-Type": "text/html"}))
        source = RssSource(SourceConfig.of(name="x", kind="rss", url=site.url("/feed")))
        async with HttpClient(NetworkConfig(allow_private_networks=True, retries=0)) as client:
            result = await source.fetch(FetchContext(client=client))
    assert result.error is not None
    assert "the server sent an HTML page, not a feed" in result.error
    assert "entity" not in result.error


def test_admins_hear_once_when_a_source_fails_and_once_when_it_is_back(tmp_path: Path) -> None:
    challenge = Reply(body=CHALLENGE, headers={"Content-Type": "text/html; charset=utf-8"})
    feed = Reply(body=FEED, headers={"Content-Type": "application/rss+xml"})
    with LoopbackServer() as site, FakeTelegram() as tg:
        site.route("/feed", [challenge] * 4 + [feed])
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[[sources]]
name = "guarded"
kind = "rss"
url = "{site.url("/feed")}"
interval = "0.2s"

[network]
allow_private_networks = true
retries = 0

[telegram]
api_base_url = "{tg.base_url}"
admin_chat = {ADMIN_CHAT}

[service]
jitter = 0.0
""",
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RAQIB_TELEGRAM_TOKEN": TOKEN}
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.app", "--config", str(config), "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        err: list[str] = []
        assert proc.stderr is not None
        threading.Thread(target=lambda: err.extend(proc.stderr or ()), daemon=True).start()
        try:
            deadline = time.monotonic() + 90
            while len(site.hits("/feed")) < 6 and time.monotonic() < deadline:
                assert proc.poll() is None, "".join(err)[-3000:]
                time.sleep(0.1)
            tg.wait_for_sync(lambda: len(tg.messages(ADMIN_CHAT)) >= 2, what="two notices")
            time.sleep(1.0)  # and no more
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
        notices = [m.plain for m in tg.messages(ADMIN_CHAT)]
    assert len(notices) == 2, notices
    failing, back = notices
    assert failing.startswith("raqib: source guarded has failed 3 times in a row: ")
    assert "the server sent an HTML page, not a feed" in failing
    assert back == "raqib: source guarded works again (after 4 failed polls)."
