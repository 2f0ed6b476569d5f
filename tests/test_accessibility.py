"""Accessibility (RGAA / WCAG 2.1 AA) and print of the rendered reports.

One rendered copy of the project (``rendered_project`` in conftest: shipped data, the
dossier of the 2025 comité of 1 December 2026) is checked by:

- axe-core in the machine's Chromium (``tests/a11y``: puppeteer-core, never a browser
  download), every HTML report, zero violation of the wcag2a/2aa/21a/21aa rules. Skipped
  when node, npm or chromium is missing, unless ``INDICATORS_REQUIRE_A11Y=1`` (CI);
- :func:`indicators.report.a11y.structure_problems` (lang, one h1, heading order,
  captions, ``th scope``, alt, link texts);
- the alt texts against the processed tables, re-read with plain pandas and formatted
  by hand;
- the tagged PDF (pypdf): language, title, a /Figure with /Alt for every image,
  bookmarks; and the printed dossier's structure read from the PDF itself.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from indicators.config import Paths
from indicators.report.a11y import structure_problems

from .conftest import img_alts

A11Y = Path(__file__).resolve().parent / "a11y"
REQUIRED = os.environ.get("INDICATORS_REQUIRE_A11Y") == "1"
pytestmark = pytest.mark.slow


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if REQUIRED:
            pytest.fail(f"{tool} is required (INDICATORS_REQUIRE_A11Y=1) but not installed")
        pytest.skip(f"{tool} not installed")
    return found


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _alts(page: str) -> list[str]:
    return [_plain(a) for a in img_alts(page)]


@pytest.fixture(scope="module")
def reports(rendered_project: tuple[Paths, int]) -> Path:
    paths, status = rendered_project
    assert status == 0
    return paths.reports


# --------------------------------------------------------------------------- HTML


def test_axe_core_finds_no_wcag_violation(reports: Path) -> None:
    node, npm = _need("node"), _need("npm")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _need("chromium")
    if not (A11Y / "node_modules" / "axe-core").exists():
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=A11Y, env=env, check=True, timeout=600
        )
    pages = sorted(str(p) for p in reports.glob("*.html"))
    assert len(pages) == 7
    done = subprocess.run(
        [node, str(A11Y / "axe_reports.js"), str(chromium), *pages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert sorted(results) == pages
    found = {Path(k).name: v for k, v in results.items() if v}
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_structure_of_every_html_report(reports: Path) -> None:
    for path in sorted(reports.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        assert structure_problems(page) == [], path.name
        assert '<a class="skip-link" href="#contenu">' in page
        assert '<main id="contenu">' in page


def _fr(value: float, unit: str) -> str:
    """By hand: 50.9 → « 50,9 % », 38.0 → « 38 % », 79.0 → « 79 »."""
    text = (f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}").replace(".", ",")
    return f"{text} %" if unit == "%" else text


def test_gap_chart_alt_is_written_from_the_gaps_table(
    rendered_project: tuple[Paths, int], reports: Path
) -> None:
    paths = rendered_project[0]
    gaps = pd.read_csv(paths.processed / "gaps.csv")
    portrait = pd.read_csv(paths.processed / "portrait.csv")
    units = dict(zip(portrait["indicator_id"], portrait["unit"].fillna(""), strict=False))
    labels = {"poverty_rate": "Taux de pauvreté", "school_ips": "IPS des établissements scolaires"}
    for quartier in gaps["quartier_id"].unique():
        alts = _alts((reports / f"fiche-{quartier}.html").read_text(encoding="utf-8"))
        chart = next(a for a in alts if a.startswith("Graphique : "))
        rows = gaps[(gaps["quartier_id"] == quartier) & (gaps["value_qualifier"] == "exact")]
        for _, row in rows[rows["indicator_id"].isin(labels)].iterrows():
            unit = units[row["indicator_id"]]
            expected = (
                f"{labels[row['indicator_id']]} : {_fr(row['value'], unit)} dans le quartier, "
                f"{_fr(row['reference_value'], unit)} dans l'agglomération, "
                f"écart {row['reading']} de {_fr(abs(row['gap']), '')} point"
            )
            assert expected in chart, (quartier, expected, chart)
    # The example, read in the convention: Cités 6 et 30.
    alts = _alts((reports / "fiche-cites-6-et-30.html").read_text(encoding="utf-8"))
    assert any(
        "Taux de pauvreté : 50,9 % dans le quartier, 18,8 % dans l'agglomération, écart "
        "défavorable de 32,1 points" in a
        for a in alts
    )


def test_map_alts_give_classes_and_where_the_quartiers_stand(
    rendered_project: tuple[Paths, int], reports: Path
) -> None:
    paths = rendered_project[0]
    ips = pd.read_csv(paths.processed / "ips_communes.csv", dtype={"territoire_code": str})
    rentree = sorted(ips.loc[ips["niveau"] == "ecole", "rentree"].unique())[-1]
    rows = ips[
        (ips["rentree"] == rentree)
        & (ips["niveau"] == "ecole")
        & (ips["secteur"] == "ensemble")
        & (ips["territoire_type"] == "commune")
    ]
    published = rows["ips_moyen"].notna().sum()
    unpublished = len(rows) - published
    no_school = 100 - len(rows)  # the 100 communes of the EPCI; the others have no row
    divion = rows.loc[rows["territoire_nom"] == "Divion", "ips_moyen"].iloc[0]
    alts = _alts((reports / "dossier-copil.html").read_text(encoding="utf-8"))
    ips_alt = next(a for a in alts if a.startswith("Carte : IPS moyen des écoles"))
    assert f"rentrée {rentree}" in ips_alt
    assert f"IPS non publié (« NS » ou vide) : {unpublished} communes" in ips_alt
    assert f"pas d'école dans les fichiers : {no_school} communes" in ips_alt
    assert f"Divion : {divion:.1f}".replace(".", ",") in ips_alt
    assert "5 classes de quantiles" in ips_alt
    counts = [int(n) for n in re.findall(r"\((\d+) communes?\)", ips_alt)]
    assert sum(counts) == published


def test_no_technical_clutter_in_what_officials_read(reports: Path) -> None:
    for path in sorted(reports.glob("*.html")):
        if path.name == "index.html":
            continue
        page = path.read_text(encoding="utf-8")
        body = page.split("<main", 1)[1]
        body = body.split('id="annexe"', 1)[0]  # the dossier's annex lists files and sums
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
        for clutter in ("data/raw", "data/processed", ".ipynb", "quartier_id", "sha256", "(s)"):
            assert clutter not in text, (path.name, clutter)
        assert not re.search(r"\b[0-9a-f]{12}\b", text), path.name  # no hash
        assert "dossier_copil" not in text and "fiche_quartier" not in text
        assert not re.search(
            r"\b1 (janvier|février|mars|avril|mai|juin|juillet|août|"
            r"septembre|octobre|novembre|décembre)\b",
            text,
        ), path.name


# --------------------------------------------------------------------------- PDF


def _pdf(reports: Path):
    from pypdf import PdfReader

    return PdfReader(reports / "dossier-copil.pdf")


def _bookmarks(outline, depth: int | None = None, level: int = 1) -> list:
    """The bookmarks of a pypdf outline: every level, or only those at ``depth``."""
    found = []
    for item in outline:
        if isinstance(item, list):
            found.extend(_bookmarks(item, depth, level + 1))
        elif depth is None or depth == level:
            found.append(item)
    return found


def _struct_elements(node, found: list) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _struct_elements(child, found)
        return
    if not hasattr(node, "get"):
        return
    if node.get("/S") is not None:
        found.append(node)
    kids = node.get("/K")
    if kids is not None:
        _struct_elements(kids, found)


def test_pdf_is_tagged_with_language_title_alt_and_bookmarks(reports: Path) -> None:
    reader = _pdf(reports)
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).lower().startswith("fr")
    assert reader.metadata.title == "Dossier du comité de pilotage"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    elements: list = []
    _struct_elements(root["/StructTreeRoot"], elements)
    figures = [e for e in elements if str(e["/S"]) == "/Figure"]
    page = (reports / "dossier-copil.html").read_text(encoding="utf-8")
    alts = _alts(page)
    assert len(figures) == len(alts) >= 6
    pdf_alts = [_plain(str(f.get("/Alt", ""))) for f in figures]
    assert all(a.strip() for a in pdf_alts)
    assert sorted(pdf_alts) == sorted(alts)  # the alt written from the data, in the PDF
    titles = [item.title for item in _bookmarks(reader.outline)]
    assert "Synthèse" in titles and "Objectifs et actions communs aux quartiers" in titles


def _page_fill(pdf: Path, pages: int) -> list[float]:
    """Share of each page's height down to its lowest ink (footer excluded)."""
    from PIL import Image

    tool = _need("pdftoppm")
    out = pdf.parent / "fill"
    subprocess.run([tool, "-r", "20", "-gray", str(pdf), str(out)], check=True)
    fills = []
    for number in range(1, pages + 1):
        image = sorted(pdf.parent.glob(f"fill-*{number}.pgm"))
        image = next(p for p in image if int(p.stem.split("-")[-1]) == number)
        gray = Image.open(image)
        width, height = gray.size
        body = int(height * (1 - 18 / 297))  # above the bottom margin (page number)
        pixels = gray.load()
        lowest = 0
        for y in range(body):
            if any(pixels[x, y] < 200 for x in range(width)):
                lowest = y
        fills.append(lowest / height)
    return fills


def test_printed_dossier_structure(reports: Path) -> None:
    reader = _pdf(reports)
    texts = [_plain(p.extract_text() or "") for p in reader.pages]
    n = len(texts)
    assert 15 <= n <= 32, n  # 25 pages with the shipped data (32 before issue 14)
    assert "Dossier du comité de pilotage" in texts[0]
    assert "Comité de pilotage du 1er décembre 2026" in texts[0]
    assert "Bilan des actions de l'année 2025" in texts[0]
    assert "Sommaire" in texts[1]
    assert "Synthèse" in texts[2] and "Cités 6 et 30" in texts[2]
    # Page numbers of the table of contents (target-counter) point at the sections.
    assert re.search(r"Synthèse[ .]*3\b", texts[1])
    # The shared objectives are printed once (the convention repeats them 4 times).
    shared = "Sensibiliser les familles sur l'accès au droit"
    whole = " ".join(" ".join(t.split()) for t in texts)
    assert whole.count(shared) == 1, whole.count(shared)
    # Every page carries content; a page more than half empty ends a section.
    starts = set()
    for item in _bookmarks(reader.outline, depth=2):  # the h2 of each part, under the h1
        starts.add(reader.get_destination_page_number(item))
    assert len(starts) >= 10
    fills = _page_fill(reports / "dossier-copil.pdf", n)
    for index, fill in enumerate(fills):
        assert fill > 0.1, f"page {index + 1} is nearly empty"
        if index + 1 < n and index + 1 not in starts:
            assert fill >= 0.5, f"page {index + 1} is more than half empty ({fill:.0%})"


def test_fiches_print_on_at_most_four_pages(reports: Path) -> None:
    from pypdf import PdfReader

    from indicators.report.page import html_to_pdf

    for path in sorted(reports.glob("fiche-*.html")):
        pdf = reports / f"{path.stem}.print.pdf"
        pdf.write_bytes(html_to_pdf(path.read_text(encoding="utf-8")))
        assert len(PdfReader(pdf).pages) <= 4, path.name
