"""Benchmark: how long a chart of many reports takes to render.

    .venv/bin/python bench/chart.py [POINTS...]

Prints, for each size (default 100, 1000, 10000 reports from five outlets
with every qualifier), the median and worst wall time of five renders in
English and Arabic, the median CPU time (steadier on a shared machine), the
PNG's size, and the time of one `render_chart_async` call.  Goal: 10,000
points in under 1 s.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.render.charts import render_chart, render_chart_async
from bot.render.series import ChartPoint, ChartSeries, StateStep
from figures.model import Metric, Qualifier, Unit

OUTLETS = ("SOHR", "AFP Arabic", "Middle East Online", "Al-Araby Al-Jadeed", "Enab Baladi")


def series(n: int, seed: int = 8) -> ChartSeries:
    """`n` reports of a growing total over a year, with conflicts and every qualifier."""
    rng = random.Random(seed)
    start = datetime(2018, 12, 1, tzinfo=UTC)
    points = []
    steps = []
    state = 0.0
    for k in range(n):
        when = start + timedelta(minutes=int(k * 525600 / n))
        value = 1000 + 40 * k * 10000 / n + rng.uniform(-300, 300)
        conflicting = value < state
        if not conflicting and value > state * 1.02:
            state = value
            steps.append(StateStep(when, value))
        points.append(
            ChartPoint(
                time=when,
                value=round(value),
                qualifier=rng.choice(list(Qualifier)),
                vague=rng.random() < 0.05,
                outlet=rng.choice(OUTLETS),
                conflicting=conflicting,
                context=rng.random() < 0.1,
            )
        )
    return ChartSeries(
        Metric.DISPLACED, "Deir ez-Zor", "--12-01", Unit.PERSON, tuple(points), tuple(steps)
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]
    render_chart(series(10), "ar")  # warm up: font registration and caches
    print(f"{'points':>8} {'lang':>4} {'median s':>9} {'max s':>7} {'CPU s':>7} {'PNG KiB':>8}")
    for n in sizes:
        s = series(n)
        for lang in ("en", "ar"):
            times = []
            cpu = []
            png = b""
            for _ in range(5):
                t0, c0 = time.perf_counter(), time.process_time()
                png = render_chart(s, lang)  # type: ignore[arg-type]
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            print(
                f"{n:>8} {lang:>4} {statistics.median(times):>9.3f} {max(times):>7.3f} {statistics.median(cpu):>7.3f} {len(png) / 1024:>8.0f}"
            )
    s = series(sizes[-1])
    t0 = time.perf_counter()
    asyncio.run(render_chart_async(s, "ar"))
    print(f"render_chart_async, {sizes[-1]} points, ar: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
