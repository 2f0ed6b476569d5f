"""The notebook templates: their form, and every one run under papermill on the shipped data.

The form checks are fast: jupytext ``py:percent`` only (no ``.ipynb`` kept, so no output
can be committed), no ``def`` / ``class``, no reading of ``data/raw``, the first code cell
tagged ``parameters`` with one typed assignment and a help comment per line.

The runs share one build and one ``indicators report`` of a temporary copy of the
project (module fixture); the real ``reports/`` is never touched. Expected figures are
read by hand in the convention (see ``test_present.py``).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from indicators.config import Paths
from indicators.report.page import external_references
from indicators.report.templates import KERNEL_NAME, declared_parameters

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
TEMPLATES = ("fiche_quartier", "comparaison", "dossier_copil", "exploration")
QUARTIERS = (
    "coteau-stade-parc-cite-34",
    "cites-6-et-30",
    "cite-de-la-clarence",
    "cite-du-transvaal",
)
PARAMETER_LINE = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*): (?P<type>str|int|float|bool) = (?P<value>[^=#]+?)"
    r"  # (?P<help>\S.*)$"
)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# --------------------------------------------------------------------------- form


def test_templates_are_py_percent_only() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.py")) == sorted(TEMPLATES)
    assert not list(NOTEBOOKS.glob("*.ipynb")), "store templates as py:percent, not .ipynb"


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_thin(name: str) -> None:
    text = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")
    assert "data/raw" not in text
    nb = jupytext.reads(text, fmt="py:percent")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code:
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"{name}: logic belongs in src/indicators, not in a notebook"
        assert "open(" not in cell.source and "read_" not in cell.source
    markdown = " ".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert re.search(r"\b(le|la|les|des)\b", markdown), "prose is in French"


@pytest.mark.parametrize("name", TEMPLATES)
def test_parameters_cell(name: str) -> None:
    from papermill.translators import PythonTranslator

    nb = jupytext.read(NOTEBOOKS / f"{name}.py", fmt="py:percent")
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first.metadata.get("tags") == ["parameters"]
    lines = [line for line in first.source.splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert PARAMETER_LINE.match(line), f"{name}: not 'name: type = value  # help': {line!r}"
    # papermill reads the same names, types and help (shown by `papermill --help-notebook`).
    inspected = PythonTranslator.inspect(first)
    assert [p.name for p in inspected] == [PARAMETER_LINE.match(x)["name"] for x in lines]
    assert all(p.help for p in inspected)
    assert "root" in declared_parameters(nb)


# --------------------------------------------------------------------------- runs


@pytest.fixture(scope="module")
def project(rendered_project: tuple[Paths, int]) -> tuple[Paths, int]:
    """A built copy of the project and one `indicators report` of it (conftest)."""
    return rendered_project


def _page(paths: Paths, key: str) -> str:
    return (paths.reports / f"{key}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_report_is_written(project: tuple[Paths, int]) -> None:
    paths, status = project
    assert status == 0
    expected = {f"fiche-{q}.html" for q in QUARTIERS} | {
        "comparaison.html",
        "dossier-copil.html",
        "dossier-copil.pdf",
        "index.html",
        "index.json",
    }
    assert expected <= {p.name for p in paths.reports.iterdir()}
    assert (paths.reports / "dossier-copil.pdf").read_bytes()[:5] == b"%PDF-"
    index = _page(paths, "index")
    assert "6 rapports, tous réussis." in index
    assert index.count('class="status-ok"') == 6


@pytest.mark.slow
def test_fiche_figures_in_french(project: tuple[Paths, int]) -> None:
    page = _plain(_page(project[0], "fiche-cites-6-et-30"))
    for expected in (
        '<h1 id="cites-6-et-30">Cités 6 et 30</h1>',
        "<td>50,9 %</td><td>18,8 %</td><td>+32,1 points</td><td>défavorable</td>",
        "<td>38,1 %</td><td>58,8 %</td><td>\u221220,7 points</td>",
        "<td>plus de 95 %</td><td>25,6 %</td><td>au moins +69,4 points</td>",
        "environ 1 800 habitants",
        "ancien périmètre",
        "Objectifs et actions",
        'src="data:image/png;base64,',  # the gap chart, embedded
    ):
        assert expected in page, expected
    assert "50.9" not in page  # no English decimal point


@pytest.mark.slow
def test_incomplete_and_lower_bound_quartiers(project: tuple[Paths, int]) -> None:
    clarence = _plain(_page(project[0], "fiche-cite-de-la-clarence"))
    assert "Portrait incomplet" in clarence
    assert "<td>Taux de pauvreté</td><td>non disponible</td>" in clarence
    transvaal = _plain(_page(project[0], "fiche-cite-du-transvaal"))
    assert "<td>plus de 30 %</td><td>18,8 %</td><td>au moins +11,2 points</td>" in transvaal


@pytest.mark.slow
def test_comparison_and_dossier(project: tuple[Paths, int]) -> None:
    paths = project[0]
    comparison = _plain(_page(paths, "comparaison"))
    assert "<td>Taux de pauvreté</td><td>38 %</td><td>50,9 %</td><td>non disponible</td>" in (
        comparison
    )
    dossier = _plain(_page(paths, "dossier-copil"))
    for expected in (
        "Dossier du comité de pilotage",
        "Comité de pilotage du 1er décembre 2026",
        "Bilan des actions de l'année 2025",
        ">Synthèse</h2>",
        "Contrôle croisé des IPS",
        "au moins +11,2 points",
        "Cité de la Clarence",
        "Coteau Stade Parc - Cité 34",
    ):
        assert expected in dossier, expected
    assert dossier.count('<section class="part quartier"') == 4


@pytest.mark.slow
def test_html_is_self_contained_and_ends_with_sources(project: tuple[Paths, int]) -> None:
    paths = project[0]
    pages = sorted(paths.reports.glob("*.html"))
    assert len(pages) == 7
    for path in pages:
        page = path.read_text(encoding="utf-8")
        assert external_references(page) == [], path.name
        assert "<script" not in page.lower(), path.name
        if path.name == "index.html":
            continue
        assert "present." not in page and "load_tables" not in page, path.name  # no code
        headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
        last = "Annexe : sources, méthodes et versions des données"
        assert headings[-1] in ("Sources et méthodes", last), path.name
        assert "Version des données : données construites le" in page, path.name


@pytest.mark.slow
def test_exploration_runs_under_papermill(project: tuple[Paths, int], tmp_path: Path) -> None:
    import papermill

    paths = project[0]
    nb = jupytext.read(NOTEBOOKS / "exploration.py", fmt="py:percent")
    out = papermill.execute_notebook(
        nb,
        str(tmp_path / "exploration.ipynb"),
        parameters={"root": str(paths.root), "quartier_id": "cite-du-transvaal"},
        kernel_name=KERNEL_NAME,
        progress_bar=False,
    )
    errors = [o for c in out.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    shown = " ".join(
        o.get("data", {}).get("text/html", "") for c in out.cells for o in c.get("outputs", [])
    )
    assert "au moins +11,2 points" in _plain(shown)


# --------------------------------------------------------------------------- analyst's path
# README « Pour les analystes », run as written on a fresh copy of the project, then every
# template through the documented command line (`indicators run … -p NAME VALUE`).

BIN = Path(sys.executable).parent  # the environment's .venv/bin (console scripts)
#: Parameters given on the command line to each template, and a text its page must show.
RUN_PARAMETERS: dict[str, tuple[list[str], str]] = {
    "fiche_quartier": (["-p", "quartier_id", "cite-du-transvaal"], "au moins +11,2 points"),
    "comparaison": (["-p", "root", "."], "Comparaison des quartiers"),
    "dossier_copil": (
        [
            "-p",
            "annee",
            "2025",
            "-p",
            "date_comite",
            "2026-06-12",
            "-p",
            "rentree_ips",
            "2023-2024",
        ],
        "Comité de pilotage du 12 juin 2026",
    ),
    "exploration": (["-p", "quartier_id", "cite-du-transvaal"], "au moins +11,2 points"),
}


def _readme_blocks() -> list[tuple[str, str]]:
    """(language, code) of the fenced blocks of the README's « Pour les analystes »."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Pour les analystes\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, re.S | re.M)


def _run_block(language: str, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INDICATORS_ROOT"}
    if language == "python":
        command = [sys.executable, "-c", code]
    else:
        command = ["bash", "-euo", "pipefail", "-c", code.replace(".venv/bin/", f"{BIN}/")]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=1800
    )


@pytest.fixture(scope="module")
def analyst(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the project on which every README analyst block has run."""
    root = tmp_path_factory.mktemp("analyst") / "indicators"
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    blocks = [(lang, code) for lang, code in _readme_blocks() if lang in ("sh", "python")]
    assert [lang for lang, _ in blocks] == ["sh", "python", "sh", "sh", "sh"]
    for language, code in blocks:
        done = _run_block(language, code, root)
        assert done.returncode == 0, f"{code}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return root


@pytest.mark.slow
def test_readme_analyst_steps_work_as_written(analyst: Path) -> None:
    runs = analyst / "runs"
    for name in ("fiche-cite-du-transvaal", "dossier-2025"):
        assert (runs / f"{name}.ipynb").exists() and (runs / f"{name}.html").exists(), name
    assert (runs / "dossier-2025.pdf").read_bytes()[:5] == b"%PDF-"
    fiche = _plain((runs / "fiche-cite-du-transvaal.html").read_text(encoding="utf-8"))
    assert "<td>plus de 30 %</td><td>18,8 %</td><td>au moins +11,2 points</td>" in fiche
    # The papermill path: the parameters injected after the parameters cell, no error.
    nb = nbformat.read(runs / "fiche-cites-6-et-30.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'quartier_id = "cites-6-et-30"' in injected[0].source
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    # The analyst's own notebook was picked up by the batch.
    index = json.loads((analyst / "reports" / "index.json").read_text(encoding="utf-8"))
    entries = {e["key"]: e for e in index["reports"]}
    assert entries["ecarts"]["status"] == "ok"
    assert entries["ecarts"]["title"] == "Écarts de la commune"
    assert all(e["status"] == "ok" for e in entries.values())
    assert "<title>Écarts de la commune</title>" in (analyst / "reports" / "ecarts.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_runs_from_the_command_line(
    analyst: Path, tmp_path: Path, name: str
) -> None:
    arguments, expected = RUN_PARAMETERS[name]
    out = tmp_path / f"{name}.ipynb"
    done = subprocess.run(
        [str(BIN / "indicators"), "run", name, *arguments, "-o", str(out)],
        cwd=analyst,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("indicators run: ") and str(out) in done.stdout
    page = _plain(out.with_suffix(".html").read_text(encoding="utf-8"))
    assert expected in page
    assert external_references(page) == []
    nb = nbformat.read(out, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    given = dict(zip(arguments[1::3], arguments[2::3], strict=True))
    for parameter, value in given.items():
        assert f"{parameter} = " in injected.source and value in injected.source


@pytest.mark.slow
def test_figure_twins_draw_the_build_figures(analyst: Path, tmp_path: Path) -> None:
    """A twin's Figure, saved as the build saves, is the build's PNG byte for byte."""
    import indicators
    from indicators.build.figure_export import save_figure
    from indicators.report import twins

    tables = indicators.load(analyst)
    figures = analyst / "data" / "processed" / "exports" / "figures"
    for name, fig in [
        ("ecarts_cites-6-et-30", twins.gap_chart_figure(tables, "cites-6-et-30")),
        ("ecarts_quartiers", twins.gaps_across_figure(tables)),
        ("carte_situation", twins.locator_map_figure(tables)),
        ("carte_ips_ecoles_2024_2025", twins.ips_map_figure(tables)),
    ]:
        save_figure(fig, tmp_path, name, formats=("png",))
        assert (tmp_path / f"{name}.png").read_bytes() == (figures / f"{name}.png").read_bytes()
