"""One `raqib run` per database: an OS file lock beside it.

`<database>.lock` is locked with `fcntl.flock` for as long as the service
runs, and holds its pid.  The lock belongs to the open file, so the kernel
lets it go when the process ends in any way (a crash, SIGKILL): a stale file
never keeps a new service from starting; only a live one does.  `raqib once`
and the read-only commands do not take it (SQLite's own locking keeps their
writes safe), so they run beside the service.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO


class DatabaseLocked(Exception):
    """Another live process holds the database's lock."""

    def __init__(self, path: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"another raqib run ({who}) is already using {path}; stop it first, "
            f"or give this one another [storage] database"
        )
        self.pid = pid
        """The process holding the lock, when its lock file says."""


def lock_path(database: Path) -> Path:
    """Where the lock of `database` lives: beside it, `<name>.lock`."""
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """The service's hold on its database (a context manager)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        """The database it guards."""
        self.path = lock_path(database)
        """The lock file."""
        self._file: IO[str] | None = None

    def acquire(self) -> DatabaseLock:
        """Take the lock at once or raise `DatabaseLocked` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115  (held while running)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            pid = int(text) if text.isdigit() else None
            raise DatabaseLocked(self.database, pid) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        # a forked worker must not keep the lock alive after this process dies
        os.register_at_fork(after_in_child=self._drop_in_child)
        return self

    def _drop_in_child(self) -> None:
        """In a forked child: close our copy of the lock's descriptor (the
        parent still holds the lock; the child must not outlive it holding it)."""
        if self._file is not None:
            with contextlib.suppress(OSError):  # (the file object is left alone: workers
                os.close(self._file.fileno())  # leave by os._exit, no finaliser runs)

    def release(self) -> None:
        """Let the lock go (the file stays: removing it would race a new holder)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.seek(0)
                self._file.truncate()
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> DatabaseLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
