"""Tests of the French display layer of the reports (:mod:`indicators.report`).

Expected strings are read by hand in the convention (``data/raw/convention``): Cités 6 et
30 has a poverty rate of « 50,9 % » against « 18,8 % » for the CABBALR (gap 50,9 − 18,8 =
+32,1 points), « + de 95% » of social housing against 25,6 % (at least +69,4 points),
« environ 1 800 habitants »; Transvaal « + de 30% » poor (at least 30 − 18,8 = +11,2
points); the Clarence portrait keeps only its IPS (76) and social housing (88 %). Small
hand-written frames cover escaping and the open-data tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from indicators.analysis.gaps import compute_gaps
from indicators.build.storage import write_table
from indicators.config import Paths
from indicators.convention.parse import read_convention
from indicators.errors import InputError, ParameterError
from indicators.report.crosscheck import crosscheck_html, crosscheck_table_fr
from indicators.report.display import (
    gaps_table_fr,
    identity_table_fr,
    portrait_table_fr,
    summary_table_fr,
    tables_overview_fr,
)
from indicators.report.examples import example_tables
from indicators.report.figures_html import (
    draw_figure,
    figure_html,
    gap_chart_html,
    gaps_across_html,
    ips_map_html,
    locator_map_html,
)
from indicators.report.fragments import (
    caveats_html,
    diagnostic_html,
    findings_html,
    objectives_html,
    title_html,
)
from indicators.report.markup import html_table
from indicators.report.provenance import format_datetime_fr, sources_et_methodes
from indicators.report.tables import REQUIRED_TABLES, Tables, load_tables

from .conftest import TERRITORY

matplotlib.use("Agg")

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
CONVENTION = RAW / "convention"
NBSP, NNBSP = "\u00a0", "\u202f"
MANIFEST = {
    "built_at": "2026-03-02T08:05:00+00:00",
    "version": "0.1.0",
    "raw_inputs": [
        {"path": "convention/convention-divion-2024.txt", "sha256": "90d79fa9f24a" + "0" * 52},
        {"path": "convention/README.md", "sha256": "1" * 64},
    ],
    "notes": ["Note de construction synthétique."],
}


def _plain(text: str) -> str:
    """Fold the no-break spaces of French typography to plain spaces."""
    return text.replace(NBSP, " ").replace(NNBSP, " ")


@pytest.fixture(scope="module")
def tables() -> Tables:
    """The convention's tables, parsed from the shipped text (no open-data tables)."""
    convention = read_convention(
        CONVENTION / "convention-divion-2024.txt", reference_label=TERRITORY.reference_label
    )
    return Tables(
        convention.quartiers,
        convention.portrait,
        compute_gaps(convention.portrait),
        convention.objectives,
        MANIFEST,
        territory=TERRITORY,
    )


def _row(frame: pd.DataFrame, indicator: str) -> list[str]:
    return [_plain(v) for v in frame[frame["Indicateur"] == indicator].iloc[0].tolist()]


# --------------------------------------------------------------------------- portrait


def test_portrait_of_cites_6_et_30(tables: Tables) -> None:
    frame = portrait_table_fr(tables, "cites-6-et-30")
    assert list(frame.columns) == [
        "Indicateur",
        "Quartier",
        "Agglomération (CABBALR)",
        "Écart",
        "Lecture",
        "Remarque",
    ]
    assert frame["Indicateur"].tolist()[:3] == [
        "Taux de pauvreté",
        "Taux d'emploi des 15-64 ans",
        "IPS des établissements scolaires",
    ]
    assert _row(frame, "Taux de pauvreté") == [
        "Taux de pauvreté",
        "50,9 %",
        "18,8 %",
        "+32,1 points",
        "défavorable",
        "",
    ]
    assert _row(frame, "Taux d'emploi des 15-64 ans")[1:5] == [
        "38,1 %",
        "58,8 %",
        "\u221220,7 points",
        "défavorable",
    ]
    assert _row(frame, "IPS des établissements scolaires")[1:4] == ["79", "104", "\u221225 points"]
    assert _row(frame, "Part du parc social")[1:5] == [
        "plus de 95 %",
        "25,6 %",
        "au moins +69,4 points",
        "supérieur",
    ]
    assert _row(frame, "Population")[1:] == [
        "environ 1 800 habitants",
        "—",
        "—",
        "—",
        "stable depuis 2015",
    ]


def test_incomplete_portrait_shows_missing_key_indicators(tables: Tables) -> None:
    frame = portrait_table_fr(tables, "cite-de-la-clarence")
    assert frame["Indicateur"].tolist() == [
        "Taux de pauvreté",
        "Taux d'emploi des 15-64 ans",
        "IPS des établissements scolaires",
        "Part du parc social",
    ]
    assert _row(frame, "Taux de pauvreté")[1] == "non disponible"
    assert _row(frame, "IPS des établissements scolaires")[1:4] == ["76", "104", "\u221228 points"]
    assert _row(frame, "Part du parc social")[1:3] == ["88 %", "25,6 %"]


def test_lower_bound_gap_of_transvaal(tables: Tables) -> None:
    frame = portrait_table_fr(tables, "cite-du-transvaal")
    assert _row(frame, "Taux de pauvreté")[1:4] == [
        "plus de 30 %",
        "18,8 %",
        "au moins +11,2 points",
    ]
    assert _row(frame, "Population")[1] == "environ 940 habitants"


def test_unknown_quartier_lists_valid_ids(tables: Tables) -> None:
    with pytest.raises(ParameterError, match="valid ids: coteau-stade-parc-cite-34, cites-6"):
        portrait_table_fr(tables, "nowhere")


# --------------------------------------------------------------------------- all quartiers


def test_summary_table(tables: Tables) -> None:
    frame = summary_table_fr(tables)
    assert list(frame.columns) == [
        "Indicateur",
        "Coteau Stade Parc - Cité 34",
        "Cités 6 et 30",
        "Cité de la Clarence",
        "Cité du Transvaal",
        "Agglomération (CABBALR)",
    ]
    assert _row(frame, "Taux de pauvreté")[1:] == [
        "38 %",
        "50,9 %",
        "non disponible",
        "plus de 30 %",
        "18,8 %",
    ]
    assert _row(frame, "Source")[1:] == [
        "sigville, 2022, ancien périmètre",
        "sigville, 2022, ancien périmètre",
        "source non indiquée dans la convention",
        "Préfecture du Pas-de-Calais, 2024",
        "convention",
    ]


def test_summary_shows_every_distinct_reference() -> None:
    tables = example_tables()
    second = tables.portrait.assign(quartier_id="q2", reference_value=19.0)
    tables.portrait = pd.concat([tables.portrait, second], ignore_index=True)
    tables.quartiers = pd.concat(
        [tables.quartiers, tables.quartiers.assign(quartier_id="q2", name="Q2", line=2)],
        ignore_index=True,
    )
    frame = summary_table_fr(tables)
    assert _row(frame, "Taux de pauvreté")[-1] == "18,8 % / 19 %"  # never collapsed


def test_gaps_table_and_findings(tables: Tables) -> None:
    frame = gaps_table_fr(tables)
    assert _row(frame, "Taux de pauvreté")[1:] == [
        "+19,2 points (défavorable)",
        "+32,1 points (défavorable)",
        "non disponible",
        "au moins +11,2 points (défavorable)",
    ]
    findings = _plain(findings_html(tables))
    assert (
        "Taux de pauvreté : 50,9 % contre 18,8 % dans l'agglomération "
        "(+32,1 points, défavorable)." in findings
    )
    assert "Taux d'emploi des 15-64 ans : non disponible." in findings


# --------------------------------------------------------------------------- text and escaping


def test_inputs_are_escaped() -> None:
    tables = example_tables()
    tables.quartiers = tables.quartiers.assign(
        name="<script>alert(1)</script>", irritants="a < b\n<i>c</i>"
    )
    title = title_html(tables, "q1")
    assert "<script>" not in title and "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    diagnostic = diagnostic_html(tables, "q1")
    assert "<li>a &lt; b</li><li>&lt;i&gt;c&lt;/i&gt;</li>" in diagnostic
    objectives = objectives_html(tables, "q1")
    assert "<b>" not in objectives and "&lt;b&gt;action&lt;/b&gt;" in objectives
    table = html_table(identity_table_fr(tables, "q1"))
    assert "<script>" not in table
    assert "<script>" not in sources_et_methodes(tables)


def test_objectives_are_nested_by_enjeu(tables: Tables) -> None:
    page = objectives_html(tables, "cite-du-transvaal")
    assert page.startswith("<h3>Enjeu 1 — DES QUARTIERS ATTENTIFS AUX HABITANTS DES PLUS FRAGILES")
    assert page.count("<h3>Enjeu ") == len(
        tables.objectives.loc[tables.objectives["quartier_id"] == "cite-du-transvaal", "enjeu"]
        .drop_duplicates()
        .index
    )


def test_caveats(tables: Tables) -> None:
    clarence = _plain(caveats_html(tables, ["cite-de-la-clarence"]))
    assert "Portrait incomplet" in clarence
    assert "non disponible dans la convention — taux de pauvreté" in clarence
    qpv = _plain(caveats_html(tables, ["cites-6-et-30"]))
    assert "ancien périmètre" in qpv
    assert "« plus de » est un minimum" in qpv
    assert "ne viennent pas tous de la même source" in _plain(caveats_html(tables))
    assert "même source" not in qpv  # one quartier: nothing to compare


def test_sources_et_methodes(tables: Tables) -> None:
    text = _plain(sources_et_methodes(tables))
    assert text.startswith('<section class="sources"><h2>Sources et méthodes</h2>')
    for expected in (
        "« données sigville 2022 basées sur l'ancien périmètre »",
        "« données 2024 de la Préfecture du Pas-de-Calais »",
        "Cité de la Clarence : aucune source indiquée dans la convention — Portrait incomplet",
        "Ancien périmètre : les chiffres de Coteau Stade Parc - Cité 34 et de Cités 6 et 30",
        "« non disponible », jamais remplacée par zéro",
        "« au moins »",
        "Contrôle croisé des IPS : non disponible",
        "Note de construction synthétique.",
        # The names come from data/raw/territory.toml; the text is the one written before.
        "convention d'application communale du contrat de ville « Engagements Quartiers "
        "2030 » de Divion (2024-2030). Les valeurs de référence sont celles de la "
        "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR), citées "
        "entre parenthèses dans la convention.",
        "Données construites le 2 mars 2026 à 09:05 par indicators 0.1.0",
        "90d79fa9f24a",
    ):
        assert expected in text, expected
    assert "README.md" not in text


def test_format_datetime_fr_is_paris_time() -> None:
    assert format_datetime_fr("2026-07-14T10:00:00+00:00") == "14 juillet 2026 à 12:00"
    assert format_datetime_fr(None) == "non disponible"


# --------------------------------------------------------------------------- IPS check


def _checks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "check_id": ["a", "b", "c"],
            "quartier_id": [None, None, "cites-6-et-30"],
            "indicator_id": ["school_ips"] * 3,
            "convention_value": [104.0, 104.0, 79.0],
            "open_data_value": [93.81, 92.8, float("nan")],
            "method": ["Moyenne A.", "Moyenne B.", "Écoles listées."],
            "rentree": ["2021-2022", "2022-2023", None],
            "status": ["écart", "écart", "non vérifiable"],
            "message": ["m1", "m2", "Aucun établissement associé."],
        }
    )


def test_crosscheck_table(tables: Tables) -> None:
    with_checks = Tables(
        tables.quartiers,
        tables.portrait,
        tables.gaps,
        tables.objectives,
        MANIFEST,
        territory=tables.territory,
        checks=_checks(),
    )
    frame = crosscheck_table_fr(with_checks, ["cites-6-et-30"])
    assert [_plain(v) for v in frame.iloc[0]] == [
        "Agglomération (CABBALR)",
        "2021-2022",
        "104",
        "93,8",
        "\u221210,2 points",  # 93,81 − 104 = −10,19
        "écart",
    ]
    assert [_plain(v) for v in frame.iloc[2]] == [
        "Cités 6 et 30",
        "—",
        "79",
        "non disponible",
        "—",
        "non vérifiable",
    ]
    assert len(crosscheck_table_fr(with_checks, ["cite-du-transvaal"])) == 2
    page = _plain(crosscheck_html(with_checks, ["cites-6-et-30"]))
    assert "(104) n'est pas retrouvée dans les données ouvertes (entre 92,8 et 93,8" in page
    assert "Aucun établissement associé." in page and "Moyenne A." in page
    # The warning reaches the caveats of a quartier with an IPS.
    assert "n'est pas retrouvée" in caveats_html(with_checks, ["cites-6-et-30"])


def test_crosscheck_absent(tables: Tables) -> None:
    assert crosscheck_table_fr(tables) is None
    assert "n'est pas disponible" in crosscheck_html(tables)


# --------------------------------------------------------------------------- reading


def test_load_tables_reads_optional_tables_on_demand(tmp_path: Path) -> None:
    paths = Paths.from_root(tmp_path)
    example = example_tables()
    for name in REQUIRED_TABLES:
        write_table(getattr(example, name), paths.processed, name)
    write_table(_checks(), paths.processed, "checks")
    (paths.processed / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    tables = load_tables(paths)
    assert tables.manifest["version"] == "0.1.0"
    assert "checks" not in tables._optional  # not read yet
    assert len(tables.checks) == 3
    assert tables.communes is None
    assert tables.available() == [*REQUIRED_TABLES, "checks"]
    overview = tables_overview_fr(tables)
    assert overview.set_index("Table").loc["checks", "État"] == "présente"


def test_load_tables_without_build(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"quartiers\.parquet: expected the table written by"):
        load_tables(tmp_path)


# --------------------------------------------------------------------------- figures


def test_figures_are_embedded_pngs(tables: Tables) -> None:
    """Tables from memory (no build folder): the registry draws the figures."""
    chart = gap_chart_html(tables, "cites-6-et-30")
    # The figure carries its registry spec as a class (the print rules select on it).
    assert chart.startswith(
        '<figure class="chart fig-ecarts_quartier"><img alt="Graphique : Cités 6 et 30 comparé'
    )
    assert 'src="data:image/png;base64,iVBOR' in chart
    assert "Carte de localisation non disponible" in locator_map_html(tables)
    assert "Carte de localisation non disponible" in locator_map_html(tables, "cites-6-et-30")
    assert "Carte des IPS non disponible" in ips_map_html(tables)
    assert draw_figure(tables, "ecarts_quartiers").figure.axes


def test_figures_are_registry_names(tables: Tables) -> None:
    with pytest.raises(ParameterError, match="unknown figure 'carte_inconnue'"):
        figure_html(tables, "carte_inconnue")
    with pytest.raises(ParameterError, match="unknown quartier 'nulle-part'; valid ids"):
        gap_chart_html(tables, "nulle-part")


def test_tables_are_a_mapping_of_the_tables_present(tables: Tables) -> None:
    assert list(tables) == ["quartiers", "portrait", "gaps", "objectives"]
    assert tables["gaps"] is tables.gaps and "communes" not in tables
    assert tables.get("communes") is None and len(tables) == 4
    with pytest.raises(KeyError):
        tables["communes"]
    assert tables == tables and tables != example_tables()


def _embedded(fragment: str) -> bytes:
    import base64
    import re

    return base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", str(fragment)).group(1))


def test_reports_reuse_the_figures_the_build_rendered(project_root) -> None:
    """A report embeds the build's PNG (same bytes), looked up by its registry name; a
    figure the build should have written but did not, or whose bytes changed, is an error."""
    from indicators.build.pipeline import build
    from indicators.figures import registry

    paths = Paths.from_root(project_root)
    build(paths)
    tables = load_tables(project_root)
    figures = paths.processed / "exports" / "figures"
    # The build wrote exactly the figures the registry lists for its tables.
    written = {p.stem for p in figures.glob("*.png")}
    assert written == set(registry.figure_names(tables, territory=tables.territory))
    for html_text, name in [
        (gap_chart_html(tables, "cites-6-et-30"), "ecarts_cites-6-et-30"),
        (gaps_across_html(tables), "ecarts_quartiers"),
        (locator_map_html(tables), "carte_situation"),
        (locator_map_html(tables, "cite-du-transvaal"), "carte_communes_cite-du-transvaal"),
        (ips_map_html(tables), "carte_ips_ecoles_2024_2025"),
    ]:
        assert _embedded(html_text) == (figures / f"{name}.png").read_bytes(), name
    for name in written:
        assert _embedded(figure_html(tables, name)) == (figures / f"{name}.png").read_bytes()
    # An earlier rentrée is no figure of the build: the registry draws it.
    earlier = ips_map_html(tables, "2022-2023")
    assert "IPS moyen des écoles par commune de la CABBALR, rentrée 2022-2023" in earlier
    assert _embedded(earlier).startswith(b"\x89PNG")
    # The shipped 2024 contours give the two QPV a shape: the zoomed map is the build's.
    zoom = (figures / "carte_situation_zoom.png").read_bytes()
    assert _embedded(locator_map_html(tables, zoom=True)) == zoom

    # A PNG that no longer matches the manifest is refused, naming the figure.
    (figures / "ecarts_quartiers.png").write_bytes(b"not the build's figure")
    with pytest.raises(
        InputError,
        match=r"ecarts_quartiers\.png, figure 'ecarts_quartiers': expected the sha256 of the "
        r"build manifest",
    ):
        gaps_across_html(tables)
    (figures / "carte_situation.png").unlink()
    with pytest.raises(InputError, match=r"figure 'carte_situation': expected the PNG listed"):
        locator_map_html(tables)
    # A figure the registry lists for these tables but the manifest lacks: never redrawn.
    del tables.manifest["exports"]["figures/ecarts_cites-6-et-30.png"]
    with pytest.raises(InputError, match=r"figure 'ecarts_cites-6-et-30': expected a PNG written"):
        gap_chart_html(tables, "cites-6-et-30")
    # A PNG of the manifest whose name the registry does not know: a build of another version.
    tables.manifest["exports"]["figures/ancienne_carte.png"] = "0" * 64
    with pytest.raises(InputError, match=r"manifest\.json, figure 'ancienne_carte': expected only"):
        gaps_across_html(tables)


def test_sources_name_the_territory_of_the_tables() -> None:
    text = _plain(sources_et_methodes(example_tables()))
    assert "« Engagements Quartiers 2030 » de Commune A (2024-2030)" in text
    assert "celles de la Communauté d'agglomération d'Exemple (CAEX), citées" in text
    assert list(portrait_table_fr(example_tables(), "q1").columns)[2] == "Agglomération (CAEX)"
