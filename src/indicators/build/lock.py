"""One writer at a time: the project lock taken by ``indicators build`` and ``report``.

Two runs at once on one project would interleave their outputs (a report reading tables
that a build is replacing, two reports swapping ``reports/`` under each other). Each
command therefore holds an exclusive lock on ``<root>/.indicators.lock`` for its whole
run. The lock is an ``flock`` on an open file: the system releases it when the process
ends, even killed with ``kill -9``, so a dead run never leaves a stale lock. The file
holds the holder's pid, command line and start time, for the message a second run prints
when it gives up waiting.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with project_lock(root, "indicators build"):
...     holder(root)["command"]
'indicators build'
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indicators.errors import IndicatorsError

__all__ = ["LOCK_FILE", "ProjectBusy", "holder", "project_lock"]

LOCK_FILE = ".indicators.lock"
POLL_S = 0.2


class ProjectBusy(IndicatorsError):
    """Another run holds the project lock (the CLI exits with status 3)."""


def holder(root: str | os.PathLike[str]) -> dict[str, Any]:
    """What the lock file says of its holder (pid, command, started); ``{}`` if unknown."""
    try:
        data = json.loads((Path(root) / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(info: dict[str, Any]) -> str:
    if not info:
        return "another process (unknown)"
    return f"pid {info.get('pid')} ({info.get('command', '?')}), started {info.get('started', '?')}"


@contextlib.contextmanager
def project_lock(
    root: str | os.PathLike[str], command: str | None = None, *, wait: float = 0.0
) -> Iterator[Path]:
    """Hold the project's lock for the block; wait up to ``wait`` seconds for it.

    Raises
    ------
    ProjectBusy
        When another process still holds the lock after ``wait`` seconds; the message
        names it (pid, command, start time).
    OSError
        When the lock file cannot be created (read-only project folder).
    """
    path = Path(root) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise ProjectBusy(
                    f"{path}: the project is in use by {_describe(holder(root))}; "
                    f"try again when it ends, or pass --wait SECONDS"
                )
            time.sleep(POLL_S)
        info = {
            "pid": os.getpid(),
            "command": command or " ".join(["indicators", *sys.argv[1:]]),
            "started": _dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode("utf-8"), 0)
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: msvcrt
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
