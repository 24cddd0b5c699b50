"""Benchmark: chat latency while `raqib run` polls many feeds.

    .venv/bin/python bench/latency.py [--feeds 300] [--items 20] [--commands 30]

`bench/poll.py`'s feed server (imported, in its own process) serves FEEDS RSS
feeds of ITEMS full seed articles on 127.0.0.1; the fake Telegram Bot API
(`tests/fakes/telegram_api.py`, in a thread) stands in for Telegram, reached by
the real python-telegram-bot inside a real `raqib run` subprocess.  Once an
article is stored (or 3 s after the start: the poll starts with the service), a chat sends `/help` COMMANDS times, one
after the other (each after the previous answer and at least `--gap` seconds
after the previous command to that chat: Telegram, and raqib's pacer, allow one
message a second per chat, so `--chats` chats take turns).

Measured per command: the answer latency, from the update being offered by
the fake's `getUpdates` to raqib's `sendMessage` reaching the fake (and, beside
it, from the command being queued).  Printed: median and max, how many of the
commands were answered while the poll was still running, and the poll's time.
Target: every answer within 1 s (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import poll  # noqa: E402  (bench/poll.py: the feed server, the config, the raqib command)
from fakes.telegram_api import FakeTelegram  # noqa: E402
from running import RunLog, start_run  # noqa: E402

TARGET = 1.0
"""Seconds within which every answer must come."""
USER = 4242
"""The user who types the commands."""


class TimedTelegram(FakeTelegram):
    """The fake Bot API, also noting when each update was first offered by getUpdates."""

    def __init__(self) -> None:
        super().__init__()
        self.offered: dict[int, float] = {}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        ready = await super()._get_updates(params)
        now = time.monotonic()
        with self.lock:
            for update in ready:
                self.offered.setdefault(int(update["update_id"]), now)
        return ready


POLLED = "alert(s) queued"
"""In the log line `raqib run` writes when a source's poll is done."""
STORED = "change(s)"
"""In the log lines of a stored article and of a finished source."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` itself (not its children), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ask(tg: TimedTelegram, chat: int, timeout: float = 60.0) -> tuple[float, float]:
    """Send `/help` from `chat`, wait for the answer; (latency from the offer, from the push)."""
    before = len(tg.messages(chat))
    pushed = time.monotonic()
    update_id = tg.push_command(chat, USER, "/help")
    deadline = pushed + timeout
    while len(tg.messages(chat)) <= before:
        if time.monotonic() > deadline:
            raise SystemExit(f"no answer to /help in chat {chat} after {timeout:.0f} s")
        time.sleep(0.002)
    answered = tg.messages(chat)[before].at
    offered = tg.offered.get(update_id, pushed)
    return answered - offered, answered - pushed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("--chats", type=int, default=5, help="chats taking turns")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between two commands")
    parser.add_argument("--log", type=Path, help="write raqib run's log (stderr) to this file")
    args = parser.parse_args()
    server, port = poll.start_server(args.feeds, args.items)
    proc: subprocess.Popen[str] | None = None
    try:
        with tempfile.TemporaryDirectory() as tmp, TimedTelegram() as tg:
            folder = Path(tmp)
            config = poll.raqib_config(folder, port, args.feeds)
            with config.open("a", encoding="utf-8") as out:
                out.write(f'[telegram]\napi_base_url = "{tg.base_url}"\n')
            proc = start_run(poll.raqib_cmd(), config, folder)
            log = RunLog(proc)
            banner = log.wait_for("raqib is running")
            print(
                f"{args.feeds} feeds x {args.items} full articles on 127.0.0.1:{port}; "
                f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
            )
            while not log.count(STORED) and time.monotonic() < banner + 3:
                time.sleep(0.02)  # the poll is under way (it starts with the service)
            first = time.monotonic()
            cpu_before = cpu_seconds(proc.pid)
            chats = [1000 + i for i in range(max(1, args.chats))]
            last_to: dict[int, float] = {}
            offers: list[float] = []
            pushes: list[float] = []
            during = 0
            for i in range(args.commands):
                chat = chats[i % len(chats)]
                wait = max(args.gap - (time.monotonic() - max(last_to.values(), default=0)), 0)
                wait = max(wait, 1.1 - (time.monotonic() - last_to.get(chat, 0)))
                time.sleep(max(0.0, wait))
                last_to[chat] = time.monotonic()
                offered, pushed = ask(tg, chat)
                offers.append(offered)
                pushes.append(pushed)
                during += log.count(POLLED) < args.feeds
            end = log.wait_for(POLLED, args.feeds, timeout=1800)
            cpu = cpu_seconds(proc.pid) - cpu_before
            print(
                f"poll of {args.feeds} feeds: commands from {first - banner:.1f} s after "
                f"the banner, the last source {end - first:.1f} s later; "
                f"{during}/{args.commands} answers while it ran; CPU of the event loop's "
                f"process meanwhile {cpu:.1f} s ({cpu / (end - first):.0%} of the time)"
            )
            print(
                f"/help answer latency from the offer (getUpdates) to sendMessage: "
                f"median {statistics.median(offers):.3f} s, max {max(offers):.3f} s "
                f"(from the push: median {statistics.median(pushes):.3f} s, "
                f"max {max(pushes):.3f} s)"
            )
            locked = log.count("database is locked")
            if locked:
                print(f"'database is locked' logged {locked} time(s)")
            ok = max(offers) <= TARGET and during == args.commands and not locked
            print(
                f"target: every answer <= {TARGET:.1f} s during the poll: "
                f"{'met' if ok else 'NOT met'}"
            )
            proc.send_signal(2)
            proc.wait(60)
            if args.log:
                args.log.write_text("".join(log.lines), encoding="utf-8")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        server.terminate()
        server.join(5)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
