"""Benchmark: ``indicators report`` against the same number of empty notebooks.

In one run, on a temporary copy of the project (built once, not timed):

1. ``batch``: the whole ``indicators report`` command (a new process: imports, every
   notebook in parallel, HTML, the dossier's PDF, the index), wall time;
2. ``empty, papermill CLI``: as many empty notebooks as the batch wrote reports, run one
   after another by the ``papermill`` command (a new process each, as a user would);
3. ``empty, one process``: the same empty notebooks run one after another by
   ``papermill.execute_notebook`` in one Python process (import paid once, timed too).

Each measurement is repeated (``--repeat``, default 3, interleaved) and the median is
printed with the ratios batch / empty sequence. Target from the issue: batch ≤ 1.0× the
empty-notebook sequence on 2 cores. The machine's load average is printed because other
work on the same cores changes every figure.

When JupyterLab is installed in the environment (``make lab``), ``jsonschema`` imports
``rfc3987-syntax`` (about 1 s) in every process that loads ``nbformat``; the batch blocks
that import (:func:`indicators.report.batch._avoid_slow_imports`), a plain ``papermill`` does
not. The script says which case it measured.

Last measured on 2 idle cores (load average 1.2 at the start), default environment
without JupyterLab, median of 3: batch 6.4 s, six empty notebooks by the papermill CLI
10.8 s, ratio 0.59; the dossier (31-page tagged PDF) is the critical path at 4.4 s, each
fiche about 0.75 s. With another test suite on the same cores the ratio was 0.84-1.09.

Usage::

    .venv/bin/python benchmarks/reports.py [--repeat 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _empty_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells.append(
        nbformat.v4.new_code_cell('root: str = ""  # unused', metadata={"tags": ["parameters"]})
    )
    nbformat.write(nb, path)


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return time.perf_counter() - start


_IN_PROCESS = """
import sys, time
start = time.perf_counter()
import papermill
for i in range(int(sys.argv[2])):
    papermill.execute_notebook(sys.argv[1], sys.argv[3], kernel_name="python3",
                               progress_bar=False)
print(time.perf_counter() - start)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="passed to indicators report")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="indicators-bench-"))
    try:
        root = work / "project"
        shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
        shutil.copytree(REPO / "notebooks", root / "notebooks")
        indicators = [str(BIN / "indicators"), "--root", str(root)]
        subprocess.run([*indicators, "build"], check=True, stdout=subprocess.DEVNULL)
        report = [*indicators, "report"] + ([f"--jobs={args.jobs}"] if args.jobs else [])
        env = {**os.environ, "TQDM_DISABLE": "1"}

        _timed(report, env)  # warm-up: file caches, compiled bytecode
        index = json.loads((root / "reports" / "index.json").read_text(encoding="utf-8"))
        n = len(index["reports"])
        failed = [e["key"] for e in index["reports"] if e["status"] != "ok"]
        empty = work / "empty.ipynb"
        _empty_notebook(empty)
        out = work / "out.ipynb"

        batch, cli, one = [], [], []
        load = os.getloadavg()[0]
        for _ in range(args.repeat):
            batch.append(_timed(report, env))
            start = time.perf_counter()
            for _ in range(n):
                subprocess.run(
                    [str(BIN / "papermill"), "--no-progress-bar", str(empty), str(out)],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            cli.append(time.perf_counter() - start)
            result = subprocess.run(
                [sys.executable, "-c", _IN_PROCESS, str(empty), str(n), str(out)],
                check=True,
                capture_output=True,
                text=True,
            )
            one.append(float(result.stdout.strip().splitlines()[-1]))
        index = json.loads((root / "reports" / "index.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    b, c, o = (statistics.median(x) for x in (batch, cli, one))
    lab = importlib.util.find_spec("rfc3987_syntax") is not None
    print(f"cores: {os.cpu_count()}, load average at start: {load:.2f}, repeat: {args.repeat}")
    print(
        "rfc3987-syntax importable (JupyterLab's jsonschema extras, e.g. after `make lab`): "
        + ("yes: every papermill process pays its import" if lab else "no")
    )
    print(f"reports in the batch: {n} ({', '.join(e['key'] for e in index['reports'])})")
    if failed:
        print(f"warning: failed reports: {', '.join(failed)}")
    print(f"batch `indicators report`      : {b:6.2f} s  (runs: {_runs(batch)})")
    print(
        f"{n} empty notebooks, papermill CLI : {c:6.2f} s  ({c / n:.2f} s each; runs: {_runs(cli)})"
    )
    print(
        f"{n} empty notebooks, one process   : {o:6.2f} s  ({o / n:.2f} s each; runs: {_runs(one)})"
    )
    print(f"ratio batch / empty CLI sequence     : {b / c:.2f}  (target <= 1.0)")
    print(f"ratio batch / empty in-process seq.  : {b / o:.2f}")
    print("last batch, seconds per report (worker wall time, incl. HTML/PDF export):")
    for entry in index["reports"]:
        print(f"  {entry['key']:<34} {entry['duration_s']:6.2f}")
    return 0


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
