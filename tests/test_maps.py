"""Maps: legends, class bounds, what is drawn and what is not, errors before drawing.

Fixtures (tests/fixtures/maps, synthetic, see its README): six 1 km square communes in
Lambert-93, IPS means Divion 80, Alpha 90, Beta 100, Gamma 110, Bruay-la-Buissière only
« NS », Calonne-Ricouart no school, CABBALR 88; six Filosofi cells. Every expected class
bound and count below is derived by hand from those values.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import csv

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from shapely.geometry import Polygon

from indicators.analysis.ips_layers import communes_with_ips
from indicators.errors import InputError, ParameterError
from indicators.figures import style
from indicators.figures.gap_map import gap_bounds, plot_gap_map
from indicators.figures.grid_map import plot_grid_map
from indicators.figures.ips_maps import plot_ips_choropleth, plot_ips_gap_map
from indicators.figures.locator_maps import plot_locator_map
from indicators.secrecy import mask_small_cells

from .conftest import CONVENTION, FIXTURES, RAW, REFERENCE, TERRITORY

#: The labels of the shipped territory (the fixtures use its commune and EPCI).
LABELS = {"reference_label": TERRITORY.epci.label, "highlight": TERRITORY.commune_names}

NBSP = "\u00a0"
MAPS = FIXTURES / "maps"


@pytest.fixture
def communes():
    return gpd.read_file(MAPS / "communes.geojson")


@pytest.fixture
def quartiers():
    return pd.read_csv(MAPS / "quartiers.csv", dtype=str)


@pytest.fixture
def shapes():
    return gpd.read_file(MAPS / "quartier_shapes.geojson")


@pytest.fixture
def ips_communes():
    return pd.read_csv(MAPS / "ips_communes.csv", dtype={"territoire_code": str})


@pytest.fixture
def grid():
    return pd.read_csv(MAPS / "grid.csv", dtype={"idcar_200m": str})


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _legend_title(ax):
    return ax.get_legend().get_title().get_text()


def _collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def _source(ax):
    return next(t.get_text() for t in ax.findobj(Text) if t.get_gid() == "source")


def _note(ax):
    notes = [a for a in ax.artists if a.get_gid() == "note"]
    return notes[0].note_text if notes else None


# --- locator map -----------------------------------------------------------------------


def test_locator_map_highlights_and_labels_the_communes_concerned(communes, quartiers, shapes):
    ax = plot_locator_map(communes, quartiers, shapes, **LABELS)
    assert (
        ax.get_title(loc="left") == "Les communes des quartiers du contrat de ville dans la CABBALR"
    )
    assert _legend(ax) == [
        "Divion",
        "Autre commune concernée par un quartier",
        "Autre commune de la CABBALR",
        "Limite de la CABBALR",
        "Périmètre de quartier (périmètre fourni par la commune)",
    ]
    # Context: Alpha, Beta, Gamma; Divion alone in orange; Bruay and Calonne together.
    polygons = [c for c in ax.collections if len(c.get_paths()) and c.get_facecolor().size]
    sizes = sorted(len(c.get_paths()) for c in polygons if c.get_gid() != "quartier_shapes")
    assert sizes == [1, 2, 3]
    divion = next(
        c for c in polygons if to_rgb(c.get_facecolor()[0]) == to_rgb(style.HIGHLIGHT_COLOR)
    )
    assert len(divion.get_paths()) == 1
    assert len(_collection(ax, "quartier_shapes").get_paths()) == 1
    named = {
        t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label_")
    }
    assert named == {
        "label_62270": "Divion",
        "label_62194": "Calonne-Ricouart",
        "label_62178": "Bruay-la-Buissière",
    }
    # The two quartiers without a shape are listed; the one drawn is not.
    note = _note(ax)
    assert "Coteau Stade Parc - Cité 34" in note and "Cité du Transvaal" in note
    assert "Cités 6 et 30" not in note
    assert "rien n'est dessiné par estimation" in note
    boxes = [a for a in ax.artists if a.get_gid() == "scale_bar"]
    assert [b.scale_bar_label for b in boxes] == [f"500{NBSP}m"]
    assert any(t.get_gid() == "north_arrow" for t in ax.texts)
    source = _source(ax)
    assert source.startswith("Sources : IGN, Admin Express COG 2018")
    assert "Réalisation : " in source


def test_locator_map_labels_come_from_the_caller(communes, quartiers, shapes):
    # Another territory: its label, two communes of the convention (both concerned here).
    highlight = {"62270": "Divion", "62178": "Bruay-la-Buissière"}
    ax = plot_locator_map(
        communes, quartiers, shapes, reference_label="CATEST", highlight=highlight
    )
    assert ax.get_title(loc="left").endswith("du contrat de ville dans la CATEST")
    legend = _legend(ax)
    assert legend[:4] == [
        "Bruay-la-Buissière, Divion",  # in the order of the quartiers' communes
        "Autre commune concernée par un quartier",
        "Autre commune de la CATEST",
        "Limite de la CATEST",
    ]
    orange = [
        c
        for c in ax.collections
        if c.get_facecolor().size and to_rgb(c.get_facecolor()[0]) == to_rgb(style.HIGHLIGHT_COLOR)
    ]
    assert [len(c.get_paths()) for c in orange] == [2]
    # No label, no commune singled out: generic words, nothing in orange.
    ax = plot_locator_map(communes, quartiers, shapes)
    assert _legend(ax)[:3] == [
        "Autre commune concernée par un quartier",
        "Autre commune de l'agglomération",
        "Limite de l'agglomération",
    ]


def test_locator_map_without_shapes_draws_no_perimeter_and_says_so(communes, quartiers):
    ax = plot_locator_map(communes, quartiers)
    assert not [c for c in ax.collections if c.get_gid() == "quartier_shapes"]
    assert not any(label.startswith("Périmètre") for label in _legend(ax))
    note = _note(ax)
    for name in quartiers["name"]:
        assert name in note
    ax.figure.canvas.draw()
    # The note sits under the map, the source under the note.
    source = next(t for t in ax.texts if t.get_gid() == "source")
    note_box = next(a for a in ax.artists if a.get_gid() == "note")
    assert source.get_window_extent().y1 <= note_box.get_window_extent().y0 + 1e-6


def test_locator_map_zoom_names_the_quartier_shapes(communes, quartiers, shapes):
    ax = plot_locator_map(communes, quartiers, shapes, zoom=True)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "quartier_cites-6-et-30"] == [
        "Cités 6 et 30"
    ]
    # Zoomed on the three communes concerned (x 650 000–652 000) plus 8 % of margin.
    assert ax.get_xlim() == pytest.approx((650_000 - 160, 652_000 + 160))


def test_locator_map_reprojects_a_declared_crs(communes, quartiers):
    ax = plot_locator_map(communes.to_crs("EPSG:4326"), quartiers)
    x0, x1 = ax.get_xlim()
    assert 640_000 < x0 < 650_000 and 653_000 < x1 < 660_000


def test_layer_without_crs_is_refused_before_drawing(communes, quartiers):
    bare = gpd.GeoDataFrame(communes.drop(columns="geometry"), geometry=list(communes.geometry))
    with pytest.raises(InputError, match="layer 'communes': expected a layer with a declared CRS"):
        plot_locator_map(bare, quartiers)
    assert plt.get_fignums() == []


def test_empty_geometry_is_refused_with_its_feature(communes, quartiers):
    broken = communes.copy()
    broken.loc[1, "geometry"] = Polygon()
    with pytest.raises(InputError, match="feature 1, layer 'communes': expected a non-empty"):
        plot_locator_map(broken, quartiers)
    assert plt.get_fignums() == []


def test_unknown_quartier_id_in_shapes_is_refused(communes, quartiers, shapes):
    stray = shapes.assign(quartier_id="cite-inventee")
    with pytest.raises(ParameterError, match="unknown quartier id 'cite-inventee'"):
        plot_locator_map(communes, quartiers, stray)
    assert plt.get_fignums() == []


def test_commune_of_the_convention_missing_from_the_layer(communes, quartiers):
    with pytest.raises(InputError, match="found 'Divion'"):
        plot_locator_map(communes[communes["nom"] != "Divion"], quartiers)


# --- IPS choropleth --------------------------------------------------------------------


def test_communes_with_ips_keeps_missing_as_missing(communes, ips_communes):
    layer = communes_with_ips(communes, ips_communes, "2022-2023").set_index("code")
    assert layer.loc["62270", "ips_moyen"] == 80.0
    assert layer.loc["62270", "ecart_epci"] == -8.0  # 80 − 88
    assert pd.isna(layer.loc["62178", "ips_moyen"])  # only « NS »
    assert layer.loc["62178", "n_ns"] == 1
    assert pd.isna(layer.loc["62194", "ips_moyen"])  # no school
    assert layer.loc["62194", "n_etablissements"] == 0
    assert layer["ips_publie"].sum() == 4
    assert layer.crs == "EPSG:2154"


@pytest.mark.parametrize(
    ("scheme", "k", "entries", "method"),
    [
        # Quantiles of 80, 90, 100, 110: median 95.
        ("quantiles", 2, ["80,0 à 95,0 (2 communes)", "95,0 à 110,0 (2 communes)"], "quantiles"),
        # Quartiles (linear interpolation): 87,5; 95; 102,5; 110.
        (
            "quantiles",
            4,
            [
                "80,0 à 87,5 (1 commune)",
                "87,5 à 95,0 (1 commune)",
                "95,0 à 102,5 (1 commune)",
                "102,5 à 110,0 (1 commune)",
            ],
            "quantiles",
        ),
        # Equal intervals of (110 − 80) / 3 = 10; 90 falls in the first class (upper bound in).
        (
            "equal_interval",
            3,
            ["80,0 à 90,0 (2 communes)", "90,0 à 100,0 (1 commune)", "100,0 à 110,0 (1 commune)"],
            "amplitudes égales",
        ),
    ],
)
def test_ips_choropleth_legend_states_method_and_bounds(
    communes, ips_communes, scheme, k, entries, method
):
    ax = plot_ips_choropleth(communes, ips_communes, "2022-2023", scheme=scheme, k=k, **LABELS)
    # Bruay-la-Buissière: one school, its IPS « NS »; the sixth commune has no row (no
    # school in the files): two reasons, two legend entries (fixture ips_communes.csv).
    assert _legend(ax) == [
        *entries,
        "IPS non publié (« NS » ou vide) (1 commune)",
        "Pas d'école dans les fichiers de la DEPP (1 commune)",
    ]
    title = _legend_title(ax)
    assert f"Classes : {method} ({k} classes)" in title
    assert "Moyenne de la CABBALR : 88,0" in title
    assert ax.get_title(loc="left") == (
        "Indice de position sociale des écoles par commune, rentrée 2022-2023"
    )
    # Four communes coloured by class, one hatched grey, one blank: never a class colour.
    coloured = sum(
        len(c.get_paths()) for c in ax.collections if (c.get_gid() or "").startswith("class_")
    )
    assert coloured == 4
    missing = _collection(ax, "missing")
    assert len(missing.get_paths()) == 1
    assert len(_collection(ax, "no_school").get_paths()) == 1
    assert missing.get_hatch() == style.MISSING_HATCH
    assert to_rgb(missing.get_facecolor()[0]) == to_rgb(style.MISSING_COLOR)
    assert "rentrée 2022-2023" in _source(ax)


def test_ips_choropleth_other_rentree_and_sector(communes, ips_communes):
    ax = plot_ips_choropleth(communes, ips_communes, "2021-2022", k=2)
    # Divion 79, Alpha 91: two classes, four communes without a published IPS.
    assert _legend(ax) == [
        "79,0 à 85,0 (1 commune)",
        "85,0 à 91,0 (1 commune)",
        "Pas d'école dans les fichiers de la DEPP (4 communes)",  # no row for 2021-2022
    ]
    ax = plot_ips_choropleth(communes, ips_communes, "2022-2023", secteur="public")
    assert _legend(ax)[0] == "80,0 à 80,0 (1 commune)"  # one value: one class
    assert "(public)" in _legend_title(ax)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            {"rentree": "2019-2020"},
            "unknown rentrée '2019-2020'; expected one of: 2021-2022, 2022-2023",
        ),
        ({"secteur": "privé"}, "unknown secteur for ecole 2022-2023 'privé'"),
        ({"niveau": "college"}, "unknown niveau for rentrée 2022-2023 'college'"),
        ({"scheme": "au_hasard"}, "unknown classification scheme 'au_hasard'"),
        ({"k": 1}, "k must be an integer of at least 2"),
    ],
)
def test_ips_choropleth_bad_parameters_fail_before_drawing(communes, ips_communes, kwargs, words):
    args = {"rentree": "2022-2023", **kwargs}
    with pytest.raises(ParameterError, match=words):
        plot_ips_choropleth(communes, ips_communes, args.pop("rentree"), **args)
    assert plt.get_fignums() == []


# --- gap map ---------------------------------------------------------------------------


def test_ips_gap_map_is_diverging_and_centred_on_zero(communes, ips_communes):
    ax = plot_ips_gap_map(communes, ips_communes, "2022-2023", **LABELS)
    # Gaps to 88: Divion −8, Alpha +2, Beta +12, Gamma +22 → step 5 (22 / 3 = 7,3).
    assert _legend(ax) == [
        "+10 ou plus (2 communes)",
        "+5 à +10 (0 commune)",
        "0 à +5 (1 commune)",
        "\u22125 à 0 (0 commune)",
        "\u221210 à \u22125 (1 commune)",
        "moins de \u221210 (0 commune)",
        # Why a commune has no gap: its IPS is not published, or it has no school.
        "IPS non publié (« NS » ou vide) (1 commune)",
        "Pas d'école dans les fichiers de la DEPP (1 commune)",
    ]
    assert len(_collection(ax, "missing").get_paths()) == 1  # hatched: a secret value
    assert len(_collection(ax, "no_school").get_paths()) == 1  # white: nothing to measure
    assert "Écart à la moyenne de la CABBALR (88,0), en points d'IPS" in _legend_title(ax)
    assert "celui de la CABBALR" in ax.get_title(loc="left")
    ax = plot_ips_gap_map(communes, ips_communes, "2022-2023", reference_label="CATEST")
    assert "Écart à la moyenne de la CATEST (88,0)" in _legend_title(ax)
    assert "(la CATEST : moyenne de ses établissements)" in " ".join(_source(ax).split())
    handles = ax.get_legend().legend_handles
    top, bottom = to_rgb(handles[0].get_facecolor()), to_rgb(handles[5].get_facecolor())
    assert top[2] > top[0] and bottom[0] > bottom[2]  # above 0 blue, below 0 red (IPS: +1)
    assert len(_collection(ax, "missing").get_paths()) == 1


def test_gap_bounds_are_symmetric():
    assert gap_bounds([-8, 2, 12, 22]) == [-10.0, -5.0, 0.0, 5.0, 10.0]
    assert gap_bounds([-0.9]) == [-2.0, -1.0, 0.0, 1.0, 2.0]


def test_gap_map_polarity_minus_one_puts_positive_gaps_in_red(communes):
    layer = communes.assign(gap=[5.0, -5.0, 0.0, 1.0, 2.0, 3.0])
    ax = plot_gap_map(
        layer, "gap", polarity=-1, title="Pauvreté", source="Source : test.", bounds=[-2, 0, 2]
    )
    handles = ax.get_legend().legend_handles
    assert [t for t in _legend(ax)] == [
        "+2 ou plus (3 zones)",
        "0 à +2 (2 zones)",
        "\u22122 à 0 (0 zone)",
        "moins de \u22122 (1 zone)",
    ]
    highest = to_rgb(handles[0].get_facecolor())
    assert highest[0] > highest[2]


def test_gap_map_bounds_must_contain_zero(communes):
    layer = communes.assign(gap=1.0)
    with pytest.raises(ParameterError, match="contain 0"):
        plot_gap_map(layer, "gap", title="t", source="s", bounds=[1, 2, 3])
    assert plt.get_fignums() == []


# --- Filosofi grid ---------------------------------------------------------------------


def test_mask_small_cells(grid):
    masked = mask_small_cells(grid).set_index("idcar_200m")
    small = masked.loc["CRS3035RES200mN3067200E3776400"]  # 8 households
    assert bool(small["secret"])
    assert small[["men", "men_pauv", "ind", "ind_snv", "log_soc", "log_total"]].isna().all()
    assert pd.isna(small["part_menages_pauvres"]) and small["i_est"] == 0
    eleven = masked.loc["CRS3035RES200mN3067200E3776800"]  # exactly 11: shown
    assert not eleven["secret"]
    assert eleven["part_menages_pauvres"] == pytest.approx(500 / 11)
    assert masked["secret"].sum() == 1


def test_grid_map_classes_outlines_imputed_and_secret(grid, shapes, communes):
    ax = plot_grid_map(grid, perimeters=shapes, communes=communes, vintage="2019")
    # Shares: 10 %, 30 %, 35 % (imputed), secret, 60 %, 45,5 %; upper class bound included.
    assert _legend(ax) == [
        f"10{NBSP}% ou moins (1 carreau)",
        f"plus de 10 à 20{NBSP}% (0 carreau)",
        f"plus de 20 à 30{NBSP}% (1 carreau)",
        f"plus de 30 à 40{NBSP}% (1 carreau)",
        f"plus de 40 à 50{NBSP}% (1 carreau)",
        f"plus de 50{NBSP}% (1 carreau)",
        "Moins de 11 ménages : non diffusé (1 carreau)",
        "Carreau imputé par l'Insee (1 carreau)",
        f"Plus de 30{NBSP}% de ménages pauvres (3 carreaux)",
        "Périmètre de quartier",
    ]
    assert _legend_title(ax) == "Part des ménages pauvres (carroyage)\nClasses : seuils fixés"
    coloured = sum(
        len(c.get_paths()) for c in ax.collections if (c.get_gid() or "").startswith("class_")
    )
    assert coloured == 5  # the secret cell is not coloured as a value
    assert len(_collection(ax, "missing").get_paths()) == 1
    assert len(_collection(ax, "imputed").get_paths()) == 1
    assert len(_collection(ax, "above").get_paths()) == 3
    assert "Source : Insee, Filosofi 2019, données carroyées à 200 m." in _source(ax)


def test_grid_map_legend_states_the_threshold_it_applied(grid, shapes):
    # With a stricter threshold of 12, the 11-household cell is hidden too: 2 cells, and
    # the legend names 12, not the default 11.
    ax = plot_grid_map(grid, perimeters=shapes, vintage="2019", min_households=12)
    assert "Moins de 12 ménages : non diffusé (2 carreaux)" in _legend(ax)
    assert not any(label.startswith("Moins de 11") for label in _legend(ax))
    plt.close(ax.figure)


def test_grid_map_refuses_cells_without_crs(grid):
    from indicators.sources.filosofi import cells_to_geodataframe

    squares = cells_to_geodataframe(grid)
    bare = gpd.GeoDataFrame(squares.drop(columns="geometry"), geometry=list(squares.geometry))
    with pytest.raises(InputError, match="layer 'grid'"):
        plot_grid_map(bare)
    assert plt.get_fignums() == []


# --- the shipped data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    from indicators.build.opendata import build_open_data
    from indicators.convention.parse import read_convention

    convention = read_convention(CONVENTION, reference_label=REFERENCE)
    tables = build_open_data(RAW, convention.portrait, convention.quartiers, territory=TERRITORY)
    return tables, convention.quartiers


def _communes_with_ecole_ips(rentree: str) -> set[str]:
    """By hand from the DEPP file: communes with a published école IPS that rentrée."""
    with open(RAW / "cabbalr_epci_members" / "cabbalr_communes_2026.csv", encoding="utf-8") as f:
        members = {row["code_insee"] for row in csv.DictReader(f)}
    with open(RAW / "ips_ecoles" / "fr-en-ips-ecoles-ap2022_dep62.csv", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter=";")
        return {
            r["code_insee_de_la_commune"]
            for r in rows
            if r["rentree_scolaire"] == rentree
            and r["code_insee_de_la_commune"] in members
            and r["ips"] not in ("", "NS")
        }


def test_shipped_locator_map(shipped):
    tables, quartiers = shipped
    ax = plot_locator_map(tables["communes"], quartiers, tables.get("quartier_shapes"), **LABELS)
    named = sorted(t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label_"))
    assert named == ["Bruay-la-Buissière", "Calonne-Ricouart", "Divion"]
    if "quartier_shapes" not in tables:  # no contour nor perimeter is shipped
        note = _note(ax)
        assert all(name in note for name in quartiers["name"])
    total = sum(len(c.get_paths()) for c in ax.collections[:3])
    assert total == 100


def test_shipped_ips_choropleth_2022(shipped):
    tables, _ = shipped
    ax = plot_ips_choropleth(tables["communes"], tables["ips_communes"], "2022-2023")
    published = len(_communes_with_ecole_ips("2022-2023"))
    # By hand from the same file: member communes with at least one école that rentrée.
    with open(RAW / "cabbalr_epci_members" / "cabbalr_communes_2026.csv", encoding="utf-8") as f:
        members = {row["code_insee"] for row in csv.DictReader(f)}
    with open(RAW / "ips_ecoles" / "fr-en-ips-ecoles-ap2022_dep62.csv", encoding="utf-8") as f:
        with_school = {
            r["code_insee_de_la_commune"]
            for r in csv.DictReader(f, delimiter=";")
            if r["rentree_scolaire"] == "2022-2023" and r["code_insee_de_la_commune"] in members
        }
    unpublished, no_school = len(with_school) - published, 100 - len(with_school)
    entries = _legend(ax)
    missing_entries = [e for e in entries if e.startswith(("IPS non publié", "Pas d'école"))]
    expected = []
    if unpublished:
        expected.append(f"IPS non publié (« NS » ou vide) ({unpublished} commune")
    if no_school:
        expected.append(f"Pas d'école dans les fichiers de la DEPP ({no_school} commune")
    assert [e.rsplit("s)", 1)[0].rstrip(")") for e in missing_entries] == expected
    counts = [int(e.rsplit("(", 1)[1].split()[0]) for e in entries[: -len(missing_entries)]]
    assert sum(counts) == published
    assert len(_collection(ax, "missing").get_paths()) == unpublished


def test_shipped_ips_gap_map_and_unknown_rentree(shipped):
    tables, _ = shipped
    ax = plot_ips_gap_map(tables["communes"], tables["ips_communes"], "2024-2025")
    assert "Classes symétriques autour de 0" in _legend_title(ax)
    with pytest.raises(ParameterError, match="unknown rentrée '2015-2016'"):
        plot_ips_choropleth(tables["communes"], tables["ips_communes"], "2015-2016")


def test_quartier_map_draws_a_shared_commune_limit_once(grid, shapes):
    # Two communes side by side: their common border belongs to both rings. Drawn twice,
    # in opposite directions, its dashes interleave into what reads as a solid line.
    import shapely
    from matplotlib.collections import LineCollection
    from shapely.geometry import box

    from indicators.figures.quartier_map import plot_quartier_map
    from indicators.sources.filosofi import cells_to_geodataframe
    from indicators.sources.layers import LAMBERT93

    squares = cells_to_geodataframe(grid).to_crs(LAMBERT93)
    x0, y0, x1, y1 = squares.total_bounds
    mid = (x0 + x1) / 2
    two = gpd.GeoDataFrame(
        {"code": ["1", "2"], "nom": ["Ouest", "Est"]},
        geometry=[box(x0 - 500, y0 - 500, mid, y1 + 500), box(mid, y0 - 500, x1 + 500, y1 + 500)],
        crs=LAMBERT93,
    )
    shape = shapes.to_crs(LAMBERT93).iloc[[0]]
    ax = plot_quartier_map(grid, shape, communes=two, name="Test")
    dashed = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection) and c.get_linestyle()[0][1] is not None
    ]
    assert len(dashed) == 1
    drawn = sum(shapely.LineString(p.vertices).length for p in dashed[0].get_paths())
    expected = two.boundary.union_all().length  # each limit once: 2 outer rings − shared
    assert drawn == pytest.approx(expected)
    assert drawn < two.boundary.length.sum() - (y1 - y0)  # the shared border not twice
    plt.close(ax.figure)
