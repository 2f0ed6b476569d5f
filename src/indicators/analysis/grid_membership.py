"""Which cells each perimeter takes, and with what weight, under the three rules.

For each perimeter (already in EPSG:3035) the cells of its bounding box are enumerated
on the lattice and matched to the data by their key; the rule then keeps a cell with
weight 1 when its centre is strictly inside (``"centroid"``), when the interiors share
more than :data:`AREA_TOLERANCE_M2` (``"intersects"``), or with the share of its area
inside (``"area"``). See :mod:`indicators.analysis.aggregate` for the rules' meaning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from indicators.analysis.grid_inputs import cell_place
from indicators.analysis.grid_lattice import CELL_SIZE, cell_areas, lattice_key
from indicators.errors import InputError

__all__ = ["AREA_TOLERANCE_M2", "memberships"]

AREA_TOLERANCE_M2 = 1e-6
"""Intersection areas within 1 mm² of 0 (or of a full cell) are taken as 0 (or full).

It absorbs floating-point noise (about 1e-8 m² at most) so that a cell the boundary
only grazes is not counted by the ``"intersects"`` rule.
"""

_BATCH_CELLS = 1 << 22  # bounding-box cells handled at once (memory bound)


def memberships(
    geoms: np.ndarray, cells: pd.DataFrame, cell_keys: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(perimeter index, cell row, weight > 0) for every cell a perimeter takes."""
    s = float(CELL_SIZE)
    bounds = shapely.bounds(geoms)
    ix0 = np.floor(bounds[:, 0] / s).astype(np.int64)
    iy0 = np.floor(bounds[:, 1] / s).astype(np.int64)
    ix0 -= ix0 * s > bounds[:, 0]  # guard against rounding in the division
    iy0 -= iy0 * s > bounds[:, 1]
    nx = np.floor(bounds[:, 2] / s).astype(np.int64) - ix0 + 1
    ny = np.floor(bounds[:, 3] / s).astype(np.int64) - iy0 + 1
    sizes = nx * ny

    out_p, out_row, out_w = [], [], []
    start = 0
    while start < len(geoms):
        stop = start + 1
        total = int(sizes[start])
        while stop < len(geoms) and total + sizes[stop] <= _BATCH_CELLS:
            total += int(sizes[stop])
            stop += 1
        batch = np.arange(start, stop)
        p, row, w = _batch_memberships(
            geoms, batch, ix0, iy0, nx, ny, sizes, cells, cell_keys, method
        )
        out_p.append(p)
        out_row.append(row)
        out_w.append(w)
        start = stop
    if not out_p:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(out_p), np.concatenate(out_row), np.concatenate(out_w)


def _batch_memberships(geoms, batch, ix0, iy0, nx, ny, sizes, cells, cell_keys, method):
    s = float(CELL_SIZE)
    bsizes = sizes[batch]
    offsets = np.cumsum(bsizes) - bsizes
    total = int(bsizes.sum())
    # Bounding-box cells of each perimeter, column-major: flat = offset + column * ny + row.
    local_p = np.repeat(np.arange(batch.size), bsizes)
    flat = np.arange(total) - offsets[local_p]
    col, lat_row = np.divmod(flat, ny[batch][local_p])
    ix = ix0[batch][local_p] + col
    iy = iy0[batch][local_p] + lat_row
    data_row = _match(lattice_key(ix, iy), cells, cell_keys)
    populated = np.flatnonzero(data_row >= 0)
    p = batch[local_p[populated]]
    row = data_row[populated]
    if method == "centroid":
        inside = shapely.contains_xy(geoms[p], (ix[populated] + 0.5) * s, (iy[populated] + 0.5) * s)
        return p[inside], row[inside], np.ones(int(inside.sum()))
    areas = cell_areas(geoms[batch], ix0[batch], iy0[batch], ny[batch], offsets, total)
    area = areas[populated]
    full = s * s
    if (area < -1e-3).any() or (area > full + 1e-3).any():  # pragma: no cover - a bug
        raise RuntimeError("internal error: a cell's intersection area is out of range")
    weight = np.clip(area, 0.0, full) / full
    weight[area <= AREA_TOLERANCE_M2] = 0.0
    weight[area >= full - AREA_TOLERANCE_M2] = 1.0
    taken = weight > 0
    weight = np.ones(int(taken.sum())) if method == "intersects" else weight[taken]
    return p[taken], row[taken], weight


def _match(keys: np.ndarray, cells: pd.DataFrame, cell_keys: np.ndarray) -> np.ndarray:
    """Row of ``cells`` holding each lattice key, or -1 (hash of the small side only)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    position = pd.Index(unique).get_indexer(cell_keys)
    found = np.flatnonzero(position >= 0)
    counts = np.bincount(position[found], minlength=unique.size)
    if (counts > 1).any():
        k = int(np.flatnonzero(counts > 1)[0])
        rows = found[position[found] == k]
        raise InputError(
            "one row per cell",
            found=f"{rows.size} rows",
            **cell_place(cells, int(rows[1]), "idcar_200m"),
        )
    row_of_unique = np.full(unique.size, -1, dtype=np.int64)
    row_of_unique[position[found]] = found
    return row_of_unique[inverse]
