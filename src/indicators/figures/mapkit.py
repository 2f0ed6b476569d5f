"""The shared kit of the maps in Lambert-93 (EPSG:2154), in French cartographic conventions.

Every map has a title, its source and the date it was drawn, a scale bar in kilometres
and a north arrow; every choropleth states its classification method and class bounds in
the legend (mapclassify), in French number format. Sequential ramps for levels and rates,
a diverging ramp centred on 0 for gaps, hatched grey — with its own legend entry — for
areas without a published value: a missing or secret value is never drawn as a value.

Inputs are checked **before anything is drawn**: a layer without CRS or with an empty
geometry is an :class:`~indicators.errors.InputError`; an unknown quartier id, rentrée,
sector, level or classification method is a :class:`~indicators.errors.ParameterError`.
A declared CRS other than Lambert-93 is reprojected (never assumed).

Quartier perimeters are drawn only when they are supplied (official QPV contours or
perimeters drawn by the commune, the ``quartier_shapes`` table); otherwise the locator map
says so in a visible note. Nothing is drawn from guesswork.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.patches import Patch

from indicators import french
from indicators.figures import style
from indicators.numbers import format_number

if TYPE_CHECKING:
    from mapclassify.classifiers import MapClassifier

SOURCE_COMMUNES = "IGN, Admin Express COG 2018 ; DGCL, composition des EPCI 2026"


def frame(ax: Axes | None, layer: gpd.GeoDataFrame, legend_height: float = 2.0) -> Axes:
    """A map Axes; a new A4-wide figure whose height follows the layer's shape."""
    if ax is None:
        x0, y0, x1, y1 = layer.total_bounds
        aspect = (y1 - y0) / (x1 - x0) if x1 > x0 else 1.0
        height = min(style.A4_WIDTH * aspect, 7.0) + legend_height
        _, ax = style.new_figure(style.A4_WIDTH, height)
    style.set_map_frame(ax)
    return ax


def legend(ax: Axes, handles: list, title: str, *, ncols: int = 1) -> Legend:
    """The map's legend, under the map on the left."""
    legend = ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        ncols=ncols,
        fontsize=style.TICK_SIZE - 0.5,
        title_fontproperties={"weight": "bold", "size": style.TICK_SIZE - 0.5},
        alignment="left",
        borderaxespad=0.0,
        handlelength=1.6,
        handleheight=1.1,
    )
    legend.set_gid("legend")
    return legend


def finish(
    ax: Axes,
    title: str,
    source: str,
    *,
    note: str | None = None,
    below: Sequence[Artist] = (),
) -> None:
    """Title, scale bar, north arrow, then the source line (and ``note``) under ``below``."""
    ax.set_title(style.escape_text(title), loc="left", pad=8)
    style.add_scale_bar(ax)
    style.add_north_arrow(ax, xy=(0.97, 0.93))
    text = f"{source} Réalisation : {style.production_date()}."
    style.add_source(ax, text, note=note, below=below)


def draw_context(ax: Axes, layer: gpd.GeoDataFrame, *, linewidth: float = 0.4) -> None:
    """Features that only give context (e.g. the other communes), light grey underneath."""
    layer.plot(
        ax=ax, facecolor=style.CONTEXT_COLOR, edgecolor="#bdbdbd", linewidth=linewidth, zorder=1
    )


def draw_boundaries(
    ax: Axes, layer: gpd.GeoDataFrame, outer: gpd.GeoDataFrame | None = None
) -> None:
    """The features' limits in white over their fills, then the outline of ``outer``
    (default: ``layer``)."""
    layer.boundary.plot(ax=ax, color=style.BOUNDARY_COLOR, linewidth=0.5, zorder=3)
    outline(ax, layer if outer is None else outer)


def outline(ax: Axes, layer: gpd.GeoDataFrame) -> None:
    """The agglomeration's outer boundary, drawn thick."""
    boundary = gpd.GeoSeries([layer.union_all()], crs=layer.crs)
    boundary.boundary.plot(ax=ax, color="#4d4d4d", linewidth=1.1, zorder=5)


def label_features(
    ax: Axes,
    layer: gpd.GeoDataFrame,
    codes: Sequence[str],
    *,
    bold: bool = True,
    repel: bool = False,
) -> None:
    """Name features at their representative point.

    With ``repel``, labels are pushed 30 points away from the group's centre along the
    direction of each feature, with a leader line: neighbouring communes' names then do
    not overlap.
    """
    points = layer.set_index("code").loc[[c for c in codes if c in set(layer["code"])]]
    if points.empty:
        return
    xy = np.array(
        [(g.representative_point().x, g.representative_point().y) for g in points.geometry]
    )
    centre = xy.mean(axis=0)
    for (code, row), (x, y) in zip(points.iterrows(), xy, strict=True):
        offset = (0.0, 0.0)
        if repel and len(points) > 1:
            direction = np.array([x, y]) - centre
            norm = float(np.hypot(*direction))
            direction = direction / norm if norm > 0 else np.array([0.0, -1.0])
            offset = (float(direction[0] * 34), float(direction[1] * 26))
        ha = "center" if abs(offset[0]) < 10 else ("left" if offset[0] > 0 else "right")
        text = ax.annotate(
            style.escape_text(row["nom"]),
            xy=(x, y),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=style.TICK_SIZE if bold else style.TICK_SIZE - 1.5,
            fontweight="bold" if bold else "normal",
            color=style.TEXT_COLOR if bold else style.NOTE_COLOR,
            zorder=8,
            gid=f"label_{code}",
            arrowprops=(
                {
                    "arrowstyle": "-",
                    "color": style.TEXT_COLOR,
                    "lw": 0.7,
                    "shrinkA": 1,
                    "shrinkB": 0,
                }
                if offset != (0.0, 0.0)
                else None
            ),
        )
        text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])


def missing_entries(
    layer: gpd.GeoDataFrame, label: str, word: str, plural_form: str | None = None
) -> list[Patch]:
    """The legend entry of ``layer``, features without a published value (hatched grey):
    « <label> (<count> <word>s) »; none when ``layer`` is empty."""
    if not len(layer):
        return []
    return [
        Patch(
            facecolor=style.MISSING_COLOR,
            edgecolor=style.MISSING_EDGE,
            hatch=style.MISSING_HATCH,
            linewidth=0.5,
            label=f"{label} ({plural(len(layer), word, plural_form)})",
        )
    ]


def draw_blank(ax: Axes, layer: gpd.GeoDataFrame, label: str, word: str) -> list[Patch]:
    """Draw ``layer``'s features in white: nothing to measure there (e.g. no school), which
    is neither a value nor a secret. Returns their legend entry « <label> (<count> <word>s) »,
    none when ``layer`` is empty."""
    if not len(layer):
        return []
    layer.plot(ax=ax, facecolor="white", edgecolor="none", zorder=2, gid="no_school")
    return [
        Patch(
            facecolor="white",
            edgecolor=style.MISSING_EDGE,
            linewidth=0.5,
            label=f"{label} ({plural(len(layer), word)})",
        )
    ]


def draw_missing(ax: Axes, layer: gpd.GeoDataFrame) -> None:
    """Draw ``layer``'s features hatched grey: no value, never coloured as one."""
    if len(layer):
        layer.plot(
            ax=ax,
            facecolor=style.MISSING_COLOR,
            edgecolor=style.MISSING_EDGE,
            hatch=style.MISSING_HATCH,
            linewidth=0.0,
            zorder=2,
            gid="missing",
        )


def draw_classes(
    ax: Axes, layer: gpd.GeoDataFrame, classes: np.ndarray, colors: Sequence[str]
) -> list[int]:
    """Fill the features of class ``i`` (``classes == i``) with ``colors[i]``; the counts."""
    counts = []
    for i, color in enumerate(colors):
        part = layer[classes == i]
        if len(part):
            part.plot(ax=ax, color=color, linewidth=0, zorder=2, gid=f"class_{i}")
        counts.append(len(part))
    return counts


def class_patches(
    colors: Sequence[str],
    labels: Sequence[str],
    counts: Sequence[int],
    word: str,
    plural_form: str | None = None,
    **patch: object,
) -> list[Patch]:
    """The legend entries of the classes: « <label> (<count> <word>s) » each."""
    return [
        Patch(facecolor=color, label=f"{label} ({plural(int(n), word, plural_form)})", **patch)
        for color, label, n in zip(colors, labels, counts, strict=True)
    ]


def draw_imputed(ax: Axes, cells: gpd.GeoDataFrame, *, gid: str | None = None) -> list[Patch]:
    """Dot the cells INSEE imputed (``i_est == 1``); their legend entry (none if none)."""
    imputed = cells[cells["i_est"].astype("float64") == 1]
    if not len(imputed):
        return []
    imputed.plot(
        ax=ax, facecolor="none", edgecolor="#252525", hatch="..", linewidth=0, zorder=4, gid=gid
    )
    return [
        Patch(
            facecolor="white",
            edgecolor="#252525",
            hatch="..",
            linewidth=0.4,
            label=f"Carreau imputé par l'Insee ({plural(len(imputed), 'carreau', 'carreaux')})",
        )
    ]


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """« 1 commune », « 3 communes », « 2 carreaux » (French number format)."""
    return french.plural(n, word, plural_form)


def open_class_labels(
    bounds: Sequence[float],
    fmt: Callable[[float], str],
    *,
    below: str = "moins de {}",
    between: str = "{} à {}",
    above: str = "{} ou plus",
) -> list[str]:
    """Labels of the classes cut at ``bounds``, the first and last open.

    ``below``, ``between`` and ``above`` are templates filled with the bounds as ``fmt``
    writes them.

    >>> open_class_labels([10, 15], "{:g}".format, above="plus de {} %")
    ['moins de 10', '10 à 15', 'plus de 15 %']
    """
    labels = [below.format(fmt(bounds[0]))]
    labels += [between.format(fmt(a), fmt(b)) for a, b in itertools.pairwise(bounds)]
    labels.append(above.format(fmt(bounds[-1])))
    return labels


def class_labels(lower: float, bins: Sequence[float], decimals: int = 1) -> list[str]:
    """French labels of classes ``]b(i-1) ; b(i)]`` starting at ``lower`` (« 72,3 à 85,0 »).

    >>> class_labels(70, [80, 90.55]) == ["70,0 à 80,0", "80,0 à 90,6"]
    True
    """
    edges = [lower, *bins]
    return [
        f"{format_number(a, decimals)} à {format_number(b, decimals)}"
        for a, b in itertools.pairwise(edges)
    ]


def classify(values: np.ndarray, scheme: str, k: int) -> MapClassifier:
    """mapclassify's ``scheme`` on ``values`` with at most ``k`` classes (one per value)."""
    import mapclassify  # imported here: it costs about 1 s, and most reports need no map

    distinct = len(np.unique(values))
    k = max(1, min(k, distinct))
    with warnings.catch_warnings():
        # Fisher-Jenks in pure Python is fast enough for a few hundred values; numba is
        # an optional accelerator the project does not need.
        warnings.filterwarnings("ignore", message="Numba not installed")
        classifier = mapclassify.classify(values, scheme, k=k)
    return classifier
