"""Benchmark of the store (not a test): ingest through the real pipeline, then
the latency of the `totals` and `history` queries.

    .venv/bin/python bench/store.py                 # 1,000,000 observations
    .venv/bin/python bench/store.py --observations 200000 --db /tmp/b.db
    .venv/bin/python bench/store.py --db /tmp/b.db --queries-only

Articles of `--per-article` figures each go through `process_article` (one
transaction per article, the diff, state and change rows, one console
subscription's outbox rows), spread over `--keys` keys (metric × place) with
mostly-growing totals, so every verdict occurs.  Prints figures/s, query
latencies (median and p95 over repeated runs) and peak RSS.

The generated corpus is frozen out of the garbage collector's view
(`gc.freeze`) once built: it is the benchmark's own long-lived data, and
without that every full collection during ingest or a query would walk a
million figures that a real service never holds.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config.schema import AlertsConfig
from bot.ingest.pipeline import process_article, rules_from_config
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from scrapers.model import Article, content_hash

METRICS = [*[m for m in Metric if not m.is_territory][:9], Metric.AREA_CONTROLLED]


def build(
    n_obs: int, n_keys: int, per_article: int, seed: int
) -> list[tuple[Article, list[Figure]]]:
    rng = random.Random(seed)
    places = [f"place-{i:05d}" for i in range(max(1, n_keys // len(METRICS)))]
    level = {}
    t0 = datetime(2019, 1, 1, tzinfo=UTC)
    out = []
    for a in range(n_obs // per_article):
        text_parts, figs = [], []
        offset = 0
        for _ in range(per_article):
            metric = rng.choice(METRICS)
            place = rng.choice(places)
            k = (metric, place)
            base = level.get(k, rng.randint(100, 10000))
            if metric.is_territory:
                value = round(max(0.5, base * rng.choice([1.0, 0.95, 0.7])), 2)
            else:
                value = float(int(base * rng.choice([1.0, 1.0, 1.01, 1.2, 0.5])))
            level[k] = value
            quote = f"{value:g}"
            sentence = f"بلغ العدد {quote} حسب المصدر. "
            start = offset + sentence.index(quote)
            offset += len(sentence)
            text_parts.append(sentence)
            figs.append(
                Figure(
                    metric=metric,
                    value=value,
                    unit=Unit.KM2 if metric.is_territory else Unit.PERSON,
                    qualifier=rng.choice([Qualifier.EXACT, Qualifier.APPROX, Qualifier.MORE_THAN]),
                    vague=False,
                    scope=Scope.TOTAL,
                    window=None,
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                    place=place,
                )
            )
        text = "".join(text_parts)
        url = f"https://bench.example/{a}"
        published = t0 + timedelta(minutes=a * 7 + rng.randint(-600, 600))
        out.append(
            (
                Article(url, url, text[:20], published, "bench", text, content_hash("", text), "O"),
                figs,
            )
        )
    return out


def cpu_model() -> str:
    """The CPU's model name where Linux says it, else the machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def timed(fn, repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median and p95 wall time, and median CPU time, of `repeat` calls (ms)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[int(0.95 * (len(wall) - 1))], statistics.median(cpu)


def ingest(db: Database, args: argparse.Namespace) -> None:
    """Generate the corpus and push it through `process_article`."""
    store_outbox.add_subscription(db, "console", "console")
    rules = rules_from_config(AlertsConfig())
    print(f"building {args.observations:,} observations over ~{args.keys:,} keys ...")
    items = build(args.observations, args.keys, args.per_article, args.seed)
    items.sort(key=lambda x: x[0].published or datetime.min)
    gc.freeze()
    start = time.perf_counter()
    for i, (article, figs) in enumerate(items, 1):
        process_article(db, article, rules, found=figs)
        if i % 10_000 == 0:
            rate = i * args.per_article / (time.perf_counter() - start)
            print(f"  {i * args.per_article:,} figures, {rate:,.0f} figures/s", flush=True)
    elapsed = time.perf_counter() - start
    n = len(items) * args.per_article
    print(f"ingest: {n:,} figures in {elapsed:.1f} s = {n / elapsed:,.0f} figures/s")


def queries(db: Database) -> None:
    """The latency of `totals` and `history`, as the CLI and the chat commands call them."""
    counts = {t: db.table(t).count for t in ("observations", "state", "changes", "outbox")}
    print("rows:", ", ".join(f"{t} {c:,}" for t, c in counts.items()))
    rng = random.Random(2)
    places = [r[0] for r in db.execute("select distinct place from state")]
    metric = METRICS[0].value
    rows = len(store_figures.history(db, metric, places[0]))
    cases = [
        (f"totals (all {counts['state']:,} keys)", lambda: store_figures.totals(db), 50),
        ("totals --place", lambda: store_figures.totals(db, rng.choice(places)), 200),
        (
            f"history METRIC --place (~{rows} rows)",
            lambda: store_figures.history(db, metric, rng.choice(places)),
            200,
        ),
        (
            "history METRIC (first 200 rows)",
            lambda: store_figures.history(db, metric, limit=200),
            50,
        ),
    ]
    for label, fn, repeat in cases:
        med, p95, cpu = timed(fn, repeat)
        print(f"{label}: median {med:.2f} ms, p95 {p95:.2f} ms (CPU median {cpu:.2f} ms)")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--observations", type=int, default=1_000_000)
    p.add_argument("--keys", type=int, default=10_000)
    p.add_argument("--per-article", type=int, default=10)
    p.add_argument("--db", help="database file (default: a temp file)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--queries-only", action="store_true", help="time the queries of an existing --db"
    )
    args = p.parse_args()
    if args.queries_only and not (args.db and Path(args.db).exists()):
        p.error("--queries-only needs the --db of an earlier run")

    print(
        f"machine: {os.cpu_count()} CPU(s) {cpu_model()},"
        f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        db = store.open_db(path)
        if not args.queries_only:
            ingest(db, args)
        queries(db)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:,.0f} MiB; database {path.stat().st_size / 2**20:,.0f} MiB")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
