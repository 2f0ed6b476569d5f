"""The build: tables written atomically, reproducibly, with a manifest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from indicators.build.pipeline import build
from indicators.cli import main
from indicators.config import Paths
from indicators.errors import InputError

TABLES = ("quartiers", "portrait", "objectives", "gaps")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_build_writes_tables_and_manifest(project_root: Path) -> None:
    paths = Paths.from_root(project_root)
    result = build(paths)
    for name in TABLES:
        assert (paths.processed / f"{name}.csv").exists()
        back = pd.read_parquet(paths.processed / f"{name}.parquet")
        assert len(back) == len(result.tables[name])
    assert (paths.processed / "README.md").exists()  # the folder's README survives the swap
    gaps = pd.read_csv(paths.processed / "gaps.csv")
    row = gaps[(gaps.quartier_id == "cites-6-et-30") & (gaps.indicator_id == "poverty_rate")]
    assert row["gap"].item() == pytest.approx(32.1)
    manifest = json.loads((paths.processed / "manifest.json").read_text(encoding="utf-8"))
    raw = {item["path"]: item["sha256"] for item in manifest["raw_inputs"]}
    assert raw["convention/convention-divion-2024.txt"] == (
        "90d79fa9f24a5c45e699f95389a65cee1a10f193d8006cb083ea9cb7f8274c54"
    )
    assert manifest["tables"]["portrait"]["rows"] == 23
    assert manifest["version"]
    assert {"indicators.gpkg", "indicators.xlsx"} <= set(manifest["exports"])
    assert "figures/ecarts_cites-6-et-30.png" in manifest["exports"]
    assert "figures/ecarts_quartiers.svg" in manifest["exports"]
    # Open-data tables come from the same build.
    assert manifest["tables"]["communes"]["rows"] == 100
    assert len(raw) == len([p for p in paths.raw.rglob("*") if p.is_file()])
    _check_exports_for_people(paths.processed, manifest)


def _check_exports_for_people(processed: Path, manifest: dict) -> None:
    """The exports keep their caveats, open in French Excel, and are listed."""
    import xml.etree.ElementTree as ET

    import openpyxl

    from indicators.figures.caveats import ips_reference_caveat

    exports = processed / "exports"
    assert "csv_excel/gaps.csv" in manifest["exports"]
    assert (exports / "csv_excel" / "gaps.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert openpyxl.load_workbook(exports / "indicators.xlsx").sheetnames[0] == "Lisez-moi"
    import pyogrio

    for layer, _ in pyogrio.list_layers(exports / "indicators.gpkg"):  # opens in QGIS
        info = pyogrio.read_info(exports / "indicators.gpkg", layer=layer)
        assert info["crs"] == "EPSG:2154", layer
        assert max(len(f) for f in info["fields"]) <= 63, layer
    # The exported gap chart carries the warning on the convention's IPS reference: the
    # convention's 104 (line 123) against the DEPP means of the agglomeration's schools.
    checks = pd.read_csv(processed / "checks.csv")
    agglomeration = checks[checks["quartier_id"].isna() & checks["status"].eq("écart")]
    low, high = agglomeration["open_data_value"].min(), agglomeration["open_data_value"].max()
    assert (round(low, 1), round(high, 1)) == (93.3, 93.8)
    svg = ET.parse(exports / "figures" / "ecarts_cites-6-et-30.svg").getroot()
    texts = [e.text for e in svg.iter("{http://www.w3.org/2000/svg}text") if e.text]
    assert len(texts) > 20  # text stays text (editable), not outlines
    shown = " ".join(texts)
    assert "(104)" in shown and "93,3 à 93,8 selon la rentrée" in shown
    assert ips_reference_caveat(checks) in shown


def test_two_builds_are_byte_identical(project_root: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1720483200")  # 2024-07-09, the signature
    paths = Paths.from_root(project_root)
    build(paths)
    first = _snapshot(paths.processed)
    build(paths)
    assert _snapshot(paths.processed) == first
    assert json.loads(first["manifest.json"])["built_at"] == "2024-07-09T00:00:00+00:00"
    assert "exports/indicators.gpkg" in first and "exports/indicators.xlsx" in first
    assert "exports/figures/carte_situation.png" in first


def test_failed_build_leaves_previous_outputs(project_root: Path, capsys) -> None:
    paths = Paths.from_root(project_root)
    build(paths, figures=False)
    before = _snapshot(paths.processed)
    convention = paths.convention
    convention.chmod(0o644)
    text = convention.read_text(encoding="utf-8")
    convention.write_text(text.replace("Taux de pauvreté : 38 %", "Taux de pauvreté : 138 %"))
    # The raw manifest notices the edit first: a changed raw file is reported, not used.
    assert main(["--root", str(project_root), "build", "--no-figures"]) == 2
    err = capsys.readouterr().err.strip()
    assert "convention/convention-divion-2024.txt" in err and "SHA256SUMS" in err
    assert _snapshot(paths.processed) == before
    # Once the change is acknowledged in SHA256SUMS, the parser reports the bad line.
    sums = paths.raw / "SHA256SUMS"
    sums.chmod(0o644)
    from indicators.hashing import sha256_file

    lines = [
        f"{sha256_file(convention)}  convention/convention-divion-2024.txt"
        if line.endswith("convention/convention-divion-2024.txt")
        else line
        for line in sums.read_text(encoding="utf-8").splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--root", str(project_root), "build", "--no-figures"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "convention-divion-2024.txt, line 119" in err[0]
    assert "between 0 and 100" in err[0]
    assert "Traceback" not in err[0]
    assert _snapshot(paths.processed) == before
    with pytest.raises(InputError):
        main(["--root", str(project_root), "--debug", "build"])


def test_killed_build_leaves_previous_outputs(project_root: Path) -> None:
    """Kill a build while it writes: the previous data/processed stays whole."""
    paths = Paths.from_root(project_root)
    build(paths, figures=False)
    before = _snapshot(paths.processed)
    # A child process builds (--force: the inputs are unchanged) and stops itself (SIGKILL)
    # right after its first file lands in the staging folder, before the swap.
    script = f"""
import os, signal
import indicators.build.storage as io
from indicators.config import Paths
from indicators.build.pipeline import build
real = io.atomic_write_bytes
def dying(path, data):
    real(path, data)
    os.kill(os.getpid(), signal.SIGKILL)
io.atomic_write_bytes = dying
import indicators.build.pipeline as pipeline
pipeline.atomic_write_bytes = dying
build(Paths.from_root({str(project_root)!r}), figures=False, force=True)
"""
    completed = subprocess.run([sys.executable, "-c", script], check=False)
    assert completed.returncode == -signal.SIGKILL
    assert _snapshot(paths.processed) == before
    leftovers = [p.name for p in paths.processed.parent.iterdir() if p.name.startswith(".")]
    assert leftovers  # the dead run's staging folder...
    build(paths, figures=False)  # ...is cleaned by the next run
    assert not [p for p in paths.processed.parent.iterdir() if p.name.startswith(".")]


def test_raw_files_are_not_written(project_root: Path) -> None:
    paths = Paths.from_root(project_root)
    stamps = {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in paths.raw.rglob("*") if p.is_file()
    }
    build(paths, figures=False)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in paths.raw.rglob("*") if p.is_file()}
    assert after == stamps
    assert os.access(paths.raw, os.R_OK)


# --- the registry of processed tables --------------------------------------------------


def test_every_schema_has_a_registry_entry() -> None:
    import pandera.pandas as pa

    from indicators.build import schemas
    from indicators.build.tables import BY_NAME

    declared = [v for v in vars(schemas).values() if isinstance(v, pa.DataFrameSchema)]
    assert declared
    for schema in declared:
        assert BY_NAME[schema.name].schema is schema


def test_registry_is_consistent() -> None:
    from indicators.build.tables import SHEETS_FR, TABLES, WORKBOOK_TABLES

    names = [t.name for t in TABLES]
    assert len(names) == len(set(names))
    sheets = [t.sheet.lower() for t in TABLES]
    assert len(sheets) == len(set(sheets))
    assert all(len(t.sheet) <= 31 for t in TABLES)
    # Workbook sheets come first, in sheet order.
    assert names[: len(WORKBOOK_TABLES)] == list(WORKBOOK_TABLES)
    assert set(SHEETS_FR) == set(names)


def test_every_built_table_is_registered_with_french_headers(project_root: Path) -> None:
    import geopandas as gpd

    from indicators.build.opendata import NOTE_COLUMNS
    from indicators.build.tables import BY_NAME, HEADERS_FR, TABLES

    paths = Paths.from_root(project_root)
    result = build(paths, figures=False)
    assert set(result.tables) <= {t.name for t in TABLES if t.written}
    assert {t.name for t in TABLES if t.required and t.written} <= set(result.tables)
    manifest = json.loads((paths.processed / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["tables"]) == set(result.tables)
    for name, table in result.tables.items():
        assert BY_NAME[name].layer == isinstance(table, gpd.GeoDataFrame), name
        columns = [c for c in table.columns if c != "geometry"]
        missing = [c for c in columns if c not in HEADERS_FR]
        assert missing == [], name
    assert all(c in HEADERS_FR for c in NOTE_COLUMNS)
