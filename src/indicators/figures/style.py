"""The one place for the visual style of charts and maps.

Everything a reader sees follows French publication habits (INSEE's *Guide de
sémiologie cartographique*): French number typography through
:mod:`indicators.numbers`, the source and vintage under every figure, colour-blind-safe
palettes — ColorBrewer sequential ramps for rates and levels, diverging ramps centred on
0 for gaps, the Okabe-Ito set for categories — and missing or secret values drawn in
hatched grey, never as a value.

Plotting functions create their figure with :func:`new_figure` (which applies
:data:`RC_PARAMS` locally) and call the helpers here; a notebook may call
:func:`use_style` once to get the same look in its own figures.

>>> format_tick(1600.0, decimals=0) == "1\\u202f600"
True
>>> scale_bar_length(23_400)
5000
>>> scale_bar_label(5000) == "5\\u00a0km"
True
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import Colormap, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnchoredOffsetbox, AuxTransformBox, HPacker, TextArea
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from indicators.french import date_fr
from indicators.numbers import NBSP, format_number

# --- colours ---------------------------------------------------------------------------

#: Okabe & Ito (2008) qualitative palette, safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Sequential ramp for rates where a higher value is a harder situation (poverty).
SEQUENTIAL_RATE = "YlOrRd"
#: Sequential ramp for levels such as the IPS (a higher value is a more favoured intake).
SEQUENTIAL_LEVEL = "YlGnBu"
#: Diverging ramp for gaps: red below 0, blue above (for a polarity +1 indicator).
DIVERGING = "RdBu"
#: Diverging ramp for gaps of indicators without a favourable direction.
DIVERGING_NEUTRAL = "PuOr"

#: Colour of each gap reading (``gaps.reading``): unfavourable in vermillion, favourable
#: in blue, readings without a favourable direction in grey.
READING_COLORS: dict[str, str] = {
    "défavorable": OKABE_ITO["vermillion"],
    "favorable": OKABE_ITO["blue"],
    "supérieur": "#7f7f7f",
    "inférieur": "#7f7f7f",
    "équivalent": "#7f7f7f",
    "indéterminé": "#bdbdbd",
}
READING_LABELS: dict[str, str] = {
    "défavorable": "Écart défavorable au quartier",
    "favorable": "Écart favorable au quartier",
    "neutre": "Écart sans sens favorable ou défavorable,\nou dans la marge d'arrondi",
}

REFERENCE_COLOR = "#4d4d4d"  # the agglomeration's marker
MISSING_COLOR = "#d9d9d9"  # missing / unpublished / secret areas
MISSING_HATCH = "////"
MISSING_EDGE = "#969696"
BOUNDARY_COLOR = "#ffffff"  # commune outlines on choropleths
CONTEXT_COLOR = "#f0f0f0"  # communes that only give context
HIGHLIGHT_COLOR = OKABE_ITO["orange"]
PERIMETER_COLOR = OKABE_ITO["blue"]  # quartier perimeters on maps
TEXT_COLOR = "#1a1a1a"
NOTE_COLOR = "#4d4d4d"

# --- text ------------------------------------------------------------------------------

TITLE_SIZE = 12
LABEL_SIZE = 9
TICK_SIZE = 8.5
SOURCE_SIZE = 7.5
NOTE_SIZE = 8
SOURCE_WIDTH = 115  # characters per source line at SOURCE_SIZE on an A4 width

#: Matplotlib settings applied while a figure is built (see :func:`new_figure`).
RC_PARAMS: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": LABEL_SIZE,
    "axes.edgecolor": "#4d4d4d",
    "axes.labelcolor": TEXT_COLOR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "xtick.color": "#4d4d4d",
    "ytick.color": "#4d4d4d",
    "legend.fontsize": TICK_SIZE,
    "legend.title_fontsize": LABEL_SIZE,
    "legend.frameon": False,
    "axes.formatter.use_locale": False,
    "axes.unicode_minus": True,
    "hatch.linewidth": 0.6,
    "svg.hashsalt": "indicators",
    "svg.fonttype": "none",  # SVG text stays text (editable); PNGs are unchanged
    "figure.dpi": 100,
    "savefig.dpi": 150,
}

#: A4 portrait text width (about 17 cm) and a comfortable height, in inches.
A4_WIDTH = 6.7


def use_style() -> None:
    """Apply :data:`RC_PARAMS` globally (for a notebook's own figures)."""
    mpl.rcParams.update(RC_PARAMS)


def new_figure(width: float = A4_WIDTH, height: float = 4.5) -> tuple[Figure, Axes]:
    """A figure with one Axes, in the house style and with a constrained layout."""
    with mpl.rc_context(RC_PARAMS):
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def style_context() -> mpl.rc_context:
    """Context manager applying :data:`RC_PARAMS` while artists are created."""
    return mpl.rc_context(RC_PARAMS)


def escape_text(text: object) -> str:
    """Text from the inputs made safe for Matplotlib: ``$`` would start mathtext.

    >>> escape_text("Coût : 5 $")
    'Coût : 5 \\\\$'
    """
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


# --- numbers on axes -------------------------------------------------------------------


def format_tick(value: float, decimals: int = 0, unit: str | None = None) -> str:
    """A tick label in French format, optionally followed by a unit (« 20 % »)."""
    text = format_number(value, decimals)
    if unit == "%":
        return text + NBSP + "%"
    return text + (NBSP + unit if unit else "")


def french_formatter(decimals: int = 0, unit: str | None = None) -> FuncFormatter:
    """A Matplotlib tick formatter writing French numbers (« 1 600 », « −20 », « 18,5 % »)."""
    return FuncFormatter(lambda value, _pos: format_tick(value, decimals, unit))


# --- palettes --------------------------------------------------------------------------


def cmap(name: str) -> Colormap:
    """The named Matplotlib colormap."""
    return mpl.colormaps[name]


def class_colors(name: str, k: int) -> list[tuple[float, float, float, float]]:
    """``k`` colours sampled from a sequential ramp, avoiding its palest end."""
    ramp = cmap(name)
    if k == 1:
        return [ramp(0.6)]
    return [ramp(0.15 + 0.8 * i / (k - 1)) for i in range(k)]


def diverging_colors(
    n_negative: int, n_positive: int, polarity: int = 1
) -> list[tuple[float, float, float, float]]:
    """Colours of classes below then above 0 on a diverging ramp centred on 0.

    Classes at the same distance from 0 get the same intensity on either side. With
    ``polarity=+1`` (a higher value is better, e.g. the IPS) negative gaps are red and
    positive ones blue; ``polarity=-1`` swaps them (e.g. poverty); ``0`` uses a
    purple-orange ramp that suggests no direction.
    """
    name = {1: DIVERGING, -1: DIVERGING + "_r", 0: DIVERGING_NEUTRAL}[polarity]
    ramp = cmap(name)
    depth = max(n_negative, n_positive, 1)
    negative = [ramp(0.5 - 0.42 * (depth - i) / depth) for i in range(n_negative)]
    positive = [ramp(0.5 + 0.42 * (i + 1) / depth) for i in range(n_positive)]
    return negative + positive


def diverging_norm(values: object) -> TwoSlopeNorm:
    """A :class:`~matplotlib.colors.TwoSlopeNorm` centred on 0 and symmetric."""
    import numpy as np

    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    bound = float(np.abs(finite).max()) if finite.size else 1.0
    bound = bound or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)


# --- source, notes, date ---------------------------------------------------------------


def production_date(date: _dt.date | None = None) -> str:
    """The date written on maps, in French (« 26 novembre 2026 »).

    Taken from ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today.
    """
    if date is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        date = (
            _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date() if epoch else _dt.date.today()
        )
    return date_fr(date)  # « 1er décembre 2026 »


def add_source(
    ax: Axes,
    text: str,
    *,
    note: str | Sequence[str] | None = None,
    width: int = SOURCE_WIDTH,
    below: Sequence[Artist] = (),
) -> Annotation:
    """Write « Source : … » (and optional notes, each its own paragraph) under the Axes.

    The text is placed below the x-axis labels and below any of the artists in
    ``below`` (e.g. a legend drawn under a map) — positions are computed at draw time —
    so it never overlaps them; it is wrapped at ``width`` characters (an A4 text width at
    the source's font size) and carries the gid ``"source"``.
    """
    notes = [note] if isinstance(note, str) else list(note or ())
    lines = [n for n in notes if n]
    lines.append(text if text.lower().startswith("source") else f"Source : {text}")
    wrapped = [textwrap.fill(escape_text(line), width) for line in lines]
    anchors: list[Artist] = [ax.xaxis if ax.axison and ax.xaxis.get_visible() else ax]
    anchors.extend(below)

    def lowest(renderer: RendererBase) -> Bbox:
        boxes = [a.get_window_extent(renderer) for a in anchors]
        return Bbox.union([b for b in boxes if b.height > 0 or b.width > 0] or boxes)

    annotation = ax.annotate(
        "\n".join(wrapped),
        xy=(0, 0),
        xycoords=("axes fraction", lowest),
        xytext=(0, -6),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=SOURCE_SIZE,
        color=NOTE_COLOR,
        annotation_clip=False,
    )
    annotation.set_gid("source")
    return annotation


def add_note_box(
    ax: Axes,
    text: str,
    *,
    loc: str = "upper right",
    bbox_to_anchor: tuple[float, float] | None = None,
) -> AnchoredOffsetbox:
    """A framed note (e.g. « périmètres non représentés »), inside the Axes by default.

    With ``bbox_to_anchor`` (axes fraction) the box's ``loc`` corner is put there,
    e.g. ``loc="upper right", bbox_to_anchor=(1, -0.02)`` under the Axes' right corner.
    """
    area = TextArea(text, textprops={"fontsize": NOTE_SIZE - 0.5, "color": TEXT_COLOR})
    kwargs: dict[str, object] = {}
    if bbox_to_anchor is not None:
        kwargs = {"bbox_to_anchor": bbox_to_anchor, "bbox_transform": ax.transAxes}
    box = AnchoredOffsetbox(
        loc=loc, child=area, pad=0.4, borderpad=0.0 if kwargs else 0.6, frameon=True, **kwargs
    )
    box.patch.set_facecolor("#ffffff")
    box.patch.set_edgecolor(NOTE_COLOR)
    box.patch.set_linewidth(0.6)
    box.set_gid("note")
    box.note_text = text  # type: ignore[attr-defined]
    ax.add_artist(box)
    return box


# --- map furniture ---------------------------------------------------------------------

_NICE_STEPS = (1, 2, 5)


def scale_bar_length(extent_m: float, fraction: float = 0.22) -> int:
    """A round length (1, 2 or 5 × 10ⁿ metres) close to ``fraction`` of the map's width."""
    if not extent_m > 0:
        raise ValueError("the map extent must be positive")
    target = extent_m * fraction
    power = 10 ** math.floor(math.log10(target))
    best = power
    for step in _NICE_STEPS:
        if step * power <= target:
            best = step * power
    return int(best)


def scale_bar_label(length_m: float) -> str:
    """« 500 m », « 5 km », « 2,5 km »."""
    if length_m >= 1000:
        km = length_m / 1000
        return format_number(km, 0 if float(km).is_integer() else 1) + NBSP + "km"
    return format_number(length_m, 0) + NBSP + "m"


def add_scale_bar(
    ax: Axes, length_m: float | None = None, *, loc: str = "lower left"
) -> AnchoredOffsetbox:
    """A two-segment black-and-white scale bar labelled in French (« 5 km »).

    The Axes must be in metres (Lambert-93, EPSG:2154): the maps of this package
    check the layer's CRS before drawing. ``length_m`` defaults to a round length near
    a fifth of the current x extent.
    """
    x0, x1 = ax.get_xlim()
    if length_m is None:
        length_m = scale_bar_length(abs(x1 - x0))
    y0, y1 = ax.get_ylim()
    height = abs(y1 - y0) * 0.008
    bar = AuxTransformBox(ax.transData)
    half = length_m / 2
    bar.add_artist(Rectangle((0, 0), half, height, fc="#000000", ec="#000000", lw=0.6))
    bar.add_artist(Rectangle((half, 0), half, height, fc="#ffffff", ec="#000000", lw=0.6))
    label = TextArea(
        scale_bar_label(length_m), textprops={"fontsize": TICK_SIZE - 1, "color": TEXT_COLOR}
    )
    packed = HPacker(children=[bar, label], sep=4, pad=0, align="center")
    box = AnchoredOffsetbox(loc=loc, child=packed, pad=0.3, borderpad=0.8, frameon=True)
    box.patch.set_facecolor("#ffffff")
    box.patch.set_edgecolor("none")
    box.patch.set_alpha(0.8)
    box.set_gid("scale_bar")
    box.scale_bar_label = scale_bar_label(length_m)  # type: ignore[attr-defined]
    ax.add_artist(box)
    return box


def add_north_arrow(ax: Axes, *, xy: tuple[float, float] = (0.96, 0.9)) -> Annotation:
    """A small « N » arrow (Lambert-93 grid north; true north differs by < 1° here)."""
    arrow = ax.annotate(
        "N",
        xy=xy,
        xytext=(xy[0], xy[1] - 0.08),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=LABEL_SIZE,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": TEXT_COLOR, "lw": 1.2},
    )
    arrow.set_gid("north_arrow")
    return arrow


def set_map_frame(ax: Axes) -> None:
    """Equal aspect, no axis ticks: what a map needs."""
    ax.set_aspect("equal")
    ax.set_axis_off()
