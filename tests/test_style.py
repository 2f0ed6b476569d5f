"""The house style: French tick labels, scale bars, source lines, palettes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from indicators.figures import style

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"


def test_french_tick_formatter():
    fmt = style.french_formatter()
    assert fmt(1600.0, 0) == f"1{NNBSP}600"
    assert fmt(-20.0, 0) == f"{MINUS}20"
    assert style.french_formatter(1, "%")(18.5, 0) == f"18,5{NBSP}%"
    assert style.format_tick(20, unit="%") == f"20{NBSP}%"


@pytest.mark.parametrize(
    ("extent", "length", "label"),
    [
        (3_300, 500, f"500{NBSP}m"),  # 22 % of 3.3 km = 726 m → 500 m
        (23_400, 5_000, f"5{NBSP}km"),  # 5 148 m → 5 km
        (46_000, 10_000, f"10{NBSP}km"),  # 10 120 m → 10 km
        (9_000, 1_000, f"1{NBSP}km"),  # 1 980 m → 1 km
    ],
)
def test_scale_bar_length_and_label(extent, length, label):
    assert style.scale_bar_length(extent) == length
    assert style.scale_bar_label(length) == label


def test_scale_bar_label_with_decimal_kilometres():
    assert style.scale_bar_label(2_500) == f"2,5{NBSP}km"


def test_add_scale_bar_draws_its_length_in_data_units():
    _fig, ax = plt.subplots()
    ax.set_xlim(0, 3_300)
    ax.set_ylim(0, 2_000)
    box = style.add_scale_bar(ax)
    assert box.get_gid() == "scale_bar"
    assert box.scale_bar_label == f"500{NBSP}m"
    bar = box.get_child().get_children()[0]
    widths = [a.get_width() for a in bar.get_children() if isinstance(a, Rectangle)]
    assert sum(widths) == pytest.approx(500)


def test_add_source_prefixes_and_puts_the_note_first():
    fig, ax = plt.subplots()
    ax.set_xlabel("x")
    text = style.add_source(ax, "Insee, Filosofi 2019.", note="Note : champ restreint.")
    assert text.get_gid() == "source"
    assert text.get_text() == "Note : champ restreint.\nSource : Insee, Filosofi 2019."
    fig.canvas.draw()
    # Drawn below the x-axis label, never over it.
    label_box = ax.xaxis.label.get_window_extent()
    assert text.get_window_extent().y1 <= label_box.y0 + 1e-6


def test_add_source_keeps_a_plural_sources_prefix_and_wraps():
    _fig, ax = plt.subplots()
    text = style.add_source(ax, "Sources : " + "mot " * 60, width=50)
    assert text.get_text().startswith("Sources : ")
    assert all(len(line) <= 50 for line in text.get_text().split("\n"))


def test_text_from_inputs_cannot_start_mathtext():
    fig, ax = plt.subplots()
    ax.set_title(style.escape_text("Budget : 5 $ et 10 $"))
    fig.canvas.draw()  # would fail or render math without the escape
    assert ax.get_title() == r"Budget : 5 \$ et 10 \$"


def test_diverging_colours_follow_polarity_and_are_symmetric():
    colors = style.diverging_colors(3, 3, polarity=1)
    red_side, blue_side = to_rgb(colors[0]), to_rgb(colors[-1])
    assert red_side[0] > red_side[2] and blue_side[2] > blue_side[0]
    swapped = style.diverging_colors(3, 3, polarity=-1)
    assert to_rgb(swapped[0])[2] > to_rgb(swapped[0])[0]
    ramp = style.cmap(style.DIVERGING)
    # Same distance from the centre on both sides.
    assert colors[0] == ramp(0.5 - 0.42) and colors[-1] == ramp(0.5 + 0.42)


def test_diverging_norm_is_centred_on_zero():
    norm = style.diverging_norm([-5.0, 20.0, float("nan")])
    assert (norm.vmin, norm.vcenter, norm.vmax) == (-20.0, 0.0, 20.0)
    assert float(norm(0.0)) == 0.5


def test_palettes_are_colour_blind_safe_families():
    # ColorBrewer ramps flagged colour-blind safe, and Okabe-Ito for categories.
    safe = {"YlOrRd", "YlGnBu", "RdBu", "PuOr", "viridis", "cividis"}
    for name in (style.SEQUENTIAL_RATE, style.SEQUENTIAL_LEVEL, style.DIVERGING):
        assert name in safe
    assert style.READING_COLORS["défavorable"] == style.OKABE_ITO["vermillion"]
    assert style.READING_COLORS["favorable"] == style.OKABE_ITO["blue"]
    assert len(style.class_colors(style.SEQUENTIAL_LEVEL, 5)) == 5


def test_production_date_in_french_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert style.production_date() == "1er janvier 1970"


def test_new_figure_applies_the_house_style_locally():
    before = matplotlib.rcParams["axes.titlelocation"]
    fig, _ax = style.new_figure()
    assert fig.get_size_inches()[0] == pytest.approx(style.A4_WIDTH)
    assert matplotlib.rcParams["axes.titlelocation"] == before
