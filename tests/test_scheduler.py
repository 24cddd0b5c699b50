"""The scheduler: one job per enabled source, no overlap, no pile-up after downtime."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config.schema import SourceConfig
from bot.service.scheduler import job_id, misfire_grace, source_jobs, sync_jobs


def files(name: str, interval: float = 900.0, enabled: bool = True) -> SourceConfig:
    return SourceConfig.of(name=name, kind="files", path=f"/tmp/{name}", interval=interval,
                        enabled=enabled)  # fmt: skip


async def wait_for(predicate: object, timeout: float = 10.0) -> None:
    """Poll `predicate()` until true; generous timeout, never a fixed sleep as the assert."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


class Recorder:
    """A poll function that counts runs and concurrent runs per source."""

    def __init__(self, duration: float = 0.0) -> None:
        self.duration = duration
        self.runs: Counter[str] = Counter()
        self.running: Counter[str] = Counter()
        self.max_running: Counter[str] = Counter()
        self.seen: list[SourceConfig] = []

    async def poll(self, source: SourceConfig) -> None:
        self.running[source.name] += 1
        self.max_running[source.name] = max(
            self.max_running[source.name], self.running[source.name]
        )
        self.seen.append(source)
        try:
            await asyncio.sleep(self.duration)
        finally:
            self.running[source.name] -= 1
            self.runs[source.name] += 1


@pytest.fixture
async def scheduler() -> AsyncIOScheduler:
    sched = AsyncIOScheduler(timezone=UTC)
    yield sched
    if sched.running:
        sched.shutdown(wait=False)


async def test_sync_twice_and_restart_keep_one_job_per_source(
    scheduler: AsyncIOScheduler,
) -> None:
    poll = Recorder()
    sources = [files("a"), files("b"), files("c", enabled=False)]
    first = sync_jobs(scheduler, sources, poll.poll)
    scheduler.start(paused=True)
    second = sync_jobs(scheduler, sources, poll.poll)
    assert first.added == ("a", "b")
    assert not second.changed
    assert sorted(j.id for j in scheduler.get_jobs()) == [job_id("a"), job_id("b")]
    scheduler.shutdown(wait=False)

    restarted = AsyncIOScheduler(timezone=UTC)
    sync_jobs(restarted, sources, poll.poll)
    sync_jobs(restarted, sources, poll.poll)
    restarted.start(paused=True)
    try:
        ids = [j.id for j in restarted.get_jobs()]
        assert sorted(ids) == [job_id("a"), job_id("b")]
    finally:
        restarted.shutdown(wait=False)


async def test_job_options(scheduler: AsyncIOScheduler) -> None:
    sync_jobs(scheduler, [files("a", interval=30)], Recorder().poll, jitter=0.2)
    scheduler.start(paused=True)
    job = scheduler.get_job(job_id("a"))
    assert job is not None
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == misfire_grace(30) == 60
    assert job.trigger.interval == timedelta(seconds=30)
    assert job.trigger.jitter == pytest.approx(6.0)


async def test_edit_replaces_pause_removes_and_the_job_sees_the_new_config(
    scheduler: AsyncIOScheduler,
) -> None:
    poll = Recorder()
    scheduler.start()
    sync_jobs(scheduler, [files("a", interval=3600), files("b", interval=3600)], poll.poll)
    await wait_for(lambda: poll.runs["a"] == 1 and poll.runs["b"] == 1)

    edited = files("a", interval=1800)
    report = sync_jobs(scheduler, [edited, files("b", interval=3600, enabled=False)], poll.poll)
    assert report.replaced == ("a",)
    assert report.removed == ("b",)
    assert set(source_jobs(scheduler)) == {"a"}
    await wait_for(lambda: poll.runs["a"] == 2)  # an edited source runs at once, with its edit
    assert poll.seen[-1] == edited
    assert source_jobs(scheduler)["a"].trigger.interval == timedelta(seconds=1800)


async def test_a_poll_longer_than_its_interval_never_overlaps(
    scheduler: AsyncIOScheduler,
) -> None:
    poll = Recorder(duration=0.6)
    sync_jobs(scheduler, [files("slow", interval=0.1)], poll.poll, jitter=0)
    scheduler.start()
    await wait_for(lambda: poll.runs["slow"] >= 3)
    assert poll.max_running["slow"] == 1


async def test_after_downtime_a_source_runs_once(scheduler: AsyncIOScheduler) -> None:
    """Due 50 intervals ago: one run, not fifty."""
    poll = Recorder()
    long_ago = datetime.now(UTC) - timedelta(seconds=50)
    sync_jobs(
        scheduler,
        [files("a", interval=1.0)],
        poll.poll,
        jitter=0,
        now=long_ago,
        next_due={"a": long_ago},
    )
    job = scheduler.get_job(job_id("a"))
    assert job is not None and job.next_run_time == long_ago
    scheduler.start()
    await wait_for(lambda: poll.runs["a"] >= 1)
    await asyncio.sleep(0.3)  # let any backlog show up, well before the next 1 s tick
    assert poll.runs["a"] == 1


async def test_a_stored_next_due_in_the_future_is_kept(scheduler: AsyncIOScheduler) -> None:
    later = datetime.now(UTC) + timedelta(minutes=10)
    sync_jobs(scheduler, [files("a"), files("b")], Recorder().poll, next_due={"a": later})
    scheduler.start(paused=True)
    jobs = source_jobs(scheduler)
    assert jobs["a"].next_run_time == later
    assert jobs["b"].next_run_time <= datetime.now(UTC)


def test_a_plain_function_is_refused() -> None:
    """APScheduler would run it in a thread, outside the event loop and its database."""

    def not_async(source: SourceConfig) -> None:
        pass

    with pytest.raises(TypeError, match="async def"):
        sync_jobs(AsyncIOScheduler(timezone=UTC), [files("a")], not_async)
