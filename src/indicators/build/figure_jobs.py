"""Drawing the build's figures in worker processes, one figure per task.

:func:`start_figures` forks a pool sized to the cores (the processed tables are shared
with the workers by the fork, never pickled) and returns at once, so the build writes
the workbook and the GeoPackage while the figures are drawn; :meth:`FigureBatch.results`
then gives each figure's bytes in the order asked, whatever order they finished in. The
bytes are those of :func:`~indicators.build.figure_export.figure_bytes` in one process:
drawing in a worker changes nothing in the files.

Each result also names the tables the drawing read (:class:`ReadTables`): the
incremental build (:mod:`indicators.build.incremental`) redraws a figure only when one of
those tables changed.

A figure that fails in a worker is drawn again in the build's own process, so the error
the build reports is the drawing's own (an :class:`~indicators.errors.InputError` keeps
its one line); a pool that cannot start (no ``fork``, one core) draws in the process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pandas as pd

from indicators.territory import Territory

__all__ = ["FigureBatch", "ReadTables", "available_cores", "render", "start_figures"]

Drawn = tuple[dict[str, bytes], list[str]]


class ReadTables(Mapping[str, pd.DataFrame]):
    """The tables, noting the name of every table looked up (present or not)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self._tables = tables
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> pd.DataFrame:
        self.read.add(name)
        return self._tables[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self._tables

    def __iter__(self) -> Iterator[str]:
        self.read.update(self._tables)  # a drawing that walks every table reads them all
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render(
    name: str,
    tables: Mapping[str, pd.DataFrame],
    territory: Territory,
    formats: Sequence[str],
    dpi: int,
) -> Drawn:
    """Draw the registry's figure ``name``: its bytes by format and the tables it read."""
    import matplotlib.pyplot as plt

    from indicators.build.figure_export import figure_bytes
    from indicators.figures import registry

    recorder = ReadTables(tables)
    fig = registry.draw(name, recorder, territory=territory).figure
    try:
        return figure_bytes(fig, formats=formats, dpi=dpi), sorted(recorder.read)
    finally:
        plt.close(fig)


# The job of the forked workers: set before the pool forks, read in the workers.
_JOB: tuple[Mapping[str, pd.DataFrame], Territory, Sequence[str], int] | None = None


def _work(name: str) -> Drawn | None:
    assert _JOB is not None
    try:
        return render(name, *_JOB)
    except Exception:  # drawn again in the build's process, which raises it
        return None


class FigureBatch:
    """Figures being drawn; :meth:`results` waits for them, in the order asked."""

    def __init__(
        self,
        names: Sequence[str],
        job: tuple[Mapping[str, pd.DataFrame], Territory, Sequence[str], int],
        pool: ProcessPoolExecutor | None,
    ) -> None:
        self.names = list(names)
        self._job = job
        self._pool = pool
        self._futures: list[Future[Drawn | None]] = (
            [pool.submit(_work, name) for name in self.names] if pool is not None else []
        )

    def results(self) -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
        """``(name, {format: bytes}, tables read)`` for each figure, in order."""
        try:
            for k, name in enumerate(self.names):
                drawn = self._collect(k)
                if drawn is None:  # failed or no pool: drawn here (raises the error)
                    drawn = render(name, *self._job)
                yield name, *drawn
        finally:
            self.close()

    def _collect(self, k: int) -> Drawn | None:
        if not self._futures:
            return None
        try:
            return self._futures[k].result()
        except Exception:  # a worker died (BrokenProcessPool): drawn here
            return None

    def close(self) -> None:
        """Stop the workers (figures not collected are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start_figures(
    names: Sequence[str],
    tables: Mapping[str, pd.DataFrame],
    territory: Territory,
    *,
    formats: Sequence[str],
    dpi: int,
    jobs: int | None = None,
) -> FigureBatch:
    """Start drawing ``names`` in ``jobs`` forked workers (default: one per core).

    With one job, one figure or no ``fork``, nothing starts: the figures are drawn one
    after the other when :meth:`FigureBatch.results` is read.
    """
    global _JOB
    job: tuple[Any, ...] = (tables, territory, tuple(formats), dpi)
    jobs = min(jobs or available_cores(), len(names))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return FigureBatch(names, job, None)  # type: ignore[arg-type]
    _preload()
    _JOB = job  # type: ignore[assignment]
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_end_with_the_build
    )
    return FigureBatch(names, job, pool)  # type: ignore[arg-type]


def _end_with_the_build() -> None:
    """A worker ends when the build's process ends, even killed (Linux' parent-death
    signal; SIGKILL, since the build's SIGTERM handler is inherited and a worker writes
    nothing): a killed build leaves no process behind."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # not Linux
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # pragma: no cover - the build ended before this ran
        os._exit(1)


def _preload() -> None:
    """Import what the drawings need once, before the fork (mapclassify alone pulls
    scipy.stats and scikit-learn: more than a second that every worker would pay)."""
    import mapclassify  # noqa: F401
    import matplotlib.pyplot  # noqa: F401

    import indicators.figures.registry  # noqa: F401
