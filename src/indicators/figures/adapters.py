"""From the processed tables to the plot functions: what the figure registry calls.

For each figure of :mod:`indicators.figures.registry`, the parameter sets that the tables
allow (one map per quartier, the latest rentrée…) and the draw function that takes the
tables and the territory and calls the plot function with its data and labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from indicators.errors import InputError, ParameterError
from indicators.territory import Territory

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes

Tables = Mapping[str, pd.DataFrame]


# --- parameters the tables allow -------------------------------------------------------


def latest_rentree(ips_communes: pd.DataFrame, niveau: str = "ecole") -> str | None:
    """The most recent rentrée of ``ips_communes`` for ``niveau`` (``None`` if none)."""
    rentrees = sorted(ips_communes.loc[ips_communes["niveau"] == niveau, "rentree"].unique())
    return str(rentrees[-1]) if rentrees else None


def single(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{}]


def each_quartier(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{"quartier_id": str(q)} for q in tables["quartiers"]["quartier_id"]]


def with_shapes(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    shapes = tables.get("quartier_shapes")
    return [{}] if shapes is not None and len(shapes) else []


def rentree_param(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    chosen = rentree or latest_rentree(tables["ips_communes"])
    return [] if chosen is None else [{"rentree": chosen}]


def with_school_ips_series(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    """The trend chart of the school IPS needs IPS rows in ``series`` (national files)."""
    ids = tables["series"]["indicator_id"].astype(str)
    return [{}] if ids.str.match(r"^school_ips_(ecole|college|lycee)(_depp)?$").any() else []


def concerned_communes(tables: Tables) -> pd.DataFrame:
    communes = tables["communes"]
    if "concerne_quartiers" in communes.columns and communes["concerne_quartiers"].any():
        return communes[communes["concerne_quartiers"].astype(bool)]
    return communes


def local_cells(tables: Tables) -> pd.DataFrame:
    from indicators.sources.layers import grid_cells_in

    return grid_cells_in(tables["grid"], concerned_communes(tables))


def with_local_cells(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{}] if len(local_cells(tables)) else []


# --- draw functions --------------------------------------------------------------------


def ips_caveat(tables: Tables, quartier_id: str | None = None) -> str | None:
    """The warning on the convention's IPS reference, when the figure shows an IPS gap."""
    from indicators.figures.caveats import ips_reference_caveat

    gaps = tables["gaps"]
    shown = gaps["indicator_id"].eq("school_ips") & gaps["reference_value"].notna()
    if quartier_id is not None:
        shown &= gaps["quartier_id"].eq(quartier_id)
    return ips_reference_caveat(tables.get("checks")) if shown.any() else None


def gap_chart(tables: Tables, territory: Territory, *, quartier_id: str) -> Axes:
    from indicators.figures.gap_chart import plot_gap_chart

    return plot_gap_chart(
        tables["gaps"],
        tables["portrait"],
        quartier_id,
        quartiers=tables["quartiers"],
        reference_label=territory.reference_label,
        note=ips_caveat(tables, quartier_id),
    )


def gaps_across(tables: Tables, territory: Territory) -> Axes:
    from indicators.figures.gaps_across import plot_gaps_across

    label = territory.reference_label
    return plot_gaps_across(
        tables["gaps"], tables["quartiers"], reference_label=label, note=ips_caveat(tables)
    )


def map_labels(territory: Territory) -> dict[str, object]:
    return {"reference_label": territory.epci.label, "highlight": territory.commune_names}


def locator(tables: Tables, territory: Territory, *, zoom: bool = False) -> Axes:
    from indicators.figures.locator_maps import plot_locator_map

    shapes = tables.get("quartier_shapes")
    return plot_locator_map(
        tables["communes"], tables["quartiers"], shapes, zoom=zoom, **map_labels(territory)
    )


def locator_zoom(tables: Tables, territory: Territory) -> Axes:
    return locator(tables, territory, zoom=True)


def quartier_communes(tables: Tables, territory: Territory, *, quartier_id: str) -> Axes:
    from indicators.figures.locator_maps import plot_quartier_communes

    shapes = tables.get("quartier_shapes")
    return plot_quartier_communes(
        tables["communes"], tables["quartiers"], quartier_id, shapes, **map_labels(territory)
    )


def ips_choropleth(tables: Tables, territory: Territory, *, rentree: str) -> Axes:
    from indicators.figures.ips_maps import plot_ips_choropleth

    communes, ips_communes = tables["communes"], tables["ips_communes"]
    return plot_ips_choropleth(communes, ips_communes, rentree, **map_labels(territory))


def ips_gap_map(tables: Tables, territory: Territory, *, rentree: str) -> Axes:
    from indicators.figures.ips_maps import plot_ips_gap_map

    communes, ips_communes = tables["communes"], tables["ips_communes"]
    return plot_ips_gap_map(communes, ips_communes, rentree, **map_labels(territory))


def grid_map(tables: Tables, territory: Territory) -> Axes:
    from indicators.figures.grid_map import plot_grid_map

    local = local_cells(tables)
    if not len(local):
        raise InputError(
            "grid cells in the communes concerned by the quartiers", context="table 'grid'"
        )
    shapes = tables.get("quartier_shapes")
    return plot_grid_map(local, perimeters=shapes, communes=concerned_communes(tables))


def action_states(
    tables: Tables, territory: Territory, *, quartier_id: str, year: int | None = None
) -> Axes:
    from indicators.analysis.suivi import year_state_counts
    from indicators.figures.actions_chart import plot_action_states

    suivi = tables["suivi"]
    chosen, counts = year_state_counts(tables["objectives"], suivi, year)
    files = ", ".join(sorted(set(suivi.loc[suivi["annee"] == chosen, "fichier"])))
    return plot_action_states(
        counts,
        quartier_id,
        chosen,
        quartier_name=quartier_name(tables, quartier_id),
        source=f"suivi des actions transmis par la commune ({files})" if files else None,
    )


def lazy(module: str, function: str) -> Callable[..., Axes]:
    """A draw function of ``indicators.figures.<module>``, imported when drawn."""
    import importlib

    return getattr(importlib.import_module(f"indicators.figures.{module}"), function)


def with_shape_and_cells(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    """The quartiers with a shape and grid cells within 300 m of it (else no map)."""
    from indicators.sources.filosofi import cells_to_geodataframe

    shapes = tables["quartier_shapes"]
    cells = cells_to_geodataframe(tables["grid"]).to_crs(shapes.crs)
    out = []
    for quartier_id, geometry in zip(shapes["quartier_id"], shapes.geometry, strict=True):
        x0, y0, x1, y1 = geometry.buffer(300).bounds
        if len(cells.cx[x0:x1, y0:y1]):
            out.append({"quartier_id": str(quartier_id)})
    return out


def grid_vintage(tables: Tables) -> str:
    estimates = tables.get("grid_quartiers")
    if estimates is not None and "vintage" in estimates.columns and len(estimates):
        return str(estimates["vintage"].iloc[0] or "")
    return ""


def quartier_map(tables: Tables, territory: Territory, *, quartier_id: str) -> Axes:
    from indicators.figures.quartier_map import plot_quartier_map

    shapes = tables["quartier_shapes"]
    shape = shapes[shapes["quartier_id"] == quartier_id]
    if not len(shape):
        raise ParameterError(f"no shape for quartier {quartier_id!r}")
    code = str(shape["code_qp"].iloc[0] or "")
    label = f"Périmètre QPV 2024 ({code})" if code else "Périmètre fourni par la commune"
    return plot_quartier_map(
        tables["grid"],
        shape,
        communes=tables["communes"],
        name=quartier_name(tables, quartier_id),
        shape_label=label,
        vintage=grid_vintage(tables),
    )


def epci_qpv_map(tables: Tables, territory: Territory) -> Axes:
    from indicators.figures.epci_qpv_map import plot_epci_qpv_map

    shapes = tables.get("quartier_shapes")
    codes = [] if shapes is None else [c for c in shapes["code_qp"] if c]
    return plot_epci_qpv_map(tables["communes"], tables["qpv_contours"], codes)


def quartier_name(tables: Tables, quartier_id: str) -> str:
    quartiers = tables["quartiers"]
    rows = quartiers.loc[quartiers["quartier_id"] == quartier_id, "name"]
    value = rows.iloc[0] if len(rows) else quartier_id
    return "" if value is None or pd.isna(value) else str(value)
