"""Communes, EPCI membership, QPV contours, perimeters, and quartier shapes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from indicators.errors import InputError
from indicators.sources.communes import communes_of_epci, read_communes, read_epci_members
from indicators.sources.perimeters import quartier_shapes, read_perimeters
from indicators.sources.qpv import read_qpv_contours
from indicators.sources.vectorfiles import LAMBERT93, read_layer

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
FIX = Path(__file__).resolve().parent / "fixtures" / "opendata"
REAL_COMMUNES = RAW / "communes_62_geojson" / "communes-62-pas-de-calais.geojson"
REAL_MEMBERS = RAW / "cabbalr_epci_members" / "cabbalr_communes_2026.csv"
QUARTIERS = {
    "coteau-stade-parc-cite-34": "QP062013",
    "cites-6-et-30": "QP062014",
    "cite-de-la-clarence": None,
    "cite-du-transvaal": None,
}


def _geojson(tmp_path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "layer.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _square(x: float, y: float, size: float, **properties) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# ------------------------------------------------------------------------ CRS rules
def test_geojson_without_crs_member_is_wgs84_by_rfc7946():
    communes = read_communes(FIX / "communes.geojson")
    assert communes.crs == LAMBERT93
    assert communes["code"].tolist() == ["62270", "62178", "62194", "62001"]
    # A 0.01° square at 50.47°N is about 710 m × 1,110 m.
    assert communes.area.iloc[0] == pytest.approx(0.01 * 71_000 * 0.01 * 111_200, rel=0.03)
    x, y = communes.geometry.iloc[0].centroid.coords[0]
    assert 640_000 < x < 680_000 and 7_020_000 < y < 7_060_000  # Lambert-93, near Divion


def test_geojson_declaring_lambert93_is_not_reprojected_twice(tmp_path):
    path = _geojson(
        tmp_path,
        [_square(660_000, 7_040_000, 1, code="62270", nom="Divion")],
        crs="urn:ogc:def:crs:EPSG::2154",
    )
    communes = read_communes(path)
    assert communes.geometry.iloc[0].equals(box(660_000, 7_040_000, 660_001, 7_040_001))


def test_projected_coordinates_without_crs_member_are_refused(tmp_path):
    path = _geojson(tmp_path, [_square(660_000, 7_040_000, 1, code="62270", nom="Divion")])
    with pytest.raises(InputError, match=r"feature 0.*RFC 7946.*declare"):
        read_communes(path)


def test_shapefile_without_prj_is_refused(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["62270"], "nom": ["Divion"]}, geometry=[box(0, 0, 1, 1)], crs=LAMBERT93
    )
    path = tmp_path / "communes.shp"
    frame.to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"communes\.shp: .*coordinate reference system"):
        read_communes(path)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_geopackage_without_srs_is_refused(tmp_path):
    frame = gpd.GeoDataFrame(
        {"quartier_id": ["cite-du-transvaal"]}, geometry=[box(0, 0, 1, 1)], crs=None
    )
    path = tmp_path / "p.gpkg"
    frame.to_file(path)
    with pytest.raises(InputError, match="coordinate reference system"):
        read_perimeters(path)


# ------------------------------------------------------------------- geometry rules
def test_invalid_polygon_names_the_feature(tmp_path):
    bowtie = {
        "type": "Feature",
        "properties": {"code": "62178", "nom": "B"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[2.5, 50.4], [2.6, 50.5], [2.6, 50.4], [2.5, 50.5], [2.5, 50.4]]],
        },
    }
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, code="62270", nom="A"), bowtie])
    with pytest.raises(InputError, match=r"feature 1: expected a valid polygon.*Self-intersection"):
        read_communes(path)


def test_missing_geometry_and_points_are_refused(tmp_path):
    empty = {"type": "Feature", "properties": {"code": "62178", "nom": "B"}, "geometry": None}
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, code="62270", nom="A"), empty])
    with pytest.raises(InputError, match="feature 1: expected a non-empty geometry"):
        read_communes(path)
    point = {
        "type": "Feature",
        "properties": {"code": "62178", "nom": "B"},
        "geometry": {"type": "Point", "coordinates": [2.5, 50.4]},
    }
    path = _geojson(tmp_path, [point])
    with pytest.raises(InputError, match=r"feature 0.*Polygon or MultiPolygon.*Point"):
        read_communes(path)


def test_duplicated_or_numeric_commune_code(tmp_path):
    path = _geojson(
        tmp_path,
        [
            _square(2.5, 50.4, 0.01, code="62270", nom="A"),
            _square(2.6, 50.4, 0.01, code="62270", nom="B"),
        ],
    )
    with pytest.raises(InputError, match=r"feature 1, column 'code'.*already at feature 0"):
        read_communes(path)
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, code=1001, nom="A")])
    with pytest.raises(InputError, match=r"column 'code'.*as text"):
        read_communes(path)


def test_missing_field_and_unreadable_file(tmp_path):
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, insee="62270", nom="A")])
    with pytest.raises(InputError, match="expected a field 'code'"):
        read_communes(path)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="GDAL can read"):
        read_layer(bad)
    with pytest.raises(InputError, match="no such file"):
        read_layer(tmp_path / "absent.gpkg")


# ------------------------------------------------------------------------ EPCI
def test_epci_members_fixture():
    members = read_epci_members(FIX / "epci_members.csv")
    assert members["code"].tolist() == ["62178", "62194", "62270"]
    assert members["epci_nom"].iloc[0] == "CA de Béthune-Bruay, Artois-Lys Romane"
    assert members["population_municipale"].tolist() == [1000, 300, 600]
    assert members["population_municipale"].dtype == "int64"


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (",62194,", ",62270,", r"line 3, column 'code_insee'.*already on line 4|line 4.*line 3"),
        (",300,303,", ",s,303,", r"line 3, column 'population_municipale'.*found 's'"),
        (",300,303,", ",300.5,303,", r"line 3, column 'population_municipale'.*whole number"),
        (
            '200072460,"CA de Béthune-Bruay, Artois-Lys Romane",CA,62270',
            '200000000,"Autre",CA,62270',
            r"line 4, column 'epci_siren'.*one EPCI",
        ),
        ("population_totale", "pop_totale", r"line 1: expected a column 'population_totale'"),
    ],
)
def test_bad_epci_members(tmp_path, old, new, pattern):
    text = (FIX / "epci_members.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "members.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    with pytest.raises(InputError, match=pattern):
        read_epci_members(path)


def test_communes_of_epci_joins_on_code_and_refuses_a_member_without_shape():
    communes = read_communes(FIX / "communes.geojson")
    members = read_epci_members(FIX / "epci_members.csv")
    epci = communes_of_epci(communes, members)
    assert epci.crs == LAMBERT93
    assert epci["code"].tolist() == ["62178", "62194", "62270"]
    assert epci["nom"].tolist() == ["Bruay-la-Buissière", "Calonne-Ricouart", "Divion"]
    divion = communes.set_index("code").geometry["62270"]
    assert epci.set_index("code").geometry["62270"].equals(divion)
    with pytest.raises(InputError, match=r"62194 \(Calonne-Ricouart\) has none"):
        communes_of_epci(communes[communes["code"] != "62194"], members)


def test_real_cabbalr_has_100_communes_with_boundaries():
    members = read_epci_members(REAL_MEMBERS)
    assert len(members) == 100
    assert members["epci_siren"].unique().tolist() == ["200072460"]
    assert members["population_municipale"].sum() == 275_736  # EPCI record in the source
    communes = read_communes(REAL_COMMUNES)
    assert len(communes) == 891
    epci = communes_of_epci(communes, members)
    assert len(epci) == 100 and epci.crs == LAMBERT93
    divion = epci[epci["code"].eq("62270")].iloc[0]
    assert (divion["nom"], divion["population_municipale"]) == ("Divion", 6830)
    # Divion is about 10 km² (INSEE: 10.3 km²); the source simplifies the outline.
    assert 8e6 < divion.geometry.area < 13e6


# ------------------------------------------------------------------- QPV contours
def test_qpv_2024_layout():
    contours = read_qpv_contours(FIX / "qpv_2024.geojson")
    assert contours.crs == LAMBERT93
    assert contours["code_qp"].tolist() == ["QN06299A", "QN06298B"]
    assert contours["lib_qp"].tolist() == ["Quartier synthétique A", "Quartier synthétique B"]
    assert contours["communes"].tolist() == ["Divion", "Calonne-Ricouart, Divion"]
    assert contours["millesime"].unique().tolist() == ["2024"]


def _qpv_2015_shapefile(tmp_path: Path, codes=("QP062013", "QP062014")) -> Path:
    frame = gpd.GeoDataFrame(
        {
            "CODE_QP": list(codes),
            "NOM_QP": ["Quartier un", "Quartier deux"][: len(codes)],
            "COMMUNE_QP": ["Divion", "Divion"][: len(codes)],
        },
        geometry=[
            box(660_000, 7_040_000, 660_001, 7_040_001),
            box(660_002, 7_040_000, 660_003, 7_040_001),
        ][: len(codes)],
        crs=LAMBERT93,
    )
    path = tmp_path / "QP_METROPOLE_LB93.shp"
    frame.to_file(path)
    return path


def test_qpv_2015_layout_shapefile(tmp_path):
    contours = read_qpv_contours(_qpv_2015_shapefile(tmp_path))
    assert contours.columns.tolist() == [
        "code_qp",
        "lib_qp",
        "communes",
        "insee_com",
        "siren_epci",
        "millesime",
        "source",
        "feature",
        "invalid_reason",
        "geometry",
    ]
    # The 2015 layout has no INSEE-code or EPCI field: empty lists, never invented.
    assert contours["insee_com"].tolist() == [[], []]
    assert contours["code_qp"].tolist() == ["QP062013", "QP062014"]
    assert contours["millesime"].unique().tolist() == ["2015"]
    assert contours.area.tolist() == pytest.approx([1.0, 1.0])


def test_qpv_bad_layouts(tmp_path):
    with pytest.raises(InputError, match=r"'code_qp' .*'CODE_QP'"):
        read_qpv_contours(FIX / "communes.geojson")
    with pytest.raises(InputError, match=r"column 'CODE_QP'.*already"):
        read_qpv_contours(_qpv_2015_shapefile(tmp_path, codes=("QP062013", "QP062013")))
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, code_qp="Q62013", lib_qp="x")])
    with pytest.raises(InputError, match="feature 0, column 'code_qp'"):
        read_qpv_contours(path)


# ------------------------------------------------------------ perimeters and shapes
def test_perimeters_geojson_and_geopackage(tmp_path):
    perimeters = read_perimeters(FIX / "perimeters.geojson")
    assert perimeters["quartier_id"].tolist() == ["cite-du-transvaal"]
    assert perimeters.crs == LAMBERT93
    frame = gpd.GeoDataFrame(
        {"quartier_id": ["cite-de-la-clarence"]}, geometry=[box(0, 0, 1, 1)], crs=LAMBERT93
    )
    frame.to_file(tmp_path / "p.gpkg")
    assert read_perimeters(tmp_path / "p.gpkg").area.tolist() == [1.0]


def test_perimeters_duplicated_or_badly_named(tmp_path):
    path = _geojson(
        tmp_path,
        [
            _square(2.5, 50.4, 0.01, quartier_id="cite-du-transvaal"),
            _square(2.6, 50.4, 0.01, quartier_id="cite-du-transvaal"),
        ],
    )
    with pytest.raises(InputError, match=r"feature 1, column 'quartier_id'.*already at feature 0"):
        read_perimeters(path)
    path = _geojson(tmp_path, [_square(2.5, 50.4, 0.01, quartier_id="Cité du Transvaal")])
    with pytest.raises(InputError, match="feature 0, column 'quartier_id'"):
        read_perimeters(path)


def test_quartier_shapes_never_invents_a_shape(tmp_path):
    contours = read_qpv_contours(_qpv_2015_shapefile(tmp_path, codes=("QP062013",)))
    perimeters = gpd.GeoDataFrame(
        {
            "quartier_id": ["cite-du-transvaal", "coteau-stade-parc-cite-34"],
            "source": ["p.geojson", "p.geojson"],
        },
        geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6)],
        crs=LAMBERT93,
    )
    shapes = quartier_shapes(QUARTIERS, contours, perimeters)
    assert shapes.crs == LAMBERT93
    assert shapes["quartier_id"].tolist() == ["coteau-stade-parc-cite-34", "cite-du-transvaal"]
    # The official contour wins over the commune's perimeter for a QPV.
    assert shapes["source"].iloc[0].startswith("contour officiel QPV 2015")
    assert shapes.geometry.iloc[0].equals(box(660_000, 7_040_000, 660_001, 7_040_001))
    assert shapes["source"].iloc[1].startswith("périmètre fourni par la commune")
    # cites-6-et-30 (QP062014 not in the file) and cite-de-la-clarence: nothing drawn.
    assert quartier_shapes(QUARTIERS, None, None).empty


def test_quartier_shapes_unknown_quartier_id():
    perimeters = gpd.GeoDataFrame(
        {"quartier_id": ["cite-inconnue"], "source": ["p.gpkg"]},
        geometry=[box(0, 0, 1, 1)],
        crs=LAMBERT93,
    )
    with pytest.raises(InputError, match=r"p\.gpkg, feature 0, column 'quartier_id'"):
        quartier_shapes(QUARTIERS, None, perimeters)


def test_multipolygon_perimeter_is_accepted(tmp_path):
    from shapely.geometry import MultiPolygon

    frame = gpd.GeoDataFrame(
        {"quartier_id": ["cites-6-et-30"]},
        geometry=[MultiPolygon([box(0, 0, 1, 1), Polygon([(2, 0), (3, 0), (3, 1), (2, 1)])])],
        crs=LAMBERT93,
    )
    frame.to_file(tmp_path / "p.gpkg")
    assert read_perimeters(tmp_path / "p.gpkg").area.tolist() == [2.0]
    assert isinstance(pd.DataFrame(frame), pd.DataFrame)


def test_local_crs_that_cannot_be_transformed_is_refused_in_one_quoted_line(tmp_path):
    local = 'LOCAL_CS["arbitrary",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
    path = tmp_path / "local.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 10, 10)], crs=local).to_file(path)
    with pytest.raises(InputError) as caught:
        read_layer(path)
    # pyproj's message is quoted once, not as the repr of a string.
    assert str(caught.value) == (
        f"{path}: expected a CRS that can be transformed to Lambert-93 (EPSG:2154), "
        "found 'arbitrary: Error creating Transformer from CRS.'"
    )
