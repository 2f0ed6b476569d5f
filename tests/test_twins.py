"""The data twins of the report helpers (:mod:`indicators.report.twins`).

Tables parsed from the shipped convention text (no open data), as in ``test_present.py``.
Expected values read by hand in ``data/raw/convention/convention-divion-2024.txt``:
Cités 6 et 30 has a poverty rate of 50,9 % against 18,8 % for the agglomeration (gap
+32,1 points) and its first irritant is « Une vie de quartier qui peine à s'animer
uniformément… » (line 234); Transvaal is « + de 30% » poor (at least +11,2 points); the
Clarence portrait gives no poverty rate. Each twin is checked against its HTML helper.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from indicators.analysis.gaps import compute_gaps
from indicators.convention.parse import read_convention
from indicators.errors import ParameterError
from indicators.report import twins
from indicators.report.fragments import diagnostic_html, findings_html, objectives_html
from indicators.report.tables import Tables

from .conftest import TERRITORY

matplotlib.use("Agg")
CONVENTION = Path(__file__).resolve().parents[1] / "data" / "raw" / "convention"


@pytest.fixture(scope="module")
def tables() -> Tables:
    convention = read_convention(
        CONVENTION / "convention-divion-2024.txt", reference_label=TERRITORY.reference_label
    )
    return Tables(
        convention.quartiers,
        convention.portrait,
        compute_gaps(convention.portrait),
        convention.objectives,
        {"built_at": "2026-03-02T08:05:00+00:00", "version": "0.1.0"},
        territory=TERRITORY,
    )


def test_findings_frame_holds_the_numbers_findings_html_states(tables: Tables) -> None:
    frame = twins.findings_frame(tables).set_index(["quartier_id", "indicator_id"])
    poverty = frame.loc[("cites-6-et-30", "poverty_rate")]
    assert (poverty["value"], poverty["reference_value"]) == (50.9, 18.8)
    assert poverty["gap"] == pytest.approx(50.9 - 18.8)
    assert poverty["quartier"] == "Cités 6 et 30"
    transvaal = frame.loc[("cite-du-transvaal", "poverty_rate")]
    assert (transvaal["value"], transvaal["value_qualifier"]) == (30.0, "lower_bound")
    assert transvaal["label_fr"] == "au moins +11,2\xa0points"
    clarence = frame.loc[("cite-de-la-clarence", "poverty_rate")]
    assert pd.isna(clarence["value"]) and pd.isna(clarence["gap"])  # missing, never 0
    assert len(frame) == 4 * 3  # quartiers × key indicators
    shown = html.unescape(findings_html(tables)).replace("\u202f", " ").replace("\xa0", " ")
    assert "50,9 % contre 18,8 % dans l'agglomération (+32,1 points" in shown


def test_diagnostic_frame_lists_the_items_of_diagnostic_html(tables: Tables) -> None:
    frame = twins.diagnostic_frame(tables, "cites-6-et-30")
    assert frame.iloc[0]["rubrique"] == "Irritants"
    assert frame.iloc[0]["element"].startswith("Une vie de quartier qui peine à s'animer")
    items = re.findall(r"<li>(.*?)</li>", diagnostic_html(tables, "cites-6-et-30"), re.S)
    assert [html.unescape(i) for i in items] == frame["element"].tolist()
    assert set(frame["rubrique"]) == {"Irritants", "Opportunités", "Enjeux"}


def test_objectives_frame_is_what_objectives_html_nests(tables: Tables) -> None:
    frame = twins.objectives_frame(tables, "cites-6-et-30")
    mine = tables.objectives[tables.objectives["quartier_id"] == "cites-6-et-30"]
    assert len(frame) == len(mine) and frame["enjeu"].is_monotonic_increasing
    shown = html.unescape(objectives_html(tables, "cites-6-et-30"))
    positions = [shown.index(a) for a in frame["action"] if isinstance(a, str) and a]
    assert positions == sorted(positions)  # same order as the report


def test_unknown_quartier_lists_the_valid_ids(tables: Tables) -> None:
    with pytest.raises(ParameterError, match="cite-du-transvaal"):
        twins.objectives_frame(tables, "nope")
    with pytest.raises(ParameterError, match="cite-du-transvaal"):
        twins.gap_chart_figure(tables, "nope")


def test_figure_twins_are_matplotlib_figures(tables: Tables) -> None:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    chart = twins.gap_chart_figure(tables, "cites-6-et-30")
    assert isinstance(chart, Figure) and chart.axes
    labels = [t.get_text() for t in chart.findobj(Text)]
    assert any("+32,1" in label for label in labels), labels
    assert isinstance(twins.gaps_across_figure(tables), Figure)


def test_absent_figure_says_why_as_the_report_does(tables: Tables) -> None:
    with pytest.raises(ParameterError, match="Carte de localisation non disponible"):
        twins.locator_map_figure(tables)
    with pytest.raises(ParameterError, match="Carte des IPS non disponible"):
        twins.ips_map_figure(tables)
    assert twins.suivi_frame(tables).empty
