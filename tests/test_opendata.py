"""build_open_data: the shipped raw data, optional inputs, and refusals."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from indicators.build.opendata import build_open_data
from indicators.config import Paths
from indicators.convention.parse import read_convention
from indicators.errors import InputError
from indicators.hashing import sha256_file
from indicators.sources.filosofi import GRID_COLUMNS
from indicators.sources.vectorfiles import LAMBERT93

from .conftest import REFERENCE, TERRITORY

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "opendata"


@pytest.fixture(scope="module")
def convention():
    return read_convention(Paths.from_root(REPO).convention, reference_label=REFERENCE)


@pytest.fixture(scope="module")
def shipped(convention):
    return build_open_data(
        REPO / "data" / "raw", convention.portrait, convention.quartiers, territory=TERRITORY
    )


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", raw)
    return raw


def _record(raw: Path, relative: str) -> None:
    """Update a file's line in SHA256SUMS, as the README tells the commune to do."""
    manifest = raw / "SHA256SUMS"
    lines = [ln for ln in manifest.read_text().splitlines() if not ln.endswith(f"  {relative}")]
    lines.append(f"{sha256_file(raw / relative)}  {relative}")
    manifest.write_text("\n".join(sorted(lines, key=lambda s: s[66:])) + "\n")


# ----------------------------------------------------------------------- shipped data
def test_shipped_tables(shipped):
    assert set(shipped) == {
        "ips",
        "ips_communes",
        "ips_quartiers",
        "communes",
        "checks",
        "opendata_notes",
        # references and trends (issue 12), from the national files
        "ips_echelles",
        "communes_indicateurs",
        "references",
        "references_conclusions",
        "series",
        # Shipped since issue 11: the 2024 contours (16 QPV of the EPCI, one repaired),
        # the two QPV's shapes through the correspondence, the Filosofi 2021 cells.
        "qpv_contours",
        "qpv_repairs",
        "quartier_shapes",
        "grid",
    }
    assert len(shipped["qpv_contours"]) == 16
    assert shipped["qpv_repairs"]["code_qp"].tolist() == ["QN06213M"]
    shapes = shipped["quartier_shapes"].set_index("quartier_id")["code_qp"].to_dict()
    assert shapes == {"coteau-stade-parc-cite-34": "QN06213M", "cites-6-et-30": "QN06214M"}
    assert len(shipped["grid"]) == 305
    assert len(shipped["ips"]) == 810 + 2505 + 157
    assert shipped["ips"]["ips_marker"].eq("NS").sum() == 176
    communes = shipped["communes"]
    assert isinstance(communes, gpd.GeoDataFrame) and communes.crs == LAMBERT93
    assert len(communes) == 100
    assert communes["population_municipale"].sum() == 275_736
    # The convention's quartiers lie in Divion, Bruay-la-Buissière and Calonne-Ricouart.
    assert sorted(communes.loc[communes["concerne_quartiers"], "code"]) == [
        "62178",
        "62194",
        "62270",
    ]
    assert shipped["ips_quartiers"].empty  # the mapping is shipped empty


def _independent_cabbalr_2022_ecoles() -> tuple[int, int, float]:
    """Schools, NS and mean IPS of CABBALR écoles in 2022-2023, with the csv module only."""
    raw = REPO / "data" / "raw"
    with open(raw / "cabbalr_epci_members" / "cabbalr_communes_2026.csv", encoding="utf-8") as f:
        codes = {row["code_insee"] for row in csv.DictReader(f)}
    with open(raw / "ips_ecoles" / "fr-en-ips-ecoles-ap2022_dep62.csv", encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter=";")
            if r["rentree_scolaire"] == "2022-2023" and r["code_insee_de_la_commune"] in codes
        ]
    values = [float(r["ips"]) for r in rows if r["ips"] != "NS"]
    return len(rows), len(rows) - len(values), sum(values) / len(values)


def test_shipped_cabbalr_means_and_checks(shipped):
    agg = shipped["ips_communes"]
    epci = agg[agg["territoire_type"].eq("epci")]
    assert set(epci["territoire_code"]) == {"200072460"}
    row = epci[
        epci["rentree"].eq("2022-2023")
        & epci["niveau"].eq("ecole")
        & epci["secteur"].eq("ensemble")
    ].iloc[0]
    n, n_ns, mean = _independent_cabbalr_2022_ecoles()
    assert (row["n_etablissements"], row["n_ns"]) == (n, n_ns)
    assert row["ips_moyen"] == pytest.approx(mean)
    checks = shipped["checks"]
    cabbalr = checks[checks["quartier_id"].isna()]
    assert cabbalr["rentree"].tolist() == ["2021-2022", "2022-2023", "2023-2024", "2024-2025"]
    assert (cabbalr["convention_value"] == 104).all()
    assert cabbalr["status"].eq("écart").all()  # open data: about 93, not 104
    assert (cabbalr["open_data_value"] < 100).all()
    quartiers = checks[checks["quartier_id"].notna()]
    assert sorted(quartiers["convention_value"]) == [76.0, 77.0, 79.0, 79.0]
    assert quartiers["status"].eq("non vérifiable").all()


def test_shipped_notes_say_what_is_missing(shipped):
    notes = shipped["opendata_notes"]
    text = " ".join(notes["message"])
    assert {"qpv", "perimeters", "quartier_shapes"} <= set(notes["source"])
    assert "1 contour(s) invalide(s) réparé(s) sur les 16 utilisés (QN06213M" in text
    assert "85 polygones invalides" in text
    assert "code nan" not in text.lower()  # the two QIC have no code
    assert "30 IPS « NS »" in text and "72 IPS « NS »" in text and "74 IPS « NS »" in text


# --------------------------------------------------------------------- optional inputs
def test_optional_inputs_are_used_and_reported(tmp_path, convention):
    raw = _raw(tmp_path)
    (raw / "qpv").mkdir(exist_ok=True)
    gpd.GeoDataFrame(
        {"CODE_QP": ["QP062013"], "NOM_QP": ["Quartier synthétique"], "COMMUNE_QP": ["Divion"]},
        geometry=[box(662_000, 7_040_000, 662_100, 7_040_100)],
        crs=LAMBERT93,
    ).to_file(raw / "qpv" / "qp2015.shp")
    (raw / "perimeters").mkdir(exist_ok=True)
    shutil.copy(FIX / "perimeters.geojson", raw / "perimeters" / "perimetres.geojson")
    (raw / "filosofi").mkdir(exist_ok=True)
    shutil.copy(FIX / "filosofi_2019.csv", raw / "filosofi" / "carreaux.csv")

    tables = build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)
    shapes = tables["quartier_shapes"].set_index("quartier_id")
    assert sorted(shapes.index) == ["cite-du-transvaal", "coteau-stade-parc-cite-34"]
    assert shapes.loc["coteau-stade-parc-cite-34", "geometry"].area == pytest.approx(10_000)
    assert tuple(tables["grid"].columns) == GRID_COLUMNS and len(tables["grid"]) == 3
    notes = tables["opendata_notes"]
    unverified = set(notes.loc[notes["message"].str.contains("non vérifié"), "source"])
    assert {
        "qpv/qp2015.shp",
        "perimeters/perimetres.geojson",
        "filosofi/carreaux.csv",
    } <= unverified
    drawn_nothing = notes.loc[notes["source"].eq("quartier_shapes"), "message"]
    assert drawn_nothing.str.contains("cites-6-et-30").any()
    assert drawn_nothing.str.contains("cite-de-la-clarence").any()


def test_2024_contours_need_the_stated_correspondence(tmp_path, convention):
    raw = _raw(tmp_path)
    (raw / "qpv").mkdir(exist_ok=True)
    shutil.copy(FIX / "qpv_2024.geojson", raw / "qpv" / "qpv2024.geojson")
    tables = build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)
    assert tables["quartier_shapes"].empty
    # The shipped correspondence names QN06213M, absent from the dropped file: said so.
    assert tables["opendata_notes"]["message"].str.contains("QN06213M").any()
    (raw / "qpv" / "correspondance.csv").write_text(
        "quartier_id;code_qp\ncites-6-et-30;QN06298B\n", encoding="utf-8"
    )
    _record(raw, "qpv/correspondance.csv")
    tables = build_open_data(
        raw, convention.portrait, convention.quartiers, territory=TERRITORY
    )
    shapes = tables["quartier_shapes"]
    assert shapes["quartier_id"].tolist() == ["cites-6-et-30"]
    assert shapes["code_qp"].tolist() == ["QN06298B"]


def test_filled_mapping_recomputes_the_quartier_ips(tmp_path, convention):
    raw = _raw(tmp_path)
    (raw / "quartier_schools.csv").write_text(
        "quartier_id;uai;commentaire\ncites-6-et-30;0620079Z;test\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"quartier_schools\.csv.*changed"):
        build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)
    _record(raw, "quartier_schools.csv")
    tables = build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)
    checks = tables["checks"]
    row = checks[checks["quartier_id"].eq("cites-6-et-30")]
    # Only collège Henri Wallon (IPS 79.1, rentrée 2022-2023) is listed.
    assert row["rentree"].tolist() == ["2022-2023"]
    assert row["open_data_value"].tolist() == [pytest.approx(79.1)]
    assert row["status"].tolist() == ["cohérent"]  # convention: 79
    assert set(tables["ips_quartiers"]["territoire_code"]) == {"cites-6-et-30"}


# ----------------------------------------------------------------------- refusals
def test_changed_raw_file_stops_the_build(tmp_path, convention):
    raw = _raw(tmp_path)
    path = raw / "ips_colleges" / "fr-en-ips-colleges-ap2022_dep62.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";79.1;", ";97.1;"), encoding="utf-8")
    with pytest.raises(InputError, match=r"fr-en-ips-colleges-ap2022_dep62\.csv.*changed"):
        build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)


def test_bad_optional_file_is_an_error_not_skipped(tmp_path, convention):
    raw = _raw(tmp_path)
    (raw / "perimeters").mkdir(exist_ok=True)
    (raw / "perimeters" / "p.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"quartier_id":"cite-du-transvaal"},"geometry":{"type":"Polygon","coordinates":'
        "[[[2.5,50.4],[2.6,50.5],[2.6,50.4],[2.5,50.5],[2.5,50.4]]]}}]}",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"p\.geojson, feature 0: expected a valid polygon"):
        build_open_data(raw, convention.portrait, convention.quartiers, territory=TERRITORY)


def test_without_quartiers_table(convention):
    tables = build_open_data(REPO / "data" / "raw", convention.portrait, territory=TERRITORY)
    # No quartier names communes; the shipped correspondence still gives the two QPV
    # their 2024 contours, which lie in Bruay-la-Buissière, Calonne-Ricouart and the
    # commune of the convention (PROVENANCE of qpv_contours_2024).
    communes = tables["communes"]
    assert sorted(communes.loc[communes["concerne_quartiers"], "code"]) == [
        "62178",
        "62194",
        "62270",
    ]
    assert len(tables["checks"]) == 8
    assert isinstance(tables["ips"], pd.DataFrame)


# --- the registry of raw sources -------------------------------------------------------


def test_every_source_family_has_a_step_in_reading_order():
    from indicators.build.opendata import STEPS
    from indicators.build.sources import FAMILIES

    steps = [family for family, _ in STEPS]
    assert [f for f in steps if f in FAMILIES] == list(FAMILIES)


def test_every_source_feeds_registered_tables():
    from indicators.build.sources import SOURCES
    from indicators.build.tables import BY_NAME

    for source in SOURCES:
        assert source.produces and set(source.produces) <= set(BY_NAME), source.path
        assert callable(source.reader)


def test_every_shipped_raw_input_is_a_registered_source():
    from indicators.build.sources import BY_PATH

    raw = REPO / "data" / "raw"
    shipped = {p.name for p in raw.iterdir() if not p.name.startswith(".")}
    # The convention and the territory are read by the pipeline; README and SHA256SUMS
    # describe the folder.
    # The territory's own folders (member list, boundaries) are named in territory.toml.
    paths = {s.folder(raw, TERRITORY).relative_to(raw).as_posix() for s in BY_PATH.values()}
    # A shipped folder may be registered by one of its files (the Filosofi subset: the
    # tiles beside the derived file are provenance).
    registered = paths | {path.split("/")[0] for path in paths}
    assert shipped - {"convention", "territory.toml", "README.md", "SHA256SUMS"} <= registered
    required = {s.folder(raw, TERRITORY).name for s in BY_PATH.values() if s.required}
    assert required <= shipped
    assert {TERRITORY.epci_members_dir, TERRITORY.commune_boundaries_dir} <= required


def test_a_territory_folder_needs_the_territory():
    from indicators.build.sources import BY_PATH

    with pytest.raises(InputError, match="territory"):
        BY_PATH["{epci_members}"].files(REPO / "data" / "raw")
