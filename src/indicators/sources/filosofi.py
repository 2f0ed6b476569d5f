"""INSEE Filosofi 200 m grid: the reader (aggregation lives in ``aggregate.py``).

The *données carroyées* Filosofi (vintages 2015, 2017, 2019, 2021) come as CSV (``;``)
or GeoPackage, with column names in capitalised (``Idcar_200m``, ``Men_pauv``) or lower
case (``idcar_200m``, ``men_pauv``) depending on the vintage. :func:`read_filosofi_grid`
returns one tidy table with exactly :data:`GRID_COLUMNS`.

Each cell is identified by its INSPIRE code, e.g. ``CRS3035RES200mN2029800E4254200``: CRS
(EPSG:3035, ETRS89-LAEA), cell size in metres, then the northing and easting of the cell's
lower-left corner. :func:`parse_inspire_id` decodes it and :func:`cells_to_geodataframe`
rebuilds the squares from it, so no geometry is needed in the input.

>>> x, y, res = parse_inspire_id(["CRS3035RES200mN2029800E4254200"])
>>> int(x[0]), int(y[0]), int(res[0])
(4254200, 2029800, 200)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from indicators.errors import InputError
from indicators.sources.checks import check_unique
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.numeric import SECRECY_MARKERS, parse_numbers

__all__ = [
    "GRID_COLUMNS",
    "GRID_CRS",
    "cells_to_geodataframe",
    "parse_inspire_id",
    "read_filosofi_grid",
]

#: Columns of :func:`read_filosofi_grid`'s output, in this order.
GRID_COLUMNS: tuple[str, ...] = (
    "idcar_200m",
    "x",
    "y",
    "i_est",
    "ind",
    "men",
    "men_pauv",
    "ind_snv",
    "log_soc",
    "log_total",
)
GRID_CRS = "EPSG:3035"
RESOLUTION = 200
_ID_PATTERN = r"CRS(\d+)RES(\d+)mN(\d+)E(\d+)"
# Our name → accepted names in the files (compared in lower case).
_ALIASES = {
    "idcar_200m": ("idcar_200m", "idinspire"),
    "i_est": ("i_est_200", "i_est_cr"),
    "ind": ("ind",),
    "men": ("men",),
    "men_pauv": ("men_pauv",),
    "ind_snv": ("ind_snv",),
    "log_soc": ("log_soc",),
}
_DWELLING_AGES = ("log_av45", "log_45_70", "log_70_90", "log_ap90", "log_inc")
_MEASURES = ("ind", "men", "men_pauv", "ind_snv", "log_soc")


def _refuse(
    bad: np.ndarray,
    values: pd.Series,
    expected: str,
    *,
    path: str | os.PathLike[str] | None,
    column: str,
    feature: bool,
) -> None:
    """Refuse the first value flagged ``bad``: its feature (``feature=True``: the position)
    or its line (the index label, when the index is named ``line``), and its text."""
    if not bad.any():
        return
    i = int(bad.nonzero()[0][0])
    if feature:
        where: dict[str, int | None] = {"feature": i}
    else:
        where = {"line": int(values.index[i]) if values.index.name == "line" else None}
    raise InputError(expected, path=path, column=column, found=str(values.iloc[i]), **where)


def parse_inspire_id(
    ids: Sequence[str] | pd.Series,
    *,
    path: str | os.PathLike[str] | None = None,
    column: str = "idcar_200m",
    feature: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode INSPIRE grid ids into lower-left corner and cell size (EPSG:3035 metres).

    Parameters
    ----------
    ids
        Ids such as ``"CRS3035RES200mN2029800E4254200"``. With a Series indexed by file
        line (index name ``line``), errors name the line.
    path, column, feature
        For error messages (``feature=True``: positions are feature indexes).

    Returns
    -------
    x, y, resolution
        ``int64`` arrays: easting and northing of the lower-left corner, cell size.

    Raises
    ------
    InputError
        A malformed id, a CRS other than EPSG:3035, a corner not on the cell grid.
    """
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=str)

    def refuse(bad: np.ndarray, expected: str) -> None:
        _refuse(bad, series, expected, path=path, column=column, feature=feature)

    parts = series.astype(str).str.strip().str.extract(f"^{_ID_PATTERN}$")
    bad = parts[0].isna().to_numpy()
    refuse(bad, "an INSPIRE cell id such as 'CRS3035RES200mN2029800E4254200'")
    crs, resolution, north, east = (parts[k].astype("int64").to_numpy() for k in range(4))
    refuse(crs != 3035, "a cell id in EPSG:3035 ('CRS3035...')")
    off = (resolution <= 0) | (north % np.maximum(resolution, 1) != 0)
    off |= east % np.maximum(resolution, 1) != 0
    refuse(off, "a cell corner on the grid (a multiple of the cell size)")
    return east, north, resolution


def _resolve(columns: Sequence[str], path: Path, *, feature: bool) -> dict[str, str]:
    present = {c.lower(): c for c in columns}
    names: dict[str, str] = {}
    for ours, accepted in _ALIASES.items():
        found = next((present[a] for a in accepted if a in present), None)
        if found is None:
            shown = ", ".join(list(columns)[:12]) + (", ..." if len(columns) > 12 else "")
            raise InputError(
                f"a column {accepted[0]!r} (any case) in the Filosofi grid",
                path=path,
                line=None if feature else 1,
                found=shown,
            )
        names[ours] = found
    for extra in _DWELLING_AGES:
        if extra in present:
            names[extra] = present[extra]
    return names


def _read_csv(path: Path) -> tuple[pd.DataFrame, bool]:
    wanted = [a for accepted in _ALIASES.values() for a in accepted] + list(_DWELLING_AGES)
    frame = read_insee_csv(
        path,
        optional=wanted,
        codes=["idcar_200m", "idinspire"],
        lowercase=True,
        usecols_only=True,
    )
    return frame, False


def _read_vector(path: Path) -> tuple[pd.DataFrame, bool]:
    try:
        info = pyogrio.read_info(path)
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL raises several types
        raise InputError(
            "a GeoPackage (or other vector file) GDAL can read",
            path=path,
            found=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        ) from None
    has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame
    if has_geometry and frame.crs is None and info.get("driver") != "GeoJSON":
        raise InputError(
            "a declared CRS for the grid's geometries; none is assumed", path=path, raw=True
        )
    frame = frame.reset_index(drop=True)
    frame.columns = [c.lower() for c in frame.columns]
    return frame, True


def _check_geometry(
    frame: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, res: np.ndarray, path: Path
) -> None:
    """Where the file has geometries, each must lie in the cell its id names."""
    geometry = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    if not present.any():
        return
    points = gpd.GeoSeries(shapely.centroid(geometry[present]), crs=frame.crs)
    try:
        points = points.to_crs(GRID_CRS)
    except Exception as exc:  # pyproj raises several types
        raise InputError(
            "grid geometries in a CRS that can be transformed to EPSG:3035",
            path=path,
            found=str(exc).splitlines()[0] if str(exc) else repr(exc),
        ) from None
    px, py = points.x.to_numpy(), points.y.to_numpy()
    xs, ys, rs = x[present], y[present], res[present]
    outside = (px < xs) | (px >= xs + rs) | (py < ys) | (py >= ys + rs)
    if outside.any():
        i = int(np.flatnonzero(present)[outside.nonzero()[0][0]])
        raise InputError(
            "a cell geometry inside the cell named by its id",
            path=path,
            feature=i,
            column="idcar_200m",
            found=str(frame.iloc[i, 0]),
        )


def read_filosofi_grid(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Filosofi 200 m grid file (CSV or GeoPackage, any vintage 2015–2021).

    Columns are matched without case (``Idcar_200m`` = ``idcar_200m``); the imputation
    flag is ``I_est_200`` (or ``I_est_cr``). Cells come from their INSPIRE ids; where the
    file also has geometries (GeoPackage), each must lie in the cell its id names, and a
    layer without CRS is refused.

    Parameters
    ----------
    path
        ``.csv`` / ``.txt`` (``;``, ``,`` or tab; decimal comma or point) or a vector file
        (``.gpkg``...).

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`GRID_COLUMNS`: ``idcar_200m`` (str), ``x``, ``y`` (int64, lower-left
        corner in EPSG:3035 metres), ``i_est`` (int8, 1 = imputed), ``ind``, ``men``,
        ``men_pauv``, ``ind_snv``, ``log_soc`` and ``log_total`` (float64). ``log_total`` is
        the sum of the dwelling-age classes ``log_av45 + log_45_70 + log_70_90 + log_ap90 +
        log_inc`` (``NaN`` when the file lacks them). Secrecy markers give ``NaN``.

    Raises
    ------
    InputError
        Missing column, malformed or duplicated id, a cell that is not 200 m, ``i_est`` not
        0/1, a value that is neither a number nor a secrecy marker, a negative count.
    """
    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt"):
        frame, feature = _read_csv(path)
    else:
        if not path.exists():
            raise InputError("a grid file", path=path, found="no such file")
        frame, feature = _read_vector(path)
    names = _resolve([c for c in frame.columns if c != "geometry"], path, feature=feature)
    ids = frame[names["idcar_200m"]].astype(str).str.strip()
    x, y, res = parse_inspire_id(ids, path=path, column=names["idcar_200m"], feature=feature)
    wrong = res != RESOLUTION
    _refuse(
        wrong, ids, f"a {RESOLUTION} m cell", path=path, column=names["idcar_200m"], feature=feature
    )
    if feature and isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        _check_geometry(frame, x, y, res, path)

    out = pd.DataFrame(index=frame.index)
    out["idcar_200m"] = ids.astype(str)
    out["x"] = x
    out["y"] = y
    values: dict[str, pd.Series] = {}
    for ours in ("i_est", *_MEASURES, *[d for d in _DWELLING_AGES if d in names]):
        column = frame[names[ours]]
        if pd.api.types.is_numeric_dtype(column):
            number = column.astype("float64")
        else:
            number, _ = parse_numbers(
                column.astype(str), markers=SECRECY_MARKERS, path=path, column=names[ours]
            )
        values[ours] = number
    flag = values["i_est"]
    bad = ~flag.isin([0.0, 1.0]).to_numpy()
    flag_name = names["i_est"]
    expected = "0 or 1 (1 = imputed cell)"
    _refuse(bad, frame[flag_name], expected, path=path, column=flag_name, feature=feature)
    out["i_est"] = flag.astype("int8")
    for name, number in values.items():
        # Counts and sums of a cell are never negative (a negative household count
        # would also defeat the secrecy threshold of the aggregation).
        if name != "i_est":
            negative = (number < 0).to_numpy()
            expected, in_file = "a count that is not negative", names[name]
            _refuse(negative, frame[in_file], expected, path=path, column=in_file, feature=feature)
    for measure in _MEASURES:
        out[measure] = values[measure].astype("float64")
    if all(d in values for d in _DWELLING_AGES):
        out["log_total"] = sum(values[d] for d in _DWELLING_AGES).astype("float64")
    else:
        out["log_total"] = np.nan
    check_unique(out, ["idcar_200m"], path=path, feature=feature)
    return out.reset_index(drop=True)[list(GRID_COLUMNS)]


def cells_to_geodataframe(cells: pd.DataFrame, *, resolution: int = RESOLUTION) -> gpd.GeoDataFrame:
    """Square cells (EPSG:3035) rebuilt from the ``x``, ``y`` lower-left corners.

    >>> cells = pd.DataFrame({"x": [4254200], "y": [2029800]})
    >>> cells_to_geodataframe(cells).geometry.iloc[0].bounds
    (4254200.0, 2029800.0, 4254400.0, 2030000.0)
    """
    x = cells["x"].to_numpy(dtype="float64")
    y = cells["y"].to_numpy(dtype="float64")
    squares = shapely.box(x, y, x + resolution, y + resolution)
    return gpd.GeoDataFrame(cells.copy(), geometry=squares, crs=GRID_CRS)
