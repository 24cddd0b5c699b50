"""APScheduler wiring: one job per enabled source, kept in step with the effective config.

Each source is one interval job with the id `source:NAME`, `max_instances=1`
(a poll longer than its interval never overlaps the next), `coalesce=True`
(after downtime a source runs once, not once per missed interval) and an
explicit `misfire_grace_time`.  `sync_jobs` is the only way jobs are added: it
adds, replaces and removes jobs so the scheduler matches a source list, so
calling it again (a restart, an admin edit) never duplicates a job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.job import Job
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import iscoroutinefunction_partial

from bot.config.schema import SourceConfig

log = logging.getLogger(__name__)

JOB_PREFIX = "source:"
"""Job ids are `source:` + the source name."""

MIN_MISFIRE_GRACE = 60
"""A poll may start this many seconds late at least and still run."""

PollFunc = Callable[[SourceConfig], Awaitable[object]]
"""What a job runs: one poll of one source, given its current configuration."""


@dataclass(frozen=True)
class SyncReport:
    """What `sync_jobs` changed."""

    added: tuple[str, ...] = ()
    """Sources that got a job."""
    replaced: tuple[str, ...] = ()
    """Sources whose configuration changed, so their job was replaced."""
    removed: tuple[str, ...] = ()
    """Sources no longer scheduled (removed or paused)."""

    @property
    def changed(self) -> bool:
        """True when any job was added, replaced or removed."""
        return bool(self.added or self.replaced or self.removed)


def job_id(source_name: str) -> str:
    """The scheduler job id of a source."""
    return f"{JOB_PREFIX}{source_name}"


def source_jobs(scheduler: BaseScheduler) -> dict[str, Job]:
    """The source jobs in `scheduler`, by source name."""
    return {
        j.id.removeprefix(JOB_PREFIX): j
        for j in scheduler.get_jobs()
        if j.id.startswith(JOB_PREFIX)
    }


def misfire_grace(interval: float) -> int:
    """Seconds a poll may be late and still run: one interval, at least a minute."""
    return max(MIN_MISFIRE_GRACE, int(interval))


def first_run_time(now: datetime, next_due: datetime | None) -> datetime:
    """When a newly scheduled source first runs: when it is due, and never in the past."""
    if next_due is None:
        return now
    if next_due.tzinfo is None:
        next_due = next_due.replace(tzinfo=UTC)
    return max(now, next_due)


def sync_jobs(
    scheduler: BaseScheduler,
    sources: Iterable[SourceConfig],
    poll: PollFunc,
    *,
    next_due: Mapping[str, datetime | None] | None = None,
    jitter: float = 0.1,
    now: datetime | None = None,
) -> SyncReport:
    """Make `scheduler` hold exactly one job per enabled source in `sources`.

    A new source is scheduled at its stored `next_due` (now when unknown or
    past); a source whose configuration changed is replaced and runs at once;
    an unchanged source keeps its job and schedule; a removed or paused source
    loses its job.  `jitter` is the share of the interval a run may start late.
    """
    if not iscoroutinefunction_partial(poll):
        raise TypeError("poll must be an async def function (APScheduler runs others in threads)")
    now = now or datetime.now(UTC)
    due = next_due or {}
    wanted = {s.name: s for s in sources if s.enabled}
    existing = source_jobs(scheduler)
    added: list[str] = []
    replaced: list[str] = []
    removed: list[str] = []
    for name, job in existing.items():
        if name not in wanted:
            scheduler.remove_job(job.id)
            removed.append(name)
    for name, source in wanted.items():
        job = existing.get(name)
        if job is not None and job.args == (source,):
            continue
        start = now if job is not None else first_run_time(now, due.get(name))
        scheduler.add_job(
            poll,
            IntervalTrigger(seconds=source.interval, jitter=max(0.0, source.interval * jitter)),
            args=(source,),
            id=job_id(name),
            name=job_id(name),
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=misfire_grace(source.interval),
            next_run_time=start,
        )
        (replaced if job is not None else added).append(name)
    report = SyncReport(tuple(added), tuple(replaced), tuple(removed))
    if report.changed:
        log.info(
            "scheduler: added %s, replaced %s, removed %s",
            ",".join(report.added) or "-",
            ",".join(report.replaced) or "-",
            ",".join(report.removed) or "-",
        )
    return report


def next_runs(scheduler: BaseScheduler) -> dict[str, datetime | None]:
    """The next run time of each scheduled source (None while paused)."""
    return {name: job.next_run_time for name, job in source_jobs(scheduler).items()}
