"""Shared fixtures: the project's real raw data and temporary project roots."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pytest

from indicators.territory import load_territory

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
TERRITORY = load_territory(RAW / "territory.toml")
CONVENTION = RAW / TERRITORY.convention_file
#: The label of the convention's reference territory (« l'agglomération »).
REFERENCE = TERRITORY.reference_label
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")


def img_alts(page: str) -> list[str]:
    """The ``alt`` text of every ``<img>`` of an HTML page, in order (« » when none)."""
    parser = _Images()
    parser.feed(page)
    return parser.alts


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    """A temporary project tree with a copy of the shipped raw data and notebooks."""
    root = tmp_path / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "data" / "processed" / "README.md").write_text("processed\n", encoding="utf-8")
    if (REPO / "notebooks").exists():
        shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "reports").mkdir()
    return root


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def rendered_project(tmp_path_factory: pytest.TempPathFactory):
    """A built copy of the project and one `indicators report` of it (all reports, the
    dossier for the 2025 comité of 1 December 2026), shared by the test modules that read
    the reports (notebooks, accessibility, printed dossier)."""
    from indicators.build.pipeline import build
    from indicators.config import Paths
    from indicators.report.batch import run_reports

    root = tmp_path_factory.mktemp("notebooks") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    paths = Paths.from_root(root)
    build(paths)
    status = run_reports(
        paths,
        jobs=2,
        progress=False,
        echo=lambda _: None,
        parameters={"annee": 2025, "date_comite": "2026-12-01"},
    )
    return paths, status
