"""Gap charts: French labels, qualifiers drawn differently, missing values not drawn.

Expected figures are read by hand from the convention (data/raw/convention): e.g. the
« Cités 6 et 30 » have a poverty rate of 50,9 % against 18,8 % for the CABBALR (gap
+32,1 points) and « + de 95% » social housing against 25,6 % (« au moins +69,4 points »).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.text import Text

from indicators.analysis.gaps import compute_gaps
from indicators.convention.parse import read_convention
from indicators.errors import InputError, ParameterError
from indicators.figures import style
from indicators.figures.gap_chart import plot_gap_chart
from indicators.figures.gaps_across import plot_gaps_across

from .conftest import CONVENTION, REFERENCE

NBSP, MINUS = "\u00a0", "\u2212"
PTS = "\u00a0points"


@pytest.fixture(scope="module")
def tables():
    convention = read_convention(CONVENTION, reference_label=REFERENCE)
    return convention.portrait, compute_gaps(convention.portrait), convention.quartiers


def _texts(ax, gid):
    return [t.get_text() for t in ax.findobj(Text) if t.get_gid() == gid]


def _lines(ax, gid):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def _rates(frame):
    return next(a for a in frame.child_axes if a.get_gid() == "panel_rate")


def _levels(frame):
    return next(a for a in frame.child_axes if a.get_gid() == "panel_level")


def test_gap_chart_of_cites_6_et_30(tables):
    portrait, gaps, quartiers = tables
    frame = plot_gap_chart(
        gaps, portrait, "cites-6-et-30", quartiers=quartiers, reference_label=REFERENCE
    )
    assert frame.get_title(loc="left") == "Cités 6 et 30 : le quartier comparé à l'agglomération"
    rates, levels = _rates(frame), _levels(frame)
    assert rates.get_title(loc="left") == "Taux et parts (en %)"
    assert levels.get_title(loc="left") == "Indice de position sociale (IPS)"
    # Poverty, employment, IPS first, then the other indicators in catalogue order.
    labels = [t.get_text().replace("\n", " ") for t in rates.get_yticklabels()]
    assert labels == [
        "Taux de pauvreté",
        "Taux d'emploi des 15-64 ans",
        "Part des 16-25 ans non scolarisés et sans emploi",
        "Part des moins de 25 ans",
        "Part du parc social",
    ]
    assert _texts(rates, "gap_label") == [
        f"+32,1{PTS}, défavorable",  # the reading in words: colour is not the only carrier
        f"{MINUS}20,7{PTS}, défavorable",
        f"+26,3{PTS}, défavorable",
        f"+9,1{PTS}, supérieur",
        f"au moins +69,4{PTS}, supérieur",
    ]
    assert _texts(levels, "gap_label") == [f"{MINUS}25{PTS}, défavorable"]
    assert _texts(rates, "value_label") == [
        f"50,9{NBSP}%",
        f"38,1{NBSP}%",
        f"49,8{NBSP}%",
        f"40,1{NBSP}%",
        f"plus de 95{NBSP}%",
    ]
    assert _texts(rates, "reference_label")[:2] == [f"18,8{NBSP}%", f"58,8{NBSP}%"]
    assert _texts(levels, "value_label") == ["79"]
    assert _texts(levels, "reference_label") == ["104"]
    # The lower bound (« + de 95% ») carries an arrow towards higher values.
    arrows = [t for t in rates.texts if t.get_gid() == "bound_arrow"]
    assert len(arrows) == 1
    assert arrows[0].xy[0] > 95 and arrows[0].xyann[0] == 95
    # Unfavourable gaps in vermillion, the social housing share (no direction) in grey.
    markers = _lines(rates, "value")
    assert to_rgba(markers[0].get_markerfacecolor()) == to_rgba(style.OKABE_ITO["vermillion"])
    assert to_rgba(markers[4].get_markerfacecolor()) == to_rgba(style.READING_COLORS["supérieur"])
    frame.figure.canvas.draw()
    ticks = [t.get_text() for t in rates.get_xticklabels()]
    assert f"20{NBSP}%" in ticks and f"100{NBSP}%" in ticks
    source = _texts(frame, "source")[0]
    assert "sigville 2022, ancien périmètre" in source
    assert source.startswith("Note : Données calculées sur l'ancien périmètre")
    legend = [t.get_text() for t in frame.get_legend().get_texts()]
    assert "CABBALR (agglomération)" in legend
    assert "Valeur minimale (« plus de », écart « au moins »)" in legend
    assert "Écart défavorable au quartier" in legend


def test_missing_values_are_written_not_drawn(tables):
    portrait, gaps, quartiers = tables
    frame = plot_gap_chart(gaps, portrait, "cite-du-transvaal", quartiers=quartiers)
    rates = _rates(frame)
    labels = [t.get_text().replace("\n", " ") for t in rates.get_yticklabels()]
    assert labels == [
        "Taux de pauvreté",
        "Taux d'emploi des 15-64 ans",
        "Part du parc social",
        "Part des familles monoparentales",
    ]
    missing = [t for t in rates.texts if t.get_gid() == "missing"]
    assert [(t.get_text(), t.get_position()[1]) for t in missing] == [("non disponible", 1)]
    # Three values drawn (poverty, social housing, single parents), none on row 1.
    assert [line.get_ydata()[0] for line in _lines(rates, "value")] == [0, 2, 3]
    assert _texts(rates, "value_label")[0] == f"plus de 30{NBSP}%"
    assert _texts(rates, "gap_label") == [
        f"au moins +11,2{PTS}, défavorable",
        f"+51,4{PTS}, supérieur",
        f"{MINUS}0,2{PTS}, équivalent",
    ]
    # −0,2 point on single-parent families (« 16 % » vs 16,2 %) is within the rounding of
    # the published figures: read « équivalent », drawn in the neutral grey.
    last = _lines(rates, "value")[-1]
    assert to_rgba(last.get_markerfacecolor()) == to_rgba(style.READING_COLORS["équivalent"])


def test_incomplete_portrait_of_clarence(tables):
    portrait, gaps, quartiers = tables
    frame = plot_gap_chart(gaps, portrait, "cite-de-la-clarence", quartiers=quartiers)
    rates = _rates(frame)
    assert _texts(rates, "missing") == ["non disponible", "non disponible"]
    assert _texts(_levels(frame), "gap_label") == [f"{MINUS}28{PTS}, défavorable"]
    source = _texts(frame, "source")[0]
    assert "Portrait incomplet" in source
    assert "source des données non indiquée par la convention" in source


def _hand_tables():
    """Four hand-written rows: approx, upper bound, no reference, undetermined gap."""
    portrait = pd.DataFrame(
        {
            "quartier_id": ["q"] * 4,
            "indicator_id": [
                "poverty_rate",
                "employment_rate_15_64",
                "neet_16_25",
                "single_parent_families_share",
            ],
            "value": [40.0, 50.0, 20.0, 30.0],
            "qualifier": ["approx", "upper_bound", "exact", "lower_bound"],
            "unit": ["%"] * 4,
            "reference_value": [20.0, 60.0, np.nan, 35.0],
            "reference_qualifier": ["exact", "exact", None, "lower_bound"],
            "reference_territory": ["CABBALR", "CABBALR", None, "CABBALR"],
            "source": ["test"] * 4,
            "vintage": ["2024"] * 4,
            "perimeter": [None] * 4,
        }
    )
    return portrait, compute_gaps(portrait)


def test_approximate_values_are_open_markers_and_upper_bounds_point_down():
    portrait, gaps = _hand_tables()
    frame = plot_gap_chart(gaps, portrait, "q")
    rates = _rates(frame)
    assert frame.get_title(loc="left") == "q : le quartier comparé à l'agglomération"
    open_markers = _lines(rates, "value_open")
    assert len(open_markers) == 1
    assert to_rgba(open_markers[0].get_markerfacecolor()) == to_rgba("white")
    assert _texts(rates, "value_label")[:2] == [f"environ 40{NBSP}%", f"moins de 50{NBSP}%"]
    arrows = [t for t in rates.texts if t.get_gid() == "bound_arrow"]
    # Upper bound: arrow towards lower values; lower bound: towards higher values.
    assert arrows[0].xy[0] < 50 and arrows[1].xy[0] > 30
    labels = _texts(rates, "gap_label")
    assert labels[0] == f"environ +20,0{PTS}, défavorable"
    assert labels[2] == "sans référence"
    assert labels[3] == "indéterminé"
    legend = [t.get_text() for t in frame.get_legend().get_texts()]
    assert "Quartier, valeur approchée (« environ »)" in legend
    assert "Valeur maximale (« moins de », écart « au plus »)" in legend
    # No IPS row for this quartier: the IPS panel still says « non disponible ».
    assert _texts(_levels(frame), "missing") == ["non disponible"]


def test_gap_chart_draws_in_a_given_axes(tables):
    portrait, gaps, _ = tables
    _fig, (left, right) = plt.subplots(1, 2)
    frame = plot_gap_chart(gaps, portrait, "cites-6-et-30", ax=right)
    assert frame is right
    assert len(right.child_axes) == 2 and not left.child_axes


def test_gap_chart_selected_indicators(tables):
    portrait, gaps, _ = tables
    frame = plot_gap_chart(gaps, portrait, "cites-6-et-30", indicators=["school_ips"])
    assert [a.get_gid() for a in frame.child_axes] == ["panel_level"]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"quartier_id": "cite-inconnue"}, ParameterError, "unknown quartier id 'cite-inconnue'"),
        ({"indicators": ["licornes"]}, ParameterError, "unknown indicator id 'licornes'"),
        ({"indicators": ["population"]}, ParameterError, "is a count"),
    ],
)
def test_gap_chart_bad_parameters_fail_before_drawing(tables, kwargs, error, words):
    portrait, gaps, _ = tables
    args = {"quartier_id": "cites-6-et-30", **kwargs}
    with pytest.raises(error, match=words):
        plot_gap_chart(gaps, portrait, args.pop("quartier_id"), **args)
    assert plt.get_fignums() == []


def test_gap_chart_missing_column_is_an_input_error(tables):
    portrait, gaps, _ = tables
    with pytest.raises(InputError, match="columns reading"):
        plot_gap_chart(gaps.drop(columns="reading"), portrait, "cites-6-et-30")
    assert plt.get_fignums() == []


def _bars(panel):
    return [p for p in panel.patches if p.get_gid() in ("bar", "bar_open")]


def test_gaps_across_quartiers(tables):
    _, gaps, quartiers = tables
    frame = plot_gaps_across(gaps, quartiers, reference_label=REFERENCE)
    assert frame.get_title(loc="left") == "Écarts des quartiers à l'agglomération (CABBALR)"
    rates, levels = _rates(frame), _levels(frame)
    assert rates.get_title(loc="left") == "Écart à la CABBALR, en points de pourcentage"
    assert levels.get_title(loc="left") == "Écart à la CABBALR, en points d'IPS"
    # 18 gaps in the convention: 4 of the IPS, 14 of rates; one bar each.
    assert len(_bars(rates)) == 14 and len(_bars(levels)) == 4
    # 6 rate indicators × 4 quartiers − 14 gaps = 10 « non disponible » (by hand:
    # poverty 1, employment 2, NEET 2, under-25 2, social housing 0, single parents 3).
    assert len(_texts(rates, "missing")) == 10
    assert _texts(rates, "group_label") == [
        "Taux de pauvreté",
        "Taux d'emploi des 15-64 ans",
        "Part des 16-25 ans non scolarisés et sans emploi",
        "Part des moins de 25 ans",
        "Part du parc social",
        "Part des familles monoparentales",
    ]
    labels = _texts(rates, "gap_label")
    bad = ", défavorable"
    assert labels[:4] == [
        f"+19,2{PTS}{bad}",
        f"+32,1{PTS}{bad}",
        f"au moins +11,2{PTS}{bad}",
        f"{MINUS}15,8{PTS}{bad}",
    ]
    assert f"au moins +69,4{PTS}, supérieur" in labels
    poverty = _bars(rates)[1]  # Cités 6 et 30
    assert poverty.get_width() == pytest.approx(32.1)
    assert to_rgba(poverty.get_facecolor()) == to_rgba(style.OKABE_ITO["vermillion"])
    equivalent = _bars(rates)[-1]  # Transvaal, single-parent families −0,2 (rounding)
    assert equivalent.get_width() == pytest.approx(-0.2)
    assert to_rgba(equivalent.get_facecolor()) == to_rgba(style.READING_COLORS["équivalent"])
    assert [p.get_width() for p in _bars(levels)] == pytest.approx([-25, -25, -28, -27])
    frame.figure.canvas.draw()
    ticks = [t.get_text() for t in rates.get_xticklabels()]
    assert f"{MINUS}20" in ticks and "+60" in ticks and "0" in ticks
    legend = [t.get_text() for t in frame.get_legend().get_texts()]
    # No gap of the convention reads « favorable »: only present readings are listed.
    assert legend == [
        "Écart défavorable au quartier",
        "Écart sans sens favorable ou défavorable,\nou dans la marge d'arrondi",
        "Écart minimal (« au moins »)",
    ]
    assert "source non indiquée pour une partie des données" in _texts(frame, "source")[0]


def test_gaps_across_labels_do_not_run_into_the_quartier_names(tables):
    # Negative gaps are labelled left of their bar: the label must stay right of the
    # quartier names (the IPS panel is all negative, down to −28 points).
    _, gaps, quartiers = tables
    frame = plot_gaps_across(gaps, quartiers, reference_label=REFERENCE)
    renderer = frame.figure.canvas.get_renderer()
    for panel in (_rates(frame), _levels(frame)):
        names_right = max(t.get_window_extent(renderer).x1 for t in panel.get_yticklabels())
        labels = [t for t in panel.texts if t.get_gid() == "gap_label"]
        assert labels
        assert min(t.get_window_extent(renderer).x0 for t in labels) > names_right
    plt.close(frame.figure)


def test_gaps_across_approximate_gap_is_an_open_bar():
    _portrait, gaps = _hand_tables()
    quartiers = pd.DataFrame({"quartier_id": ["q"], "name": ["Quartier Q"]})
    frame = plot_gaps_across(gaps, quartiers, indicators=["poverty_rate"])
    bars = _bars(_rates(frame))
    assert [b.get_gid() for b in bars] == ["bar_open"]
    assert to_rgba(bars[0].get_facecolor()) == to_rgba("white")


def test_gaps_across_quartier_unknown_to_quartiers_table(tables):
    _, gaps, quartiers = tables
    with pytest.raises(InputError, match="cite-du-transvaal"):
        plot_gaps_across(gaps, quartiers[quartiers["quartier_id"] != "cite-du-transvaal"])
    assert plt.get_fignums() == []


def test_charts_without_a_reference_label_say_agglomeration(tables):
    portrait, gaps, quartiers = tables
    frame = plot_gap_chart(gaps, portrait, "cites-6-et-30", quartiers=quartiers)
    legend = [t.get_text() for t in frame.get_legend().get_texts()]
    assert "Agglomération" in legend
    assert " ".join(_texts(frame, "source")[0].split()).endswith("référence : agglomération.")
    frame = plot_gaps_across(gaps, quartiers, reference_label="CATEST")
    assert frame.get_title(loc="left") == "Écarts des quartiers à l'agglomération (CATEST)"
    assert _rates(frame).get_title(loc="left") == "Écart à la CATEST, en points de pourcentage"
    assert " ".join(_texts(frame, "source")[0].split()).endswith("référence : CATEST.")
    frame = plot_gaps_across(gaps, quartiers)
    assert frame.get_title(loc="left") == "Écarts des quartiers à l'agglomération"
    assert _levels(frame).get_title(loc="left") == "Écart à l'agglomération, en points d'IPS"
