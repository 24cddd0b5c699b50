"""Soak: `raqib run` for minutes with sources whose content changes every cycle.

    .venv/bin/python bench/soak.py [--minutes 10] [--sources 200] [--interval 30]

A loopback server (`tests/loopback.py`, in a thread) serves SOURCES RSS feeds.
Each time a feed is fetched it gains a new item with a new figure (the feed's
displacement total, up by 200 since its last item; each feed its own series:
its own governorate and "since" date), and keeps its last three items.  A real
`raqib run` polls them every INTERVAL seconds, with Telegram through the fake
Bot API (`tests/fakes/telegram_api.py`), which enforces Telegram's flood
limits.  Before the first item is served, `--chats` chats subscribe with
`/subscribe displaced PLACE` (each to the feeds of its governorate): Telegram
lets a bot send one message a second to one chat, so 200 alerts every 30 s to a
single chat could never keep up; ten chats get 20 each per cycle.

Every cycle the resident memory of the `raqib run` process is sampled (and
of its worker processes, printed beside it).  After MINUTES the feeds stop
changing, the outbox is given time to drain, the service is stopped, and the
script prints and asserts:

- the RSS after the first cycles (the sample after `--warmup` cycles) stays
  within 10% in every later sample;
- "database is locked" is never logged;
- every change served was delivered: alerts the fake received == items
  served (and none twice).

Exit 1 when any of them fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import poll  # noqa: E402  (bench/poll.py: the raqib command)
from fakes.telegram_api import FakeTelegram  # noqa: E402
from loopback import LoopbackServer, Reply, Request  # noqa: E402
from running import RunLog, start_run  # noqa: E402

PLACES = (
    ("damascus", "دمشق"),
    ("aleppo", "حلب"),
    ("idlib", "إدلب"),
    ("homs", "حمص"),
    ("hama", "حماة"),
    ("latakia", "اللاذقية"),
    ("tartus", "طرطوس"),
    ("raqqa", "الرقة"),
    ("deir-ez-zor", "دير الزور"),
    ("hasakah", "الحسكة"),
)
"""Governorates: feed n reports on PLACES[n % chats], and chat j subscribes to PLACES[j]."""
MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
KEEP = 3
"""Items a feed keeps (older ones drop out, as on a real feed)."""
USER = 4242
GROWTH = 0.10
"""The most RSS may grow over the sample after the warm-up."""


class ChangingFeeds:
    """The feeds: a new item per fetch once `start` is called, none after `freeze`."""

    def __init__(self, sources: int, places: int) -> None:
        self.sources = sources
        self.places = places
        self.lock = threading.Lock()
        self.versions = [0] * sources
        """Items served per feed (each one a change to deliver)."""
        self.running = False
        self.server = LoopbackServer()
        for n in range(sources):
            self.server.route(f"/feed/{n}.xml", self._handler(n))

    def url(self, n: int) -> str:
        return self.server.url(f"/feed/{n}.xml")

    def _item(self, n: int, v: int) -> str:
        _, place = PLACES[n % self.places]
        day, month = n // 12 + 1, MONTHS[n % 12]
        value = 1000 + 200 * v
        when = format_datetime(datetime.now(UTC))
        text = (
            f"ارتفع عدد النازحين من {place} منذ {day} {month} إلى {value} شخص، "
            f"بحسب التحديث رقم {v} لفريق الرصد."
        )
        link = self.server.url(f"/news/{n}/{v}")
        return (
            f"<item><title>تحديث {n}-{v}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{when}</pubDate><description>{text}</description></item>"
        )

    def _handler(self, n: int):  # type: ignore[no-untyped-def]
        items: list[str] = []

        def handle(request: Request) -> Reply:
            with self.lock:
                if self.running:
                    self.versions[n] += 1
                    items.append(self._item(n, self.versions[n]))
                    del items[:-KEEP]
                etag = f'"{n}-{self.versions[n]}"'
                body = "".join(reversed(items))
            headers = {"Content-Type": "application/rss+xml", "ETag": etag}
            if request.headers.get("if-none-match") == etag:
                return Reply(status=304, headers=headers)
            feed = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>feed {n}</title><link>{self.server.url('/')}</link>"
                f"<description>d</description>{body}</channel></rss>"
            )
            return Reply(body=feed.encode(), headers=headers)

        return handle

    def served(self) -> int:
        with self.lock:
            return sum(self.versions)


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (raqib's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(stat.parent.name))
    return found


def config_text(folder: Path, feeds: ChangingFeeds, interval: int, tg: FakeTelegram) -> str:
    lines = [
        "[storage]",
        f'database = "{folder / "raqib.db"}"',
        "[network]",
        "allow_private_networks = true",
        "[telegram]",
        f'api_base_url = "{tg.base_url}"',
    ]
    for n in range(feeds.sources):
        lines += [
            "[[sources]]",
            f'name = "feed{n}"',
            'kind = "rss"',
            f'url = "{feeds.url(n)}"',
            f'outlet = "Outlet {n}"',
            f'interval = "{interval}s"',
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--interval", type=int, default=30, help="seconds between two polls")
    parser.add_argument("--chats", type=int, default=10, choices=range(1, len(PLACES) + 1))
    parser.add_argument("--warmup", type=int, default=3, help="cycles before the RSS baseline")
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to let alerts out")
    args = parser.parse_args()
    feeds = ChangingFeeds(args.sources, args.chats)
    proc: subprocess.Popen[str] | None = None
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, feeds.server, FakeTelegram() as tg:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text(config_text(folder, feeds, args.interval, tg), encoding="utf-8")
        try:
            proc = start_run(poll.raqib_cmd(), config, folder)
            log = RunLog(proc)
            log.wait_for("raqib is running", timeout=120)
            chats = [2000 + j for j in range(args.chats)]
            for j, chat in enumerate(chats):
                tg.push_command(chat, USER, f"/subscribe displaced {PLACES[j][0]}")
            tg.wait_for_sync(
                lambda: all(tg.messages(c) for c in chats), timeout=60, what="subscribed"
            )
            replies = {c: len(tg.messages(c)) for c in chats}
            print(
                f"raqib run: {args.sources} rss sources every {args.interval} s, "
                f"{args.chats} chat(s) subscribed; {os.cpu_count()} CPUs, "
                f"Python {sys.version.split()[0]}; {args.minutes:g} minute(s)"
            )
            with feeds.lock:
                feeds.running = True
            started = time.monotonic()
            end = started + args.minutes * 60
            samples: list[tuple[float, float]] = []
            cycle = 0
            while time.monotonic() < end and proc.poll() is None:
                time.sleep(
                    max(0.0, min(started + (cycle + 1) * args.interval, end) - time.monotonic())
                )
                cycle += 1
                main_mb = rss_mb(proc.pid)
                workers = sum(rss_mb(p) for p in children(proc.pid))
                samples.append((main_mb, workers))
                sent = sum(len(tg.messages(c)) - replies[c] for c in chats)
                db_mb = (
                    sum(p.stat().st_size for p in folder.glob("raqib.db*") if p.is_file()) / 2**20
                )
                print(
                    f"  cycle {cycle:>3}  {time.monotonic() - started:6.0f} s  "
                    f"RSS {main_mb:6.1f} MB (workers {workers:6.1f} MB)  db {db_mb:5.1f} MB  "
                    f"served {feeds.served():>5}  delivered {sent:>5}",
                    flush=True,
                )
            with feeds.lock:
                feeds.running = False
            served = feeds.served()

            def delivered() -> int:
                return sum(len(tg.messages(c)) - replies[c] for c in chats)

            deadline = time.monotonic() + args.drain
            while delivered() < served and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.5)
            time.sleep(2.0)  # and nothing more (a duplicate would come now)
            got = delivered()
            texts = Counter(m.plain for c in chats for m in tg.messages(c)[replies[c] :])
            twice = sum(k - 1 for k in texts.values() if k > 1)
            if proc.poll() is None:
                proc.send_signal(2)
                code = proc.wait(60)
            else:
                code = proc.returncode
                failures.append(f"raqib run exited {code} before the end")
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
        print(f"raqib run exited {code}")
        if len(samples) > args.warmup:
            base = samples[args.warmup - 1][0]
            later = [m for m, _ in samples[args.warmup :]]
            top = max(later)
            print(
                f"RSS: {base:.1f} MB after {args.warmup} cycles; later min {min(later):.1f}, "
                f"median {statistics.median(later):.1f}, max {top:.1f} MB "
                f"({top / base - 1:+.1%}); workers {samples[-1][1]:.1f} MB at the end"
            )
            if top > base * (1 + GROWTH):
                failures.append(f"RSS grew {top / base - 1:.1%} over the warm-up sample")
        else:
            failures.append("too few cycles to judge the memory (longer --minutes)")
        locked = log.count("database is locked")
        print(f'"database is locked" in the log: {locked} time(s)')
        if locked:
            failures.append("database is locked")
        print(f"changes served {served}, alerts delivered {got}, duplicates {twice}")
        if got != served or twice:
            failures.append(f"delivered {got} of {served} changes ({twice} twice)")
        errors = log.count(" ERROR ") + log.count("Traceback")
        print(f"errors in the log: {errors}")
    print("soak: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)))
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
