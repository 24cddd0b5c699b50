"""Broadcast benchmark: one alert to N subscribed Telegram chats through the fake Bot API.

The fake (tests/fakes/telegram_api.py) enforces Telegram's limits: 30 messages a
second overall, 1 a second per chat, answering 429 with retry_after when they
are broken.  The real delivery loop and Telegram transport (PTB over HTTP on
loopback, paced by bot/delivery/pacing.py) drain the outbox.  Printed: the achieved rate
(goal: at least 95% of 30/s), the number of 429s (goal 0) and of duplicate
messages (goal 0).

    .venv/bin/python bench/broadcast.py              # 10,000 chats, about 5.5 minutes
    .venv/bin/python bench/broadcast.py --chats 600  # about 20 seconds
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PTB_TIMEDELTA", "1")

from fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402

from bot.config.schema import AlertsConfig, Config, StorageConfig, TelegramConfig  # noqa: E402
from bot.delivery.loop import DeliveryLoop  # noqa: E402
from bot.ingest.pipeline import process_article, rules_from_config  # noqa: E402
from bot.store import db as store  # noqa: E402
from bot.telegram.transport import TelegramTransport  # noqa: E402
from figures.model import Figure, Metric, Qualifier, Scope, Unit  # noqa: E402
from scrapers.model import Article, content_hash  # noqa: E402

LIMIT = 30.0
"""Messages per second the fake allows overall."""


def queue_broadcast(db_path: Path, chats: int) -> None:
    """N subscriptions and one change: N outbox rows."""
    db = store.open_db(db_path)
    now = store.iso(datetime.now(UTC))
    db.table("subscriptions").insert_all(
        {
            "transport": "telegram",
            "chat_id": str(10_000_000 + i),
            "lang": "en",
            "active": 1,
            "created_at": now,
        }
        for i in range(chats)
    )
    text = "ارتفع عدد الخارجين منذ الأول من ديسمبر إلى 38550 مدنيا"
    start = text.index("38550")
    figure = Figure(
        metric=Metric.DISPLACED,
        value=38550,
        unit=Unit.PERSON,
        qualifier=Qualifier.EXACT,
        vague=False,
        scope=Scope.TOTAL,
        window=None,
        quote="38550 مدنيا",
        start=start,
        end=len(text),
        place="deir-ez-zor",
        since="--12-01",
    )
    article = Article(
        url="https://example.org/a/1",
        guid="1",
        title="نزوح",
        published=datetime.now(UTC),
        source="bench",
        text=text,
        content_hash=content_hash("نزوح", text),
        outlet="SOHR",
    )
    result = process_article(db, article, rules_from_config(AlertsConfig()), found=[figure])
    queued = sum(c.outbox_rows for c in result.changes)
    db.close()
    if queued != chats:
        raise SystemExit(f"expected {chats} outbox rows, queued {queued}")


async def broadcast(db_path: Path, tg: FakeTelegram, chats: int) -> float:
    config = Config(
        storage=StorageConfig(database=db_path),
        telegram=TelegramConfig(api_base_url=tg.base_url),
    )
    db = store.open_db(db_path)
    transport = TelegramTransport(config, token=TOKEN, poll=False)
    await transport.start()
    loop = DeliveryLoop(db, [transport], poll_interval=1.0)
    started = time.monotonic()
    loop.start()
    loop.notify()
    last_report = started
    while True:
        sent = len(tg.messages())
        if sent >= chats:
            break
        now = time.monotonic()
        if now - last_report >= 10:
            print(f"  {sent:>6} sent, {sent / (now - started):5.1f}/s", flush=True)
            last_report = now
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    await loop.stop(5)
    await transport.stop()
    db.close()
    return elapsed


def busiest_second(times: list[float]) -> int:
    """The most messages the fake received within any one second."""
    times = sorted(times)
    most, lo = 0, 0
    for hi, at in enumerate(times):
        while times[lo] <= at - 1.0:
            lo += 1
        most = max(most, hi - lo + 1)
    return most


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10_000, help="subscribed chats (10000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as tg:
        db_path = Path(tmp) / "bench.db"
        queue_broadcast(db_path, args.chats)
        cpu = time.process_time()
        elapsed = asyncio.run(broadcast(db_path, tg, args.chats))
        cpu = time.process_time() - cpu
        messages = tg.messages()
        first, last = messages[0].at, messages[-1].at
        per_chat = Counter(m.chat_id for m in messages)
        duplicates = sum(n - 1 for n in per_chat.values())
        rate = (len(messages) - 1) / (last - first) if last > first else float("inf")
        busiest = busiest_second([m.at for m in messages])
        print(f"chats            {args.chats}")
        print(f"messages         {len(messages)} in {last - first:.1f}s (loop {elapsed:.1f}s)")
        print(f"achieved rate    {rate:.2f}/s = {rate / LIMIT:.1%} of {LIMIT:g}/s (goal >= 95%)")
        print(f"busiest second   {busiest} messages (Telegram allows {LIMIT:g})")
        print(f"429 answers      {tg.too_many_requests} (goal 0)")
        print(f"duplicates       {duplicates} (goal 0)")
        print(f"missing chats    {args.chats - len(per_chat)}")
        print(f"CPU time         {cpu:.1f}s (this process, fake server included)")
        ok = rate >= 0.95 * LIMIT and tg.too_many_requests == 0 and duplicates == 0
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
