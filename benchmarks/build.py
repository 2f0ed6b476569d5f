"""The whole ``indicators build`` on the shipped data against a floor measured in the same run.

The floor is reading every raw file once, in one process, with the plainest reader of
its format (bytes → pandas / pyogrio), which no build can beat. Then, on fresh copies
of the project (only ``data/raw``, nothing in ``data/processed``), the real command
(:func:`indicators.build.pipeline.build`):

- *cold*: the first build of the copy, with figures and without (``--no-figures``);
- *warm*: the same build run again on unchanged inputs: it finds the raw files, the code
  and the outputs as the manifest records them and does nothing
  (:mod:`indicators.build.up_to_date`);
- *tables recomputed*: the tables computed and written again on unchanged inputs, every
  export carried over by its fingerprint (:mod:`indicators.build.incremental`) — what a
  build costs when a raw file changed that no export depends on.

Each time is printed with its ratio to the floor; the goal of issues 11 and 12 is a
build ≤ 3 × the floor. Last, the figures alone: the 19 figures drawn and saved (PNG and
SVG) one after the other in this process, and in the build's pool of workers — the
least a cold build with figures can cost beyond the tables.

``SOURCE_DATE_EPOCH`` is set (1700000000), as for a reproducible build: without it the
workbook's « Lisez-moi » dates the build, and a rebuild on another day writes it again.
The times are wall-clock (the ratios use them) and depend on the load: the CPU seconds
(this process and the figure workers) are printed beside them; say what else ran.

    python benchmarks/build.py [--repeat N] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 3.0


def read_everything_once(raw: Path) -> int:
    """The floor: every raw data file read once by the plainest reader of its format."""
    import pandas as pd
    import pyogrio

    n = 0
    for path in sorted(raw.rglob("*")):
        if not path.is_file() or path.name in ("SHA256SUMS",) or path.suffix in (".md", ".py"):
            continue
        suffix = path.suffix.lower()
        if suffix in (".geojson", ".gpkg", ".shp"):
            pyogrio.read_dataframe(path)
        elif suffix == ".csv":
            sep = ";" if b";" in path.read_bytes()[:2000] else ","
            pd.read_csv(path, sep=sep, dtype=str, encoding_errors="replace")
        else:
            path.read_bytes()
        n += 1
    return n


CPU: dict[str, list[float]] = {}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the figure workers)."""
    usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usages)


def _timed(run: Callable[[], object], label: str = "") -> float:
    """Wall-clock seconds of ``run()``; its CPU seconds go to :data:`CPU` under ``label``."""
    start, cpu = time.perf_counter(), _cpu()
    run()
    CPU.setdefault(label, []).append(_cpu() - cpu)
    return time.perf_counter() - start


def _fresh_project(tmp: Path, k: int) -> Path:
    project = tmp / f"project-{k}"
    (project / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", project / "data" / "raw")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="figure workers (default: cores)")
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

    from indicators.build.figure_export import figure_names
    from indicators.build.figure_jobs import available_cores, render, start_figures
    from indicators.build.pipeline import build, compute_tables, write_outputs
    from indicators.config import Paths

    times: dict[str, list[float]] = {}
    n_files = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            start = time.perf_counter()
            n_files = read_everything_once(ROOT / "data" / "raw")
            times.setdefault("floor", []).append(time.perf_counter() - start)
            for figures in (True, False):
                what = "with figures" if figures else "without figures"
                paths = Paths.from_root(_fresh_project(Path(tmp), 2 * k + figures))
                for when in ("cold", "warm"):
                    label = f"{when} build {what}"
                    seconds = _timed(
                        lambda p=paths, f=figures: build(p, figures=f, jobs=args.jobs), label
                    )
                    times.setdefault(label, []).append(seconds)
                label = f"tables recomputed, exports carried over, {what}"
                seconds = _timed(
                    lambda p=paths, f=figures: write_outputs(compute_tables(p), p, figures=f), label
                )
                times.setdefault(label, []).append(seconds)
        tables = compute_tables(paths).tables
        territory = paths.territory
        names = figure_names(tables, territory)
        serial = _timed(
            lambda: [render(n, tables, territory, ("png", "svg"), 150) for n in names], "serial"
        )
        pooled = _timed(
            lambda: list(
                start_figures(
                    names, tables, territory, formats=("png", "svg"), dpi=150, jobs=args.jobs
                ).results()
            ),
            "pooled",
        )

    floor = statistics.median(times.pop("floor"))
    print(f"floor (read {n_files} raw files once): {floor:.2f} s (median of {args.repeat})")
    for label, values in times.items():
        value = statistics.median(values)
        verdict = "meets" if value <= GOAL * floor else "misses"
        print(
            f"{label}: {value:.2f} s (median of {args.repeat}; CPU "
            f"{statistics.median(CPU[label]):.2f} s); "
            f"ratio {value / floor:.2g} ({verdict} the goal ≤ {GOAL:g})"
        )
    jobs = min(args.jobs or available_cores(), len(names))
    print(
        f"the {len(names)} figures alone (PNG + SVG): {serial:.2f} s in one process "
        f"(CPU {CPU['serial'][0]:.2f} s; {serial / floor:.1f} × the floor), {pooled:.2f} s in "
        f"{jobs} workers (CPU {CPU['pooled'][0]:.2f} s; {pooled / floor:.1f} × the floor)"
    )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")


if __name__ == "__main__":
    main()
