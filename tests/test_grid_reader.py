"""The Filosofi 200 m grid reader (aggregation is tested in test_aggregate.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import affinity

from indicators.errors import InputError
from indicators.sources.filosofi import (
    GRID_COLUMNS,
    GRID_CRS,
    cells_to_geodataframe,
    parse_inspire_id,
    read_filosofi_grid,
)

FIX = Path(__file__).resolve().parent / "fixtures" / "opendata"
CSV_2019 = FIX / "filosofi_2019.csv"
CSV_2015 = FIX / "filosofi_2015.csv"

# Worked out by hand from filosofi_2019.csv (log_total = log_av45 + … + log_inc).
EXPECTED_2019 = pd.DataFrame(
    {
        "idcar_200m": [
            "CRS3035RES200mN3000000E3800000",
            "CRS3035RES200mN3000000E3800200",
            "CRS3035RES200mN3000200E3800000",
        ],
        "x": np.array([3_800_000, 3_800_200, 3_800_000], dtype="int64"),
        "y": np.array([3_000_000, 3_000_000, 3_000_200], dtype="int64"),
        "i_est": np.array([0, 1, 0], dtype="int8"),
        "ind": [12.5, 30.0, 8.0],
        "men": [5.0, 11.0, 4.0],
        "men_pauv": [2.0, 4.5, 0.0],
        "ind_snv": [250_000.0, 600_000.0, 180_000.0],
        "log_soc": [1.0, 6.0, 0.0],
        "log_total": [1 + 2 + 1 + 1 + 0.0, 0 + 4 + 3 + 3.5 + 0.5, 4 + 0 + 0 + 0 + 0.0],
    }
)


def test_csv_2019_lower_case():
    grid = read_filosofi_grid(CSV_2019)
    assert tuple(grid.columns) == GRID_COLUMNS
    pd.testing.assert_frame_equal(grid, EXPECTED_2019, check_dtype=True)


def test_csv_2015_capitalised_with_decimal_comma_and_no_dwelling_ages():
    grid = read_filosofi_grid(CSV_2015)
    assert tuple(grid.columns) == GRID_COLUMNS
    assert grid["ind"].tolist() == [12.5, 30.0]
    assert grid["ind_snv"].tolist() == [250_000.5, 600_000.0]  # "250 000,5"
    assert grid["i_est"].tolist() == [0, 1]
    assert grid["log_total"].isna().all()


def _gpkg(tmp_path: Path, frame: gpd.GeoDataFrame, name: str = "grid.gpkg") -> Path:
    path = tmp_path / name
    frame.to_file(path, driver="GPKG")
    return path


def _official_like(grid: pd.DataFrame) -> gpd.GeoDataFrame:
    """The CSV's cells as a GeoPackage with the 2019 column names (geometry from the ids)."""
    cells = cells_to_geodataframe(grid)
    frame = pd.read_csv(CSV_2019, sep=";", dtype=str)
    for column in frame.columns:
        if column != "idcar_200m" and column != "idcar_1km" and column != "idcar_nat":
            frame[column] = frame[column].astype(float)
    return gpd.GeoDataFrame(frame, geometry=cells.geometry.to_numpy(), crs=GRID_CRS)


def test_geopackage_gives_the_same_table(tmp_path):
    frame = _official_like(EXPECTED_2019)
    pd.testing.assert_frame_equal(read_filosofi_grid(_gpkg(tmp_path, frame)), EXPECTED_2019)
    # Same cells stored in Lambert-93: the ids still rule, geometry is only checked.
    lambert = frame.to_crs("EPSG:2154")
    pd.testing.assert_frame_equal(
        read_filosofi_grid(_gpkg(tmp_path, lambert, "l.gpkg")), EXPECTED_2019
    )


def test_geopackage_cell_not_where_its_id_says(tmp_path):
    frame = _official_like(EXPECTED_2019)
    frame.loc[2, "geometry"] = affinity.translate(frame.geometry.iloc[2], xoff=400)
    with pytest.raises(InputError, match=r"feature 2.*inside the cell named by its id"):
        read_filosofi_grid(_gpkg(tmp_path, frame))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_geopackage_without_crs(tmp_path):
    frame = _official_like(EXPECTED_2019).set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="declared CRS"):
        read_filosofi_grid(_gpkg(tmp_path, frame))


# ------------------------------------------------------------------------ INSPIRE ids
def test_parse_inspire_id():
    x, y, res = parse_inspire_id(
        ["CRS3035RES200mN2029800E4254200", "CRS3035RES1000mN3000000E3800000"]
    )
    assert x.tolist() == [4_254_200, 3_800_000]
    assert y.tolist() == [2_029_800, 3_000_000]
    assert res.tolist() == [200, 1000]
    assert x.dtype == np.int64


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        ("CRS3035RES200mN3000000", "INSPIRE cell id"),
        ("CRS2154RES200mN3000000E3800000", "EPSG:3035"),
        ("CRS3035RES200mN3000050E3800000", "multiple of the cell size"),
    ],
)
def test_malformed_ids(bad, pattern):
    with pytest.raises(InputError, match=pattern):
        parse_inspire_id(["CRS3035RES200mN3000000E3800000", bad])


def _variant(tmp_path: Path, old: str, new: str, source: Path = CSV_2019) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "CRS3035RES200mN3000200E3800000;0",
            "CRS3035RES200mN3000200;0",
            r"line 4, column 'idcar_200m': expected an INSPIRE cell id",
        ),
        (
            "CRS3035RES200mN3000200E3800000;0",
            "CRS3035RES200mN3000000E3800200;0",
            r"line 4, column 'idcar_200m': expected each idcar_200m once \(already on line 3\)",
        ),
        (
            "CRS3035RES200mN3000200E3800000;0",
            "CRS3035RES1000mN3000000E3801000;0",
            r"line 4, column 'idcar_200m': expected a 200 m cell",
        ),
        ("E3800200;1;", "E3800200;2;", r"line 3, column 'i_est_200': expected 0 or 1"),
        (";12.5;", ";x;", r"line 2, column 'ind'.*found 'x'"),
        (";men_pauv;", ";men_pauvres;", r"line 1: expected a column 'men_pauv'"),
    ],
)
def test_bad_grid_inputs(tmp_path, old, new, pattern):
    with pytest.raises(InputError, match=pattern):
        read_filosofi_grid(_variant(tmp_path, old, new))


def test_secrecy_marker_gives_missing_not_zero(tmp_path):
    grid = read_filosofi_grid(_variant(tmp_path, ";4.5;", ";nd;"))
    assert np.isnan(grid["men_pauv"].iloc[1])


def test_cells_to_geodataframe():
    cells = cells_to_geodataframe(EXPECTED_2019)
    assert cells.crs == GRID_CRS
    assert cells.area.tolist() == [40_000.0] * 3
    assert cells.geometry.iloc[1].bounds == (3_800_200.0, 3_000_000.0, 3_800_400.0, 3_000_200.0)
    assert cells["idcar_200m"].tolist() == EXPECTED_2019["idcar_200m"].tolist()
