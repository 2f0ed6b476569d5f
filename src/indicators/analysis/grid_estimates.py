"""Filosofi grid estimates on the quartiers' perimeters, one method published per perimeter.

:func:`grid_estimates` aggregates the cells to each quartier shape with the three rules
of :mod:`indicators.analysis.aggregate` and returns two tables:

- ``grid_quartiers`` — what reports and exports publish: **one method per perimeter**,
  the default :data:`DEFAULT_METHOD` (« centroid »: a cell counts when its centre lies
  inside; no double counting between neighbouring quartiers), stated in every row;
- ``grid_quartiers_methods`` — the analyst's table with the three methods.

Both pass the same check against subtraction
(:func:`~indicators.secrecy.differencing_risks`): a figure that, minus the cells
published in the ``grid`` table, or minus another method of the same perimeter, would
isolate fewer than 11 households is withheld (all its figures missing, the reason
stated), never published.

Every figure is an **estimate** from 200 m cells, labelled as such
(« part des ménages pauvres, Filosofi, carreaux de 200 m, estimation »): a share of
poor *households*, never in the same column as the convention's poverty rate of persons.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.analysis.aggregate import (
    FIGURE_COLUMNS,
    METHOD_LABELS_FR,
    METHODS,
    aggregate_grid,
)
from indicators.analysis.grid_inputs import prepare_perimeters, validated_cell_keys
from indicators.analysis.grid_membership import memberships
from indicators.errors import InputError
from indicators.secrecy import MIN_HOUSEHOLDS, differencing_risks

__all__ = ["DEFAULT_METHOD", "ESTIMATE_LABEL", "FIGURE_COLUMNS", "grid_estimates"]

#: The method published in reports and exports (one per perimeter).
DEFAULT_METHOD = "centroid"
#: How every grid figure is labelled (French).
ESTIMATE_LABEL = "estimation à partir des carreaux de 200 m (Insee, Filosofi)"


def grid_estimates(
    cells: pd.DataFrame,
    shapes: gpd.GeoDataFrame,
    *,
    default: str = DEFAULT_METHOD,
    vintage: str = "",
    id_column: str = "quartier_id",
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Grid estimates for each shape: (published table, analyst table, French notes).

    Parameters
    ----------
    cells
        The ``grid`` table as read (before masking): every cell's own counts.
    shapes
        Perimeters with ``id_column`` (the ``quartier_shapes`` table).
    default
        The method published (one of :data:`~indicators.analysis.aggregate.METHODS`).
    vintage
        Filosofi vintage for the labels (« 2021 »).

    Raises
    ------
    InputError
        No cell of the grid meets any perimeter (a grid of another area): the message
        names the grid file.
    """
    order = [default, *[m for m in METHODS if m != default]]
    ids, geoms = prepare_perimeters(shapes, id_column)
    keys = validated_cell_keys(cells)
    households = cells["men"].to_numpy(dtype=np.float64)
    published = households >= MIN_HOUSEHOLDS
    member = {m: memberships(geoms, cells, keys, m) for m in order}
    if member["intersects"][0].size == 0:
        raise InputError(
            "grid cells meeting at least one quartier perimeter",
            path=cells.attrs.get("path"),
            found=f"none of its {len(cells)} cells",
        )
    figures: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    groups: dict[str, str] = {}
    for m in order:
        perimeter, row, weight = member[m]
        for i, quartier in enumerate(ids):
            take = perimeter == i
            figures[f"{quartier}|{m}"] = (row[take], weight[take])
            groups[f"{quartier}|{m}"] = str(quartier)
    risks = {
        key: re.sub(r"« [^»|]+\|(\w+) »", r"« \1 »", reason)  # « q|centroid » → « centroid »
        for key, reason in differencing_risks(figures, households, published, groups=groups).items()
    }

    parts = [aggregate_grid(cells, shapes, method=m, id_column=id_column) for m in order]
    table = pd.concat(parts, ignore_index=True)
    reasons = [
        risks.get(f"{q}|{m}", "") for q, m in zip(table[id_column], table["method"], strict=True)
    ]
    withheld = np.array([bool(r) for r in reasons])
    for column in FIGURE_COLUMNS:
        if table[column].dtype.kind == "f":
            table.loc[withheld, column] = np.nan
        else:
            table.loc[withheld, column] = pd.NA
    table["secret"] = table["secret"].to_numpy() | withheld
    # A row already secret (under 11 households) keeps that plain reason.
    table["secret_reason"] = [
        old or r for r, old in zip(reasons, table["secret_reason"], strict=True)
    ]
    table.insert(2, "method_label", table["method"].map(METHOD_LABELS_FR).astype("str"))
    table.insert(3, "default_method", table["method"].eq(default).to_numpy())
    table["estimate"] = f"{ESTIMATE_LABEL}{', ' + vintage if vintage else ''}"
    table["vintage"] = vintage

    notes = []
    n_cells = {q: int((member["intersects"][0] == i).sum()) for i, q in enumerate(ids)}
    for quartier, n in n_cells.items():
        if n == 0:
            notes.append(
                f"Quartier {quartier} : aucun carreau Filosofi ne recoupe son périmètre "
                "(grille livrée trop petite ?) : pas d'estimation carroyée."
            )
    for key, reason in risks.items():
        quartier, method = key.split("|")
        notes.append(f"Carroyage, {quartier}, méthode {method} : {reason}.")
    published_table = table[table["default_method"]].reset_index(drop=True)
    return published_table, table, notes
