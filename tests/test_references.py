"""References and trends (issue 12): values recomputed by hand from the shipped files.

Each expected value is read straight from data/raw with plain pandas (or the csv module)
in the test, never taken from the code under test.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.analysis.commune_rates import commune_indicators, employment_rate
from indicators.analysis.ips_scales import ips_scales
from indicators.analysis.references import reference_candidates, reference_conclusions
from indicators.sources.commune_stats import read_filosofi_communes, read_rp_communes
from indicators.sources.ips_national import read_ips_national

from .conftest import RAW, TERRITORY

NAT = RAW / "ips_national"
FILOSOFI = RAW / "filosofi_communes_2021" / "cc_filosofi_2021_COM.csv"
RP = RAW / "rp2021_communes" / "communes_base_comparateur_2021.csv"
MEMBERS = RAW / "cabbalr_epci_members" / "cabbalr_communes_2026.csv"


@pytest.fixture(scope="module")
def members() -> dict[str, str]:
    frame = pd.read_csv(MEMBERS, dtype=str)
    return dict(zip(frame["code_insee"], frame["nom"], strict=True))


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return pd.concat([read_ips_national(p) for p in sorted(NAT.glob("fr-*"))], ignore_index=True)


@pytest.fixture(scope="module")
def scales(national, members) -> pd.DataFrame:
    return ips_scales(
        national,
        epci_members=members,
        epci_code="EPCI",
        epci_name="EPCI",
        departement=("62", "Pas-de-Calais"),
        academie="Lille",
        concerned=["62270"],
    )


def _one(frame: pd.DataFrame, **where: str) -> float:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return float(rows["valeur"].iloc[0])


def test_divion_poverty_rate_read_straight_from_the_csv(members) -> None:
    with FILOSOFI.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle, delimiter=";") if r["CODGEO"] == "62270")
    expected_rate = float(row["TP6021"].replace(",", "."))  # "30,0" in the file
    expected_median = float(row["MED21"])
    filosofi = read_filosofi_communes(FILOSOFI, set(members))
    rp = read_rp_communes(RP)
    table = commune_indicators(members, ["62270"], filosofi, rp).set_index("code")
    assert table.loc["62270", "taux_pauvrete"] == expected_rate == 30.0
    assert table.loc["62270", "niveau_vie_median"] == expected_median == 17560.0
    assert table.loc["62270", "concerne_quartiers"]


def test_secret_communes_are_missing_and_flagged_never_zero(members) -> None:
    raw = pd.read_csv(FILOSOFI, sep=";", dtype=str)
    raw = raw[raw["CODGEO"].isin(members)]
    secret = set(raw.loc[raw["TP6021"].eq("s"), "CODGEO"])
    assert len(secret) == 67  # 33 of the 100 communes have a published rate (PROVENANCE.md)
    table = commune_indicators(
        members, [], read_filosofi_communes(FILOSOFI, set(members)), read_rp_communes(RP)
    ).set_index("code")
    assert table.loc[sorted(secret), "taux_pauvrete"].isna().all()
    assert table.loc[sorted(secret), "taux_pauvrete_marker"].eq("s").all()
    assert table.loc[sorted(secret), "secret"].all()
    assert table["taux_pauvrete"].notna().sum() == 33


def test_employment_rate_of_the_epci_is_a_ratio_of_sums(members) -> None:
    raw = pd.read_csv(RP, dtype={"insee_com": str, "insee_dep": str, "code_postal": str})
    raw = raw[raw["commune_type"].ne("COMD")].drop_duplicates("insee_com")
    raw = raw[raw["insee_com"].isin(members)]
    assert len(raw) == 100
    employed = raw["pop_15_64_active_2021"].sum() - raw["pop_15_64_chomage_2021"].sum()
    expected = 100 * employed / raw["pop_15_64_totale_2021"].sum()
    rate, population = employment_rate(read_rp_communes(RP), members)
    assert rate == pytest.approx(expected, abs=1e-9)
    assert round(rate, 1) == 60.6  # PROVENANCE.md: « about 60.6 % in 2021 »
    assert population == raw["pop_15_64_totale_2021"].sum()


def test_national_mean_of_ecoles_recomputed_with_pandas(scales) -> None:
    raw = pd.read_parquet(NAT / "fr-en-ips-ecoles-ap2022.parquet")
    rows = raw[raw["rentree_scolaire"].eq("2023-2024")]
    values = pd.to_numeric(rows["ips"], errors="coerce")
    assert rows["ips"][values.isna()].eq("NS").all()  # « NS » only: never read as 0
    expected = values.mean()
    got = scales[scales["territoire_type"].eq("france")]
    assert _one(
        got,
        rentree="2023-2024",
        niveau="ecole",
        voie="ensemble",
        secteur="ensemble",
        mesure="moyenne_non_ponderee",
    ) == pytest.approx(expected)
    # The DEPP's own pupil-weighted reference is the file's column, not our mean.
    reference = float(rows["ips_national"].astype(float).unique().item())
    assert (
        _one(
            got,
            rentree="2023-2024",
            niveau="ecole",
            voie="ensemble",
            secteur="ensemble",
            mesure="reference_depp",
        )
        == reference
        == 105.5
    )


def test_pupil_weighted_mean_of_the_departement_colleges(scales) -> None:
    raw = pd.read_csv(
        NAT / "fr-en-ips-colleges-ap2022.csv", sep=";", dtype=str, encoding="utf-8-sig"
    )
    dep = raw[raw["Code du département"].isin(["62", "062"])]
    ips, pupils = dep["IPS"].astype(float), dep["Effectifs"].astype(float)
    got = scales[scales["territoire_type"].eq("departement")]
    common = {
        "rentree": "2022-2023",
        "niveau": "college",
        "voie": "ensemble",
        "secteur": "ensemble",
    }
    assert _one(got, mesure="moyenne_non_ponderee", **common) == pytest.approx(ips.mean())
    assert _one(got, mesure="moyenne_ponderee", **common) == pytest.approx(
        (ips * pupils).sum() / pupils.sum()
    )


def test_lycees_have_one_row_per_voie_taught(national) -> None:
    raw = pd.read_csv(NAT / "fr-en-ips-lycees-ap2022.csv", sep=";", dtype=str)
    lycees = national[national["source"].eq("fr-en-ips-lycees-ap2022.csv")]
    assert (lycees["voie"] == "ensemble").sum() == len(raw)
    assert (lycees["voie"] == "gt").sum() == raw["ips_voie_gt"].notna().sum()
    assert (lycees["voie"] == "pro").sum() == raw["ips_voie_pro"].notna().sum()


def test_convention_ips_104_matches_france_not_the_epci(scales, members) -> None:
    portrait = pd.DataFrame(
        {
            "indicator_id": ["school_ips", "employment_rate_15_64"],
            "reference_value": [104.0, 58.8],
            "reference_decimals": [0, 1],
        }
    )
    candidates = reference_candidates(
        portrait,
        scales,
        read_rp_communes(RP),
        epci=("EPCI", "EPCI", list(members)),
        departement=("62", "Pas-de-Calais"),
        academie=("Lille", ["59", "62"]),
    )
    ips = candidates[candidates["indicator_id"].eq("school_ips")]
    matches = ips[ips["concordant"]]
    assert len(matches) and set(matches["territoire_type"]) == {"france"}
    assert (matches["valeur"] - 104).abs().le(0.5).all()
    # The EPCI's schools are about 93,5, nowhere near 104.
    epci = ips[ips["territoire_type"].eq("epci") & ips["mesure"].eq("moyenne_non_ponderee")]
    assert epci["valeur"].between(88, 96).all()
    employment = candidates[candidates["indicator_id"].eq("employment_rate_15_64")]
    assert not employment["concordant"].any()  # 58,8 % is none of them within ±0,05
    text = reference_conclusions(candidates).set_index("indicator_id")["conclusion"]
    assert "Ce n'est donc pas un chiffre de l'agglomération" in text["school_ips"]
    assert "60,6 %" in text["employment_rate_15_64"]
    assert "source secondaire" in text["employment_rate_15_64"]


# ---------------------------------------------------------------- INSEE's conventions
def _copy_with(tmp_path: Path, source: Path, line: int, old: str, new: str) -> Path:
    target = tmp_path / source.name
    if source != target:
        shutil.copy(source, target)
    lines = target.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def test_commune_code_that_lost_its_leading_zero_is_read_with_a_note(tmp_path) -> None:
    path = _copy_with(tmp_path, FILOSOFI, 2, "01001;", "1001;")
    frame = read_filosofi_communes(path)
    assert frame["commune_code"].iloc[0] == "01001"
    assert "zéro initial" in frame.attrs["notes"][0]


def test_decimal_comma_and_ns_in_a_national_file(tmp_path) -> None:
    path = _copy_with(tmp_path, NAT / "fr-en-ips-colleges-ap2022.csv", 2, ";110.4;", ";110,4;")
    path = _copy_with(tmp_path, path, 3, ";95.1;", ";NS;")
    frame = read_ips_national(path)
    assert frame.loc[0, "ips"] == 110.4
    assert np.isnan(frame.loc[1, "ips"]) and frame.loc[1, "ips_marker"] == "NS"
    assert any("virgule décimale" in n for n in frame.attrs["notes"])
    assert frame["commune_code"].map(type).eq(str).all()


def test_new_figures_are_registered_and_draw() -> None:
    from indicators.figures.registry import FIGURES, figure_names

    assert {"carte_pauvrete_communes", "ips_evolution"} <= set(FIGURES)
    tables = {
        "series": pd.DataFrame({"indicator_id": ["school_ips_ecole", "poverty_rate"]}),
        "communes": pd.DataFrame(),
        "communes_indicateurs": pd.DataFrame(),
    }
    names = figure_names(tables, territory=TERRITORY)
    assert {"carte_pauvrete_communes", "ips_evolution"} <= set(names)
    # Without school IPS rows (no national files) there is no IPS trend chart to draw.
    tables["series"] = pd.DataFrame({"indicator_id": ["poverty_rate"]})
    assert "ips_evolution" not in figure_names(tables, territory=TERRITORY)


def test_ips_trend_lines_of_one_kind_differ_by_more_than_colour() -> None:
    # Hand-built series (synthetic): three communes share the communes' orange; each has
    # its own marker and dash, the same in every panel, so colour is never alone.
    import matplotlib.pyplot as plt

    from indicators.figures.ips_trends import plot_ips_trends

    rows = []
    for code, name, value in (("1", "Aval", 80.0), ("2", "Bmont", 85.0), ("3", "Cville", 90.0)):
        for niveau in ("ecole", "lycee"):
            for vintage in ("2022-2023", "2023-2024"):
                rows.append((f"school_ips_{niveau}", "commune", code, name, vintage, value))
    series = pd.DataFrame(
        rows,
        columns=[
            "indicator_id", "territoire_type", "territoire_code", "territoire_nom", "vintage",
            "value",
        ],
    )  # fmt: skip
    ax = plot_ips_trends(series, communes=["1", "2", "3"])
    styles = {}
    for panel in ax.figure.axes:
        for line in panel.get_lines():
            if line.get_label() in ("Aval", "Bmont", "Cville"):
                style = (line.get_marker(), str(line.get_linestyle()), line.get_color())
                assert styles.setdefault(line.get_label(), style) == style  # same in panels
    assert len(styles) == 3
    assert len({s[2] for s in styles.values()}) == 1  # one colour for the communes
    assert len({s[:2] for s in styles.values()}) == 3  # but three marker/dash pairs
    plt.close(ax.figure)
