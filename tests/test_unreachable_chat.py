"""`raqib run` while the Bot API cannot be reached: the banner shows, sources are polled, Ctrl-C
stops within `shutdown_grace` with exit 0 and no traceback, and once the Bot API answers the
queued alerts go out — real processes, a real fake Bot API brought up late on its port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from fakes.telegram_api import TOKEN, FakeTelegram

from bot.store import db as store
from bot.store import outbox as store_outbox

ROOT = Path(__file__).resolve().parent.parent
RAQIB = [sys.executable, "-m", "bot.cli.app"]
CHAT = 501


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Run:
    """`raqib run` with its stderr read in a thread."""

    def __init__(self, config: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        env["RAQIB_TELEGRAM_TOKEN"] = TOKEN
        for name in ("RAQIB_SLACK_BOT_TOKEN", "RAQIB_SLACK_APP_TOKEN"):
            env.pop(name, None)
        self.p = subprocess.Popen(
            [*RAQIB, "--config", str(config), "run"],
            cwd=config.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err: list[str] = []
        self.out: list[str] = []
        assert self.p.stderr is not None and self.p.stdout is not None
        for stream, sink in ((self.p.stderr, self.err), (self.p.stdout, self.out)):
            threading.Thread(target=lambda s=stream, k=sink: k.extend(s), daemon=True).start()

    def wait_for(self, text: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.err):
            assert self.p.poll() is None, "".join(self.err)[-3000:]
            assert time.monotonic() < deadline, f"{text!r} not seen:\n{''.join(self.err)[-3000:]}"
            time.sleep(0.1)

    def text(self) -> str:
        return "".join(self.out) + "".join(self.err)

    def kill(self) -> None:
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(10)


def setup(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[[sources]]
name = "seeds"
kind = "files"
path = "{ROOT / "seeds"}"
interval = "1h"

[telegram]
api_base_url = "http://127.0.0.1:{port}/bot"

[service]
shutdown_grace = "5s"
delivery_poll_interval = "1s"
""",
        encoding="utf-8",
    )
    db = store.open_db(tmp_path / "raqib.db")
    try:
        store_outbox.add_subscription(db, "telegram", str(CHAT), metrics=("displaced",), lang="en")
    finally:
        db.close()
    return path


def test_ctrl_c_while_the_bot_api_is_unreachable_stops_at_once_with_exit_0(
    tmp_path: Path,
) -> None:
    run = Run(setup(tmp_path, free_port()))
    try:
        run.wait_for("raqib is running")  # the banner, although Telegram is not reached
        run.wait_for("source seeds: ")  # and the sources are polled meanwhile
        started = time.monotonic()
        run.p.send_signal(signal.SIGINT)
        code = run.p.wait(30)
        took = time.monotonic() - started
        time.sleep(0.3)
    finally:
        run.kill()
    text = run.text()
    assert code == 0, text[-3000:]
    assert took < 5 + 2, f"stopping took {took:.1f}s (shutdown_grace is 5s)"
    assert "Traceback" not in text, text[-3000:]
    assert "cannot reach the Bot API" in text and "stopped cleanly" in text


def test_alerts_queued_while_the_bot_api_was_down_go_out_once_it_is_back(
    tmp_path: Path,
) -> None:
    port = free_port()
    run = Run(setup(tmp_path, port))
    tg = FakeTelegram()
    tg.port = port  # it comes up later, on the port raqib keeps trying
    try:
        run.wait_for("raqib is running")
        run.wait_for("source seeds: ")
        db = store.open_db(tmp_path / "raqib.db")
        try:
            queued = db.execute("select count(*) from outbox").fetchone()[0]
            attempts = db.execute("select max(attempts) from outbox").fetchone()[0]
        finally:
            db.close()
        assert queued > 0 and not attempts  # held, not burnt as failed attempts
        with tg:
            tg.wait_for_sync(lambda: len(tg.messages(CHAT)) >= queued, timeout=60, what="alerts")
            run.p.send_signal(signal.SIGINT)
            code = run.p.wait(30)
    finally:
        run.kill()
    assert code == 0
    assert "telegram: on as @raqib_test_bot" in run.text()
    assert "Traceback" not in run.text()
