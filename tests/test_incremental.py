"""The incremental build: unchanged exports are carried over, never stale, same bytes.

One cold build of a copy of the shipped project is shared by the tests; each test
then rebuilds it after one change and checks which exports were made again, from the
manifest's ``outputs`` (what each figure read) and the bytes on disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from indicators.build import incremental
from indicators.build.figure_export import write_figures
from indicators.build.figure_jobs import ReadTables
from indicators.build.pipeline import build, compute_tables, write_outputs
from indicators.build.up_to_date import build_key, current_build
from indicators.cli import main
from indicators.config import Paths
from indicators.errors import InputError
from indicators.figures import registry

SDE = "1720483200"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _outputs(paths: Paths) -> dict[str, dict]:
    manifest = json.loads((paths.processed / "manifest.json").read_text(encoding="utf-8"))
    return manifest["outputs"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """A cold build of the shipped project (SOURCE_DATE_EPOCH set) and its snapshot."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", SDE)
        root = tmp_path_factory.mktemp("incremental") / "project"
        shutil.copytree(RAW, root / "data" / "raw")
        paths = Paths.from_root(root)
        result = build(paths)
        assert result.reused == []  # nothing to carry over: data/processed was empty
        yield paths, _snapshot(paths.processed)


@pytest.fixture
def project(built, tmp_path: Path, monkeypatch):
    """A private copy of the built project (raw inputs and data/processed)."""
    paths, snapshot = built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SDE)
    root = tmp_path / "project"
    shutil.copytree(paths.root / "data", root / "data", symlinks=True)
    return Paths.from_root(root), snapshot


def test_unchanged_rebuild_carries_everything_over_with_the_same_bytes(project) -> None:
    paths, cold = project
    outputs = _outputs(paths)
    figures = [k for k in outputs if k.startswith("figures/") and not k.endswith(".json")]
    assert len(figures) == 19
    assert "figures/textes_alternatifs.json" in outputs  # the alt texts of the 19
    result = build(paths)
    assert result.up_to_date  # same raw files, same code, outputs intact: nothing to do
    assert sorted(result.reused) == sorted(outputs)  # nothing drawn or written again
    assert _snapshot(paths.processed) == cold
    assert len(result.tables["gaps"]) == len(pd.read_csv(paths.processed / "gaps.csv"))
    # --force makes every export again: the same bytes as the carried-over ones.
    assert main(["--root", str(paths.root), "build", "--force"]) == 0
    assert _snapshot(paths.processed) == cold


def test_a_changed_table_redraws_only_the_figures_that_read_it(project) -> None:
    paths, cold = project
    outputs = _outputs(paths)
    result = compute_tables(paths)
    series = result.tables["series"]
    ips = series["indicator_id"].str.contains("ips")
    assert ips.any()
    result.tables["series"] = series.assign(value=series["value"].where(~ips, series["value"] + 5))
    write_outputs(result, paths)
    remade = set(outputs) - set(result.reused)
    readers = {k for k, v in outputs.items() if "series" in v.get("tables", [])}
    # The one chart drawn from the series (the IPS trend), and the exports that hold
    # every table (workbook, GeoPackage, CSVs for Excel, the figures' alt texts); nothing else.
    assert readers == {"figures/ips_evolution"}
    every_table = {
        "indicators.xlsx",
        "indicators.gpkg",
        "csv_excel",
        "figures/textes_alternatifs.json",
    }
    assert remade == readers | every_table
    now = _snapshot(paths.processed)
    changed = {k for k in cold if now.get(k) != cold[k]}
    assert "exports/figures/ips_evolution.png" in changed
    assert "exports/figures/ips_evolution.svg" in changed
    assert not {k for k in changed if k.startswith("exports/figures/")} - {
        "exports/figures/ips_evolution.png",
        "exports/figures/ips_evolution.svg",
    }
    # And back: the original tables give the original bytes again.
    build(paths)
    assert _snapshot(paths.processed) == cold


def test_a_deleted_or_altered_figure_is_redrawn(project) -> None:
    paths, cold = project
    figures = paths.processed / "exports" / "figures"
    (figures / "carte_situation.png").unlink()
    svg = figures / "ecarts_quartiers.svg"
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"<!-- edited --></svg>"))
    result = build(paths)
    assert not result.up_to_date
    remade = set(_outputs(paths)) - set(result.reused)
    assert remade == {"figures/carte_situation", "figures/ecarts_quartiers"}
    assert _snapshot(paths.processed) == cold


def test_new_code_makes_every_export_again(project, monkeypatch) -> None:
    paths, cold = project
    monkeypatch.setattr(incremental, "code_version", lambda: "another version of the code")
    result = build(paths, figures=False)
    assert result.reused == []
    now = _snapshot(paths.processed)
    for name in ("exports/indicators.xlsx", "exports/indicators.gpkg", "gaps.csv"):
        assert now[name] == cold[name]


def test_a_figure_failing_in_a_worker_gives_its_own_error(project, monkeypatch, tmp_path) -> None:
    paths, _ = project
    tables = compute_tables(paths).tables
    spec = registry.FIGURES["ecarts_quartiers"]

    def broken(tables, territory, **params):
        raise InputError("a gaps table with a reference", path="gaps.csv", line=3)

    monkeypatch.setitem(registry.FIGURES, spec.name, dataclasses.replace(spec, draw=broken))
    with pytest.raises(InputError) as error:
        write_figures(tables, tmp_path / "figures", territory=paths.territory, jobs=2)
    assert str(error.value) == "gaps.csv, line 3: expected a gaps table with a reference"


def test_one_raw_byte_or_the_figures_flag_changes_the_build_key(project) -> None:
    paths, _ = project
    key = build_key(paths.raw, figures=True)
    assert build_key(paths.raw, figures=False) != key
    manifest = json.loads((paths.processed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_key"] == key
    convention = paths.raw / paths.territory.convention_file
    convention.chmod(0o644)
    convention.write_bytes(convention.read_bytes() + b" ")
    assert build_key(paths.raw, figures=True) != key


def test_read_tables_notes_every_table_looked_up() -> None:
    read = ReadTables({"a": 1, "b": 2})  # type: ignore[dict-item]
    assert read["a"] == 1 and read.get("zz") is None and "c" not in read
    assert read.read == {"a", "zz", "c"}
    list(read)
    assert read.read == {"a", "b", "c", "zz"}


@pytest.mark.parametrize(
    "manifest",
    [
        b"{not json",
        b"[]",
        b'{"build_key": 3, "outputs": []}',
        json.dumps(
            {
                "outputs": {"x": {"fingerprint": "f", "files": ["../../etc/passwd"]}},
                "exports": {"../../etc/passwd": "0"},
            }
        ).encode(),
    ],
)
def test_a_damaged_manifest_only_means_a_full_build(tmp_path: Path, manifest: bytes) -> None:
    """A manifest that is not JSON, not an object, or names files outside the exports is
    never trusted: nothing is carried over, nothing is up to date."""
    processed = tmp_path / "processed"
    (processed / "exports").mkdir(parents=True)
    (processed / "manifest.json").write_bytes(manifest)
    cache = incremental.ExportCache.for_build(processed, {}, None)
    assert cache.carry_over("x", "f", tmp_path / "staging") is None
    assert current_build(processed, "key") is None
    assert not (tmp_path / "staging").exists()
