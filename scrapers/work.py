"""The one bounded pool for the CPU work of polls: parsing, cleaning, extraction.

Work runs in worker **processes** (`WorkerPool`), not threads: a process can
be killed, so a document that outlives its time limit is stopped (its worker
is killed and replaced) instead of holding a thread until it is done, and
killing the workers is how `raqib run` stops on time; processes can also run
Python in parallel where threads take turns on the GIL.  Measured with
`bench/pool.py` on 2 shared cores: throughput on a par with two threads
(moving texts and figures costs 0.5-1.4 ms an article), and a small job from
one source waits 0.07 s behind eight slow pages of another, against 81 s in a
thread pool.

- `size` workers (one per core by default), forked on Linux from the
  process that already imported the parsers and the engine, so a worker
  starts in milliseconds even on a busy machine (a fork server or a fresh
  interpreter spends seconds importing them again); a worker resets the
  signal handling it inherited and closes the descriptors it inherited (the
  parent's sockets, event loop, database and lock) but stdio and its pipe;
- fair: a job waits for a free worker in arrival order, and one `key` (a
  source) holds at most `per_key` workers at once (half the pool), so a
  source full of hostile pages never starves the others;
- every job has a time limit; a job that outlives it raises `WorkTimeout`,
  and a worker that dies raises `WorkerDied`: the caller fails that one
  document, never the source;
- a job cancelled (the service stopping) kills its worker, so nothing keeps
  running after the caller gave up;
- each worker is replaced after `max_jobs` jobs, so the memory a large
  document made a worker take is given back.

Arguments and results travel pickled through a pipe: functions are named by
module and qualified name, so they must be module-level.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

DOCUMENT_TIMEOUT = 20.0
"""Seconds one document (a page, a feed, an article's extraction) may take."""
MAX_JOBS = 500
"""Jobs a worker runs before it is replaced (memory taken by a big document is returned)."""
PRELOAD = ("scrapers.page", "scrapers.rss", "scrapers.html", "scrapers.files", "figures.extract")
"""Modules imported before the first fork (or by the fork server), so that
every worker starts with them."""


class WorkError(Exception):
    """A job could not be done in a worker."""


class WorkTimeout(WorkError):
    """A job outlived its time limit; its worker was killed."""


class WorkerDied(WorkError):
    """The worker process died during a job (killed, out of memory…)."""


def default_size() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _serve(conn: Connection) -> None:
    """A worker: run the jobs that come down the pipe until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's asyncio handler
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # never wake the parent's event loop
    _close_inherited({conn.fileno()})
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, object] = (True, fn(*args, **kwargs))
        except BaseException as exc:  # the parent decides what an error means
            reply = (False, exc)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send((False, WorkError(f"unpicklable result: {type(exc).__name__}: {exc}")))
        except (BrokenPipeError, OSError):
            return


def _close_inherited(keep: set[int]) -> None:
    """Close the descriptors a forked worker inherited (the parent's sockets,
    event loop, database, lock), but for stdio, `keep` and the streams of the
    logging handlers: a worker holding a copy of a socket would keep it open
    after the parent closed it."""
    keep = keep | {0, 1, 2}
    for handler in logging.getLogger().handlers:
        stream = getattr(handler, "stream", None)
        with contextlib.suppress(Exception):
            keep.add(stream.fileno())  # type: ignore[union-attr]
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return  # no /proc: leave them (a fork server or spawn inherits none)
    for fd in fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, ctx: BaseContext) -> None:
        self.conn, theirs = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs,), daemon=True, name="raqib-worker"
        )
        self.process.start()
        theirs.close()
        self.jobs = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)


class WorkerPool:
    """A bounded, fair pool of worker processes (see the module docstring)."""

    def __init__(
        self,
        size: int | None = None,
        *,
        per_key: int | None = None,
        timeout: float = DOCUMENT_TIMEOUT,
        max_jobs: int = MAX_JOBS,
    ) -> None:
        self.size = size or default_size()
        """Worker processes at most."""
        self.per_key = max(1, per_key or self.size // 2)
        """Workers one key (a source) may hold at once."""
        self.timeout = timeout
        """Seconds a job may take unless the caller says otherwise."""
        self.max_jobs = max_jobs
        self._ctx = _context()
        self._slots = asyncio.Semaphore(self.size)
        self._keys: dict[str, asyncio.Semaphore] = {}
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._closed = False
        self._warming: asyncio.Future[_Worker] | None = None

    def warm(self) -> None:
        """Start one worker now, in a thread, so that the fork server's start
        (importing the parsers and the engine) overlaps the first fetches
        instead of delaying the first job.  Needs a running event loop."""
        if self._warming is not None or self._all or self._closed:
            return
        self._warming = asyncio.ensure_future(asyncio.to_thread(self._spawn))
        self._warming.add_done_callback(self._warmed)

    def _warmed(self, started: asyncio.Future[_Worker]) -> None:
        if started.cancelled() or started.exception() is not None:
            return
        worker = started.result()
        if self._closed:
            self._all.discard(worker)
            worker.kill()
        elif worker not in self._idle:
            self._idle.append(worker)

    async def run(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        key: str = "",
        timeout: float | None = None,
        **kwargs: Any,
    ) -> T:
        """`fn(*args, **kwargs)` in a worker; its exception is raised here.
        `WorkTimeout` after `timeout` seconds (the pool's by default)."""
        if self._closed:
            raise WorkError("the worker pool is closed")
        limit = self.timeout if timeout is None else timeout
        async with self._key(key), self._slots:
            worker = await self._take()
            healthy = False
            try:
                ok, value = await self._call(worker, (fn, args, kwargs), limit)
                healthy = True
            finally:
                worker.jobs += 1
                if healthy and not self._closed and worker.jobs < self.max_jobs:
                    self._idle.append(worker)
                else:
                    self._all.discard(worker)
                    worker.kill()
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]

    async def _call(
        self, worker: _Worker, job: tuple[object, ...], limit: float
    ) -> tuple[bool, object]:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            async with asyncio.timeout(limit):
                try:  # in a thread: a text bigger than the pipe's buffer blocks the
                    # writer until the worker has read it, and the event loop must not wait
                    await asyncio.to_thread(worker.conn.send, job)
                except (BrokenPipeError, OSError) as exc:
                    raise WorkerDied(f"a worker process died ({exc})") from None
                await ready
        except TimeoutError:
            raise WorkTimeout(f"took more than {limit:g} s (stopped)") from None
        finally:
            loop.remove_reader(fd)
        try:  # in a thread too: a big reply comes in several reads, as the worker writes it
            reply: tuple[bool, object] = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError):
            worker.process.join(1)
            raise WorkerDied(
                f"a worker process died (exit code {worker.process.exitcode})"
            ) from None
        return reply

    def _key(self, key: str) -> asyncio.Semaphore:
        sem = self._keys.get(key)
        if sem is None:
            sem = self._keys[key] = asyncio.Semaphore(self.per_key)
        return sem

    async def _take(self) -> _Worker:
        """An idle worker, else a new one (started in a thread: the first
        start also starts the fork server, which takes a moment)."""
        if self._idle:
            return self._idle.pop()
        if self._warming is not None and not self._warming.done():
            await asyncio.wait({self._warming})  # the warm worker is nearly there
            if self._idle:
                return self._idle.pop()
        starting = asyncio.ensure_future(asyncio.to_thread(self._spawn))
        try:
            return await asyncio.shield(starting)
        except asyncio.CancelledError:
            starting.add_done_callback(self._drop_started)
            raise

    def _drop_started(self, started: asyncio.Future[_Worker]) -> None:
        if not started.cancelled() and started.exception() is None:
            worker = started.result()
            self._all.discard(worker)
            worker.kill()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx)
        self._all.add(worker)
        return worker

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (busy or idle)."""
        return [w.process.pid for w in self._all if w.process.pid is not None]

    def close(self) -> None:
        """Kill every worker, busy or idle; later `run` calls fail."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._idle.clear()


def _context() -> BaseContext:
    """fork on Linux (the modules are imported here first), else the fork
    server (with them preloaded), else spawn."""
    if sys.platform.startswith("linux"):
        for name in PRELOAD:
            importlib.import_module(name)
        return multiprocessing.get_context("fork")
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:  # a platform without it
        return multiprocessing.get_context("spawn")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx


async def run_cpu(
    pool: WorkerPool | None, fn: Callable[..., T], /, *args: Any, key: str = "", **kwargs: Any
) -> T:
    """`fn(*args, **kwargs)` in `pool`, or in a thread when there is none
    (tests and tools that poll one source by hand)."""
    if pool is None:
        return await asyncio.to_thread(fn, *args, **kwargs)
    return await pool.run(fn, *args, key=key, **kwargs)
