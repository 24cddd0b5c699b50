"""The worker pool never blocks the event loop on its pipes: a job bigger than the pipe's
buffer, sent to a worker that is slow to read it (here: stopped, as a worker on a busy machine
waits for a core), leaves the loop free to run other tasks (a chat's commands, other sources)."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

from scrapers.work import WorkerPool

BIG = 4 * 1024 * 1024
"""Bytes: far more than a pipe holds (64 KiB on Linux)."""
STOPPED = 0.5
"""Seconds the worker is kept from reading."""


async def ticks_while(work: asyncio.Future[object]) -> int:
    """How many times a 10 ms sleeper got the loop while `work` was running."""
    count = 0
    while not work.done():
        await asyncio.sleep(0.01)
        count += 1
    return count


async def until_idle(pool: WorkerPool) -> int:
    for _ in range(3000):
        if pool.pids:
            return pool.pids[0]
        await asyncio.sleep(0.01)
    raise AssertionError("no worker started")


def resume_later(pid: int) -> threading.Timer:
    timer = threading.Timer(STOPPED, os.kill, (pid, signal.SIGCONT))
    timer.start()
    return timer


async def test_a_big_job_to_a_worker_slow_to_read_it_does_not_block_the_loop() -> None:
    pool = WorkerPool(1, timeout=60)
    try:
        assert await pool.run(len, b"warm") == 4
        pid = await until_idle(pool)
        os.kill(pid, signal.SIGSTOP)
        timer = resume_later(pid)  # from a thread: a blocked loop could not do it
        work = asyncio.ensure_future(pool.run(len, b"x" * BIG))
        ticks = await ticks_while(work)
        timer.join()
        assert work.result() == BIG
        assert ticks >= 10, f"the loop ran {ticks} time(s) while the job was sent"
    finally:
        pool.close()
