"""Reliability under real use (issue 10): reports kept, one writer, staleness, signals,
environment faults, spreadsheet safety, people's files.

The reports here come from two tiny synthetic templates (tests/fixtures/reliability:
they sleep, fail or record their pids on demand through environment variables) run on
a project built once from the shipped data/raw. Concurrency and signal tests run the
real command in subprocesses with short timeouts, and kill whatever they started.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from indicators.build.lock import project_lock
from indicators.build.storage import staged_directory, table_to_csv_bytes
from indicators.cli import main
from indicators.hashing import sha256_file

from .conftest import FIXTURES, RAW

TEMPLATES = FIXTURES / "reliability"
SRC = Path(__file__).resolve().parents[1] / "src"
KEYS = ("test-a", "test-b")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project built once (no figures), with the two synthetic templates, reported once."""
    root = tmp_path_factory.mktemp("reliable") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copytree(TEMPLATES, root / "notebooks")
    assert main(["--root", str(root), "build", "--no-figures"]) == 0
    assert main(["--root", str(root), "report", "--jobs", "1"]) == 0
    return root


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(built, target, symlinks=True)
    return target


def _command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "indicators.cli", "--root", str(root), *args]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, "PYTHONPATH": str(SRC), **extra}


def _one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = [
        line for line in err.replace("\r", "\n").splitlines() if line.startswith("indicators:")
    ]
    assert len(lines) == 1, err
    return lines[0]


# ------------------------------------------------------ 1. reports never destroy good ones
def test_failed_report_keeps_previous_version(root: Path, monkeypatch, capsys) -> None:
    before = _snapshot(root / "reports")
    monkeypatch.setenv("INDICATORS_TEST_FAIL", "1")
    capsys.readouterr()
    assert main(["--root", str(root), "report", "--jobs", "1"]) == 1
    after = _snapshot(root / "reports")
    for key in KEYS:
        assert after[f"{key}.html"] == before[f"{key}.html"]
        assert after[f"notebooks/{key}.ipynb"] == before[f"notebooks/{key}.ipynb"]
        assert f"notebooks/{key}-echec.ipynb" in after
    index = json.loads(after["index.json"])
    old = json.loads(before["index.json"])
    for entry in index["reports"]:
        assert entry["status"] == "failed"
        assert "échec demandé par le test" in entry["error"]["evalue"]
        previous = next(e for e in old["reports"] if e["key"] == entry["key"])
        assert entry["previous"]["finished_at"] == previous["finished_at"]
        assert entry["files"]["html"] == f"{entry['key']}.html"
    page = after["index.html"].decode("utf-8")
    assert "la version précédente, produite le" in page and "est conservée" in page
    for key in KEYS:  # the failed run's notebook, which shows the error, is linked
        assert f'<a href="notebooks/{key}-echec.ipynb">notebook de l' in page


# ------------------------------------------------------------ 3. staleness before kernels
def test_damaged_table_stops_report_before_any_kernel(root: Path, capsys) -> None:
    before = _snapshot(root / "reports")
    (root / "data/processed/portrait.parquet").write_bytes(b"PAR1 damaged")
    capsys.readouterr()
    assert main(["--root", str(root), "report"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "is damaged: data/processed/portrait.parquet differs from what the build wrote" in line
    assert _snapshot(root / "reports") == before


def test_changed_raw_file_refused_then_rebuilt(root: Path, capsys) -> None:
    mapping = root / "data/raw/quartier_schools.csv"
    mapping.write_bytes(mapping.read_bytes() + b"cites-6-et-30;0620079Z;college\n")
    sums = root / "data/raw/SHA256SUMS"
    lines = [ln for ln in sums.read_text().splitlines() if not ln.endswith("quartier_schools.csv")]
    lines.append(f"{sha256_file(mapping)}  quartier_schools.csv")
    sums.write_text("\n".join(lines) + "\n")
    before = _snapshot(root / "reports")
    capsys.readouterr()
    assert main(["--root", str(root), "report"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "is older than data/raw" in line and "data/raw/quartier_schools.csv changed" in line
    assert _snapshot(root / "reports") == before
    assert main(["--root", str(root), "report", "--rebuild", "--jobs", "1"]) == 0
    manifest = json.loads((root / "data/processed/manifest.json").read_text())
    recorded = {i["path"]: i["sha256"] for i in manifest["raw_inputs"]}
    assert recorded["quartier_schools.csv"] == sha256_file(mapping)
    ips = pd.read_parquet(root / "data/processed/ips_quartiers.parquet")
    assert set(ips["territoire_code"]) == {"cites-6-et-30"}


# -------------------------------------------------------------------- 2. one writer
def test_second_run_names_the_holder_and_gives_up(root: Path) -> None:
    before = _snapshot(root / "data/processed")
    with project_lock(root, "indicators build (held by the test)"):
        started = time.monotonic()
        done = subprocess.run(
            _command(root, "--wait", "0.6", "build", "--no-figures"),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )
        waited = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    line = _one_line(done.stderr)
    assert f"pid {os.getpid()} (indicators build (held by the test)), started " in line
    assert waited >= 0.6
    assert _snapshot(root / "data/processed") == before


def test_live_staging_folder_is_not_removed(tmp_path: Path) -> None:
    target = tmp_path / "processed"
    target.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = tmp_path / f".processed-staging-{os.getpid()}-live"
    gone = tmp_path / f".processed-staging-{dead.pid}-dead"
    old_style = tmp_path / ".processed-staging-abc123"
    for folder in (live, gone, old_style):
        folder.mkdir()
        (folder / "x.csv").write_text("x\n")
    with staged_directory(target) as staging:
        (staging / "t.csv").write_text("t\n")
    assert live.exists() and not gone.exists() and not old_style.exists()
    assert (target / "t.csv").exists()


# ------------------------------------------------------------------------ 4. signals
def _start_sleeping_report(root: Path, marks: Path) -> subprocess.Popen:
    marks.mkdir()
    process = subprocess.Popen(
        _command(root, "report", "--jobs", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(INDICATORS_TEST_MARKS=str(marks), INDICATORS_TEST_SLEEP="120"),
    )
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the kernels did not start"
        time.sleep(0.1)
    return process


def _started_pids(marks: Path) -> list[int]:
    pids = []
    for mark in marks.iterdir():
        pids += [int(mark.name.split("-")[1]), int(mark.read_text())]  # kernel, worker
    return pids


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _all_gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(p) for p in pids)


def _kill_all(process: subprocess.Popen, pids: list[int]) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_sigterm_is_like_ctrl_c_and_ends_the_workers(root: Path, tmp_path: Path) -> None:
    before = _snapshot(root / "reports")
    process = _start_sleeping_report(root, tmp_path / "marks")
    pids = _started_pids(tmp_path / "marks")
    try:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)  # no orphan keeps the pipes open
        assert process.returncode == 128 + signal.SIGTERM
        assert (
            _one_line(err.decode()) == "indicators: interrupted; previous outputs left as they were"
        )
        assert _all_gone(pids, within=5)
    finally:
        _kill_all(process, pids)
    assert _snapshot(root / "reports") == before
    assert not list(root.glob(".reports-staging-*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG, /proc")
def test_kill_9_of_the_parent_ends_workers_and_kernels(root: Path, tmp_path: Path) -> None:
    before = _snapshot(root / "reports")
    process = _start_sleeping_report(root, tmp_path / "marks")
    pids = _started_pids(tmp_path / "marks")
    try:
        process.kill()
        process.communicate(timeout=20)  # EOF: nobody else holds the caller's pipes
        assert _all_gone(pids, within=5)
    finally:
        _kill_all(process, pids)
    assert _snapshot(root / "reports") == before
    # The dead run's staging folder is removed by the next run (its pid is gone).
    assert list(root.glob(".reports-staging-*"))
    with staged_directory(root / "reports", owned=lambda folder: set()) as staging:
        (staging / "x").write_text("x")
    assert not list(root.glob(".reports-staging-*"))


# -------------------------------------------------------------- 5. environment faults
def test_bad_source_date_epoch_is_one_line(root: Path) -> None:
    before = _snapshot(root / "data/processed")
    for value in ("yesterday", "1.5e9", "-1", "99999999999999999999"):
        done = subprocess.run(
            _command(root, "build", "--no-figures"),
            capture_output=True,
            text=True,
            env=_env(SOURCE_DATE_EPOCH=value),
            timeout=120,
        )
        assert done.returncode == 2, (value, done.stderr)
        assert "SOURCE_DATE_EPOCH: expected a whole number of seconds" in _one_line(done.stderr)
    assert _snapshot(root / "data/processed") == before


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_full_disk_or_read_only_folder(root: Path, monkeypatch, capsys, code, reason) -> None:
    """Simulated (no tmpfs mount in CI): the first write of a table fails."""
    import indicators.build.storage as storage

    before = _snapshot(root / "data/processed")
    real = storage.atomic_write_bytes

    def failing(path, data):
        if str(path).endswith("portrait.parquet"):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, data)

    monkeypatch.setattr(storage, "atomic_write_bytes", failing)
    capsys.readouterr()
    # --force: the inputs are unchanged, an up-to-date build would write nothing.
    assert main(["--root", str(root), "build", "--no-figures", "--force"]) == 4
    line = _one_line(capsys.readouterr().err)
    assert "portrait.parquet: " + reason in line and "previous outputs left as they were" in line
    assert _snapshot(root / "data/processed") == before
    assert not list((root / "data").glob(".processed-staging-*"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_unwritable_stdout_is_one_line(root: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            _command(root, "build", "--no-figures"),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            timeout=120,
        )
    assert done.returncode == 4, done.stderr
    assert _one_line(done.stderr) == (
        "indicators: error: cannot write the standard output: No space left on device"
    )
    assert (root / "data/processed/manifest.json").exists()


def test_closed_stdout_and_ascii_output(root: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "_", *_command(root, "build", "--no-figures")],
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    done = subprocess.run(
        _command(root, "build", "--no-figures"),
        capture_output=True,
        env=_env(PYTHONIOENCODING="ascii"),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    out = done.stdout.decode("ascii")  # transliterated: « é » → « e »
    assert "IPS des ecoles 2022-2023 : " in out and "etablissements" in out


def test_unwritable_home(root: Path, tmp_path: Path) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("HOME points to a file: nothing can be created under it\n")
    done = subprocess.run(
        _command(root, "report", "--jobs", "1"),
        capture_output=True,
        text=True,
        env=_env(HOME=str(home)),
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    noise = [
        line
        for line in done.stderr.replace("\r", "\n").splitlines()
        if line.strip() and not line.startswith("indicators report:")
    ]
    assert not noise, done.stderr


# ------------------------------------------------------------- 7. spreadsheet safety
def test_csv_cells_that_would_run_as_formulas_are_neutralised() -> None:
    frame = pd.DataFrame(
        {
            "texte": ['=HYPERLINK("http://x")', "+33 1", "-2+3", "@SUM(A1)", "\tx", "-12,5", "ok"],
            "nombre": [-1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    lines = table_to_csv_bytes(frame).decode("utf-8").splitlines()
    assert lines[1:] == [
        '"\'=HYPERLINK(""http://x"")",-1.5',
        "'+33 1,-2.0",
        "'-2+3,3.0",
        "'@SUM(A1),4.0",
        "'\tx,5.0",
        '"-12,5",6.0',
        "ok,7.0",
    ]


def test_xlsx_stores_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from indicators.build.xlsx import write_xlsx

    frame = pd.DataFrame({"texte": ["=1+1", "+1", "-1+1", "@x"], "nombre": [-1, 2, 3, 4]})
    write_xlsx({"portrait": frame}, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[-1]  # after the Lisez-moi sheet
    texts = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in texts] == [
        ("=1+1", "s"),
        ("+1", "s"),
        ("-1+1", "s"),
        ("@x", "s"),
    ]
    numbers = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert numbers == [-1, 2, 3, 4]


# --------------------------------------------------------------- 9. people's files
def test_peoples_files_kept_and_symlinked_folder_followed(root: Path, tmp_path: Path, capsys):
    processed = root / "data/processed"
    elsewhere = tmp_path / "partage" / "processed"
    shutil.move(processed, elsewhere)
    processed.symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "notes de Claire.txt").write_text("à relire\n", encoding="utf-8")
    (elsewhere / "exports" / "mon-tableau.ods").write_bytes(b"ods")
    (root / "reports" / "compte-rendu.docx").write_bytes(b"docx")
    capsys.readouterr()
    assert main(["--root", str(root), "build", "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert processed.is_symlink() and processed.resolve() == elsewhere.resolve()
    assert (elsewhere / "notes de Claire.txt").read_text(encoding="utf-8") == "à relire\n"
    assert (elsewhere / "exports" / "mon-tableau.ods").read_bytes() == b"ods"
    assert "notes de Claire.txt" in out and "exports/mon-tableau.ods" in out
    assert main(["--root", str(root), "report", "--jobs", "1"]) == 0
    assert (root / "reports" / "compte-rendu.docx").read_bytes() == b"docx"
    assert (root / "reports" / "test-a.html").exists()
