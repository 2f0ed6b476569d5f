"""Shared fixtures: the project's real raw data and temporary project roots."""

from __future__ import annotations

import shutil
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
