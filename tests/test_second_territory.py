"""A second territory runs with no Python change: only ``data/raw`` differs.

The project below is built in a temporary folder from the fictional territory of
``tests/fixtures/territory/other.toml`` (« Testville » and « Autreville », EPCI « CATEST »,
invented codes) and its convention ``tests/fixtures/convention/template_minimal.txt``.
The open data are **synthetic**, written here in the official layouts; every expected
value below is worked out by hand from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.text import Text

from indicators.build.xlsx import read_xlsx
from indicators.cli import main
from indicators.config import Paths
from indicators.figures import registry
from indicators.hashing import sha256_file
from indicators.report.tables import load_tables
from indicators.territory import load_territory

from .conftest import FIXTURES, TERRITORY

OTHER = FIXTURES / "territory" / "other.toml"

# Synthetic schools (rentrée 2022-2023): Testville 80 and 90, Autreville 100 and « NS »;
# one collège in Testville at 85.
_ECOLES_HEADER = (
    "num_ligne;rentree_scolaire;code_region;region;code_de_l_academie;academie;"
    "code_du_departement;departement;code_insee_de_la_commune;nom_de_la_commune;uai;"
    "nom_de_l_etablissement;secteur;ips;ips_national_prive;ips_national_public;ips_national;"
    "ips_academique_prive;ips_academique_public;ips_academique;ips_departemental_prive;"
    "ips_departemental_public;ips_departemental"
)
_REFS = "119.3;102.9;105.4;117;93;97.8;113.9;91;94.3"
_ECOLES = [
    ("59999", "TESTVILLE", "0599901Z", "ECOLE A", "80.0"),
    ("59999", "TESTVILLE", "0599902Y", "ECOLE B", "90.0"),
    ("59998", "AUTREVILLE", "0599903X", "ECOLE C", "100.0"),
    ("59998", "AUTREVILLE", "0599904W", "ECOLE D", "NS"),
]
_COLLEGES = (
    "Rentrée scolaire;Académie;Code du département;Département;UAI;Nom de l'établissment;"
    "Code INSEE de la commune;Nom de la commune;Secteur;Effectifs;IPS;Ecart-type de l'IPS\n"
    "2022-2023;LILLE;059;NORD;0599911Z;COLLEGE E;59999;TESTVILLE;public;300.0;85.0;25.0\n"
)
_MEMBERS = (
    "epci_siren,epci_nom,epci_type,code_insee,siren_commune,nom,population_municipale,"
    "population_totale,departement,arrondissement,codes_postaux\n"
    '299999999,"CA de Test",CA,59998,219599980,Autreville,1500,1510,59,591,59000\n'
    '299999999,"CA de Test",CA,59999,219599990,Testville,6000,6050,59,591,59000\n'
)


def _square(x: float, y: float) -> list[list[list[float]]]:
    return [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]]


def _communes_geojson() -> str:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": _square(3.00, 50.60)},
            "properties": {"code": "59999", "nom": "Testville"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": _square(3.01, 50.60)},
            "properties": {"code": "59998", "nom": "Autreville"},
        },
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def _project(root: Path) -> Path:
    """A project tree for the fictional territory, every raw file listed in SHA256SUMS."""
    raw = root / "data" / "raw"
    territory = load_territory(OTHER)
    files = {
        "territory.toml": OTHER.read_text(encoding="utf-8"),
        territory.convention_file: (FIXTURES / "convention" / "template_minimal.txt").read_text(
            encoding="utf-8"
        ),
        f"{territory.epci_members_dir}/catest_communes.csv": _MEMBERS,
        f"{territory.commune_boundaries_dir}/communes-59.geojson": _communes_geojson(),
        "ips_ecoles/ips-ecoles-59.csv": "\n".join(
            [
                _ECOLES_HEADER,
                *(
                    f"{i}.0;2022-2023;32;HAUTS-DE-FRANCE;09;LILLE;59;NORD;{code};{name};{uai};"
                    f"{school};public;{ips};{_REFS}"
                    for i, (code, name, uai, school, ips) in enumerate(_ECOLES, start=1)
                ),
            ]
        )
        + "\n",
        "ips_colleges/ips-colleges-59.csv": _COLLEGES,
    }
    for relative, text in files.items():
        path = raw / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sums = sorted(f"{sha256_file(raw / relative)}  {relative}" for relative in files)
    (raw / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    (root / "data" / "processed").mkdir(parents=True)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _project(tmp_path_factory.mktemp("other") / "project")
    assert main(["--root", str(root), "build"]) == 0
    return root


def _shipped_words() -> list[str]:
    """Names and codes of the shipped territory: none may appear in the other's outputs."""
    words = [c.name for c in TERRITORY.communes] + [c.insee for c in TERRITORY.communes]
    return [*words, TERRITORY.epci.label, TERRITORY.epci.siren, TERRITORY.reference_label]


@pytest.mark.slow
def test_the_convention_and_gaps_of_another_territory(built: Path) -> None:
    processed = built / "data" / "processed"
    portrait = pd.read_csv(processed / "portrait.csv", dtype=str)
    with_reference = portrait[portrait["reference_value"].notna()]
    assert set(with_reference["reference_territory"]) == {"CATEST"}
    gaps = pd.read_csv(processed / "gaps.csv", dtype={"reference_territory": str})
    poverty = gaps[
        (gaps["quartier_id"] == "les-tilleuls") & (gaps["indicator_id"] == "poverty_rate")
    ]
    assert poverty["gap"].tolist() == [pytest.approx(41.5 - 18.8)]  # the template's figures
    assert set(gaps["reference_territory"]) == {"CATEST"}
    quartiers = pd.read_csv(processed / "quartiers.csv", dtype=str)
    assert quartiers["quartier_id"].tolist() == ["les-tilleuls", "le-bourg"]


@pytest.mark.slow
def test_the_open_data_of_another_territory(built: Path) -> None:
    processed = built / "data" / "processed"
    communes = pd.read_csv(processed / "communes.csv", dtype={"code": str, "epci_siren": str})
    assert communes["code"].tolist() == ["59998", "59999"]
    assert set(communes["epci_siren"]) == {"299999999"}
    assert communes["concerne_quartiers"].tolist() == [True, True]  # both named
    means = pd.read_csv(processed / "ips_communes.csv", dtype={"territoire_code": str})
    ecoles = means[means["niveau"].eq("ecole") & means["secteur"].eq("ensemble")]
    epci = ecoles[ecoles["territoire_type"].eq("epci")]
    assert epci["territoire_code"].tolist() == ["299999999"]
    assert epci["territoire_nom"].tolist() == ["CATEST"]
    assert epci["ips_moyen"].tolist() == [pytest.approx((80 + 90 + 100) / 3)]  # « NS » left out
    assert epci["n_ns"].tolist() == [1]
    town = ecoles[ecoles["territoire_code"].eq("59999")]
    assert town["ips_moyen"].tolist() == [pytest.approx(85.0)]
    sheets = read_xlsx(processed / "exports" / "indicators.xlsx")
    assert "Écarts à la CATEST" in sheets
    for path in processed.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not [w for w in _shipped_words() if w in text], path.name


def _texts(ax) -> str:
    found = [t.get_text() for t in ax.figure.findobj(Text)]
    return " ".join(" ".join(found).split())


@pytest.mark.slow
def test_the_figures_of_another_territory_carry_its_labels(built: Path) -> None:
    paths = Paths(built)
    territory = paths.territory
    tables = load_tables(paths)
    frames = {name: getattr(tables, name) for name in ("quartiers", "portrait", "gaps")}
    frames |= {"communes": tables.communes, "ips_communes": tables.ips_communes}
    names = registry.figure_names(frames, territory=territory)
    assert "carte_situation" in names and "ecarts_les-tilleuls" in names
    seen = {}
    for name in names:
        ax = registry.draw(name, frames, territory=territory)
        seen[name] = _texts(ax)
        assert not [w for w in _shipped_words() if w in seen[name]], name
    assert "Testville (agglomération)" not in seen["ecarts_les-tilleuls"]
    assert "CATEST (agglomération)" in seen["ecarts_les-tilleuls"]
    assert "référence : CATEST." in seen["ecarts_les-tilleuls"]
    assert "Écart à la CATEST, en points de pourcentage" in seen["ecarts_quartiers"]
    assert "Limite de la CATEST" in seen["carte_situation"]
    assert "Testville, Autreville" in seen["carte_situation"] or (
        "Autreville, Testville" in seen["carte_situation"]
    )
    assert "Moyenne de la CATEST : 90,0" in seen["carte_ips_ecoles_2022_2023"]
    gap_alt = registry.alt_text("carte_ecart_ips_ecoles_2022_2023", frames, territory=territory)
    assert gap_alt.startswith(
        "Carte : écart de l'IPS moyen des écoles de chaque commune à celui de la CATEST, "
        "rentrée 2022-2023. 1 commune au-dessus, 1 commune en dessous."
    )
    assert "Testville : \u22125,0 points" in gap_alt


def test_the_fixture_territory_is_the_other_one() -> None:
    other = load_territory(OTHER)
    assert other.epci.label != TERRITORY.epci.label
    assert other.commune_names == {"59999": "Testville", "59998": "Autreville"}
