"""The figure registry: every name it lists is drawable, names match the build's files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes

from indicators.analysis.gaps import compute_gaps
from indicators.build import figure_export
from indicators.convention.parse import read_convention
from indicators.errors import InputError, ParameterError
from indicators.figures import registry

from .conftest import CONVENTION, FIXTURES, REFERENCE, TERRITORY

MAPS = FIXTURES / "maps"


@pytest.fixture(scope="module")
def tables():
    convention = read_convention(CONVENTION, reference_label=REFERENCE)
    return {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "gaps": compute_gaps(convention.portrait),
        "communes": gpd.read_file(MAPS / "communes.geojson"),
        "ips_communes": pd.read_csv(MAPS / "ips_communes.csv", dtype={"territoire_code": str}),
        "quartier_shapes": gpd.read_file(MAPS / "quartier_shapes.geojson"),
        "grid": pd.read_csv(MAPS / "grid.csv", dtype={"idcar_200m": str}),
    }


def test_figure_names_in_build_order(tables):
    ids = list(tables["quartiers"]["quartier_id"])
    assert registry.figure_names(tables, territory=TERRITORY) == [
        *(f"ecarts_{q}" for q in ids),
        "ecarts_quartiers",
        "carte_situation",
        "carte_situation_zoom",
        *(f"carte_communes_{q}" for q in ids),
        "carte_ips_ecoles_2022_2023",  # the latest rentrée with écoles in the fixture
        "carte_ecart_ips_ecoles_2022_2023",
        "carte_carroyage",
        # Only the fixture quartier with grid cells around it gets a map.
        "carte_quartier_cites-6-et-30",
    ]


def test_every_listed_name_is_drawable(tables):
    for name in registry.figure_names(tables, territory=TERRITORY):
        ax = registry.draw(name, tables, territory=TERRITORY)
        assert isinstance(ax, Axes), name
        assert ax.figure.axes, name
        plt.close(ax.figure)


def test_names_are_the_files_the_build_writes(tables, tmp_path):
    written = figure_export.write_figures(
        tables, tmp_path, territory=TERRITORY, formats=("png",), dpi=20
    )
    assert [p.stem for p in written] == registry.figure_names(tables, territory=TERRITORY)


def test_names_follow_the_tables(tables):
    charts_only = {k: tables[k] for k in ("quartiers", "portrait", "gaps")}
    ids = list(tables["quartiers"]["quartier_id"])
    assert registry.figure_names(charts_only, territory=TERRITORY) == [
        *(f"ecarts_{q}" for q in ids),
        "ecarts_quartiers",
    ]
    no_shapes = {k: v for k, v in tables.items() if k not in ("quartier_shapes", "grid")}
    names = registry.figure_names(no_shapes, territory=TERRITORY)
    assert "carte_situation" in names and "carte_situation_zoom" not in names
    assert "carte_carroyage" not in names
    empty_shapes = {**no_shapes, "quartier_shapes": tables["quartier_shapes"].iloc[0:0]}
    assert "carte_situation_zoom" not in registry.figure_names(empty_shapes, territory=TERRITORY)


def test_rentree_chooses_the_ips_maps(tables):
    names = registry.figure_names(tables, rentree="2021-2022", territory=TERRITORY)
    assert "carte_ips_ecoles_2021_2022" in names
    assert "carte_ecart_ips_ecoles_2021_2022" in names
    assert "carte_ips_ecoles_2022_2023" not in names
    ax = registry.draw("carte_ips_ecoles_2021_2022", tables, territory=TERRITORY)
    assert "rentrée 2021-2022" in ax.get_title(loc="left")


@pytest.mark.parametrize(
    "name", ["carte_inconnue", "ecarts_", "", "../ecarts_quartiers", "carte_ips_ecoles_2022"]
)
def test_unknown_name_raises(tables, name):
    with pytest.raises(ParameterError, match="unknown figure"):
        registry.draw(name, tables, territory=TERRITORY)


def test_unknown_quartier_raises_before_drawing(tables):
    with pytest.raises(ParameterError, match="unknown quartier id 'nulle-part'"):
        registry.draw("ecarts_nulle-part", tables, territory=TERRITORY)
    with pytest.raises(ParameterError, match="unknown quartier id 'nulle-part'"):
        registry.draw("carte_communes_nulle-part", tables, territory=TERRITORY)


def test_missing_table_is_an_input_error(tables):
    charts_only = {k: tables[k] for k in ("quartiers", "portrait", "gaps")}
    with pytest.raises(InputError, match=r"figure 'carte_situation'.*communes"):
        registry.draw("carte_situation", charts_only, territory=TERRITORY)


def test_fixed_name_wins_over_a_pattern():
    spec, params = registry.resolve("ecarts_quartiers")
    assert spec.name == "ecarts_quartiers" and params == {}
    spec, params = registry.resolve("ecarts_cites-6-et-30")
    assert spec.name == "ecarts_quartier" and params == {"quartier_id": "cites-6-et-30"}
    assert registry.spec_of("carte_situation").kind == "map"
    assert registry.spec_of("ecarts_quartiers").kind == ""


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_alt_texts_are_written_from_the_data(tables):
    # Values read in the convention (Cités 6 et 30, portrait; CABBALR references).
    chart = _plain(registry.alt_text("ecarts_cites-6-et-30", tables, territory=TERRITORY))
    assert chart.startswith("Graphique : Cités 6 et 30 comparé à la CABBALR. ")
    assert (
        "Taux de pauvreté : 50,9 % dans le quartier, 18,8 % dans l'agglomération, écart "
        "défavorable de 32,1 points ; Taux d'emploi des 15-64 ans : 38,1 % dans le quartier, "
        "58,8 % dans l'agglomération, écart défavorable de 20,7 points"
    ) in chart
    assert "Part du parc social : plus de 95 % dans le quartier" in chart
    assert "supérieur d'au moins 69,4 points" in chart
    communes = registry.alt_text("carte_communes_cites-6-et-30", tables, territory=TERRITORY)
    assert "Cités 6 et 30, communes concernées mises en évidence et nommées : " in communes
    assert "Calonne-Ricouart" in communes and "Divion" in communes
    across = _plain(registry.alt_text("ecarts_quartiers", tables, territory=TERRITORY))
    assert "Taux de pauvreté : Coteau Stade Parc - Cité 34 +19,2 points (défavorable)" in across
    situation = registry.alt_text("carte_situation", tables, territory=TERRITORY)
    n = len(tables["communes"])
    assert situation.startswith(f"Carte des {n} communes de la CABBALR.")
    ips = _plain(registry.alt_text("carte_ips_ecoles_2022_2023", tables, territory=TERRITORY))
    assert ips.startswith("Carte : IPS moyen des écoles par commune de la CABBALR, rentrée 2022")


def test_spec_names_round_trip():
    for spec in registry.FIGURES.values():
        params = {}
        if "{quartier_id}" in spec.pattern:
            params["quartier_id"] = "cite-du-transvaal"
        if "{rentree}" in spec.pattern:
            params["rentree"] = "2024-2025"
        name = spec.figure_name(**params)
        assert registry.resolve(name) == (spec, params)
