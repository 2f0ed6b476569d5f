"""Figures for readers outside Python: PNG (150 dpi) and SVG files.

:func:`save_figure` writes a Matplotlib figure atomically and deterministically (no date
in the metadata, fixed SVG ids); :func:`write_figures` draws and saves every chart and
map of the processed tables.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from indicators.build.storage import atomic_write_bytes
from indicators.errors import ParameterError
from indicators.sources.layers import grid_cells_in

FIGURE_FORMATS = ("png", "svg")
FIGURE_DPI = 150
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _check_name(name: str, what: str = "file name") -> None:
    if not _NAME.match(name):
        raise ParameterError(
            f"invalid {what} {name!r}; expected letters, digits, '_', '-' or '.' "
            "(no folder, no space)"
        )


def save_figure(
    fig: Figure,
    directory: str | os.PathLike[str],
    name: str,
    *,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
) -> list[Path]:
    """Save ``fig`` as ``<directory>/<name>.png`` (150 dpi) and ``.svg``, atomically.

    The bytes depend only on the figure: no date or software version in the metadata,
    SVG element ids from a fixed salt, text drawn as paths (same look everywhere).

    Raises
    ------
    ParameterError
        ``name`` is not a plain file name, or a format is not ``png``/``svg``/``pdf``.
    """
    _check_name(name)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": "indicators"},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    written = []
    for fmt in formats:
        if fmt not in metadata:
            raise ParameterError(f"unknown figure format {fmt!r}; expected png, svg or pdf")
        buffer = io.BytesIO()
        with mpl.rc_context({"svg.hashsalt": "indicators", "svg.fonttype": "path"}):
            fig.savefig(
                buffer,
                format=fmt,
                dpi=dpi,
                bbox_inches="tight",
                pad_inches=0.12,
                facecolor="white",
                metadata=metadata[fmt],
            )
        written.append(atomic_write_bytes(Path(directory) / f"{name}.{fmt}", buffer.getvalue()))
    return written


def _latest_rentree(ips_communes: pd.DataFrame, niveau: str = "ecole") -> str | None:
    rentrees = sorted(ips_communes.loc[ips_communes["niveau"] == niveau, "rentree"].unique())
    return str(rentrees[-1]) if rentrees else None


def write_figures(
    tables: Mapping[str, pd.DataFrame],
    directory: str | os.PathLike[str],
    *,
    rentree: str | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
) -> list[Path]:
    """Every chart and map of the processed tables, as PNG and SVG files.

    - ``ecarts_<quartier_id>``: :func:`~indicators.figures.charts.plot_gap_chart` of each quartier;
    - ``ecarts_quartiers``: :func:`~indicators.figures.charts.plot_gaps_across`;
    - ``carte_situation`` (and ``carte_situation_zoom`` when quartier shapes exist):
      :func:`~indicators.figures.maps.plot_locator_map`;
    - ``carte_communes_<quartier_id>``: :func:`~indicators.figures.maps.plot_quartier_communes`;
    - ``carte_ips_ecoles_<rentrée>`` and ``carte_ecart_ips_ecoles_<rentrée>``: the IPS
      choropleth and gap map for ``rentree`` (default: the latest with écoles);
    - ``carte_carroyage`` when a ``grid`` table exists: the Filosofi cells of the
      communes concerned by the quartiers (:func:`~indicators.figures.maps.plot_grid_map`).

    Figures whose tables are absent are skipped. Each figure is closed once saved.
    """
    import matplotlib.pyplot as plt

    from indicators.figures.gap_chart import plot_gap_chart
    from indicators.figures.gaps_across import plot_gaps_across
    from indicators.figures.grid_map import plot_grid_map
    from indicators.figures.ips_maps import plot_ips_choropleth, plot_ips_gap_map
    from indicators.figures.locator_maps import plot_locator_map, plot_quartier_communes

    directory = Path(directory)
    written: list[Path] = []

    def save(ax: object, name: str) -> None:
        fig = ax.figure  # type: ignore[attr-defined]
        try:
            written.extend(save_figure(fig, directory, name, formats=formats, dpi=dpi))
        finally:
            plt.close(fig)

    quartiers, gaps, portrait = (tables.get(n) for n in ("quartiers", "gaps", "portrait"))
    if quartiers is not None and gaps is not None and portrait is not None:
        for quartier_id in quartiers["quartier_id"]:
            ax = plot_gap_chart(gaps, portrait, quartier_id, quartiers=quartiers)
            save(ax, f"ecarts_{quartier_id}")
        save(plot_gaps_across(gaps, quartiers), "ecarts_quartiers")
    communes = tables.get("communes")
    shapes = tables.get("quartier_shapes")
    if communes is not None and quartiers is not None:
        save(plot_locator_map(communes, quartiers, shapes), "carte_situation")
        if shapes is not None and len(shapes):
            save(plot_locator_map(communes, quartiers, shapes, zoom=True), "carte_situation_zoom")
        for quartier_id in quartiers["quartier_id"]:
            ax = plot_quartier_communes(communes, quartiers, quartier_id, shapes)
            save(ax, f"carte_communes_{quartier_id}")
    ips_communes = tables.get("ips_communes")
    if communes is not None and ips_communes is not None:
        chosen = rentree or _latest_rentree(ips_communes)
        if chosen is not None:
            tag = chosen.replace("-", "_")
            save(plot_ips_choropleth(communes, ips_communes, chosen), f"carte_ips_ecoles_{tag}")
            save(plot_ips_gap_map(communes, ips_communes, chosen), f"carte_ecart_ips_ecoles_{tag}")
    cells = tables.get("grid")
    if cells is not None and communes is not None:
        concerned = communes
        if "concerne_quartiers" in communes.columns and communes["concerne_quartiers"].any():
            concerned = communes[communes["concerne_quartiers"].astype(bool)]
        local = grid_cells_in(cells, concerned)
        if len(local):
            ax = plot_grid_map(local, perimeters=shapes, communes=concerned)
            save(ax, "carte_carroyage")
    # Issue 11's maps, drawn through the registry (until every figure is, see "wiring").
    from indicators.figures.registry import draw, figure_names

    for name in figure_names(tables, rentree=rentree):
        if name.startswith("carte_quartier_") or name == "carte_qpv_epci":
            save(draw(name, tables), name)
    return written
