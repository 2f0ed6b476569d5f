"""The map of one quartier: its 2024 outline over the Filosofi 200 m cells.

Cells are coloured by « part des ménages pauvres » in classes computed by mapclassify
(the method and the bounds are in the legend); a cell with fewer than
:data:`~indicators.secrecy.MIN_HOUSEHOLDS` households is hatched grey and never coloured
(:func:`~indicators.secrecy.mask_small_cells`); an imputed cell (``i_est = 1``) is
dotted; commune limits, scale bar, north arrow, source and date as every map. Colour is
never alone: each class also carries its count in the legend, the secret cells a
hatching and the imputed ones a dot pattern.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from indicators.errors import InputError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.figures.grid_map import SECRET_LABEL
from indicators.numbers import NBSP
from indicators.secrecy import MIN_HOUSEHOLDS, mask_small_cells
from indicators.sources.layers import LAMBERT93, check_layer, require_columns

__all__ = ["SCHEME_LABELS", "plot_quartier_map"]

SCHEME_LABELS = {
    "FisherJenks": "seuils naturels (Fisher-Jenks)",
    "Quantiles": "quantiles (effectifs égaux)",
    "EqualInterval": "intervalles égaux",
}
_MARGIN_M = 300.0


def plot_quartier_map(
    cells: pd.DataFrame,
    shape: gpd.GeoDataFrame,
    *,
    communes: gpd.GeoDataFrame | None = None,
    name: str = "",
    shape_label: str = "Périmètre QPV 2024",
    vintage: str = "",
    scheme: str = "FisherJenks",
    k: int = 5,
    ax: Axes | None = None,
) -> Axes:
    """Map of one quartier at its own scale with the grid cells around it.

    Parameters
    ----------
    cells
        The ``grid`` table (EPSG:3035 lower-left corners ``x``, ``y``), masked or not:
        cells under 11 households are masked here in any case.
    shape
        The quartier's shape (one or more features, any declared CRS).
    communes
        Commune limits (GeoDataFrame with a CRS), drawn as context.
    name, shape_label, vintage
        The quartier's name (title), the outline's legend label, the Filosofi vintage.
    scheme, k
        mapclassify classification of the shown cells' shares.

    Raises
    ------
    InputError
        No cell of the grid lies within 300 m of the shape (never a silent blank map).
    """
    require_columns(cells, ("x", "y", "men", "men_pauv", "i_est"), "grid")
    shape = check_layer(shape, "quartier_shapes").to_crs(LAMBERT93)
    from indicators.sources.filosofi import cells_to_geodataframe

    squares = cells_to_geodataframe(cells).to_crs(LAMBERT93)
    x0, y0, x1, y1 = shape.total_bounds
    view = (x0 - _MARGIN_M, y0 - _MARGIN_M, x1 + _MARGIN_M, y1 + _MARGIN_M)
    squares = squares.cx[view[0] : view[2], view[1] : view[3]]
    if not len(squares):
        raise InputError(
            "grid cells around the quartier", context=f"map of {name or 'the quartier'}"
        )
    masked = gpd.GeoDataFrame(mask_small_cells(squares), crs=squares.crs)
    secret = masked[masked["secret"]]
    shown = masked[~masked["secret"]]
    values = shown["part_menages_pauvres"].to_numpy(dtype=float)

    with style.style_context():
        extent = shape.set_geometry(shape.geometry.buffer(_MARGIN_M))
        ax = kit.frame(ax, extent, legend_height=2.6)
        if communes is not None:
            communes = check_layer(communes, "communes").to_crs(LAMBERT93)
            communes.plot(ax=ax, facecolor=style.CONTEXT_COLOR, edgecolor="none", zorder=0)
        handles: list[Patch | Line2D] = []
        title = "Part des ménages pauvres (estimation)"
        if len(values):
            classifier = kit.classify(values, scheme, k)
            n_classes = len(classifier.bins)
            colors = style.class_colors(style.SEQUENTIAL_RATE, n_classes)
            labels = kit.class_labels(float(values.min()), list(classifier.bins))
            yb = np.asarray(classifier.yb)
            for i in range(n_classes):
                part = shown[yb == i]
                if len(part):
                    part.plot(ax=ax, color=colors[i], edgecolor="white", linewidth=0.3, zorder=2)
                cells = kit.plural(len(part), "carreau", "carreaux")
                handles.append(Patch(facecolor=colors[i], label=f"{labels[i]}{NBSP}% ({cells})"))
            title += f"\nClasses : {SCHEME_LABELS.get(scheme, scheme)}, mapclassify"
        kit.draw_missing(ax, secret)
        handles += kit.missing_entries(secret, SECRET_LABEL, "carreau", "carreaux")
        handles += kit.draw_imputed(ax, masked)
        if communes is not None:
            # Each limit once: a border shared by two communes belongs to both rings, run
            # in opposite directions; drawn twice, its dashes interleave into a solid line.
            limits = shapely.line_merge(communes.boundary.union_all())
            gpd.GeoSeries([limits], crs=communes.crs).plot(
                ax=ax, color="#636363", linewidth=0.9, linestyle="--", zorder=5
            )
            handles.append(
                Line2D([], [], color="#636363", lw=0.9, ls="--", label="Limite de commune")
            )
        shape.boundary.plot(ax=ax, color=style.PERIMETER_COLOR, linewidth=2.2, zorder=6)
        handles.append(Line2D([], [], color=style.PERIMETER_COLOR, lw=2.2, label=shape_label))
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        legend = kit.legend(ax, handles, title, ncols=2)
        source = (
            f"Sources : Insee, Filosofi{' ' + vintage if vintage else ''}, données carroyées "
            "à 200 m ; ANCT, contours des QPV 2024 (copie simplifiée) ; "
            f"{kit.SOURCE_COMMUNES}."
        )
        kit.finish(
            ax,
            f"{name} : ménages pauvres par carreau de 200 m" if name else title,
            source,
            note="Estimation : part des ménages pauvres du carreau, pas le taux de pauvreté "
            f"des personnes de la convention ; rien n'est montré sous {MIN_HOUSEHOLDS} ménages.",
            below=[legend],
        )
    return ax
