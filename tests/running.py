"""A real `raqib run` subprocess against the fake Bot API, its stderr read in a thread: for
tests and the benchmarks (bench/latency.py, bench/soak.py) that talk to it as a user would."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from fakes.telegram_api import TOKEN

ROOT = Path(__file__).resolve().parent.parent


def start_run(command: list[str], config: Path, cwd: Path) -> subprocess.Popen[str]:
    """`COMMAND --config CONFIG run` with the fake's Telegram token and no Slack tokens."""
    env = {**os.environ, "RAQIB_TELEGRAM_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    for name in ("RAQIB_SLACK_BOT_TOKEN", "RAQIB_SLACK_APP_TOKEN"):
        env.pop(name, None)
    return subprocess.Popen(
        [*command, "--config", str(config), "run"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


class RunLog:
    """A subprocess's stderr, read line by line in a thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.proc = proc
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self.lock:
                self.lines.append(line)

    def count(self, needle: str) -> int:
        """Lines holding `needle` so far."""
        with self.lock:
            return sum(needle in line for line in self.lines)

    def text(self) -> str:
        with self.lock:
            return "".join(self.lines)

    def tail(self, chars: int = 3000) -> str:
        return self.text()[-chars:]

    def wait_for(self, needle: str, times: int = 1, timeout: float = 120.0) -> float:
        """Wait until `needle` was logged `times` times; when (monotonic). AssertionError
        when the process exits or the time is up first."""
        deadline = time.monotonic() + timeout
        while self.count(needle) < times:
            assert self.proc.poll() is None, f"exited {self.proc.returncode}:\n{self.tail()}"
            assert time.monotonic() < deadline, f"no {needle!r} after {timeout:g} s:\n{self.tail()}"
            time.sleep(0.01)
        return time.monotonic()
