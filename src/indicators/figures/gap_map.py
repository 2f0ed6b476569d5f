"""The diverging gap map: a gap to a reference, in classes symmetric around 0.

Equal gaps above and below 0 get equally intense colours; the colour of a side follows
the gap's polarity (red where the gap is unfavourable); a missing gap is hatched grey
« non disponible », never coloured as a value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from indicators.errors import ParameterError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.numbers import format_number
from indicators.sources.layers import check_choice, check_layer, require_columns

_GAP_STEPS = (1, 2, 2.5, 5, 10)


def gap_bounds(values: Sequence[float], n_side: int = 3) -> list[float]:
    """Symmetric inner class edges around 0 with a round step.

    The step is the largest round number (1, 2, 2.5 or 5 × 10ⁿ) not above the largest
    absolute gap divided by ``n_side``; the outer classes are open (« plus de … »), so
    every class can be used and none is empty by construction.

    >>> gap_bounds([-12.0, 33.6])
    [-20.0, -10.0, 0.0, 10.0, 20.0]
    >>> gap_bounds([])
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    largest = float(np.abs(finite).max()) if finite.size else 0.0
    target = max(largest / n_side, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    step = max(s * power for s in _GAP_STEPS if s * power <= target)
    return [float(step * i) for i in range(-(n_side - 1), n_side)]


def gap_class_labels(bounds: Sequence[float], decimals: int = 0) -> list[str]:
    """Labels of the classes cut at ``bounds`` (lower bound included), open at both ends.

    >>> gap_class_labels([-10, 0, 10]) == [
    ...     "moins de \u221210", "\u221210 à 0", "0 à +10", "+10 ou plus"]
    True
    """

    def fmt(v: float) -> str:
        return format_number(v, decimals, sign=True)

    return kit.open_class_labels(bounds, fmt)


def plot_gap_map(
    layer: gpd.GeoDataFrame,
    column: str,
    *,
    polarity: int = 1,
    unit: str = "points",
    title: str,
    source: str,
    bounds: Sequence[float] | None = None,
    context: gpd.GeoDataFrame | None = None,
    labels: Sequence[str] = (),
    legend_title: str | None = None,
    feature_word: str = "zone",
    note: str | None = None,
    missing_label: str = "Non disponible",
    blank: pd.Series | None = None,
    blank_label: str = "Sans objet",
    ax: Axes | None = None,
) -> Axes:
    """Choropleth of a gap with a diverging palette centred on 0.

    Classes are cut at edges symmetric around 0 (:func:`gap_bounds`, or ``bounds``
    given with 0 among them; lower bound included, outer classes open), so equal gaps
    above and below 0 get equally intense colours; features whose gap is missing are
    hatched grey « non disponible », never coloured as a value.

    Parameters
    ----------
    layer
        GeoDataFrame with the gap in ``column`` (e.g. the ``ecart_epci`` of
        :func:`~indicators.analysis.ips_layers.communes_with_ips`, or quartier shapes
        merged with the ``gaps`` table).
    column
        Column holding the gap.
    polarity
        +1 when a higher value is better (negative gaps in red), -1 when worse (positive
        gaps in red), 0 when neither (purple-orange).
    unit
        Unit written in the default legend title (« points »).
    title, source
        Title and source line.
    bounds
        Inner class edges (strictly increasing, containing 0); default automatic.
    context
        Layer drawn in light grey beneath (e.g. the communes around quartier shapes).
    labels
        ``code`` values of the features to name (needs ``code`` and ``nom``).
    legend_title, feature_word
        Legend title; word counted in the legend (« commune », « quartier »).
    note
        A line written above the source (method, caveats).
    missing_label
        Legend label of the features whose gap is missing (hatched grey).
    blank, blank_label
        Boolean mask (index of ``layer``) of the features where there is nothing to
        measure (e.g. no school): drawn white under ``blank_label``, apart from the
        features whose value exists but is not published.
    ax
        Axes to draw in (a new figure when ``None``).

    Raises
    ------
    InputError
        Missing column, layer without CRS, empty geometry.
    ParameterError
        ``bounds`` not increasing or without 0; ``polarity`` not -1, 0 or +1.
    """
    data = check_layer(layer, "gap layer")
    require_columns(data, (column,), "gap layer")
    check_choice(polarity, [-1, 0, 1], "polarity")
    if context is not None:
        context = check_layer(context, "context")
    values = data[column].astype("float64")
    edges = [float(e) for e in (bounds if bounds is not None else gap_bounds(values))]
    if sorted(set(edges)) != edges or 0 not in edges:
        raise ParameterError(f"bounds must increase strictly and contain 0, got {edges}")
    n_negative = sum(e <= 0 for e in edges)
    n_positive = len(edges) + 1 - n_negative
    colors = style.diverging_colors(n_negative, n_positive, polarity)
    array = values.to_numpy()
    finite = np.isfinite(array)
    classes = np.where(finite, np.searchsorted(edges, np.nan_to_num(array), side="right"), -1)
    decimals = 0 if all(e.is_integer() for e in edges) else 1
    names = gap_class_labels(edges, decimals)

    with style.style_context():
        ax = kit.frame(ax, data)
        if context is not None:
            kit.draw_context(ax, context)
        counts = kit.draw_classes(ax, data, classes, colors)
        handles = kit.class_patches(
            colors, names, counts, feature_word, edgecolor="#bdbdbd", linewidth=0.4
        )
        handles.reverse()  # highest class on top, as a reader expects
        missing = data[~finite]
        empty = missing.iloc[:0]
        if blank is not None:
            empty = missing[blank.reindex(missing.index, fill_value=False).to_numpy(bool)]
            missing = missing.drop(empty.index)
        kit.draw_missing(ax, missing)
        handles += kit.missing_entries(missing, missing_label, feature_word)
        handles += kit.draw_blank(ax, empty, blank_label, feature_word)
        kit.draw_boundaries(ax, data, context)
        legend = kit.legend(
            ax, handles, legend_title or f"Écart, en {unit}\nClasses symétriques autour de 0"
        )
        legend.set_gid("classes")
        if labels and {"code", "nom"} <= set(data.columns):
            kit.label_features(ax, data, labels, repel=True)
        kit.finish(ax, title, source, note=note, below=[legend])
    return ax
