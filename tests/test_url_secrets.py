"""Secrets in source URLs (`user:password@`, `?apikey=`…) never reach a chat, the terminal,
the log or `sources.last_error` — real `raqib once`/`status`/`run` processes, real SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply

from bot.chat.commands import Commands
from bot.chat.table import CommandContext
from bot.config.schema import Config, SourceConfig, StorageConfig
from bot.render.messages import reply_plain
from bot.store import db as store
from bot.store import sources as store_sources
from scrapers.urls import mask_url, mask_urls

ROOT = Path(__file__).resolve().parent.parent
RAQIB = [sys.executable, "-m", "bot.cli.app"]
SECRETS = ("hunter2", "SEKRETKEY123", "s1gn4ture", "tok-9876")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://bob:hunter2@example.org/feed", "https://***@example.org/feed"),
        ("https://tok-9876@example.org/", "https://***@example.org/"),
        ("https://x.org/f?apikey=SEKRET&lang=ar", "https://x.org/f?apikey=***&lang=ar"),
        ("https://x.org/f?api_key=1&q=2", "https://x.org/f?api_key=***&q=2"),
        ("https://x.org/f?token=1&sig=2", "https://x.org/f?token=***&sig=***"),
        (
            "https://x.org/f?X-Amz-Signature=ab&X-Amz-Date=1",
            "https://x.org/f?X-Amz-Signature=***&X-Amz-Date=1",
        ),
        (
            "https://x.org/f?accessToken=1&client_secret=2",
            "https://x.org/f?accessToken=***&client_secret=***",
        ),
        ("https://x.org/f#access_token=1", "https://x.org/f#access_token=***"),
        ("https://x.org/f?keyword=war&page=2", "https://x.org/f?keyword=war&page=2"),
        ("https://x.org/a@b?q=1", "https://x.org/a@b?q=1"),
        ("https://x.org/f?key=", "https://x.org/f?key="),
    ],
    ids=[
        "user-password",
        "token-as-user",
        "apikey",
        "api_key",
        "token-and-sig",
        "aws-signature",
        "camel-and-snake",
        "fragment",
        "harmless-query",
        "at-in-path",
        "empty-value",
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_urls_in_text_keeps_the_punctuation_around() -> None:
    text = "GET https://a:hunter2@h.example/x?token=tok-9876: 500 (see https://h.example/?q=1)."
    masked = mask_urls(text)
    assert masked == "GET https://***@h.example/x?token=***: 500 (see https://h.example/?q=1)."


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[[sources]]
name = "secretive"
kind = "rss"
url = "{url}"
interval = "1h"

[network]
allow_private_networks = true
retries = 0

[logging]
level = "DEBUG"
""",
        encoding="utf-8",
    )
    return path


def _clean(text: str) -> None:
    for value in SECRETS:
        assert value not in text, f"{value!r} shown in:\n{text[-3000:]}"


def test_a_failing_source_with_credentials_never_shows_them(tmp_path: Path) -> None:
    with LoopbackServer() as server:
        server.route("/feed", Reply(status=500, body=b"no"))
        base = server.url("/feed").replace("http://", "http://bob:hunter2@")
        url = f"{base}?apikey=SEKRETKEY123&sig=s1gn4ture&lang=ar"
        config = _config(tmp_path, url)
        once = subprocess.run(
            [*RAQIB, "--config", str(config), "once"],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert once.returncode == 1, once.stderr
        assert "secretive" in once.stderr and "500" in once.stderr
        _clean(once.stdout + once.stderr)
        assert "***@127.0.0.1" in once.stderr and "apikey=***" in once.stderr

        db = store.open_db(tmp_path / "raqib.db")
        try:
            [error] = [r[0] for r in db.execute("select last_error from sources").fetchall()]
        finally:
            db.close()
        assert "500" in error
        _clean(error)

        status = subprocess.run(
            [*RAQIB, "--config", str(config), "status"],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status.returncode == 0 and "failing (1 in a row)" in status.stdout
        _clean(status.stdout + status.stderr)

        shown = subprocess.run(
            [*RAQIB, "--config", str(config), "config", "show"],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "sources.secretive.url" in shown.stdout
        _clean(shown.stdout + shown.stderr)

        (tmp_path / "raqib.db").unlink()  # so that the service polls at once
        before = len(server.hits("/feed"))
        run = subprocess.Popen(
            [*RAQIB, "--config", str(config), "run"],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while len(server.hits("/feed")) <= before and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)
            run.send_signal(signal.SIGINT)
            out, err = run.communicate(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
        assert "raqib is running" in err and "secretive (rss" in err
        assert "poll failed" in err
        _clean(out + err)


async def test_sources_in_a_chat_masks_a_stored_error(tmp_path: Path) -> None:
    url = "https://bob:hunter2@feeds.example/rss?token=tok-9876"
    config = Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        sources=(SourceConfig.of(name="secretive", kind="rss", url=url),),
    )
    db = store.open_db(config.storage.database)
    try:
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        store_sources.record_poll(  # a row written before masking existed
            db, "secretive", now=now, next_due=now, error=f"{url}: the server answered 500"
        )
        core = Commands(config, db)
        for admin in (False, True):
            ctx = CommandContext("telegram", "42", "private", "7", admin, "en")
            text = reply_plain(await core.handle(ctx, "/sources"))
            assert "secretive" in text
            _clean(text)
    finally:
        db.close()
