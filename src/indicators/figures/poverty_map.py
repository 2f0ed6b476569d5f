"""Map of the poverty rate of the EPCI's communes (INSEE Filosofi 2021).

Fixed classes, stated in the legend with the number of communes in each; a commune whose
rate INSEE keeps secret (« s »: too few fiscal households) is hatched grey under « secret
statistique », never coloured as a value.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from indicators.errors import InputError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.sources.commune_stats import FILOSOFI_SOURCE
from indicators.territory import Territory, the_epci

__all__ = ["POVERTY_BINS", "plot_poverty_map"]

#: Upper bounds of the classes (%), the last one open: ]0 ; 10], ]10 ; 15], … , > 25.
POVERTY_BINS: tuple[float, ...] = (10.0, 15.0, 20.0, 25.0)


def _class_labels(bins: Sequence[float]) -> list[str]:
    return kit.open_class_labels(
        bins, "{:g}".format, below="moins de {} %", between="{} à {} %", above="plus de {} %"
    )


def plot_poverty_map(
    communes: gpd.GeoDataFrame,
    indicators: pd.DataFrame,
    *,
    epci_label: str = "l'EPCI",
    bins: Sequence[float] = POVERTY_BINS,
    ax: Axes | None = None,
) -> Axes:
    """Poverty rate (Filosofi 2021) of each commune, secret communes hatched.

    Parameters
    ----------
    communes
        The ``communes`` layer (``code``, ``nom``, geometry, ``concerne_quartiers``).
    indicators
        The ``communes_indicateurs`` table (``code``, ``taux_pauvrete``,
        ``taux_pauvrete_marker``).
    epci_label
        Short name of the EPCI (title).
    bins
        Upper class bounds in %, increasing; the last class is open.
    """
    for column in ("code", "taux_pauvrete", "taux_pauvrete_marker"):
        if column not in indicators.columns:
            raise InputError(f"a column {column!r}", context="table 'communes_indicateurs'")
    layer = communes.merge(
        indicators[["code", "taux_pauvrete", "taux_pauvrete_marker"]], on="code", how="left"
    )
    known = layer[layer["taux_pauvrete"].notna()]
    missing = layer[layer["taux_pauvrete"].isna()]
    n_classes = len(bins) + 1
    classes = np.digitize(known["taux_pauvrete"].to_numpy(float), bins, right=True)
    colors = style.class_colors(style.SEQUENTIAL_LEVEL, n_classes)
    labels = _class_labels(bins)
    with style.style_context():
        ax = kit.frame(ax, layer)
        counts = kit.draw_classes(ax, known, classes, colors)
        kit.draw_missing(ax, missing)
        kit.draw_boundaries(ax, layer)
        handles = kit.class_patches(colors, labels, counts, "commune", edgecolor="none")
        handles += kit.missing_entries(missing, "secret statistique « s »", "commune")
        legend = kit.legend(
            ax,
            handles,
            "Taux de pauvreté au seuil de 60 % (2021)\nClasses fixes, bornes supérieures incluses",
            ncols=2,
        )
        concerned = pd.Series([], dtype=str)
        if "concerne_quartiers" in layer.columns:
            concerned = layer.loc[layer["concerne_quartiers"].astype(bool), "code"]
        kit.label_features(ax, layer, list(concerned), repel=True)
        kit.finish(
            ax,
            f"Taux de pauvreté des communes de {epci_label} (Filosofi 2021)",
            f"Sources : {FILOSOFI_SOURCE} ; {kit.SOURCE_COMMUNES}.",
            note="INSEE ne publie pas le taux de pauvreté des communes qui comptent trop peu "
            "de ménages fiscaux (secret statistique « s ») : elles sont hachurées, jamais "
            "comptées à 0.",
            below=[legend],
        )
    return ax


def draw_poverty_map(tables, territory: Territory) -> Axes:
    """The registry's entry: ``communes`` and ``communes_indicateurs`` → the map."""
    communes = tables["communes"]
    label = the_epci(territory.epci.label)
    return plot_poverty_map(communes, tables["communes_indicateurs"], epci_label=label)
