"""The Filosofi 200 m grid map: share of poor households by cell, secret cells hatched.

A cell with fewer than :data:`~indicators.secrecy.MIN_HOUSEHOLDS` households is never
coloured as a value (:func:`~indicators.secrecy.mask_small_cells`).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from indicators.errors import ParameterError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.numbers import NBSP, format_number
from indicators.secrecy import MIN_HOUSEHOLDS, mask_small_cells
from indicators.sources.layers import LAMBERT93, check_layer, require_columns


def secret_label(min_households: int = MIN_HOUSEHOLDS) -> str:
    """Legend entry of the cells hidden by the secrecy rule, with the threshold applied."""
    return f"Moins de {min_households} ménages : non diffusé"


SECRET_LABEL = secret_label()
GRID_BOUNDS = (10.0, 20.0, 30.0, 40.0, 50.0)


def grid_class_labels(bounds: Sequence[float] = GRID_BOUNDS) -> list[str]:
    """Labels of the classes ``]b(i-1) ; b(i)]`` of a share (« > 30 à 40 % »)."""
    return kit.open_class_labels(
        bounds,
        format_number,
        below=f"{{}}{NBSP}% ou moins",
        between=f"plus de {{}} à {{}}{NBSP}%",
        above=f"plus de {{}}{NBSP}%",
    )


def plot_grid_map(
    cells: pd.DataFrame,
    *,
    perimeters: gpd.GeoDataFrame | None = None,
    communes: gpd.GeoDataFrame | None = None,
    threshold: float = 30.0,
    bounds: Sequence[float] = GRID_BOUNDS,
    min_households: int = MIN_HOUSEHOLDS,
    vintage: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Filosofi 200 m cells by share of poor households.

    Cells are coloured by « part des ménages pauvres (carroyage) » in fixed classes
    (``bounds``, upper bound included); cells above ``threshold`` (30 %) are outlined in
    black; imputed cells (``i_est == 1``) are dotted; cells with fewer than
    ``min_households`` households are hatched grey « non diffusé » and never coloured
    as a value (:func:`mask_small_cells`).

    Parameters
    ----------
    cells
        The ``grid`` table (:data:`indicators.sources.filosofi.GRID_COLUMNS`; squares are rebuilt
        from ``x``, ``y`` in EPSG:3035) or a GeoDataFrame of cells with a CRS.
    perimeters
        Quartier shapes to outline (GeoDataFrame with a CRS).
    communes
        Communes drawn as context (GeoDataFrame with a CRS).
    threshold
        Share (%) above which a cell is outlined.
    bounds, min_households
        Class edges (%); secrecy threshold (households).
    vintage
        Filosofi vintage for the source line (e.g. ``"2019"``).
    title, ax
        Title override; Axes to draw in (a new figure when ``None``).
    """
    if isinstance(cells, gpd.GeoDataFrame):
        squares = check_layer(cells, "grid")
    else:
        require_columns(cells, ("x", "y", "men", "men_pauv", "i_est"), "grid")
        from indicators.sources.filosofi import cells_to_geodataframe

        squares = cells_to_geodataframe(cells).to_crs(LAMBERT93)
    require_columns(squares, ("men", "men_pauv"), "grid")
    if list(bounds) != sorted(set(bounds)) or not bounds[0] > 0:
        raise ParameterError(f"bounds must be positive and increasing, got {list(bounds)}")
    if perimeters is not None:
        perimeters = check_layer(perimeters, "perimeters")
    if communes is not None:
        communes = check_layer(communes, "communes")
    masked = gpd.GeoDataFrame(mask_small_cells(squares, min_households), crs=squares.crs)
    secret = masked[masked["secret"]]
    shown = masked[~masked["secret"]]
    share = shown["part_menages_pauvres"].to_numpy()
    classes = np.searchsorted(np.asarray(bounds), share, side="left")
    colors = style.class_colors(style.SEQUENTIAL_RATE, len(bounds) + 1)
    labels = grid_class_labels(bounds)

    with style.style_context():
        ax = kit.frame(ax, masked)
        if communes is not None:
            kit.draw_context(ax, communes, linewidth=0.5)
        counts = kit.draw_classes(ax, shown, classes, colors)
        handles: list[Patch | Line2D] = [
            *kit.class_patches(colors, labels, counts, "carreau", "carreaux")
        ]
        kit.draw_missing(ax, secret)
        handles += kit.missing_entries(secret, secret_label(min_households), "carreau", "carreaux")
        if "i_est" in masked.columns:
            handles += kit.draw_imputed(ax, masked, gid="imputed")
        above = shown[shown["part_menages_pauvres"] > threshold]
        if len(above):
            above.boundary.plot(ax=ax, color="#000000", linewidth=1.3, zorder=5, gid="above")
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="#000000",
                linewidth=1.3,
                label=f"Plus de {format_number(threshold)}{NBSP}% de ménages "
                f"pauvres ({kit.plural(len(above), 'carreau', 'carreaux')})",
            )
        )
        if perimeters is not None and len(perimeters):
            perimeters.boundary.plot(
                ax=ax, color=style.PERIMETER_COLOR, linewidth=1.8, zorder=6, gid="perimeters"
            )
            handles.append(
                Line2D([], [], color=style.PERIMETER_COLOR, lw=1.8, label="Périmètre de quartier")
            )
        x0, y0, x1, y1 = masked.total_bounds
        pad = 0.05 * max(x1 - x0, y1 - y0, 400)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        legend = kit.legend(
            ax, handles, "Part des ménages pauvres (carroyage)\nClasses : seuils fixés"
        )
        legend.set_gid("classes")
        source = (
            f"Source : Insee, Filosofi{' ' + vintage if vintage else ''}, "
            "données carroyées à 200 m."
        )
        kit.finish(
            ax,
            title or "Part des ménages pauvres par carreau de 200 m",
            source,
            note="Note : part des ménages pauvres du carreau (pas le taux de pauvreté de "
            "l'Insee, qui compte des personnes) ; aucun chiffre n'est montré pour moins de "
            f"{min_households} ménages.",
            below=[legend],
        )
    return ax
