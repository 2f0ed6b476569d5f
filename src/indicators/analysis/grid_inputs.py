"""Validation of the two inputs of the grid aggregation: Filosofi cells and perimeters.

Cells must sit on the 200 m EPSG:3035 lattice with the columns of :data:`CELL_COLUMNS`;
perimeters must have a CRS, unique non-missing identifiers and valid (multi)polygons,
before and after reprojection to EPSG:3035. Errors name the file (``attrs["path"]``),
the row or feature, and the column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from indicators.analysis.grid_lattice import CELL_SIZE, lattice_key
from indicators.errors import InputError, SchemaError

__all__ = [
    "CELL_COLUMNS",
    "GRID_CRS",
    "VALUE_COLUMNS",
    "cell_place",
    "prepare_perimeters",
    "validated_cell_keys",
]

GRID_CRS = "EPSG:3035"
"""CRS of the Filosofi grid (ETRS89-LAEA)."""

VALUE_COLUMNS = ("men", "ind", "men_pauv", "ind_snv", "log_soc", "log_total")
CELL_COLUMNS = ("idcar_200m", "x", "y", "i_est", *VALUE_COLUMNS)


def prepare_perimeters(perimeters, id_column: str) -> tuple[pd.Index, np.ndarray]:
    """Validate the perimeter layer; return its ids and oriented EPSG:3035 polygons."""
    path = getattr(perimeters, "attrs", {}).get("path")
    if not hasattr(perimeters, "geometry") or not hasattr(perimeters, "crs"):
        raise InputError("a GeoDataFrame of perimeters", path=path)
    if perimeters.crs is None:
        raise InputError(
            "a declared CRS on the perimeter layer (none found; set it, e.g. EPSG:2154)",
            path=path,
        )
    if id_column not in perimeters.columns:
        raise SchemaError(f"an identifier column {id_column!r}", path=path)
    ids = perimeters[id_column]
    for i, value in enumerate(ids):
        if pd.isna(value) or str(value).strip() == "":
            raise InputError("a perimeter identifier", path=path, feature=i, column=id_column)
    ids = pd.Index(ids.astype(str), dtype="str", name=id_column)
    duplicated = ids.duplicated()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated)[0])
        raise InputError(
            "unique perimeter identifiers", path=path, feature=i, column=id_column, found=ids[i]
        )
    _check_geometries(np.asarray(perimeters.geometry.array, dtype=object), ids, path, "")
    projected = perimeters.geometry.to_crs(GRID_CRS)
    geoms = np.asarray(projected.array, dtype=object)
    _check_geometries(geoms, ids, path, " after reprojection to EPSG:3035")
    geoms = shapely.orient_polygons(geoms)  # exterior rings counter-clockwise, holes clockwise
    shapely.prepare(geoms)
    return ids, geoms


def _check_geometries(geoms: np.ndarray, ids: pd.Index, path, when: str) -> None:
    kinds = shapely.get_type_id(geoms)  # -1 for None
    empty = shapely.is_empty(geoms) | (kinds < 0)
    polygonal = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    valid = shapely.is_valid(geoms)
    for i in np.flatnonzero(empty | ~polygonal | ~valid):
        where = {"path": path, "feature": int(i), "context": f"perimeter {ids[i]!r}"}
        if empty[i]:
            raise InputError(f"a non-empty polygon{when}", **where)
        if not polygonal[i]:
            raise InputError(f"a Polygon or MultiPolygon{when}", found=geoms[i].geom_type, **where)
        reason = shapely.is_valid_reason(geoms[i])
        raise InputError(f"a valid polygon{when}", found=reason, **where)


def validated_cell_keys(cells: pd.DataFrame) -> np.ndarray:
    """Validate the cell table and return one int64 lattice key per cell."""
    path = cells.attrs.get("path")
    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise SchemaError(f"the Filosofi cell columns {', '.join(missing)}", path=path)
    for column in ("x", "y", "i_est"):
        if not pd.api.types.is_integer_dtype(cells[column].dtype):
            raise SchemaError("integers", path=path, column=column, found=str(cells[column].dtype))
    for column in VALUE_COLUMNS:
        if not pd.api.types.is_float_dtype(cells[column].dtype):
            raise SchemaError(
                "floating-point numbers (NaN where unknown)",
                path=path,
                column=column,
                found=str(cells[column].dtype),
            )
    indices = []
    for column in ("x", "y"):
        values = cells[column].to_numpy(dtype=np.int64)
        index, remainder = np.divmod(values, CELL_SIZE)
        off = np.flatnonzero(remainder)
        if off.size:
            raise InputError(
                f"a multiple of {CELL_SIZE} (lower-left corner of a 200 m cell in EPSG:3035)",
                found=str(values[off[0]]),
                **cell_place(cells, int(off[0]), column),
            )
        if index.size and (index.min() < -(1 << 30) or index.max() >= 1 << 30):
            i = int(np.argmax(np.abs(index)))
            raise InputError(
                "an EPSG:3035 coordinate in metres",
                found=str(values[i]),
                **cell_place(cells, i, column),
            )
        indices.append(index)
    i_est = cells["i_est"].to_numpy()
    bad = np.flatnonzero((i_est != 0) & (i_est != 1))
    if bad.size:
        raise InputError(
            "0 or 1", found=str(i_est[bad[0]]), **cell_place(cells, int(bad[0]), "i_est")
        )
    return lattice_key(indices[0], indices[1])


def cell_place(cells: pd.DataFrame, i: int, column: str) -> dict:
    """Where row ``i`` of ``cells`` is, as :class:`~indicators.errors.InputError` arguments."""
    return {
        "path": cells.attrs.get("path"),
        "column": column,
        "context": f"row {i + 1} (cell {cells['idcar_200m'].iloc[i]!r})",
    }
