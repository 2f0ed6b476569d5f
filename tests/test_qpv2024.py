"""Issue 11: the shipped 2024 QPV contours, their repairs, the grid estimates and secrecy.

Expected values are recomputed here from the raw files with plain geopandas / pandas, or
worked out by hand for the synthetic cells (labelled synthetic).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from indicators.analysis.grid_estimates import grid_estimates
from indicators.analysis.qpv_repairs import repair_contours, select_territory
from indicators.errors import InputError
from indicators.secrecy import differencing_risks
from indicators.sources.qpv import read_qpv_contours

from .conftest import RAW

QPV = RAW / "qpv_contours_2024" / "qpv2024_simplified.geojson"
GRID = RAW / "filosofi_grid_2021_divion" / "filosofi2021_200m_divion_area.csv"


@pytest.fixture(scope="module")
def national() -> gpd.GeoDataFrame:
    return read_qpv_contours(QPV)


def test_national_layer_read_as_received(national) -> None:
    plain = gpd.read_file(QPV)
    assert len(national) == len(plain) == 1609
    assert (national["invalid_reason"] != "").sum() == (~plain.is_valid).sum() == 85
    row = national.set_index("code_qp").loc["QN06213M"]
    assert row["insee_com"] == ["62178", "62270"]
    assert row["invalid_reason"].startswith("Self-intersection")


def test_epci_selection_and_repair(national) -> None:
    plain = gpd.read_file(QPV)
    expected = sorted(plain.loc[plain["siren_epci"].str.contains("200072460"), "code_qp"])
    selected = select_territory(national, "200072460")
    assert sorted(selected["code_qp"]) == expected and len(expected) == 16
    fixed, repairs = repair_contours(selected)
    assert fixed.geometry.is_valid.all()
    invalid = plain[plain["code_qp"].isin(expected) & ~plain.is_valid]
    assert repairs["code_qp"].tolist() == sorted(invalid["code_qp"]) == ["QN06213M"]
    before = invalid.to_crs(2154).geometry.area.iloc[0] / 1e4
    after = shapely.make_valid(invalid.to_crs(2154).geometry.iloc[0]).area / 1e4
    assert repairs["area_before_ha"].iloc[0] == pytest.approx(before)
    assert repairs["area_after_ha"].iloc[0] == pytest.approx(after)
    assert repairs["area_after_ha"].iloc[0] == pytest.approx(47.1, abs=0.05)  # PROVENANCE


def test_repair_beyond_tolerance_is_refused(national) -> None:
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])  # area 0 as drawn
    layer = national.iloc[[726]].copy().set_geometry([bowtie]).set_crs(2154, allow_override=True)
    with pytest.raises(InputError, match=r"feature 726, column 'geometry'.*QN06213M"):
        repair_contours(layer)


# -- secrecy against subtraction (synthetic cells) ---------------------------------------
def _cells(men: list[float]) -> pd.DataFrame:
    """Synthetic: a row of 200 m cells along x, from x = 3 800 000, y = 2 900 000."""
    n = len(men)
    x = 3_800_000 + 200 * np.arange(n)
    return pd.DataFrame(
        {
            "idcar_200m": [f"CRS3035RES200mN2900000E{v}" for v in x],
            "x": x,
            "y": np.full(n, 2_900_000),
            "i_est": pd.array([0] * n, dtype="int8"),
            "ind": 2.0 * np.array(men),
            "men": np.array(men, dtype=float),
            "men_pauv": 0.25 * np.array(men),
            "ind_snv": 40_000.0 * np.array(men),
            "log_soc": 0.5 * np.array(men),
            "log_total": np.array(men, dtype=float),
        }
    )


def test_four_household_strip_is_not_recoverable() -> None:
    # Synthetic: 40 and 25 households, then a strip of 4. The perimeter holds the
    # centres of the first two cells and grazes the third (not its centre).
    cells = _cells([40, 25, 4])
    shape = gpd.GeoDataFrame(
        {"quartier_id": ["q"]},
        geometry=[box(3_800_000, 2_900_000, 3_800_450, 2_900_200)],
        crs="EPSG:3035",
    )
    published, methods, notes = grid_estimates(cells, shape)
    # Published: the default method only, 40 + 25 = 65 households.
    assert published["method"].tolist() == ["centroid"]
    assert published["men"].tolist() == [65.0]
    by_method = methods.set_index("method")
    # « intersects » would be 69 = 65 + 4; « area » 65 + 4 × 50/200 = 66: both isolate the
    # strip's 4 households by difference with the centroid figure: withheld.
    for method in ("intersects", "area"):
        assert bool(by_method.loc[method, "secret"])
        assert np.isnan(by_method.loc[method, "men"])
        assert "4 ménage" in by_method.loc[method, "secret_reason"]
    assert len(notes) == 2


def test_perimeter_minus_its_published_cells() -> None:
    # Synthetic: the perimeter holds the centres of all three cells; the 4-household cell
    # is secret, so 69 − 40 − 25 would give it: the aggregate is withheld.
    men = np.array([40.0, 25.0, 4.0])
    figures = {"q": (np.array([0, 1, 2]), np.ones(3))}
    assert list(differencing_risks(figures, men, men >= 11)) == ["q"]
    # Two secret cells of 6 households each: 12 households by difference, publishable.
    men = np.array([40.0, 6.0, 6.0])
    assert differencing_risks(figures, men, men >= 11) == {}


def test_grid_estimates_on_the_shipped_data(national) -> None:
    fixed, _ = repair_contours(select_territory(national, "200072460"))
    shapes = fixed[fixed["code_qp"].isin(["QN06213M", "QN06214M"])].rename(
        columns={"code_qp": "quartier_id"}
    )[["quartier_id", "geometry"]]
    cells = pd.read_csv(GRID, sep=";")
    parts = cells["idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(int)
    centres = gpd.GeoSeries(
        gpd.points_from_xy(parts[1] + 100, parts[0] + 100), crs="EPSG:3035"
    ).to_crs(2154)
    from indicators.sources.filosofi import read_filosofi_grid

    published, _, _ = grid_estimates(read_filosofi_grid(GRID), shapes)
    for quartier in ("QN06213M", "QN06214M"):
        geom = shapes.set_index("quartier_id").geometry[quartier]
        inside = cells[centres.within(geom).to_numpy()]
        row = published.set_index("quartier_id").loc[quartier]
        assert row["men"] == pytest.approx(inside["men"].sum())
        assert row["ind"] == pytest.approx(inside["ind"].sum())
        assert row["part_menages_pauvres"] == pytest.approx(
            100 * inside["men_pauv"].sum() / inside["men"].sum()
        )
        assert row["niveau_vie_moyen"] == pytest.approx(
            inside["ind_snv"].sum() / inside["ind"].sum()
        )
