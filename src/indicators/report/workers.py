"""Worker processes that never outlive the run that started them.

Notebooks run in forked worker processes, each starting a Jupyter kernel. When the
``indicators report`` process ends early (Ctrl-C, ``SIGTERM``, or ``kill -9``), its
workers and their kernels must end too, within a few seconds, so that nothing keeps
running, writing or holding the caller's pipes:

- :func:`worker_init` runs first in each worker: it asks Linux to send the worker
  ``SIGTERM`` when its parent dies (``PR_SET_PDEATHSIG``, through ctypes; elsewhere a
  watchdog thread polls ``getppid``), ignores ``SIGINT`` (the parent decides), and turns
  ``SIGTERM`` into « kill my kernels, then exit at once »;
- :func:`stop_workers_on_error` wraps the pool in the parent: on an interrupt or any
  error it sends ``SIGTERM`` to the workers and does not wait for their notebooks.
  (Kernels also poll their parent and exit when it is gone: ``JPY_PARENT_PID``.)
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

__all__ = ["stop_workers_on_error", "worker_init"]

_PR_SET_PDEATHSIG = 1
WATCHDOG_S = 0.5
JOIN_S = 5.0


def _kill_children() -> None:
    """Kill this process's children (the kernels) and their process groups."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return
    with contextlib.suppress(Exception):
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(Exception):
                os.killpg(child.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                child.kill()


def _die(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
    _kill_children()
    os._exit(128 + signum)


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover
        return False


def _watchdog(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_S)
    _die()


def worker_init(parent: int) -> None:
    """Run in each worker before any job (``ProcessPoolExecutor(initializer=...)``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _die)
    if not _set_parent_death_signal():
        threading.Thread(target=_watchdog, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the death signal was set
        _die()


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()  # SIGTERM: the worker kills its kernel and exits
    deadline = time.monotonic() + JOIN_S
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def stop_workers_on_error(pool: cf.ProcessPoolExecutor | None) -> Iterator[None]:
    """Use ``pool`` for the block; on any exception, end its workers without waiting."""
    if pool is None:
        yield
        return
    try:
        yield
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)
