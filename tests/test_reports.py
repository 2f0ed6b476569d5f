"""Tests of ``indicators report`` with tiny, readable notebook templates.

The real notebooks run on the shipped data in ``test_notebooks.py``; here the templates
are minimal fixtures (``tests/fixtures/notebooks/``) so that isolation of a failing
notebook, the index, the atomic replacement of ``reports/`` and the HTML/PDF export are
checked in seconds. The processed tables are hand-written: two quartiers.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from indicators.build.storage import write_table
from indicators.cli import main
from indicators.config import Paths
from indicators.errors import InputError, ParameterError
from indicators.hashing import sha256_file
from indicators.report import index
from indicators.report.batch import run_reports
from indicators.report.index import error_text
from indicators.report.page import external_references, html_to_pdf, page_html
from indicators.report.plan import plan_reports
from indicators.report.templates import declared_parameters, discover_templates

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
REPO_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
# The report metadata of the real templates (jupytext header of notebooks/*.py).
REPORT_HEADERS = {
    "dossier_copil": (
        "title: Dossier du comité de pilotage\nkey: dossier-copil\norder: 1\npdf: true"
    ),
    "comparaison": "title: Comparaison des quartiers\nkey: comparaison\norder: 2",
    "fiche_quartier": "title: Fiche quartier\nkey: fiche\norder: 3\nper_quartier: true",
}
MANIFEST = {
    "built_at": "2026-01-15T09:30:00+00:00",
    "version": "0.1.0",
    "raw_inputs": [{"path": "convention/convention.txt", "sha256": "ab" * 32}],
    "notes": [],
}


def _tiny_project(root: Path, comparaison: str = "tiny_report.py") -> Paths:
    """Two quartiers, a manifest, a territory and the tiny templates under the real names."""
    paths = Paths.from_root(root)
    paths.territory_file.parent.mkdir(parents=True)
    paths.territory_file.write_text(TERRITORY, encoding="utf-8")
    quartiers = pd.DataFrame(
        {"quartier_id": ["q-b", "q-a"], "name": ["Quartier B", "Quartier <A>"], "line": [20, 10]}
    )
    files = write_table(quartiers, paths.processed, "quartiers")
    # A manifest that matches what is on disk: the territory in data/raw, one table.
    manifest = {
        **MANIFEST,
        "raw_inputs": [
            {"path": "territory.toml", "sha256": sha256_file(paths.territory_file)}
        ],
        "tables": {"quartiers": {"rows": 2, "files": {f.name: sha256_file(f) for f in files}}},
    }
    (paths.processed / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    paths.notebooks.mkdir(parents=True)
    _install(FIXTURES / "tiny_fiche.py", paths.notebooks / "fiche_quartier.py")
    _install(FIXTURES / comparaison, paths.notebooks / "comparaison.py")
    _install(FIXTURES / "tiny_report.py", paths.notebooks / "dossier_copil.py")
    return paths


def _install(fixture: Path, target: Path, header: str | None = None) -> None:
    """Copy a fixture template, declaring in its jupytext header the report it makes.

    ``header``: the ``indicators`` metadata as YAML lines (default: that of the real
    template of the same name).
    """
    header = REPORT_HEADERS[target.stem] if header is None else header
    metadata = "".join(f"#     {line}\n" for line in header.splitlines())
    text = fixture.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:\n")
    text = text.replace("# jupyter:\n", "# jupyter:\n#   indicators:\n" + metadata, 1)
    target.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Paths, int, list[str]]:
    """One run of the tiny project with a failing comparison (shared by several tests).

    Returns the paths, the exit status, and what was printed: the summary line first,
    then the lines written on stderr.
    """
    paths = _tiny_project(tmp_path_factory.mktemp("tiny") / "project", "fails.py")
    printed: list[str] = []
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        status = run_reports(paths, jobs=2, progress=False, echo=printed.append)
    return paths, status, printed + errors.getvalue().splitlines()


#: A fictional territory: the index names its commune.
TERRITORY = """
[convention]
file = "convention/convention.txt"
reference_label = "CAEX"

[[communes]]
insee = "99001"
name = "Commune A"

[epci]
siren = "000000000"
name = "Communauté d'agglomération d'Exemple"
label = "CAEX"
member_count = 2

[departement]
code = "99"
name = "Exemple"

[academie]
name = "Exemple"

[raw]
epci_members = "epci"
commune_boundaries = "communes"

[quartiers]
q-a = {}
q-b = {}
"""


def _index(paths: Paths) -> dict[str, dict]:
    data = json.loads((paths.reports / "index.json").read_text(encoding="utf-8"))
    return {entry["key"]: entry for entry in data["reports"]}


# --------------------------------------------------------------------------- validation


def test_unknown_quartier_is_refused_before_any_kernel(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    with pytest.raises(ParameterError) as caught:
        run_reports(paths, quartiers=["q-a", "nowhere"], progress=False)
    message = str(caught.value)
    assert "'nowhere'" in message
    assert "valid ids: q-a, q-b" in message  # in the convention's order (line 10, 20)
    assert "\n" not in message
    assert not (paths.reports / "index.html").exists()


def test_cli_unknown_quartier_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _tiny_project(tmp_path)
    status = main(["--root", str(paths.root), "report", "--quartier", "nowhere"])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1
    assert "unknown quartier 'nowhere'" in err and "q-a, q-b" in err


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    with pytest.raises(ParameterError, match="--jobs"):
        run_reports(paths, jobs=0, progress=False)


def test_missing_build_names_the_file(tmp_path: Path) -> None:
    paths = Paths.from_root(tmp_path)
    with pytest.raises(InputError, match=r"manifest\.json.*indicators build"):
        run_reports(paths, progress=False)


def test_parameter_not_declared_in_template_is_refused(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    # The fiche template below declares only `root`: `quartier_id` cannot be injected.
    _install(FIXTURES / "tiny_report.py", paths.notebooks / "fiche_quartier.py")
    with pytest.raises(ParameterError, match="'quartier_id' is not declared"):
        run_reports(paths, quartiers=["q-a"], progress=False)


def test_declared_parameters_needs_a_tagged_typed_first_cell() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell('root = ""'))
    with pytest.raises(InputError, match="tagged 'parameters'"):
        declared_parameters(nb, "x.py")
    nb.cells[0].metadata["tags"] = ["parameters"]
    with pytest.raises(InputError, match="one typed assignment per line"):
        declared_parameters(nb, "x.py")
    nb.cells[0].source = 'root: str = ""  # root\njobs: int = 2  # jobs'
    assert declared_parameters(nb) == {"root": "str", "jobs": "int"}


def test_plan_puts_long_reports_first_and_selection_only_fiches() -> None:
    templates = discover_templates(Paths.from_root(REPO_NOTEBOOKS.parent))
    every = plan_reports(["q-a", "q-b"], None, "/r", templates=templates)
    assert [job.key for job in every] == [
        "dossier-copil",
        "comparaison",
        "fiche-q-a",
        "fiche-q-b",
    ]
    assert every[0].pdf and not every[1].pdf
    assert every[2].parameters == {"quartier_id": "q-a", "root": "/r"}
    chosen = plan_reports(["q-a", "q-b"], ["q-b"], "/r", {"q-b": "Quartier B"}, templates=templates)
    assert [(job.key, job.title) for job in chosen] == [
        ("fiche-q-b", "Fiche quartier — Quartier B")
    ]


def test_templates_are_discovered_from_the_notebooks_header() -> None:
    found = discover_templates(Paths.from_root(REPO_NOTEBOOKS.parent))
    assert [(t.name, t.title, t.key, t.pdf, t.per_quartier) for t in found] == [
        ("dossier_copil", "Dossier du comité de pilotage", "dossier-copil", True, False),
        ("comparaison", "Comparaison des quartiers", "comparaison", False, False),
        ("fiche_quartier", "Fiche quartier", "fiche", False, True),
    ]  # exploration.py, an analyst notebook, declares no report


def test_extra_template_is_picked_up_and_analyst_notebook_is_not(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    _install(
        FIXTURES / "tiny_report.py", paths.notebooks / "bilan_annuel.py", "title: Bilan\norder: 4"
    )
    shutil.copy(FIXTURES / "tiny_report.py", paths.notebooks / "analyse.py")  # no metadata
    found = discover_templates(paths)
    assert [t.name for t in found] == [
        "dossier_copil",
        "comparaison",
        "fiche_quartier",
        "bilan_annuel",
    ]
    assert run_reports(paths, jobs=1, progress=False, echo=lambda _: None) == 0
    keys = [(key, entry["title"]) for key, entry in _index(paths).items()]
    assert keys == [
        ("dossier-copil", "Dossier du comité de pilotage"),
        ("comparaison", "Comparaison des quartiers"),
        ("fiche-q-a", "Fiche quartier — Quartier <A>"),
        ("fiche-q-b", "Fiche quartier — Quartier B"),
        ("bilan-annuel", "Bilan"),
    ]
    assert (paths.reports / "bilan-annuel.html").exists()
    assert not list(paths.reports.glob("analyse*"))


@pytest.mark.parametrize(
    "header, message",
    [
        ("pdf: true", "with a 'title'"),
        ("title: Bilan\npdf: oui", "'pdf' of type bool"),
        ("title: Bilan\ncolour: bleu", "fields among"),
    ],
)
def test_malformed_report_metadata_names_the_file(
    tmp_path: Path, header: str, message: str
) -> None:
    paths = _tiny_project(tmp_path)
    _install(FIXTURES / "tiny_report.py", paths.notebooks / "bilan.py", header)
    with pytest.raises(InputError, match=message) as caught:
        discover_templates(paths)
    assert "bilan.py" in str(caught.value)


def test_no_report_template_is_an_input_error(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    for path in paths.notebooks.iterdir():
        path.unlink()
    shutil.copy(FIXTURES / "tiny_report.py", paths.notebooks / "analyse.py")
    with pytest.raises(InputError, match="report templates"):
        run_reports(paths, progress=False)


# --------------------------------------------------------------------------- a failing run


def test_failing_notebook_is_isolated_and_reported(
    tiny_run: tuple[Paths, int, list[str]],
) -> None:
    paths, status, printed = tiny_run
    assert status == 1
    index = _index(paths)
    assert set(index) == {"dossier-copil", "comparaison", "fiche-q-a", "fiche-q-b"}
    failed = index["comparaison"]
    assert failed["status"] == "failed"
    # fails.py: markdown cell 2, `share: float = 50.9` is cell 3, `share / 0` is cell 4.
    assert failed["error"]["cell"] == 4
    assert failed["error"]["source"] == "share / 0"
    assert failed["error"]["ename"] == "ZeroDivisionError"
    assert failed["error"]["template"] == "notebooks/comparaison.py"
    assert not (paths.reports / "comparaison.html").exists()
    assert (paths.reports / "notebooks" / "comparaison.ipynb").exists()  # for debugging
    for key in ("dossier-copil", "fiche-q-a", "fiche-q-b"):
        assert index[key]["status"] == "ok"
        assert (paths.reports / f"{key}.html").exists()
    assert (paths.reports / "dossier-copil.pdf").read_bytes().startswith(b"%PDF")
    page = (paths.reports / "index.html").read_text(encoding="utf-8")
    assert "échec" in page and "ZeroDivisionError" in page and "cellule 4" in page
    assert "4 rapports, dont 1 en échec" in page
    assert "<h1>Rapports du contrat de ville — Commune A</h1>" in page  # territory.toml
    assert "Fiche quartier — Quartier &lt;A&gt;</a>" in page  # names from inputs are escaped
    assert printed and "3/4 report(s)" in printed[0]


def test_failure_is_printed_on_stderr(tiny_run: tuple[Paths, int, list[str]]) -> None:
    printed = tiny_run[2]
    failures = [line for line in printed if "failed" in line]
    assert failures == [
        "indicators report: comparaison failed: échec à l'étape exécution, cellule 4 de "
        "notebooks/comparaison.py (« share / 0 ») — ZeroDivisionError : float division by zero"
    ]


# --------------------------------------------------------------------------- the outputs


def test_html_is_self_contained_without_code_or_parameters(
    tiny_run: tuple[Paths, int, list[str]],
) -> None:
    paths = tiny_run[0]
    for page_path in paths.reports.glob("*.html"):
        page = page_path.read_text(encoding="utf-8")
        assert external_references(page) == [], page_path.name
        assert "<script" not in page.lower()
        assert '<html lang="fr">' in page
    fiche = (paths.reports / "fiche-q-b.html").read_text(encoding="utf-8")
    assert "Quartier : q-b" in fiche  # the output is there...
    assert "from IPython" not in fiche  # ...the code is not
    assert 'quartier_id = "q-b"' not in fiche  # nor the injected parameters
    assert "quartier to describe" not in fiche  # nor the parameters cell
    # The footer gives the data version (from the manifest), not the parameters (they are
    # in the index and the page's metadata: no technical clutter for officials).
    assert "quartier_id = 'q-b'" not in fiche
    assert "&quot;quartier_id&quot;: &quot;q-b&quot;" in fiche
    assert "15 janvier 2026" in fiche and "indicators 0.1.0" in fiche
    dossier = (paths.reports / "dossier-copil.html").read_text(encoding="utf-8")
    assert "50,9\u00a0%" in dossier
    assert "avertissement sur stderr" not in dossier  # warnings stay in the notebook


def test_notebook_records_parameters(tiny_run: tuple[Paths, int, list[str]]) -> None:
    paths = tiny_run[0]
    nb = nbformat.read(paths.reports / "notebooks" / "fiche-q-a.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"]["quartier_id"] == "q-a"


def test_pdf_is_a4() -> None:
    import weasyprint

    page = page_html("Essai", "<h1>Essai</h1><p>Texte</p>", ["pied"], {})
    pdf = html_to_pdf(page)
    assert pdf.startswith(b"%PDF")
    first = weasyprint.HTML(string=page).render().pages[0]
    # CSS pixels (96 per inch): A4 is 210 × 297 mm.
    assert (round(first.width * 25.4 / 96), round(first.height * 25.4 / 96)) == (210, 297)


def test_pdf_refuses_outside_resources() -> None:
    page = page_html(
        "Essai", '<img src="https://example.invalid/x.png" alt="x"><p>Texte</p>', [], {}
    )
    assert html_to_pdf(page).startswith(b"%PDF")  # rendered, image not fetched


def test_external_references_finds_scripts_styles_images() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/x.css">'
        '<script src="//cdn.example/require.js"></script>'
        '<img src="http://example.org/a.png">'
        "<style>@import url('https://fonts.example/f.css');</style>"
        '<img src="data:image/png;base64,AAAA"><a href="#top">haut</a>'
        '<a href="fiche-q-a.html">fiche</a>'
    )
    found = {url for _, _, url in external_references(page)}
    assert found == {
        "https://cdn.example/x.css",
        "//cdn.example/require.js",
        "http://example.org/a.png",
        "https://fonts.example/f.css",
    }


def test_page_escapes_title_and_footer() -> None:
    page = page_html("<Titre>", "", ["a < b & c"], {"x": '"q"'})
    assert "<title>&lt;Titre&gt;</title>" in page
    assert "a &lt; b &amp; c" in page
    assert 'content="{&quot;x&quot;: &quot;\\&quot;q\\&quot;&quot;}"' in page


# --------------------------------------------------------------------------- atomicity


def test_interrupted_run_leaves_previous_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _tiny_project(tmp_path)
    paths.reports.mkdir()
    (paths.reports / "fiche-q-a.html").write_text("previous", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "index_html", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_reports(paths, quartiers=["q-a"], jobs=1, progress=False)
    assert (paths.reports / "fiche-q-a.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in paths.reports.iterdir()) == ["fiche-q-a.html"]
    assert not list(paths.root.glob(".reports-*"))


def test_selection_rerenders_one_fiche_and_keeps_the_others(tmp_path: Path) -> None:
    paths = _tiny_project(tmp_path)
    # Reports of an earlier run: fiche-q-a and the comparison, listed in index.json.
    paths.reports.mkdir()
    earlier = []
    for key, template, parameters in (
        ("comparaison", "comparaison", {}),
        ("fiche-q-a", "fiche_quartier", {"quartier_id": "q-a"}),
    ):
        (paths.reports / f"{key}.html").write_text(f"earlier {key}", encoding="utf-8")
        earlier.append(
            {
                "key": key,
                "template": template,
                "title": key,
                "parameters": parameters,
                "status": "ok",
                "started_at": "2025-06-01T10:00:00+00:00",
                "finished_at": "2025-06-01T10:00:02+00:00",
                "duration_s": 2.0,
                "files": {"html": f"{key}.html"},
                "error": None,
                "data": {"built_at": "2025-06-01T09:00:00+00:00", "version": "0.0.9"},
            }
        )
    (paths.reports / "index.json").write_text(json.dumps({"reports": earlier}), "utf-8")

    assert run_reports(paths, ["q-b"], jobs=1, progress=False, echo=lambda _: None) == 0

    after = _index(paths)
    assert list(after) == ["comparaison", "fiche-q-a", "fiche-q-b"]  # templates, then line
    assert after["fiche-q-a"] == earlier[1]  # kept as it was, with its older data version
    assert after["fiche-q-b"]["data"]["version"] == "0.1.0"
    assert (paths.reports / "fiche-q-a.html").read_text(encoding="utf-8") == "earlier fiche-q-a"
    assert "Quartier : q-b" in (paths.reports / "fiche-q-b.html").read_text(encoding="utf-8")
    page = (paths.reports / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="status-ok"', page)) == 3
    assert "1er juin 2025" in page  # the kept report shows its own date


def test_error_text_is_one_french_line() -> None:
    text = error_text(
        {
            "stage": "exécution",
            "template": "notebooks/comparaison.py",
            "cell": 4,
            "source": "share / 0",
            "ename": "ZeroDivisionError",
            "evalue": "float division by zero",
        }
    )
    assert text == (
        "échec à l'étape exécution, cellule 4 de notebooks/comparaison.py (« share / 0 ») "
        "— ZeroDivisionError : float division by zero"
    )
