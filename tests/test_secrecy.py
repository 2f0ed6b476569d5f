"""Statistical secrecy end to end: no figure from fewer than 11 households leaves the build.

A SYNTHETIC Filosofi grid (invented cells, written to ``carreaux_synthetiques.csv``) and
perimeters drawn on the 200 m lattice (``perimetres_synthetiques.gpkg``) are dropped
into a copy of the shipped ``data/raw``, over Divion (the cells sit around a point of Divion's real
boundary, EPSG:3035 INSPIRE ids). ``indicators build`` must then write ``grid_quartiers``
where a quartier with fewer than 11 households has every figure missing and
``secret=True`` — never 0 — in the CSV, the Parquet, the XLSX workbook and the GeoPackage.

Synthetic cells, worked out by hand (``men`` = households):

=====================  ===================  ===========================================
quartier               cells (men)          expected
=====================  ===================  ===========================================
cite-du-transvaal      2 × 2: 5, 4, 3, 2    14 households: shown (men_pauv 4 → 28,57 %)
cites-6-et-30          1: 11                11 households: shown by whole cells (the
                                            threshold itself); see below for « area »
cite-de-la-clarence    1 × 2: 6, 4          10 households: secret, every figure missing
=====================  ===================  ===========================================

The perimeters travel EPSG:3035 → Lambert-93 (the build's CRS) → EPSG:3035, so an edge
drawn exactly on the lattice comes back a fraction of a millimetre off: the area-weighted
households of ``cites-6-et-30`` are 10.99999…, under 11, and that row is secret too. It is
the conservative side of the rule; the test accepts it rather than hide it.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from indicators.analysis.aggregate import METHODS
from indicators.build.geopackage import read_geopackage
from indicators.build.tables import HEADERS_FR, SHEETS_FR
from indicators.build.xlsx import read_xlsx
from indicators.cli import main
from indicators.sources.communes import read_communes

from .conftest import RAW

COMMUNES = RAW / "communes_62_geojson" / "communes-62-pas-de-calais.geojson"
FIGURES = (
    "n_cells",
    "men",
    "ind",
    "men_pauv",
    "part_menages_pauvres",
    "niveau_vie_moyen",
    "part_logements_sociaux",
    "part_ind_cellules_imputees",
    "n_cells_pauv_gt_30",
)
HEADER = (
    "idcar_200m;i_est_200;ind;men;men_pauv;ind_snv;log_soc;"
    "log_av45;log_45_70;log_70_90;log_ap90;log_inc"
)
# (column offset, row offset) on the lattice from the origin cell, and the cell's values:
# ind, men, men_pauv, ind_snv, log_soc. Dwelling ages: log_av45 = men, the others 0.
CELLS = {
    "cite-du-transvaal": [
        ((0, 0), (12, 5, 2, 250_000, 1)),
        ((1, 0), (10, 4, 1, 200_000, 1)),
        ((0, 1), (8, 3, 1, 160_000, 0)),
        ((1, 1), (5, 2, 0, 100_000, 0)),
    ],
    "cites-6-et-30": [((0, 3), (25, 11, 3, 500_000, 4))],
    "cite-de-la-clarence": [((3, 0), (14, 6, 2, 280_000, 2)), ((4, 0), (9, 4, 1, 180_000, 1))],
}
SECRET = "cite-de-la-clarence"


def _origin() -> tuple[int, int]:
    """A lattice corner (EPSG:3035) inside Divion, from the real commune boundary."""
    communes = read_communes(COMMUNES)
    divion = communes.loc[communes["code"].eq("62270")].to_crs("EPSG:3035").geometry.iloc[0]
    point = divion.representative_point()
    return int(point.x // 200 * 200), int(point.y // 200 * 200)


def _write_inputs(raw: Path, x0: int, y0: int) -> None:
    lines = [HEADER]
    shapes = {}
    for quartier, cells in CELLS.items():
        squares = []
        for (dx, dy), (ind, men, pauv, snv, soc) in cells:
            x, y = x0 + 200 * dx, y0 + 200 * dy
            squares.append(box(x, y, x + 200, y + 200))
            lines.append(f"CRS3035RES200mN{y}E{x};0;{ind};{men};{pauv};{snv};{soc};{men};0;0;0;0")
        shapes[quartier] = gpd.GeoSeries(squares).union_all()
    (raw / "filosofi").mkdir(exist_ok=True)
    (raw / "filosofi" / "carreaux_synthetiques.csv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    (raw / "perimeters").mkdir(exist_ok=True)
    gpd.GeoDataFrame(
        {"quartier_id": list(shapes)}, geometry=list(shapes.values()), crs="EPSG:3035"
    ).to_file(raw / "perimeters" / "perimetres_synthetiques.gpkg", driver="GPKG")


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("secrecy") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    # The synthetic perimeters must be the quartiers' shapes: without the shipped
    # 2015 → 2024 correspondence, the shipped 2024 contours match no quartier.
    raw = root / "data" / "raw"
    (raw / "qpv" / "correspondance.csv").unlink()
    sums = raw / "SHA256SUMS"
    lines = sums.read_text().splitlines(keepends=True)
    sums.write_text("".join(x for x in lines if not x.rstrip().endswith("qpv/correspondance.csv")))
    x0, y0 = _origin()
    _write_inputs(root / "data" / "raw", x0, y0)
    assert main(["--root", str(root), "build", "--no-figures"]) == 0
    return root / "data" / "processed"


def test_synthetic_cells_lie_in_divion() -> None:
    communes = read_communes(COMMUNES)
    divion = communes.loc[communes["code"].eq("62270")].to_crs("EPSG:3035").geometry.iloc[0]
    x0, y0 = _origin()
    for cells in CELLS.values():
        for (dx, dy), _ in cells:
            centre = gpd.points_from_xy([x0 + 200 * dx + 100], [y0 + 200 * dy + 100])[0]
            assert divion.contains(centre)


def _rows(
    table: pd.DataFrame, quartier: str, column: str = "quartier_id", n: int = 1
) -> pd.DataFrame:
    """A quartier's rows: one in the published tables (one method per perimeter, issue
    11), ``len(METHODS)`` in the analyst table ``grid_quartiers_methods``."""
    rows = table[table[column].eq(quartier)]
    assert len(rows) == n
    return rows


def test_parquet_secret_quartier_has_no_figure(processed: Path) -> None:
    table = pd.read_parquet(processed / "grid_quartiers.parquet")
    secret = _rows(table, SECRET)
    assert secret["secret"].astype(bool).all()
    for column in FIGURES:
        assert secret[column].isna().all(), column
    assert secret["secret_reason"].str.len().gt(0).all()
    assert not _rows(table, "cite-du-transvaal")["secret"].astype(bool).any()
    assert table["method"].eq("centroid").all()  # the one method published
    methods = pd.read_parquet(processed / "grid_quartiers_methods.parquet")
    threshold = _rows(methods, "cites-6-et-30", n=len(METHODS)).set_index("method")["secret"]
    assert not threshold.astype(bool)["centroid"] and not threshold.astype(bool)["intersects"]
    # Not secret means at least 11 households, for every method.
    shown = table[~table["secret"].astype(bool)]
    assert (shown["men"] >= 11).all()


def test_parquet_shown_figures_worked_by_hand(processed: Path) -> None:
    table = pd.read_parquet(processed / "grid_quartiers.parquet")
    centroid = table[table["method"].eq("centroid")].set_index("quartier_id")
    transvaal = centroid.loc["cite-du-transvaal"]
    assert transvaal["n_cells"] == 4
    assert transvaal["men"] == 14  # 5 + 4 + 3 + 2
    assert transvaal["ind"] == 35  # 12 + 10 + 8 + 5
    assert transvaal["part_menages_pauvres"] == pytest.approx(100 * 4 / 14)
    assert transvaal["niveau_vie_moyen"] == pytest.approx(710_000 / 35)
    assert transvaal["part_logements_sociaux"] == pytest.approx(100 * 2 / 14)
    assert transvaal["part_ind_cellules_imputees"] == 0
    assert transvaal["n_cells_pauv_gt_30"] == 2  # 2/5 = 40 % and 1/3 = 33 %
    threshold = centroid.loc["cites-6-et-30"]
    assert threshold["men"] == 11 and not threshold["secret"]
    assert threshold["part_menages_pauvres"] == pytest.approx(100 * 3 / 11)
    # The perimeters follow cell edges: every method gives the same households (and no
    # difference between methods isolates anything: the analyst table keeps all three).
    methods = pd.read_parquet(processed / "grid_quartiers_methods.parquet")
    for method in METHODS:
        rows = methods[methods["method"].eq(method)].set_index("quartier_id")
        assert rows.loc["cite-du-transvaal", "men"] == pytest.approx(14)


def test_csv_secret_quartier_cells_are_empty_not_zero(processed: Path) -> None:
    with open(processed / "grid_quartiers.csv", encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    secret = [r for r in records if r["quartier_id"] == SECRET]
    assert len(secret) == 1
    for record in secret:
        assert record["secret"] == "True"
        for column in FIGURES:
            assert record[column] == "", (column, record[column])
    shown = [r for r in records if r["quartier_id"] == "cite-du-transvaal"]
    assert {r["men"] for r in shown} and all(float(r["men"]) > 0 for r in shown)


def test_xlsx_secret_quartier_cells_are_empty(processed: Path) -> None:
    sheets = read_xlsx(processed / "exports" / "indicators.xlsx")
    sheet = sheets[SHEETS_FR["grid_quartiers"]]
    column = HEADERS_FR.get("quartier_id", "quartier_id")
    secret = _rows(sheet, SECRET, column)
    assert secret[HEADERS_FR["secret"]].astype(bool).all()
    for name in FIGURES:
        values = secret[HEADERS_FR.get(name, name)]
        assert values.isna().all(), (name, values.tolist())
    shown = _rows(sheet, "cite-du-transvaal", column)
    assert np.allclose(shown[HEADERS_FR["men"]].astype(float), 14)


def test_geopackage_secret_quartier_has_no_figure(processed: Path) -> None:
    layers = read_geopackage(processed / "exports" / "indicators.gpkg")
    layer = layers["carroyage_quartiers"]
    assert layer.crs.to_epsg() == 2154
    secret = _rows(layer, SECRET)
    assert secret["secret"].astype(bool).all()
    for column in FIGURES:
        values = secret[column].tolist()
        assert all(v is None or (isinstance(v, float) and math.isnan(v)) for v in values), (
            column,
            values,
        )
    shown = _rows(layer, "cite-du-transvaal")
    assert np.allclose(shown["men"].astype(float), 14)


def test_no_export_shows_fewer_than_11_households(processed: Path) -> None:
    """Whatever the table, a household count in the exports is missing or at least 11."""
    for name, sheet in read_xlsx(processed / "exports" / "indicators.xlsx").items():
        header = HEADERS_FR["men"]
        if header in sheet.columns:
            values = pd.to_numeric(sheet[header], errors="coerce").dropna()
            assert (values >= 11).all(), name
    for name, layer in read_geopackage(processed / "exports" / "indicators.gpkg").items():
        if "men" in layer.columns:
            values = pd.to_numeric(layer["men"], errors="coerce").dropna()
            assert (values >= 11).all(), name
    table = pd.read_parquet(processed / "grid_quartiers.parquet")
    assert (table["men"].dropna() >= 11).all()


def test_check_secrecy_sits_beside_the_masking() -> None:
    """The check refuses what the masking would blank: 11 households pass, 10.5 do not."""
    from indicators.errors import InputError
    from indicators.secrecy import check_secrecy, mask_small_cells

    cells = pd.DataFrame({"men": [11.0, 10.5, np.nan], "men_pauv": [3.0, 2.0, 1.0]})
    with pytest.raises(InputError, match=r"column 'men', table 'grid', row 1: .*found '10.5'"):
        check_secrecy(cells, "grid")
    check_secrecy(mask_small_cells(cells), "grid")  # masked: nothing left to refuse
    check_secrecy(cells.drop(columns="men"), "grid")  # no household count shown
