"""The whole ``indicators build`` on the shipped data against a floor measured in the same run.

The floor is reading every raw file once, in one process, with the plainest reader of
its format (bytes → pandas / pyogrio), which no build can beat. The build is the real
command (``compute_tables`` + ``write_outputs`` with figures) on a copy of the project,
in this process after the floor (the imports are then warm for both). Prints both, and
their ratio; the goal of issue 11 is a build ≤ 3 × the floor.

    python benchmarks/build.py [--no-figures] [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-figures", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from indicators.build.pipeline import compute_tables, write_outputs
    from indicators.config import Paths

    floors, builds = [], []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "data").mkdir(parents=True)
        shutil.copytree(ROOT / "data" / "raw", project / "data" / "raw")
        (project / "data" / "processed").mkdir()
        paths = Paths.from_root(project)
        for _ in range(args.repeat):
            start = time.perf_counter()
            n_files = read_everything_once(paths.raw)
            floors.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = compute_tables(paths)
            write_outputs(result, paths, figures=not args.no_figures)
            builds.append(time.perf_counter() - start)
    floor, build = statistics.median(floors), statistics.median(builds)
    what = "without figures" if args.no_figures else "with figures"
    print(f"floor (read {n_files} raw files once): {floor:.2f} s (median of {args.repeat})")
    print(f"indicators build ({what}): {build:.2f} s (median of {args.repeat})")
    print(f"ratio build / floor: {build / floor:.1f} (goal ≤ 3)")


if __name__ == "__main__":
    main()
