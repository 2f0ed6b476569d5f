"""Exports: figures, GeoPackage and XLSX read back with the same content."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import zipfile

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from indicators import secrecy
from indicators.analysis import aggregate, crosscheck, ips_means
from indicators.analysis.gaps import compute_gaps
from indicators.build import figure_export, geopackage, xlsx
from indicators.build.tables import HEADERS_FR, headers_fr
from indicators.convention.parse import read_convention
from indicators.errors import InputError, ParameterError
from indicators.sources import filosofi as grid
from indicators.sources import ips, layers

from .conftest import CONVENTION, FIXTURES, REFERENCE, TERRITORY

MAPS = FIXTURES / "maps"


@pytest.fixture
def communes():
    return gpd.read_file(MAPS / "communes.geojson")


@pytest.fixture
def shapes():
    return gpd.read_file(MAPS / "quartier_shapes.geojson")


@pytest.fixture
def cells():
    return pd.read_csv(MAPS / "grid.csv", dtype={"idcar_200m": str})


@pytest.fixture(scope="module")
def convention():
    return read_convention(CONVENTION, reference_label=REFERENCE)


# --- figures ---------------------------------------------------------------------------


def test_save_figure_writes_png_and_svg_deterministically(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("Écart : +32,1 points")
    first = figure_export.save_figure(fig, tmp_path / "a", "ecarts")
    second = figure_export.save_figure(fig, tmp_path / "b", "ecarts")
    assert [p.name for p in first] == ["ecarts.png", "ecarts.svg"]
    assert first[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = first[1].read_text(encoding="utf-8")
    assert "<svg" in svg and "<dc:date>" not in svg
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert not list((tmp_path / "a").glob(".*"))  # no temporary file left


@pytest.mark.parametrize("name", ["../ecarts", "carte ips", "", "a/b"])
def test_save_figure_refuses_paths_as_names(tmp_path, name):
    fig, _ = plt.subplots()
    with pytest.raises(ParameterError, match="invalid file name"):
        figure_export.save_figure(fig, tmp_path, name)


# --- GeoPackage ------------------------------------------------------------------------


def test_geopackage_round_trip(tmp_path, communes, shapes, cells):
    squares = secrecy.mask_small_cells(grid.cells_to_geodataframe(cells))
    layers = {
        "communes_ips": communes,
        "quartier_shapes": shapes.to_crs("EPSG:4326"),  # reprojected on the way in
        "grid_cells": squares,
    }
    path = geopackage.write_geopackage(layers, tmp_path / "indicators.gpkg")
    back = geopackage.read_geopackage(path)
    assert list(back) == ["communes_ips", "quartier_shapes", "grid_cells"]
    for name, layer in back.items():
        assert layer.crs == "EPSG:2154"
        assert len(layer) == len(layers[name])
    assert_geodataframe_equal(
        back["communes_ips"], communes, check_dtype=False, check_less_precise=True
    )
    assert back["communes_ips"]["code"].tolist() == [
        "62001",
        "62270",
        "62002",
        "62194",
        "62178",
        "62003",
    ]
    square = back["quartier_shapes"].geometry.iloc[0]
    assert square.bounds == pytest.approx((651_200, 7_040_200, 651_600, 7_040_600), abs=1e-3)
    cells_back = back["grid_cells"].set_index("idcar_200m")
    secret = cells_back.loc["CRS3035RES200mN3067200E3776400"]
    assert bool(secret["secret"]) and pd.isna(secret["men"]) and pd.isna(secret["men_pauv"])
    assert cells_back["men"].notna().sum() == 5
    # Same layers, same bytes.
    again = geopackage.write_geopackage(layers, tmp_path / "again.gpkg")
    assert again.read_bytes() == path.read_bytes()


def test_geopackage_refuses_bad_layers_and_keeps_the_previous_file(tmp_path, communes, cells):
    path = geopackage.write_geopackage({"communes": communes}, tmp_path / "out.gpkg")
    before = path.read_bytes()
    bare = gpd.GeoDataFrame(communes.drop(columns="geometry"), geometry=list(communes.geometry))
    with pytest.raises(InputError, match="layer 'communes': expected a layer with a declared CRS"):
        geopackage.write_geopackage({"communes": bare}, path)
    unmasked = grid.cells_to_geodataframe(cells)
    with pytest.raises(
        InputError, match="column 'men', table 'grid', row 3: expected no figure from fewer than 11"
    ):
        geopackage.write_geopackage({"grid": unmasked}, path)
    with pytest.raises(ParameterError, match="invalid layer name"):
        geopackage.write_geopackage({"communes ips": communes}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]


# --- XLSX ------------------------------------------------------------------------------


def test_xlsx_round_trip_with_french_headers(tmp_path, convention, communes):
    tables = {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "objectives": convention.objectives,
        "gaps": compute_gaps(convention.portrait),
        "communes": communes,
    }
    path = xlsx.write_xlsx(tables, tmp_path / "indicateurs.xlsx", epci_label=TERRITORY.epci.label)
    back = xlsx.read_xlsx(path)
    assert list(back) == [
        "Quartiers",
        "Portrait statistique",
        "Objectifs et actions",
        "Écarts à la CABBALR",
        "Communes",
    ]
    headers = headers_fr(TERRITORY.epci.label)
    for (name, table), sheet in zip(tables.items(), back.values(), strict=True):
        assert len(sheet) == len(table), name
        expected = [headers[c] for c in table.columns if c != "geometry"]
        assert list(sheet.columns) == expected, name
    portrait = back["Portrait statistique"]
    cites = portrait[
        (portrait["Identifiant du quartier"] == "cites-6-et-30")
        & (portrait["Identifiant de l'indicateur"] == "poverty_rate")
    ].iloc[0]
    assert cites["Valeur"] == 50.9 and cites["Valeur de référence"] == 18.8
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Portrait statistique"]
    assert sheet["D2"].value == 38.0 and sheet["D2"].data_type == "n"  # a number, not text
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    # Missing values are empty cells, never 0: population has no reference.
    population = portrait[portrait["Identifiant de l'indicateur"] == "population"]
    assert population["Valeur de référence"].isna().all()
    objectives = back["Objectifs et actions"]
    assert (
        objectives["Rang de l'action"].isna().sum()
        == convention.objectives["action_rank"].isna().sum()
    )
    # Codes stay text; geometry dropped; booleans stay booleans.
    communes_sheet = workbook["Communes"]
    assert communes_sheet["A2"].value == "62001" and communes_sheet["A2"].data_type == "s"
    assert communes_sheet["D2"].value is False
    assert "geometry" not in back["Communes"].columns


def test_xlsx_is_byte_identical_and_dated_from_source_date_epoch(tmp_path, convention, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1720483200")  # 2024-07-09 00:00 UTC
    tables = {"quartiers": convention.quartiers}
    first = xlsx.write_xlsx(tables, tmp_path / "a.xlsx")
    second = xlsx.write_xlsx(tables, tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    properties = openpyxl.load_workbook(first).properties
    assert properties.created.isoformat() == "2024-07-09T00:00:00"
    assert properties.modified.isoformat() == "2024-07-09T00:00:00"
    with zipfile.ZipFile(first) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 7, 9, 0, 0, 0)}


def test_xlsx_text_is_never_a_formula_and_control_characters_go(tmp_path):
    table = pd.DataFrame(
        {"note": ['=HYPERLINK("http://exemple.invalid","clic")', "a\x0cb", None]},
    )
    path = xlsx.write_xlsx({"notes": table}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["notes"]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://exemple.invalid","clic")'
    assert sheet["A3"].value == "a b"
    assert sheet["A4"].value is None


def test_xlsx_refuses_small_household_counts(tmp_path, cells):
    with pytest.raises(InputError, match="fewer than 11 households"):
        xlsx.write_xlsx({"grid": cells}, tmp_path / "g.xlsx")
    masked = secrecy.mask_small_cells(cells)
    path = xlsx.write_xlsx({"grid": masked}, tmp_path / "g.xlsx")
    back = xlsx.read_xlsx(path)["Carroyage Filosofi"]
    assert back["Ménages (carroyage)"].isna().sum() == 1
    assert np.issubdtype(back["Ménages (carroyage)"].dtype, np.floating)


def test_every_known_column_has_a_french_header(convention):
    columns = set()
    for table in (convention.quartiers, convention.portrait, convention.objectives):
        columns.update(table.columns)
    columns.update(compute_gaps(convention.portrait).columns)
    columns.update(ips.IPS_COLUMNS, ips_means.AGGREGATE_COLUMNS, crosscheck.CHECK_COLUMNS)
    columns.update(grid.GRID_COLUMNS, aggregate.OUTPUT_COLUMNS, ("source", "message"))
    missing = sorted(columns - set(HEADERS_FR))
    assert missing == []


def test_write_figures_renders_every_figure_from_the_tables(
    tmp_path, convention, communes, shapes, cells
):
    tables = {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "gaps": compute_gaps(convention.portrait),
        "communes": communes,
        "ips_communes": pd.read_csv(MAPS / "ips_communes.csv", dtype={"territoire_code": str}),
        "quartier_shapes": shapes,
        "grid": cells,
    }
    written = figure_export.write_figures(
        tables, tmp_path, territory=TERRITORY, formats=("png",), dpi=40
    )
    stems = sorted({p.stem for p in written})
    assert stems == sorted(
        [
            *(f"ecarts_{q}" for q in convention.quartiers["quartier_id"]),
            *(f"carte_communes_{q}" for q in convention.quartiers["quartier_id"]),
            "ecarts_quartiers",
            "carte_situation",
            "carte_situation_zoom",
            "carte_ips_ecoles_2022_2023",  # the latest rentrée with écoles in the fixture
            "carte_ecart_ips_ecoles_2022_2023",
            "carte_carroyage",
            # Issue 11: the one fixture quartier with a shape and cells around it.
            "carte_quartier_cites-6-et-30",
        ]
    )
    assert {p.suffix for p in written} == {".png"}
    assert plt.get_fignums() == []  # every figure closed


def test_grid_cells_in_keeps_cells_centred_in_the_communes(communes, cells):
    divion = communes[communes["code"] == "62270"]
    assert len(layers.grid_cells_in(cells, divion)) == 6
    assert len(layers.grid_cells_in(cells, communes[communes["code"] == "62003"])) == 0


def test_xlsx_names_the_epci_it_is_given(tmp_path, convention):
    gaps = compute_gaps(convention.portrait)
    layer = pd.DataFrame({"code": ["59999"], "ips_epci": [99.5], "ecart_epci": [-1.5]})
    path = xlsx.write_xlsx({"gaps": gaps, "ips": layer}, tmp_path / "t.xlsx", epci_label="CATEST")
    back = xlsx.read_xlsx(path)
    assert list(back) == ["Écarts à la CATEST", "IPS des établissements"]
    assert list(back["IPS des établissements"].columns) == [
        "Code",
        "IPS moyen de la CATEST",
        "Écart à la CATEST (points d'IPS)",
    ]
    # Without a label, the generic words; never a « {epci} » left in a sheet name.
    back = xlsx.read_xlsx(xlsx.write_xlsx({"gaps": gaps}, tmp_path / "g.xlsx"))
    assert list(back) == ["Écarts à l'agglomération"]
    # A long label is cut at Excel's 31 characters.
    long = xlsx.write_xlsx({"gaps": gaps}, tmp_path / "l.xlsx", epci_label="X" * 40)
    assert list(xlsx.read_xlsx(long)) == ["Écarts à la " + "X" * 19]


# --- exports for French Excel (issue 14) ----------------------------------------------


def _row(sheet, **wanted):
    """The 1-based row of ``sheet`` whose cells under the headers ``wanted`` match."""
    headers = [c.value for c in sheet[1]]
    for r in range(2, sheet.max_row + 1):
        if all(sheet.cell(r, headers.index(h) + 1).value == v for h, v in wanted.items()):
            return {h: sheet.cell(r, j + 1) for j, h in enumerate(headers)}
    raise AssertionError(f"no row {wanted}")


def _tables(convention, communes):
    return {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "gaps": compute_gaps(convention.portrait),
        "communes": communes,
    }


def test_xlsx_number_formats_french_labels_and_lisez_moi(tmp_path, convention, communes):
    from indicators.build.readme_sheet import readme_sections

    tables = _tables(convention, communes)
    manifest = {"built_at": "2024-07-09T00:00:00+00:00", "version": "0.1.0", "raw_inputs": []}
    titles = xlsx.sheet_titles(tables, TERRITORY.epci.label)
    readme = readme_sections(tables, titles=titles, manifest=manifest, territory=TERRITORY)
    path = xlsx.write_xlsx(
        tables, tmp_path / "i.xlsx", epci_label=TERRITORY.epci.label, readme=readme
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lisez-moi", *titles.values()]
    portrait = book["Portrait statistique"]
    pid, ind, line = (
        "Identifiant du quartier",
        "Identifiant de l'indicateur",
        "Ligne dans la convention",
    )
    # Convention line 119: « Taux de pauvreté : 38 % (18,8% sur l'ensemble de l'agglomération) ».
    poverty = _row(portrait, **{line: 119})
    assert poverty[ind].value == "poverty_rate"
    assert poverty["Valeur"].value == 38 and poverty["Valeur"].data_type == "n"
    assert poverty["Valeur"].number_format == '#,##0"\xa0%"'  # published without decimal
    assert poverty["Valeur de référence"].value == 18.8
    assert poverty["Valeur de référence"].number_format == '#,##0.0"\xa0%"'
    assert poverty["Précision de la valeur"].value == "exacte"
    # Line 115: « Population : environ **1 600 habitants** »: a count, « environ ».
    population = _row(portrait, **{line: 115})
    assert population["Valeur"].value == 1600
    assert population["Valeur"].number_format == "#,##0"  # « 1 600 » in a French Excel
    assert population["Précision de la valeur"].value == "environ"
    # Line 230: « Part du parc social : + de 95% »: a lower bound.
    assert _row(portrait, **{line: 230})["Précision de la valeur"].value == "au moins"
    # Line 123: the IPS 79 (104): no « % ».
    assert _row(portrait, **{line: 123})["Valeur"].number_format == "#,##0"
    gaps = book["Écarts à la CABBALR"]
    gap = _row(gaps, **{pid: poverty[pid].value, ind: "poverty_rate"})
    assert gap["Écart"].value == pytest.approx(38 - 18.8)
    assert gap["Écart"].number_format == '+0.0;"\u2212"0.0;0.0'  # « +19,2 »
    assert gap["Type d'indicateur"].value == "taux ou part"
    assert gap["Précision de l'écart"].value == "exacte"
    assert gap["Valeur"].number_format == 'General"\xa0%"'  # as published: « 38 % »
    communes_sheet = book["Communes"]
    assert communes_sheet["C2"].value == 1000 and communes_sheet["C2"].number_format == "#,##0"
    for title in titles.values():
        sheet = book[title]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold, title
        assert all(book[title].column_dimensions[c].width >= 10 for c in "AB"), title
    readme_text = [str(c.value) for row in book["Lisez-moi"].iter_rows() for c in row if c.value]
    for expected in ("Feuilles", "Sources", "Lire les chiffres", "Construit le", "Licence"):
        assert expected in readme_text, expected
    assert "9 juillet 2024 à 02:00" in readme_text  # Paris time of SOURCE_DATE_EPOCH
    assert any(t.startswith("Portraits statistiques : ") for t in readme_text)
    assert "Écarts à la CABBALR" in readme_text  # every sheet is listed


def test_xlsx_formula_like_text_stays_text_and_quoted(tmp_path):
    table = pd.DataFrame({"note": ["=1+1", "+ de 95 %", "-3", "@x"], "n": [1, 2, 3, 4]})
    sheet = openpyxl.load_workbook(xlsx.write_xlsx({"notes": table}, tmp_path / "t.xlsx"))["notes"]
    assert [sheet[f"A{r}"].value for r in range(2, 6)] == ["=1+1", "+ de 95 %", "-3", "@x"]
    assert {sheet[f"A{r}"].data_type for r in range(2, 6)} == {"s"}
    assert sheet["A2"].quotePrefix  # stays text when edited in Excel
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist())


def _unquoted(cells: pd.Series) -> list[str]:
    """Cells without the apostrophe that neutralises a formula-like text (either CSV)."""
    quoted = cells.str.match(r"^'[=+\-@\t\r]")
    return cells.where(~quoted, cells.str[1:]).tolist()


def test_csv_for_french_excel_has_the_canonical_values(tmp_path, convention, communes):
    from indicators.build import csv_excel
    from indicators.build.labels import CODE_LABELS
    from indicators.build.storage import write_table

    tables = _tables(convention, communes)
    headers = headers_fr(TERRITORY.epci.label)
    written = csv_excel.write_csv_excel(tables, tmp_path / "x", epci_label=TERRITORY.epci.label)
    assert [p.name for p in written] == [f"{n}.csv" for n in tables]
    for name, table in tables.items():
        raw = (tmp_path / "x" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        write_table(table, tmp_path / "c", name, formats=("csv",))
        canonical = pd.read_csv(tmp_path / "c" / f"{name}.csv", dtype=str, keep_default_na=False)
        back = csv_excel.read_csv_excel(
            tmp_path / "x" / f"{name}.csv", dtype=str, keep_default_na=False
        )
        assert list(back.columns) == [headers.get(c, c) for c in canonical.columns], name
        assert len(back) == len(table), name
        for column in canonical.columns:
            mine = back[headers.get(column, column)]
            if pd.api.types.is_float_dtype(table[column]):  # same numbers, decimal comma
                expected = pd.to_numeric(canonical[column].replace("", None))
                got = pd.to_numeric(mine.str.replace(",", ".").replace("", None))
                assert np.allclose(expected, got, equal_nan=True), (name, column)
                assert not mine.str.contains(r"\.", regex=True).any(), (name, column)
            elif column not in CODE_LABELS and not pd.api.types.is_bool_dtype(table[column]):
                # Text and integers as in the canonical CSV, but for the apostrophe that
                # neutralises a formula-like text.
                assert _unquoted(mine) == _unquoted(canonical[column]), (name, column)
                quoted = mine[mine.str.startswith("'")]
                assert quoted.str[1].isin(list("=+-@")).all(), (name, column)
    gaps = csv_excel.read_csv_excel(tmp_path / "x" / "gaps.csv", dtype=str)
    row = gaps[gaps["Écart (texte)"].str.contains("19,2", na=False)].iloc[0]
    assert row["Écart (texte)"] == "'+19,2\xa0points"  # a leading « + » would run as a formula
    assert row["Écart"] == "19,2" and row["Précision de l'écart"] == "exacte"
    portrait = csv_excel.read_csv_excel(tmp_path / "x" / "portrait.csv", dtype=str)
    line = portrait.set_index("Ligne dans la convention")
    assert line.loc["115", "Précision de la valeur"] == "environ"  # « environ 1 600 habitants »
    assert line.loc["230", "Précision de la valeur"] == "au moins"  # « + de 95% »
    communes_back = csv_excel.read_csv_excel(tmp_path / "x" / "communes.csv", dtype=str)
    assert set(communes_back["Commune concernée par un quartier"]) <= {"oui", "non"}
    assert "geometry" not in communes_back.columns


def test_svg_text_stays_text(tmp_path):
    fig, ax = plt.subplots()
    ax.set_title("Écart : +32,1 points")
    svg = figure_export.save_figure(fig, tmp_path, "t", formats=("svg",))[0]
    plt.close(fig)
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "Écart : +32,1 points" in text
    assert "DejaVu Sans" in text
