"""The EPCI with its QPV (2024 contours), the territory's quartiers highlighted.

For the comparison and the dossier: every QPV whose ``siren_epci`` names the EPCI
(``qpv_contours``), filled; those of the convention's quartiers in a strong colour with
their 2024 code, the others in a light one; the member communes as context and the
communes of the convention outlined. Colour is never alone: the highlighted QPV are also
labelled and outlined thicker.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.sources.layers import LAMBERT93, check_layer, require_columns

__all__ = ["plot_epci_qpv_map"]

_HIGHLIGHT = "#d7301f"
_OTHER = "#fdcc8a"


def plot_epci_qpv_map(
    communes: gpd.GeoDataFrame,
    contours: gpd.GeoDataFrame,
    highlight: Sequence[str],
    *,
    epci_label: str = "l'agglomération",
    ax: Axes | None = None,
) -> Axes:
    """The EPCI's communes and QPV; the QPV coded ``highlight`` stand out, labelled."""
    communes = check_layer(communes, "communes").to_crs(LAMBERT93)
    contours = check_layer(contours, "qpv_contours").to_crs(LAMBERT93)
    require_columns(contours, ("code_qp",), "qpv_contours")
    mine = contours["code_qp"].isin(list(highlight))
    with style.style_context():
        ax = kit.frame(ax, communes)
        kit.draw_context(ax, communes)
        kit.outline(ax, communes)
        if "concerne_quartiers" in communes.columns:
            concerned = communes[communes["concerne_quartiers"].astype(bool)]
            concerned.boundary.plot(ax=ax, color="#4d4d4d", linewidth=0.9, zorder=3)
        contours[~mine].plot(ax=ax, facecolor=_OTHER, edgecolor="#8c510a", linewidth=0.5, zorder=4)
        contours[mine].plot(
            ax=ax, facecolor=_HIGHLIGHT, edgecolor="#000000", linewidth=1.0, zorder=5
        )
        for _, row in contours[mine].iterrows():
            point = row.geometry.representative_point()
            ax.annotate(
                row["code_qp"],
                (point.x, point.y),
                xytext=(14, 14),
                textcoords="offset points",
                fontsize=style.TICK_SIZE,
                fontweight="bold",
                arrowprops={"arrowstyle": "-", "color": "#000000", "lw": 0.6},
                zorder=7,
            )
        handles = [
            Patch(
                facecolor=_HIGHLIGHT,
                edgecolor="#000000",
                label=f"QPV de la convention ({kit.plural(int(mine.sum()), 'quartier')}, "
                "code 2024)",
            ),
            Patch(
                facecolor=_OTHER,
                edgecolor="#8c510a",
                label=f"Autres QPV de {epci_label} ({kit.plural(int((~mine).sum()), 'quartier')})",
            ),
            Patch(
                facecolor=style.CONTEXT_COLOR,
                edgecolor="#4d4d4d",
                label="Commune concernée par les quartiers (contour)",
            ),
        ]
        legend = kit.legend(
            ax, handles, f"Les {len(contours)} QPV de {epci_label} (géographie 2024)"
        )
        kit.finish(
            ax,
            f"{epci_label[:1].upper()}{epci_label[1:]} et ses {len(contours)} quartiers "
            "prioritaires",
            f"Sources : ANCT, contours des QPV 2024 (copie simplifiée) ; {kit.SOURCE_COMMUNES}.",
            below=[legend],
        )
    return ax
