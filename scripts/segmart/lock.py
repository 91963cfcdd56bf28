"""One refresh at a time: an OS lock on warehouse/.segmart.lock plus a JSON record of who holds it.

The lock is `fcntl.flock` on the lock file. The kernel releases it when the holding process dies (however it
dies, SIGKILL included), so a killed refresh never leaves a lock that blocks the next one. The JSON record
written into the file (pid, host, started_at, run_id) only serves the messages: "lock held by pid N since T",
and, when a new refresh finds a record but no lock, "cleared a record left by pid N (dead)". The lock file
itself is never deleted (deleting a flock'ed file lets two processes lock two different files).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class LockHeld(Exception):
    """Another refresh holds the lock. `holder` is its record ({} when it has not written one yet)."""

    def __init__(self, path: Path, holder: dict[str, Any]):
        self.path = path
        self.holder = holder
        super().__init__(describe_holder(holder))


def describe_holder(holder: dict[str, Any]) -> str:
    """'lock held by pid 123 on host since 2026-...' from a holder record (pure)."""
    if not holder.get("pid"):
        return "lock held by another refresh (it has not written its record yet)"
    where = f" on {holder['host']}" if holder.get("host") else ""
    since = f" since {holder['started_at']}" if holder.get("started_at") else ""
    run = f" (run {holder['run_id']})" if holder.get("run_id") else ""
    return f"lock held by pid {holder['pid']}{where}{since}{run}"


def pid_is_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def parse_record(text: str) -> dict[str, Any]:
    """The holder record in the lock file; {} when empty or unreadable (pure)."""
    try:
        record = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}
    return record if isinstance(record, dict) else {}


@dataclass
class RefreshLock:
    """`with RefreshLock(path, run_id) as lock:` takes the lock or raises LockHeld at once (never waits).

    After entering, `lock.cleared` is the record a dead holder left behind (None when there was none)."""

    path: Path
    run_id: str = ""
    cleared: dict[str, Any] | None = None
    _file: Any = None

    def fileno(self) -> int:
        """The locked descriptor: pass it to children (pass_fds) so the lock lives as long as they do."""
        return self._file.fileno()

    def acquire(self) -> "RefreshLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = parse_record(handle.read())
            handle.close()
            raise LockHeld(self.path, holder) from None
        handle.seek(0)
        previous = parse_record(handle.read())
        if previous.get("pid"):
            # Nobody holds the lock, yet a record remains: its writer died before releasing.
            same_host = previous.get("host") == socket.gethostname()
            previous["alive"] = pid_is_alive(int(previous["pid"])) if same_host else None
            self.cleared = previous
        record = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "run_id": self.run_id}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(record))
        handle.flush()
        os.fsync(handle.fileno())
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is None:
            return
        self._file.seek(0)
        self._file.truncate()
        self._file.flush()
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._file = None

    def __enter__(self) -> "RefreshLock":
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def probe(path: Path) -> dict[str, Any] | None:
    """The holder record when a refresh holds the lock now, else None. Takes and drops the lock, writes nothing."""
    if not path.exists():
        return None
    with open(path) as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return parse_record(handle.read())
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None
