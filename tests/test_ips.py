"""DEPP IPS readers (three layouts, one schema) and territorial means."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.analysis.ips_means import (
    AGGREGATE_COLUMNS,
    combine_ips,
    ips_by_commune,
    ips_for_schools,
    ips_for_territory,
)
from indicators.errors import InputError
from indicators.sources.ips import (
    IPS_COLUMNS,
    read_ips,
    read_ips_ap2022,
    read_ips_colleges,
    read_ips_ecoles_2021,
)

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
FIX = Path(__file__).resolve().parent / "fixtures" / "opendata"
ECOLES_2021 = FIX / "ips_ecoles_2021.csv"
ECOLES_AP2022 = FIX / "ips_ecoles_ap2022.csv"
COLLEGES = FIX / "ips_colleges_ap2022.csv"
REAL_2021 = RAW / "ips_ecoles" / "fr-en-ips_ecoles_2021-2022_dep62.csv"
REAL_AP2022 = RAW / "ips_ecoles" / "fr-en-ips-ecoles-ap2022_dep62.csv"
REAL_COLLEGES = RAW / "ips_colleges" / "fr-en-ips-colleges-ap2022_dep62.csv"


@pytest.fixture(scope="module")
def fixture_ips() -> pd.DataFrame:
    return combine_ips(
        [
            read_ips_ecoles_2021(ECOLES_2021),
            read_ips_ap2022(ECOLES_AP2022),
            read_ips_colleges(COLLEGES),
        ]
    )


@pytest.fixture(scope="module")
def real_ips() -> pd.DataFrame:
    return combine_ips(
        [
            read_ips_ecoles_2021(REAL_2021),
            read_ips_ap2022(REAL_AP2022),
            read_ips_colleges(REAL_COLLEGES),
        ]
    )


# ------------------------------------------------------------------ readers, fixtures
def test_old_ecoles_layout():
    ips = read_ips_ecoles_2021(ECOLES_2021)
    assert tuple(ips.columns) == IPS_COLUMNS
    expected = pd.DataFrame(
        {
            "uai": ["0629901Z", "0629902Y", "0629903X"],
            "rentree": ["2021-2022"] * 3,
            "niveau": ["ecole"] * 3,
            "commune_code": ["62270", "62270", "62178"],
            "secteur": ["public", "public", "privé"],
            "ips": [80.0, 70.0, 120.5],
            "ips_marker": ["", "", ""],
            "source_line": [2, 3, 4],
        }
    )
    pd.testing.assert_frame_equal(ips[expected.columns], expected)
    assert ips[["effectifs", "ips_ecart_type", "ips_national"]].isna().all().all()
    assert ips["nom_etablissement"].iloc[2] == "ECOLE PRIMAIRE PRIVEE C"


def test_ap2022_layout_keeps_ns_as_missing_with_marker_and_references():
    ips = read_ips_ap2022(ECOLES_AP2022)
    assert ips["rentree"].tolist() == ["2022-2023"] * 3 + ["2023-2024"] * 2
    assert ips["ips"].iloc[1] != 0 and np.isnan(ips["ips"].iloc[1])
    assert ips["ips_marker"].tolist() == ["", "NS", "", "", ""]
    assert ips["secteur"].tolist() == ["public", "public", "privé", "public", "public"]
    first = ips.iloc[0]
    assert (first["ips_national"], first["ips_national_public"], first["ips_national_prive"]) == (
        105.4,
        102.9,
        119.3,
    )
    assert (first["ips_academique"], first["ips_departemental_public"]) == (97.8, 91.0)


def test_colleges_layout_has_pupils_and_standard_deviation():
    ips = read_ips_colleges(COLLEGES)
    assert ips["niveau"].unique().tolist() == ["college"]
    assert ips["effectifs"].tolist() == [300.0, 100.0, 200.0]
    assert ips["ips_ecart_type"].tolist() == [25.0, 30.0, 28.5]


def test_read_ips_picks_the_layout_from_the_header():
    assert read_ips(ECOLES_AP2022, niveau="ecole")["ips_national"].notna().all()
    assert read_ips(COLLEGES, niveau="college")["effectifs"].notna().all()
    assert read_ips(ECOLES_2021, niveau="ecole")["rentree"].unique().tolist() == ["2021-2022"]


def test_comma_separated_copy_reads_the_same(tmp_path):
    path = tmp_path / "ips.csv"
    path.write_text(ECOLES_2021.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")
    pd.testing.assert_frame_equal(
        read_ips_ecoles_2021(path).drop(columns="source"),
        read_ips_ecoles_2021(ECOLES_2021).drop(columns="source"),
    )


# ---------------------------------------------------------------------- bad inputs
def _variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (";80.0", ";250", r"line 2, column 'IPS': expected an IPS between 30 and 200, found '250'"),
        (";70.0", ";12.5", r"line 3, column 'IPS'.*between 30 and 200"),
        (";70.0", ";x", r"line 3, column 'IPS'.*secrecy marker.*found 'x'"),
        ("0629902Y", "0629901Z", r"line 3, column 'UAI'.*once \(already on line 2\)"),
        ("0629903X", "629903X", r"line 4, column 'UAI'.*UAI code"),
        (";62178;", ";6217;", r"line 4, column 'Code INSEE de la commune'"),
        ("privé sous contrat", "associatif", r"line 4, column 'Secteur'"),
        (
            "2021-2022;LILLE;062;PAS-DE-CALAIS;0629901Z",
            "2021-2023;LILLE;062;PAS-DE-CALAIS;0629901Z",
            r"line 2, column 'Rentrée scolaire'.*consecutive",
        ),
        (";IPS\n", ";Indice\n", r"line 1: expected a column 'IPS'"),
    ],
)
def test_bad_ips_inputs_name_file_line_and_column(tmp_path, old, new, pattern):
    path = _variant(tmp_path, ECOLES_2021, old, new)
    with pytest.raises(InputError, match=pattern) as info:
        read_ips_ecoles_2021(path)
    assert str(path) in str(info.value)


def test_bad_ap2022_reference_and_ns_elsewhere(tmp_path):
    path = _variant(tmp_path, ECOLES_AP2022, ";105.4;", ";NS;")
    with pytest.raises(InputError, match=r"line 2, column 'ips_national'"):
        read_ips_ap2022(path)


def test_bad_pupil_count(tmp_path):
    path = _variant(tmp_path, COLLEGES, ";300.0;", ";-3;")
    with pytest.raises(InputError, match=r"line 2, column 'Effectifs'"):
        read_ips_colleges(path)


def test_same_school_and_rentree_in_two_files_is_an_error(tmp_path):
    copy = tmp_path / "copie.csv"
    copy.write_bytes(ECOLES_2021.read_bytes())
    with pytest.raises(InputError, match=r"copie\.csv, line 2.*also in ips_ecoles_2021\.csv"):
        combine_ips([read_ips_ecoles_2021(ECOLES_2021), read_ips_ecoles_2021(copy)])


# ----------------------------------------------------------------------- aggregates
def _row(agg: pd.DataFrame, rentree: str, niveau: str, secteur: str) -> pd.Series:
    hit = agg[agg["rentree"].eq(rentree) & agg["niveau"].eq(niveau) & agg["secteur"].eq(secteur)]
    assert len(hit) == 1, (rentree, niveau, secteur)
    return hit.iloc[0]


def test_territory_means_worked_by_hand(fixture_ips):
    agg = ips_for_territory(
        fixture_ips,
        ["62270", "62178"],
        territoire_type="epci",
        territoire_code="200072460",
        territoire_nom="CABBALR",
    )
    assert tuple(agg.columns) == AGGREGATE_COLUMNS
    row = _row(agg, "2021-2022", "ecole", "ensemble")
    assert (row["n_etablissements"], row["n_ips"]) == (3, 3)
    assert row["ips_moyen"] == pytest.approx((80 + 70 + 120.5) / 3)
    assert _row(agg, "2021-2022", "ecole", "public")["ips_moyen"] == pytest.approx(75.0)
    assert _row(agg, "2021-2022", "ecole", "privé")["ips_moyen"] == pytest.approx(120.5)
    # 2022-2023 écoles: A 82, B NS (left out, counted), C 118.
    row = _row(agg, "2022-2023", "ecole", "ensemble")
    assert (row["n_etablissements"], row["n_ips"], row["n_ns"]) == (3, 2, 1)
    assert row["ips_moyen"] == pytest.approx(100.0)
    assert np.isnan(row["ips_moyen_pondere"])
    assert (row["ips_national"], row["ips_academique"], row["ips_departemental"]) == (
        105.4,
        97.8,
        94.3,
    )
    assert _row(agg, "2022-2023", "ecole", "public")["ips_departemental"] == 91.0
    # Collèges D (300 pupils, 80) and E (100 pupils, 90); F is outside the territory.
    row = _row(agg, "2022-2023", "college", "ensemble")
    assert row["ips_moyen"] == pytest.approx(85.0)
    assert row["ips_moyen_pondere"] == pytest.approx((300 * 80 + 100 * 90) / 400)
    assert row["effectifs"] == 400
    # Both niveaux published in 2022-2023 only: A, C, D, E.
    row = _row(agg, "2022-2023", "ensemble", "ensemble")
    assert (row["n_etablissements"], row["n_ips"], row["n_ns"]) == (5, 4, 1)
    assert row["ips_moyen"] == pytest.approx((82 + 118 + 80 + 90) / 4)
    assert np.isnan(row["ips_moyen_pondere"])  # écoles have no pupil counts
    assert not ((agg["rentree"] != "2022-2023") & agg["niveau"].eq("ensemble")).any()
    assert _row(agg, "2023-2024", "ecole", "ensemble")["ips_moyen"] == pytest.approx(79.0)


def test_by_commune_and_by_schools(fixture_ips):
    communes = pd.DataFrame({"code": ["62270", "62194"], "nom": ["Divion", "Calonne"]})
    agg = ips_by_commune(fixture_ips, communes)
    assert set(agg["territoire_code"]) == {"62270"}  # Calonne has no school
    assert _row(agg, "2021-2022", "ecole", "public")["ips_moyen"] == pytest.approx(75.0)
    assert _row(agg, "2022-2023", "college", "public")["ips_moyen_pondere"] == 80.0
    schools = ips_for_schools(
        fixture_ips,
        ["0629901Z", "0629911Z", "9999999Z"],
        territoire_type="quartier",
        territoire_code="q",
        territoire_nom="q",
    )
    assert _row(schools, "2022-2023", "ensemble", "ensemble")["ips_moyen"] == pytest.approx(81.0)


# --------------------------------------------------------------- the shipped files
def test_real_files_rows_and_ns_count(real_ips):
    # 810 + 2,505 + 157 data lines (wc -l minus the header).
    assert len(real_ips) == 810 + 2505 + 157
    ns = real_ips[real_ips["ips_marker"].eq("NS")]
    assert len(ns) == 176  # grep -c ';NS;' fr-en-ips-ecoles-ap2022_dep62.csv
    assert ns["ips"].isna().all()
    assert ns.groupby("rentree").size().to_dict() == {
        "2022-2023": 30,
        "2023-2024": 72,
        "2024-2025": 74,
    }
    assert real_ips["ips"].isna().sum() == 176  # no other missing IPS


def test_real_college_henri_wallon(real_ips):
    row = real_ips[real_ips["uai"].eq("0620079Z")].iloc[0]
    assert (row["commune_code"], row["nom_etablissement"]) == ("62270", "COLLEGE HENRI WALLON")
    assert (row["ips"], row["effectifs"], row["ips_ecart_type"]) == (79.1, 397.0, 25.1)


def test_real_divion_means(real_ips):
    agg = ips_by_commune(real_ips, pd.DataFrame({"code": ["62270"], "nom": ["Divion"]}))
    # grep ';62270;' in the two école files: five public écoles.
    assert _row(agg, "2021-2022", "ecole", "ensemble")["ips_moyen"] == pytest.approx(
        (82.2 + 80.5 + 75.6 + 92.5 + 76.7) / 5
    )
    assert _row(agg, "2022-2023", "ecole", "ensemble")["ips_moyen"] == pytest.approx(
        (90.1 + 75 + 75 + 72.9 + 75.9) / 5
    )
    assert _row(agg, "2022-2023", "ensemble", "ensemble")["ips_moyen"] == pytest.approx(
        (90.1 + 75 + 75 + 72.9 + 75.9 + 79.1) / 6
    )


def test_schema_errors_are_the_projects(fixture_ips):
    from indicators.errors import SchemaError
    from indicators.sources.ips import validate_ips

    broken = fixture_ips.copy()
    broken.loc[0, "secteur"] = "autre"
    with pytest.raises(SchemaError, match=r"column 'secteur'.*found 'autre'"):
        validate_ips(broken)
    with pytest.raises(SchemaError, match="extra"):
        validate_ips(fixture_ips.assign(extra=1))


def test_old_layout_collège_file_without_pupils():
    ips = read_ips(ECOLES_2021, niveau="college")
    assert ips["niveau"].unique().tolist() == ["college"]
    assert ips["effectifs"].isna().all()
