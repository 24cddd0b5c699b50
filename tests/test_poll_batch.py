"""A source's articles go to the worker pool as one extraction job, and an
article the engine cannot read in time still fails alone (a real pool of
worker processes, a real files source, a real SQLite file)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from bot.config.schema import AlertsConfig, SourceConfig
from bot.ingest.pipeline import rules_from_config
from bot.ingest.poll import poll_source
from bot.store import db as store
from scrapers.files import FilesSource
from scrapers.work import WorkerPool

RULES = rules_from_config(AlertsConfig())
REPORT = "قال مسؤول محلي إن {n} عائلة نزحت من ريف دير الزور خلال الأيام الثلاثة الماضية."
# about 100,000 characters (the most an article is read), dense with figures:
# a fraction of a second for the engine, far over the short limit set below
LONG = ("قال مسؤول إن 1200 عائلة نزحت من ريف حلب، و300 شخص قتلوا. " * 1700)[:99_000]


class CountingPool(WorkerPool):
    """The real pool, counting the jobs it is given by function name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.jobs: Counter[str] = Counter()

    async def run(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.jobs[fn.__name__] += 1
        return await super().run(fn, *args, **kwargs)


def write(folder: Path, texts: list[str]) -> None:
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"a{i:02}.txt").write_text(f"خبر رقم {i}\n\n{text}", encoding="utf-8")


async def poll(tmp_path: Path, pool: WorkerPool) -> Any:
    db = store.open_db(tmp_path / "raqib.db")
    source = FilesSource(SourceConfig.of(name="local", kind="files", path=str(tmp_path / "in")))
    try:
        return await poll_source(db, source, 600, RULES, pool=pool)
    finally:
        db.close()


async def test_a_sources_articles_are_analysed_in_one_job(tmp_path: Path) -> None:
    write(tmp_path / "in", [REPORT.format(n=1000 + 100 * i) for i in range(20)])
    pool = CountingPool(2)
    try:
        result = await poll(tmp_path, pool)
    finally:
        pool.close()
    assert result.error is None and not result.problems
    assert [a.observations for a in result.articles] == [1] * 20
    assert pool.jobs["extract_each"] == 1  # was 20 jobs of `extract`, one per article
    assert pool.jobs["extract"] == 0


async def test_an_article_over_the_time_limit_fails_alone_and_the_rest_is_stored(
    tmp_path: Path,
) -> None:
    texts = [REPORT.format(n=1000 + 100 * i) for i in range(5)]
    write(tmp_path / "in", [*texts[:2], LONG, *texts[2:]])
    pool = CountingPool(2, timeout=0.03)
    try:
        result = await poll(tmp_path, pool)
    finally:
        pool.close()
    # the batch ran out of time, then each article went alone: only the long one failed
    assert pool.jobs["extract_each"] == 1 + 6
    assert len(result.problems) == 1
    assert "a02.txt" in result.problems[0] and "not analysed" in result.problems[0]
    stored = [a for a in result.articles if a.observations]
    assert len(stored) == 5 and all("a02.txt" not in a.url for a in stored)
