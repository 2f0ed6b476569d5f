"""How the project root is found (like git), and the public ``indicators.load``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import indicators
from indicators.cli import main
from indicators.config import ROOT_ENV, Paths, find_root
from indicators.errors import ProjectNotFound

SRC = Path(indicators.__file__).resolve().parents[1]


def _project(folder: Path) -> Path:
    (folder / "data" / "raw").mkdir(parents=True)
    return folder.resolve()


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(ROOT_ENV, raising=False)
    return monkeypatch


def test_found_from_a_subfolder(tmp_path: Path, no_env: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "project")
    deep = root / "notebooks" / "drafts"
    deep.mkdir(parents=True)
    no_env.chdir(deep)
    assert find_root() == root
    assert Paths.from_root().root == root
    assert Paths.from_root("").root == root  # a notebook's empty ``root`` parameter
    assert find_root(cwd=root / "data") == root


def test_nearest_project_wins(tmp_path: Path, no_env: pytest.MonkeyPatch) -> None:
    outer = _project(tmp_path / "outer")
    inner = _project(outer / "copies" / "inner")
    no_env.chdir(inner / "data")
    assert find_root() == inner


def test_env_wins_over_cwd(tmp_path: Path, no_env: pytest.MonkeyPatch) -> None:
    here = _project(tmp_path / "here")
    there = _project(tmp_path / "there")
    no_env.chdir(here)
    no_env.setenv(ROOT_ENV, str(there))
    assert find_root() == there


def test_explicit_root_wins_over_env(tmp_path: Path, no_env: pytest.MonkeyPatch) -> None:
    given = _project(tmp_path / "given")
    no_env.setenv(ROOT_ENV, str(_project(tmp_path / "env")))
    assert find_root(given) == given
    assert Paths.from_root(str(given)).root == given


def test_cli_root_wins_over_env_and_cwd(tmp_path: Path, no_env: pytest.MonkeyPatch, capsys) -> None:
    # Projects without SHA256SUMS: the build stops at once, naming the root it used.
    given = _project(tmp_path / "given")
    env = _project(tmp_path / "env")
    no_env.chdir(_project(tmp_path / "cwd"))
    no_env.setenv(ROOT_ENV, str(env))
    assert main(["--root", str(given), "build", "--no-figures"]) == 2
    assert f"{given}/data/raw/SHA256SUMS" in capsys.readouterr().err
    assert main(["build", "--no-figures"]) == 2
    assert f"{env}/data/raw/SHA256SUMS" in capsys.readouterr().err


def test_outside_any_project(tmp_path: Path, no_env: pytest.MonkeyPatch) -> None:
    if any((folder / "data" / "raw").is_dir() for folder in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder lies inside a project")
    no_env.chdir(tmp_path)
    with pytest.raises(ProjectNotFound, match="no indicators project at or above"):
        find_root()
    environ = {k: v for k, v in os.environ.items() if k != ROOT_ENV}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), environ.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-m", "indicators.cli", "build"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert lines == [
        f"indicators: error: no indicators project at or above {tmp_path.resolve()} "
        "(a folder holding data/raw/); run from inside one, pass --root or set INDICATORS_ROOT"
    ]


def test_import_is_light() -> None:
    code = (
        "import sys, indicators, indicators.cli, indicators.config\n"
        "heavy = {'pandas', 'geopandas', 'matplotlib', 'papermill'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert callable(indicators.load)\n"
    )
    environ = dict(os.environ, PYTHONPATH=str(SRC))
    subprocess.run([sys.executable, "-c", code], env=environ, check=True)


def test_load_reads_the_processed_tables(project_root: Path, no_env: pytest.MonkeyPatch) -> None:
    from indicators.report.tables import Tables

    assert main(["--root", str(project_root), "build", "--no-figures"]) == 0
    tables = indicators.load(project_root)
    assert isinstance(tables, Tables)
    assert len(tables.ips_communes) > 0  # read on first use from the project's tables
    assert set(tables.quartiers["quartier_id"]) == {
        "coteau-stade-parc-cite-34",
        "cites-6-et-30",
        "cite-de-la-clarence",
        "cite-du-transvaal",
    }
    no_env.chdir(project_root / "notebooks")
    assert indicators.load().manifest == tables.manifest
