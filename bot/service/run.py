"""`raqib run`: the scheduler, the pipeline and delivery in one asyncio process.

- One APScheduler job per enabled source (`bot.service.scheduler.sync_jobs`) runs
  `bot.ingest.poll.poll_source`; a failing source's next run follows its backoff.
- The delivery loop (`bot.delivery.loop`) drains the outbox to every transport: the
  chat transports that are configured, and the console when none is (or when
  `[service] console = "on"`).
- Once a minute (`DIGEST_TICK`, the APScheduler job `DIGEST_JOB`) the digests
  that are due (`bot.delivery.digest`) go to their chats through the same transports,
  one message per chat per day.
- Every `delivery_poll_interval` seconds (the APScheduler job `SETTINGS_JOB`)
  the effective config (file + admin edits in SQLite) is read again; a changed
  source list reaches the scheduler and changed alert rules reach the pipeline
  without a restart.  The chat
  transports are bound to `Service.reload`, so an admin's edit from a chat
  applies at once.

Parsing, cleaning and extraction run in one bounded pool of worker processes
(`scrapers.work.WorkerPool`), shared fairly by the sources.  One `raqib run`
per database: a second one refuses to start (`bot.store.lock`), exit 2.

Stopping: the first SIGINT/SIGTERM stops new polls, lets in-flight polls and
sends finish (at most `shutdown_grace` seconds), kills the workers of polls
still running (their articles are redone on the next start), closes
everything and exits 0.
A second signal exits at once: every article is written in one transaction and
the outbox is in SQLite, so nothing queued is lost and nothing is half written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any, TextIO

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlite_utils import Database

from bot.config.logs import configured_secrets, setup_logging
from bot.config.schema import Config, ConfigError, SourceConfig, secret
from bot.config.settings import effective_config, startup_logging
from bot.delivery.console import ConsoleTransport, set_console_subscription
from bot.delivery.digest import schedule_from_config, send_digests
from bot.delivery.loop import TRANSPORTS, DeliveryLoop, Lifecycle, Transport, chat_transports
from bot.ingest.pipeline import rules_from_config
from bot.ingest.poll import poll_source
from bot.render.i18n import t
from bot.service.scheduler import job_id, next_runs, sync_jobs
from bot.store import db as store
from bot.store import sources as store_sources
from bot.store.lock import DatabaseLock, DatabaseLocked
from figures.diff import Rules
from scrapers.base import build_source
from scrapers.http import HttpClient
from scrapers.urls import mask_url
from scrapers.work import WorkerPool

log = logging.getLogger(__name__)

DIGEST_TICK = 60.0
"""Seconds between two looks for digests that are due."""
DIGEST_JOB = "digests"
"""The scheduler job id of the digest tick."""
SETTINGS_JOB = "settings"
"""The scheduler job id of the settings watcher."""

__all__ = ["Service", "cmd_run", "run_service"]


class Service:
    """The running service: database, HTTP client, scheduler, delivery."""

    def __init__(
        self,
        config: Config,
        *,
        console: TextIO | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        """The validated file config (admin edits are laid over it from the database)."""
        self.console_stream = console
        self.db: Database = store.open_db(config.storage.database)
        self.effective = effective_config(config, self.db)
        self.rules: Rules = rules_from_config(self.effective.alerts)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.client: HttpClient | None = None
        self.pool: WorkerPool | None = None
        self.transports: list[Transport] = []
        self.delivery: DeliveryLoop | None = None
        self.stopping = False
        self._inflight: set[asyncio.Task[object]] = set()
        self._digest_task: asyncio.Task[object] | None = None
        """The digest tick being run (shutdown lets it end, bounded)."""
        self.clock = clock
        """What time it is (the digest schedule reads it; tests set it)."""

    # ------------------------------------------------------------ start

    async def start(self) -> None:
        """Open everything and start polling and delivering."""
        self.client = HttpClient(self.effective.network)
        self.pool = WorkerPool()
        self.pool.warm()
        chat = chat_transports(self.config, self.db)  # the file's: the command core reads edits
        console_on = self.config.service.console == "on" or (
            self.config.service.console == "auto" and not chat
        )
        set_console_subscription(self.db, console_on)
        self.transports = [*chat, *([ConsoleTransport(self.console_stream)] if console_on else [])]
        for transport in self.transports:
            if isinstance(transport, Lifecycle):
                await transport.start()
            bind = getattr(transport, "bind", None)
            if bind is not None:  # admin edits apply at once; /sources shows the next runs
                bind(self.reload, lambda: next_runs(self.scheduler))
        self.delivery = DeliveryLoop(
            self.db, self.transports, poll_interval=self.effective.service.delivery_poll_interval
        )
        self.delivery.start()
        self.sync()
        now = datetime.now(UTC)
        self.scheduler.add_job(  # at once, then every DIGEST_TICK seconds
            self._digest_job,
            IntervalTrigger(seconds=DIGEST_TICK),
            next_run_time=now,
            **_SERVICE_JOB,
            id=DIGEST_JOB,
            name=DIGEST_JOB,
        )
        self.scheduler.add_job(  # after one interval, then every interval
            self._watch_job,
            self._watch_trigger(),
            **_SERVICE_JOB,
            id=SETTINGS_JOB,
            name=SETTINGS_JOB,
        )
        self.scheduler.start()

    def sync(self) -> None:
        """Make the scheduler match the effective sources."""
        due = {
            s.name: store_sources.source_health(self.db, s.name).next_due
            for s in self.effective.sources
        }
        sync_jobs(
            self.scheduler,
            self.effective.sources,
            self.poll,
            next_due=due,
            jitter=self.effective.service.jitter,
        )

    def reload(self) -> bool:
        """Read the admin edits again and apply any change; True if something changed."""
        new = effective_config(self.config, self.db)
        if new == self.effective:
            return False
        old, self.effective = self.effective, new
        if new.alerts != old.alerts:
            self.rules = rules_from_config(new.alerts)
            log.info("service: alert rules changed")
        if new.logging.level != old.logging.level:
            logging.getLogger().setLevel(new.logging.level.upper())
            log.info("service: log level is now %s", new.logging.level.upper())
        if new.service != old.service and self.delivery is not None:
            self.delivery.poll_interval = new.service.delivery_poll_interval
        interval = new.service.delivery_poll_interval
        if interval != old.service.delivery_poll_interval and self.scheduler.running:
            with contextlib.suppress(JobLookupError):
                self.scheduler.reschedule_job(SETTINGS_JOB, trigger=self._watch_trigger())
        if new.sources != old.sources or new.service.jitter != old.service.jitter:
            self.sync()
        return True

    def _watch_trigger(self) -> IntervalTrigger:
        return IntervalTrigger(seconds=self.effective.service.delivery_poll_interval)

    async def _watch_job(self) -> None:
        """Pick up admin edits made by this or another process (the job `SETTINGS_JOB`)."""
        if self.stopping:
            return
        try:
            self.reload()
        except Exception:  # a bad read must not stop the service; try again next time
            log.exception("service: reading the settings failed")

    # ------------------------------------------------------------ digests

    async def digest_tick(self, now: datetime | None = None) -> int:
        """Send the digests due at `now` (default: the clock); how many went out."""
        schedule = schedule_from_config(self.effective.alerts.digest)
        transports = {t.name: t for t in self.transports}
        return await send_digests(self.db, transports, schedule, now or self.clock())

    async def _digest_job(self) -> None:
        """Send the digests that are due (the job `DIGEST_JOB`, once a minute; a digest
        that failed today is tried again on the next tick)."""
        if self.stopping:
            return
        self._digest_task = asyncio.current_task()
        try:
            await self.digest_tick()
        except Exception:  # a bad read must not stop the service; try again next time
            log.exception("service: sending digests failed")
        finally:
            self._digest_task = None

    # ------------------------------------------------------------ one poll

    async def poll(self, source: SourceConfig) -> None:
        """One poll of `source` (an APScheduler job: never two at once for one source)."""
        if self.stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        failed_before = store_sources.source_health(self.db, source.name).consecutive_failures
        try:
            result = await poll_source(
                self.db,
                build_source(source),
                source.interval,
                self.rules,
                client=self.client,
                pool=self.pool,
            )
        except Exception:
            log.exception("source %s: poll failed", source.name)
            return
        finally:
            if task is not None:
                self._inflight.discard(task)
        queued = sum(c.outbox_rows for c in result.changes)
        log.info(
            "source %s: %d article(s), %d change(s), %d alert(s) queued",
            source.name,
            sum(not a.skipped for a in result.articles),
            len(result.changes),
            queued,
        )
        if queued and self.delivery is not None:
            self.delivery.notify()
        await self.source_notice(source.name, failed_before, result.error)
        if result.error is not None and not self.stopping:
            with contextlib.suppress(JobLookupError):  # removed meanwhile
                self.scheduler.modify_job(job_id(source.name), next_run_time=result.next_due)

    async def source_notice(self, name: str, failed_before: int, error: str | None) -> None:
        """Tell the admins when a source reaches `notify_after_failures` failed polls in a
        row (once: the count is stored, so a restart does not repeat it), and when a source
        that had reached it works again."""
        after = self.effective.service.notify_after_failures
        if after <= 0:
            return
        if error is not None and failed_before + 1 == after:
            text = t("notice.source_failing", "en", name=name, count=after, error=error[:300])
        elif error is None and failed_before >= after:
            text = t("notice.source_back", "en", name=name, count=failed_before)
        else:
            return
        log.warning("service: %s", text.removeprefix("raqib: "))
        for transport in self.transports:
            tell = getattr(transport, "notify_admins", None)
            if tell is None:
                continue
            try:
                await tell(text)
            except Exception:  # telling the admins must never stop a poll
                log.exception("service: telling the admins on %s failed", transport.name)

    # ------------------------------------------------------------ stop

    async def shutdown(self) -> None:
        """Stop new work, let in-flight polls and sends finish (bounded), close everything."""
        self.stopping = True
        grace = self.effective.service.shutdown_grace
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        if self.scheduler.running:
            self.scheduler.pause()
        digest = self._digest_task
        if digest is not None:  # a digest is being sent: let it end (bounded) and be marked
            await asyncio.wait({digest}, timeout=max(0.0, deadline - loop.time()))
            digest.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await digest
        polls = [t for t in self._inflight if not t.done()]
        if polls:
            log.info("service: waiting for %d poll(s) in flight (at most %.0fs)", len(polls), grace)
            _, pending = await asyncio.wait(polls, timeout=max(0.0, deadline - loop.time()))
            for task in pending:
                log.warning("service: cancelling a poll still running after %.0fs", grace)
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.pool is not None:  # the polls are done or cancelled: no worker is needed
            self.pool.close()
        if self.delivery is not None:
            await self.delivery.stop(max(1.0, deadline - loop.time()))
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for transport in self.transports:
            if isinstance(transport, Lifecycle):
                try:
                    await transport.stop()
                except Exception:
                    log.exception("service: stopping %s failed", transport.name)
        if self.client is not None:
            await self.client.aclose()
        self.db.close()
        log.info("service: stopped cleanly")

    # ------------------------------------------------------------ banner

    def banner(self) -> str:
        """What is running, where the data is, which sources and transports are on, how to stop."""
        config = self.effective
        where = str(self.config.path) if self.config.path else "the embedded default"
        lines = [
            "raqib is running",
            f"  config     {where}",
            f"  database   {self.config.storage.database.resolve()}",
        ]
        on = [s for s in config.sources if s.enabled]
        paused = [s.name for s in config.sources if not s.enabled]
        for i, s in enumerate(on):
            label = "sources" if i == 0 else ""
            target = mask_url(s.url) if s.url else s.path
            lines.append(f"  {label:<10} {s.name} ({s.kind}, every {_every(s.interval)}): {target}")
        if not on:
            lines.append("  sources    none enabled: add [[sources]] to the config")
        if paused:
            lines.append(f"  paused     {', '.join(paused)}")
        names = [t.name for t in self.transports]
        lines.append(f"  alerts to  {', '.join(names) if names else 'nowhere'}")
        for name, kind in TRANSPORTS.items():
            if name in names:
                continue
            env = kind.token_env(config)
            why = "not started" if secret(env) else f"set {env} to turn it on"
            lines.append(f"  {name:<10} off ({why})")
        if "console" in names:
            lines.append("  console    alerts are printed here, on stdout")
        lines.append("  stop       Ctrl-C or SIGTERM: finishes in-flight work; twice: at once")
        return "\n".join(lines)


_SERVICE_JOB: dict[str, Any] = {
    "max_instances": 1,  # never two at once
    "coalesce": True,  # late (a busy loop, a suspended machine): run once, not once per miss
    "misfire_grace_time": None,  # and never skip a run for being late
    "replace_existing": True,
}
"""How the service's own jobs (digest tick, settings watcher) are scheduled."""


def _every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


# ---------------------------------------------------------------- signals and the command


def _hard_exit(signum: int, frame: FrameType | None) -> None:
    """The second signal: leave now; SQLite keeps every committed row, drops half a transaction."""
    with contextlib.suppress(OSError):
        sys.stderr.write("raqib: stopping at once (queued alerts stay in the outbox)\n")
        sys.stderr.flush()
    os._exit(128 + signum)


def install_signal_handlers(stop: asyncio.Event) -> None:
    """First SIGINT/SIGTERM sets `stop`; from then on, either signal exits at once."""
    loop = asyncio.get_running_loop()

    def first(signum: int) -> None:
        log.info(
            "service: %s received, finishing in-flight work (again to stop at once)",
            signal.Signals(signum).name,
        )
        stop.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
            signal.signal(sig, _hard_exit)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, first, sig)


async def run_service(
    config: Config, *, banner: TextIO | None = None, console: TextIO | None = None
) -> int:
    """Run until SIGINT/SIGTERM; 0 after a clean stop."""
    stop = asyncio.Event()
    install_signal_handlers(stop)
    service = Service(config, console=console)
    try:
        starting = asyncio.ensure_future(service.start())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # Ctrl-C while starting: stop, do not finish starting
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        else:
            starting.result()  # a rejected token: ConfigError, one line from cmd_run
            print(service.banner(), file=banner or sys.stderr, flush=True)
            await stopped
    finally:
        await service.shutdown()
        await _leave_if_threads_hang()
    return 0


THREAD_GRACE = 2.0
"""Seconds the stopped service waits for leftover threads before it exits without them."""


async def _leave_if_threads_hang() -> None:
    """Everything is closed and committed: when a thread of the default
    executor is still busy (a blocking call that ignores the stop), exit 0
    after `THREAD_GRACE` seconds rather than let `asyncio.run` wait for it."""
    loop = asyncio.get_running_loop()
    executor = getattr(loop, "_default_executor", None)  # asyncio keeps it private
    if executor is None:
        return
    done = threading.Event()

    def shut() -> None:
        executor.shutdown(wait=True)
        done.set()

    threading.Thread(target=shut, name="executor-shutdown", daemon=True).start()
    if not done.wait(THREAD_GRACE):
        log.warning("service: a thread is still busy after the stop: exiting without it")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def cmd_run(args: argparse.Namespace) -> int:
    """`raqib run`: the scheduled service (exit 2 when another holds its database)."""
    config: Config = args.config_obj
    lock = DatabaseLock(config.storage.database)
    try:
        lock.acquire()
    except DatabaseLocked as exc:
        print(f"raqib run: {exc}", file=sys.stderr)
        return 2
    try:
        setup_logging(startup_logging(config), configured_secrets(config))
        return asyncio.run(run_service(config))
    except ConfigError as exc:  # a chat token rejected at start: one line, no traceback
        print(f"raqib run: {exc.message}", file=sys.stderr, flush=True)
        return 2
    finally:
        lock.release()


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """Fill in `raqib run`'s parser (the CLI's table names this function)."""
    p.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="TOML config (as before RUN)"
    )
    p.set_defaults(func=cmd_run, needs_config=True)
