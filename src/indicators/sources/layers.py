"""Checks of the geographic layers and tables handed to the maps and exports.

A layer must be a GeoDataFrame with a declared CRS and no missing or empty geometry; it is
then reprojected to Lambert-93 (:data:`~indicators.sources.vectorfiles.LAMBERT93`, EPSG:2154),
never assumed. A table must have the columns a step needs, and a parameter must be one of
the values the data offers; the messages name what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.errors import InputError, ParameterError
from indicators.sources.vectorfiles import LAMBERT93

__all__ = ["LAMBERT93", "check_choice", "check_layer", "grid_cells_in", "require_columns"]


def check_layer(layer: object, name: str) -> gpd.GeoDataFrame:
    """A copy of ``layer`` in Lambert-93, after checking its CRS and geometries.

    Raises
    ------
    InputError
        Not a GeoDataFrame, no CRS, or a missing / empty geometry (naming the feature).
    """
    if not isinstance(layer, gpd.GeoDataFrame):
        raise InputError("a GeoDataFrame", context=f"layer {name!r}", found=type(layer).__name__)
    if layer.crs is None:
        raise InputError(
            "a layer with a declared CRS (e.g. EPSG:2154); none is assumed",
            context=f"layer {name!r}",
        )
    geometry = layer.geometry
    bad = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("a non-empty geometry", context=f"layer {name!r}", feature=i)
    return layer.to_crs(LAMBERT93)


def require_columns(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """Check that ``df`` has ``columns``.

    Raises
    ------
    InputError
        Naming the missing columns and the table.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"columns {', '.join(missing)}", context=f"table {table!r}")


def check_choice(value: object, allowed: Sequence[object], what: str) -> None:
    """Check that ``value`` is one of ``allowed``.

    Raises
    ------
    ParameterError
        « unknown <what> <value>; expected one of: … ».
    """
    if value not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise ParameterError(f"unknown {what} {value!r}; expected one of: {shown}")


def grid_cells_in(cells: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The grid cells whose centre lies in ``communes`` (any declared CRS)."""
    import shapely

    from indicators.sources.filosofi import GRID_CRS, RESOLUTION

    area = check_layer(communes, "communes").to_crs(GRID_CRS).union_all()
    x = cells["x"].to_numpy(dtype="float64") + RESOLUTION / 2
    y = cells["y"].to_numpy(dtype="float64") + RESOLUTION / 2
    return cells[shapely.contains_xy(area, x, y)]
