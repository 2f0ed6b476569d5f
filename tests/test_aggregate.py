"""Tests of indicators.analysis.aggregate: Filosofi grid cells aggregated to perimeters.

The main fixture is a 3 × 3 block of 200 m cells whose lower-left corner is the
EPSG:3035 point (X0, Y0). Values are chosen so that each membership rule gives sums
that are easy to derive by hand:

- centre cell (1, 1): 20 households, 40 persons, 8 poor households (40 %),
  standard of living 18 000 € per person, 10 social dwellings out of 25;
- edge cells (1, 0), (0, 1), (2, 1), (1, 2): 10 households, 20 persons, 2 poor (20 %),
  21 000 €, 2 social dwellings out of 12;
- corner cells: 4 households, 8 persons, 2 poor (50 %), 15 000 €, 0 social out of 5,
  imputed (i_est = 1).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from indicators.analysis.aggregate import LABELS_FR, OUTPUT_COLUMNS, aggregate_grid
from indicators.errors import InputError, ParameterError, SchemaError

X0, Y0 = 3_800_000, 2_900_000  # a lattice point of EPSG:3035 in northern France

CENTRE = {"men": 20.0, "ind": 40.0, "men_pauv": 8.0, "snv": 18_000.0, "log_soc": 10.0,
          "log_total": 25.0, "i_est": 0}  # fmt: skip
EDGE = {"men": 10.0, "ind": 20.0, "men_pauv": 2.0, "snv": 21_000.0, "log_soc": 2.0,
        "log_total": 12.0, "i_est": 0}  # fmt: skip
CORNER = {"men": 4.0, "ind": 8.0, "men_pauv": 2.0, "snv": 15_000.0, "log_soc": 0.0,
          "log_total": 5.0, "i_est": 1}  # fmt: skip


def make_cells(values: dict[tuple[int, int], dict]) -> pd.DataFrame:
    """Cell table in the reader's layout from {(column, row): values} around (X0, Y0)."""
    rows = []
    for (i, j), v in values.items():
        x, y = X0 + 200 * i, Y0 + 200 * j
        rows.append(
            {
                "idcar_200m": f"CRS3035RES200mN{y}E{x}",
                "x": x,
                "y": y,
                "i_est": v["i_est"],
                "ind": v["ind"],
                "men": v["men"],
                "men_pauv": v["men_pauv"],
                "ind_snv": v["ind"] * v["snv"],
                "log_soc": v["log_soc"],
                "log_total": v["log_total"],
            }
        )
    frame = pd.DataFrame(rows).astype({"x": "int64", "y": "int64", "i_est": "int8"})
    return frame.astype({"idcar_200m": "str"})


def block() -> pd.DataFrame:
    kinds = {}
    for i in range(3):
        for j in range(3):
            on_edge = (i == 1) + (j == 1)
            kinds[(i, j)] = CENTRE if on_edge == 2 else EDGE if on_edge == 1 else CORNER
    return make_cells(kinds)


def layer(shapes: dict[str, object], crs: str | None = "EPSG:3035") -> gpd.GeoDataFrame:
    """Perimeters given in metres relative to (X0, Y0)."""
    geoms = [shapely.affinity.translate(g, X0, Y0) for g in shapes.values()]
    return gpd.GeoDataFrame({"quartier_id": list(shapes)}, geometry=geoms, crs=crs)


def one(result: pd.DataFrame) -> pd.Series:
    assert len(result) == 1
    return result.iloc[0]


# ----------------------------------------------------------------------------- the 3 × 3 block
# Square [100, 500]²: cell centres sit at 100, 300, 500, i.e. eight of them on its boundary.


def test_centroid_takes_only_the_cells_whose_centre_is_strictly_inside():
    row = one(aggregate_grid(block(), layer({"q": box(100, 100, 500, 500)})))
    # Only the centre cell: the eight other centres lie on the boundary line.
    assert row["n_cells"] == 1
    assert (row["men"], row["ind"], row["men_pauv"]) == (20.0, 40.0, 8.0)
    assert row["part_menages_pauvres"] == pytest.approx(40.0)
    assert row["niveau_vie_moyen"] == pytest.approx(18_000.0)
    assert row["part_logements_sociaux"] == pytest.approx(40.0)
    assert row["part_ind_cellules_imputees"] == 0.0
    assert row["n_cells_pauv_gt_30"] == 1
    assert not row["secret"] and row["secret_reason"] == ""
    assert not row["incomplete"]


def test_intersects_takes_all_nine_cells():
    row = one(aggregate_grid(block(), layer({"q": box(100, 100, 500, 500)}), method="intersects"))
    assert row["method"] == "intersects"
    assert row["n_cells"] == 9
    men, ind, poor = 20 + 4 * 10 + 4 * 4, 40 + 4 * 20 + 4 * 8, 8 + 4 * 2 + 4 * 2
    assert (row["men"], row["ind"], row["men_pauv"]) == (men, ind, poor)  # 76, 152, 24
    assert row["part_menages_pauvres"] == pytest.approx(100 * 24 / 76)
    snv = 40 * 18_000 + 4 * 20 * 21_000 + 4 * 8 * 15_000
    assert row["niveau_vie_moyen"] == pytest.approx(snv / 152)
    assert row["part_logements_sociaux"] == pytest.approx(
        100 * (10 + 4 * 2) / (25 + 4 * 12 + 4 * 5)
    )
    assert row["part_ind_cellules_imputees"] == pytest.approx(100 * 32 / 152)
    assert row["n_cells_pauv_gt_30"] == 5  # centre (40 %) and the four corners (50 %)


def test_area_weights_are_quarter_half_and_one():
    row = one(aggregate_grid(block(), layer({"q": box(100, 100, 500, 500)}), method="area"))
    # Corners 100 m × 100 m inside (0.25), edges 200 × 100 (0.5), centre whole (1).
    assert row["n_cells"] == 9
    assert row["men"] == pytest.approx(20 + 4 * 10 * 0.5 + 4 * 4 * 0.25)  # 44
    assert row["ind"] == pytest.approx(40 + 4 * 20 * 0.5 + 4 * 8 * 0.25)  # 88
    assert row["men_pauv"] == pytest.approx(8 + 4 * 2 * 0.5 + 4 * 2 * 0.25)  # 14
    assert row["part_menages_pauvres"] == pytest.approx(100 * 14 / 44)
    snv = 40 * 18_000 + 0.5 * 4 * 20 * 21_000 + 0.25 * 4 * 8 * 15_000
    assert row["niveau_vie_moyen"] == pytest.approx(snv / 88)
    assert row["part_logements_sociaux"] == pytest.approx(100 * (10 + 4) / (25 + 24 + 5))
    assert row["part_ind_cellules_imputees"] == pytest.approx(100 * 8 / 88)
    assert row["n_cells_pauv_gt_30"] == 5  # cells with a positive weight, whole-cell shares


def test_square_offset_by_50_m_with_vertical_edges_inside_cells():
    # [50, 450]²: columns / rows are covered 0.75, 1, 0.25; four centres inside.
    shapes = {"q": box(50, 50, 450, 450)}
    centroid = one(aggregate_grid(block(), layer(shapes)))
    assert centroid["n_cells"] == 4
    assert centroid["men"] == 4 + 10 + 10 + 20
    area = one(aggregate_grid(block(), layer(shapes), method="area"))
    cover = [0.75, 1.0, 0.25]
    men = {(i, j): CENTRE if (i, j) == (1, 1) else EDGE if 1 in (i, j) else CORNER
           for i in range(3) for j in range(3)}  # fmt: skip
    expected = sum(cover[i] * cover[j] * men[(i, j)]["men"] for (i, j) in men)
    assert expected == 44.0
    assert area["men"] == pytest.approx(expected, rel=1e-12)


def test_perimeter_on_lattice_lines_does_not_take_touching_cells():
    shapes = {"q": box(0, 0, 400, 400)}
    for method in ("centroid", "intersects", "area"):
        row = one(aggregate_grid(block(), layer(shapes), method=method))
        assert row["n_cells"] == 4, method  # not the five cells that only touch it
        assert row["men"] == pytest.approx(4 + 10 + 10 + 20), method


def test_hole_and_multipolygon():
    ring = Polygon(box(0, 0, 600, 600).exterior, [box(200, 200, 400, 400).exterior.coords])
    two = MultiPolygon([box(0, 0, 200, 200), box(400, 400, 600, 600)])  # two corners
    shapes = {"ring": ring, "two": two}
    result = aggregate_grid(block(), layer(shapes), method="area", min_households=1)
    assert result["n_cells"].tolist() == [8, 2]
    assert result["men"].tolist() == pytest.approx([4 * 10 + 4 * 4, 2 * 4])


def test_perimeters_in_lambert_93_are_reprojected():
    in_3035 = layer({"q": box(50, 50, 450, 450)})
    in_2154 = in_3035.to_crs("EPSG:2154")
    for method in ("centroid", "area"):
        direct = one(aggregate_grid(block(), in_3035, method=method))
        projected = one(aggregate_grid(block(), in_2154, method=method))
        assert projected["n_cells"] == direct["n_cells"]
        assert projected["men"] == pytest.approx(direct["men"], rel=1e-9)


# ----------------------------------------------------------------------------- neighbours


def test_centroid_does_not_double_count_adjacent_perimeters():
    shapes = {"west": box(0, 0, 250, 600), "east": box(250, 0, 600, 600)}
    result = aggregate_grid(block(), layer(shapes))
    # West takes column 0 (centres at x = 100), east columns 1 and 2.
    assert result["men"].tolist() == [4 + 10 + 4, 10 + 20 + 10 + 4 + 10 + 4]
    assert result["men"].sum() == block()["men"].sum()  # 76, no cell counted twice
    area = aggregate_grid(block(), layer(shapes), method="area")
    assert area["men"].sum() == pytest.approx(76, rel=1e-12)
    intersects = aggregate_grid(block(), layer(shapes), method="intersects")
    assert intersects["men"].sum() == 76 + (10 + 20 + 10)  # column 1 counted by both


def test_centroid_on_a_shared_boundary_belongs_to_neither_side():
    # Documented rule: a centre exactly on the boundary line is not inside (x = 300).
    shapes = {"west": box(0, 0, 300, 600), "east": box(300, 0, 600, 600)}
    result = aggregate_grid(block(), layer(shapes))
    assert result["men"].tolist() == [18.0, 18.0]  # column 1 (40 households) is lost


def test_overlapping_perimeters_count_the_overlap_in_each():
    shapes = {"a": box(0, 0, 600, 400), "b": box(0, 200, 600, 600)}  # overlap: row 1
    result = aggregate_grid(block(), layer(shapes))
    assert result["men"].tolist() == [18 + 40, 40 + 18]
    assert result["men"].sum() > 76


# ----------------------------------------------------------------------------- secrecy


def assert_withheld(row: pd.Series) -> None:
    assert row["secret"]
    assert row["secret_reason"] == "moins de 11 ménages (secret statistique)"
    assert pd.isna(row["n_cells"]) and pd.isna(row["n_cells_pauv_gt_30"])
    for name in ("men", "ind", "men_pauv", "part_menages_pauvres", "niveau_vie_moyen",
                 "part_logements_sociaux", "part_ind_cellules_imputees"):  # fmt: skip
        assert np.isnan(row[name]), name


def test_fewer_than_11_households_is_secret_not_zero():
    row = one(aggregate_grid(block(), layer({"corner": box(0, 0, 200, 200)})))
    assert_withheld(row)  # 4 households


def test_exactly_11_households_is_published():
    cells = make_cells({(0, 0): {**EDGE, "men": 11.0}, (5, 5): {**EDGE, "men": 10.9}})
    result = aggregate_grid(
        cells, layer({"a": box(0, 0, 200, 200), "b": box(1000, 1000, 1200, 1200)})
    )
    assert result["secret"].tolist() == [False, True]
    assert result["men"].iloc[0] == 11.0
    assert_withheld(result.iloc[1])


def test_area_weighted_households_decide_secrecy():
    # Half of the centre cell: 20 × 0.5 = 10 weighted households < 11.
    row = one(aggregate_grid(block(), layer({"half": box(200, 200, 300, 400)}), method="area"))
    assert_withheld(row)


def test_perimeter_without_cells_is_secret():
    row = one(aggregate_grid(block(), layer({"far": box(5000, 5000, 6000, 6000)}), method="area"))
    assert_withheld(row)


def test_min_households_parameter():
    row = one(aggregate_grid(block(), layer({"c": box(0, 0, 200, 200)}), min_households=4))
    assert not row["secret"] and row["men"] == 4.0
    with pytest.raises(ParameterError):
        aggregate_grid(block(), layer({"c": box(0, 0, 200, 200)}), min_households=0)


# ----------------------------------------------------------------------------- missing values


def test_unknown_cell_value_makes_the_figure_missing_with_a_reason():
    cells = block()
    centre = (cells["x"] == X0 + 200) & (cells["y"] == Y0 + 200)
    cells.loc[centre, "log_total"] = np.nan
    row = one(aggregate_grid(cells, layer({"q": box(100, 100, 500, 500)}), method="intersects"))
    assert np.isnan(row["part_logements_sociaux"])
    assert row["incomplete"]
    assert row["incomplete_reason"] == (
        "part des logements sociaux (carroyage) : valeur inconnue dans au moins un carreau"
    )
    assert row["men"] == 76  # other figures unaffected


def test_unknown_households_propagate():
    cells = block()
    corner = (cells["x"] == X0) & (cells["y"] == Y0)
    cells.loc[corner, "men"] = np.nan
    row = one(aggregate_grid(cells, layer({"q": box(0, 0, 600, 600)}), method="centroid"))
    assert not row["secret"]  # the 72 known households are enough to publish
    for name in ("men", "part_menages_pauvres"):
        assert np.isnan(row[name]), name
    assert pd.isna(row["n_cells_pauv_gt_30"])
    assert row["ind"] == 152
    assert "part des ménages pauvres (carroyage)" in row["incomplete_reason"]


def test_cell_outside_every_perimeter_may_have_unknown_values():
    cells = make_cells({(0, 0): CENTRE, (9, 9): {**EDGE, "men": np.nan}})
    row = one(aggregate_grid(cells, layer({"q": box(0, 0, 200, 200)})))
    assert row["men"] == 20 and not row["incomplete"]


# ----------------------------------------------------------------------------- output


def test_output_layout_and_labels():
    shapes = {"QP062013": box(0, 0, 600, 600), "QP062014": box(0, 0, 200, 200)}
    result = aggregate_grid(block(), layer(shapes), method="area")
    assert list(result.columns) == ["quartier_id", *OUTPUT_COLUMNS]
    assert result["quartier_id"].tolist() == ["QP062013", "QP062014"]
    assert result["quartier_id"].dtype == "str"
    assert str(result["n_cells"].dtype) == "Int64"
    assert str(result["n_cells_pauv_gt_30"].dtype) == "Int64"
    assert result["secret"].dtype == bool
    assert LABELS_FR["part_menages_pauvres"] == "part des ménages pauvres (carroyage)"
    assert set(LABELS_FR) >= set(OUTPUT_COLUMNS) - {"method"}


def test_custom_id_column():
    perimeters = layer({"x": box(0, 0, 600, 600)}).rename(columns={"quartier_id": "code"})
    result = aggregate_grid(block(), perimeters, id_column="code")
    assert result.columns[0] == "code" and result["code"].tolist() == ["x"]


def test_results_do_not_depend_on_batching(monkeypatch):
    shapes = {"a": box(50, 50, 450, 450), "b": box(100, 0, 600, 333), "c": box(0, 0, 600, 600)}
    expected = aggregate_grid(block(), layer(shapes), method="area")
    monkeypatch.setattr(
        "indicators.analysis.grid_membership._BATCH_CELLS", 1
    )  # one perimeter per batch
    pd.testing.assert_frame_equal(aggregate_grid(block(), layer(shapes), method="area"), expected)


# ----------------------------------------------------------------------------- errors


def test_perimeters_without_crs():
    with pytest.raises(InputError, match="CRS"):
        aggregate_grid(block(), layer({"q": box(0, 0, 200, 200)}, crs=None))


def test_duplicated_perimeter_id():
    perimeters = layer({"q": box(0, 0, 200, 200)})
    perimeters = pd.concat([perimeters, perimeters], ignore_index=True)
    with pytest.raises(InputError, match=r"feature 1, column 'quartier_id'.*unique.*'q'"):
        aggregate_grid(block(), perimeters)


def test_missing_perimeter_id():
    perimeters = layer({"q": box(0, 0, 200, 200)})
    perimeters["quartier_id"] = pd.Series([None], dtype="str")
    with pytest.raises(InputError, match="feature 0"):
        aggregate_grid(block(), perimeters)


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (Polygon(), "a non-empty polygon"),
        (Point(0, 0), "a Polygon or MultiPolygon, found 'Point'"),
        (Polygon([(0, 0), (400, 400), (400, 0), (0, 400)]), "a valid polygon, found 'Self-inter"),
    ],
)
def test_bad_geometries(geometry, expected):
    perimeters = layer({"ok": box(0, 0, 200, 200), "bad": geometry})
    with pytest.raises(InputError, match=rf"feature 1, perimeter 'bad': expected {expected}"):
        aggregate_grid(block(), perimeters)


def test_missing_geometry():
    perimeters = layer({"ok": box(0, 0, 200, 200)})
    perimeters.loc[0, "geometry"] = None
    with pytest.raises(InputError, match="non-empty polygon"):
        aggregate_grid(block(), perimeters)


def test_cell_off_the_lattice():
    cells = block()
    cells.loc[4, "x"] = X0 + 250
    with pytest.raises(InputError, match=r"column 'x', row 5 \(cell 'CRS3035.*multiple of 200"):
        aggregate_grid(cells, layer({"q": box(0, 0, 600, 600)}))


def test_duplicated_cell():
    cells = block()
    cells = pd.concat([cells, cells.iloc[[4]]], ignore_index=True)
    with pytest.raises(InputError, match=r"row 10.*one row per cell"):
        aggregate_grid(cells, layer({"q": box(0, 0, 600, 600)}))


def test_missing_cell_column_and_wrong_type():
    with pytest.raises(SchemaError, match="log_total"):
        aggregate_grid(block().drop(columns="log_total"), layer({"q": box(0, 0, 200, 200)}))
    with pytest.raises(SchemaError, match="column 'x'"):
        aggregate_grid(block().astype({"x": "float64"}), layer({"q": box(0, 0, 200, 200)}))


def test_unknown_method():
    with pytest.raises(ParameterError, match="method"):
        aggregate_grid(block(), layer({"q": box(0, 0, 200, 200)}), method="nearest")


# ----------------------------------------------------------------------------- vs geopandas


def random_case(seed: int) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Seeded random cells on a 20 × 20 block and six irregular perimeters (EPSG:2154)."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(400, 250, replace=False)
    values = {}
    for k in chosen:
        men = float(rng.integers(1, 40))
        values[(int(k % 20), int(k // 20))] = {
            "men": men,
            "ind": men * 2.5,
            "men_pauv": float(rng.integers(0, men + 1)),
            "snv": float(rng.integers(12_000, 30_000)),
            "log_soc": float(rng.integers(0, 10)),
            "log_total": 10.0 + float(rng.integers(0, 10)),
            "i_est": int(rng.integers(0, 2)),
        }
    shapes = {}
    for k in range(6):
        n = int(rng.integers(5, 40))
        angle = np.sort(rng.uniform(0, 2 * np.pi, n))
        radius = rng.uniform(300, 900, n)
        cx, cy = rng.uniform(1000, 3000, 2)
        shapes[f"p{k}"] = Polygon(np.c_[cx + radius * np.cos(angle), cy + radius * np.sin(angle)])
    shapes["p0"] = Polygon(
        shapes["p0"].exterior,
        [Point(*shapes["p0"].centroid.coords[0]).buffer(150).exterior.coords[::-1]],
    )
    shapes["p1"] = MultiPolygon([box(-90, -90, 333.3, 210.7), box(3500.5, 3500.5, 3999.9, 3777.7)])
    perimeters = layer(shapes).to_crs("EPSG:2154")
    return make_cells(values), perimeters


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_geopandas_overlay_and_sjoin(seed):
    cells, perimeters = random_case(seed)
    zones = perimeters.to_crs("EPSG:3035")
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    squares = gpd.GeoDataFrame(cells, geometry=shapely.box(x, y, x + 200, y + 200), crs=3035)
    centres = gpd.GeoDataFrame(cells, geometry=shapely.points(x + 100, y + 100), crs=3035)

    pieces = gpd.overlay(squares, zones, how="intersection", keep_geom_type=True)
    pieces["w"] = pieces.area / 40_000
    expected = {
        "area": pieces.assign(men=pieces["men"] * pieces["w"], ind=pieces["ind"] * pieces["w"]),
        "intersects": gpd.sjoin(squares, zones, predicate="intersects"),
        "centroid": gpd.sjoin(centres, zones, predicate="within"),
    }
    for method, joined in expected.items():
        sums = joined.groupby("quartier_id")[["men", "ind"]].sum()
        sums = sums.reindex(perimeters["quartier_id"]).fillna(0.0)
        result = aggregate_grid(cells, perimeters, method=method, min_households=1e-9)
        np.testing.assert_allclose(result["men"], sums["men"], rtol=1e-9, atol=0, err_msg=method)
        np.testing.assert_allclose(result["ind"], sums["ind"], rtol=1e-9, atol=0, err_msg=method)
        counts = joined.groupby("quartier_id").size().reindex(perimeters["quartier_id"])
        assert result["n_cells"].tolist() == counts.fillna(0).astype(int).tolist(), method


# ----------------------------------------------------------------------------- property


@st.composite
def partitioned_grid(draw):
    """Random cells on a 6 × 6 block and a Voronoi partition of a region covering them."""
    present = draw(st.lists(st.booleans(), min_size=36, max_size=36))
    men = draw(st.lists(st.integers(1, 500), min_size=36, max_size=36))
    values = {
        (k % 6, k // 6): {**EDGE, "men": float(m)}
        for k, (keep, m) in enumerate(zip(present, men, strict=True))
        if keep
    }
    # Voronoi seeds at least 1 m apart (GEOS fails on nearly coincident seeds).
    coordinate = st.integers(-150, 1350).map(lambda v: v + 0.375)
    seeds = draw(st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=8, unique=True))
    margin = draw(st.floats(0.0, 300.0))
    return values, seeds, margin


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(partitioned_grid())
def test_area_weights_over_a_partition_add_up_to_the_total(case):
    values, seeds, margin = case
    if not values:
        return
    region = box(-margin, -margin, 1200 + margin, 1200 + margin)
    cells_ = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=region)
    pieces = [p for p in shapely.intersection(shapely.get_parts(cells_), region)
              if not p.is_empty and p.area > 0]  # fmt: skip
    perimeters = layer({f"v{k}": p for k, p in enumerate(pieces)})
    cells = make_cells(values)
    result = aggregate_grid(cells, perimeters, method="area", min_households=1e-9)
    assert np.nansum(result["men"]) == pytest.approx(cells["men"].sum(), rel=1e-9, abs=1e-8)
    centroid = aggregate_grid(cells, perimeters, method="centroid", min_households=1e-9)
    assert np.nansum(centroid["men"]) <= cells["men"].sum() + 1e-9  # never double counts


@st.composite
def snapped_polygon(draw):
    """A star-shaped polygon whose vertices lie on a 50 m grid: many of them fall on cell
    edges and many of its edges run along lattice lines (the degenerate cases)."""
    points = draw(
        st.lists(
            st.tuples(st.integers(-4, 28), st.integers(-4, 28)),
            min_size=3,
            max_size=12,
            unique=True,
        )
    )
    xy = np.array(points, dtype=float) * 50
    centre = xy.mean(axis=0)
    order = np.argsort(np.arctan2(xy[:, 1] - centre[1], xy[:, 0] - centre[0]))
    return Polygon(xy[order])


@settings(max_examples=80, deadline=None)
@given(snapped_polygon(), st.lists(st.integers(1, 1000), min_size=36, max_size=36))
def test_area_and_intersects_match_shapely_cell_by_cell(polygon, men):
    assume(polygon.is_valid and polygon.area > 0)
    cells = make_cells({(k % 6, k // 6): {**EDGE, "men": float(m)} for k, m in enumerate(men)})
    x, y = cells["x"].to_numpy(float) - X0, cells["y"].to_numpy(float) - Y0
    overlap = shapely.area(shapely.intersection(shapely.box(x, y, x + 200, y + 200), polygon))
    weight = overlap / 40_000
    perimeters = layer({"p": polygon})
    area = one(aggregate_grid(cells, perimeters, method="area", min_households=1e-9))
    intersects = one(aggregate_grid(cells, perimeters, method="intersects", min_households=1e-9))
    expected = float((weight * cells["men"]).sum())
    assert np.nan_to_num(area["men"]) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    taken = overlap > 1e-6
    assert np.nan_to_num(intersects["men"]) == float(cells["men"][taken].sum())
    if taken.any():
        assert area["n_cells"] == intersects["n_cells"] == int(taken.sum())
