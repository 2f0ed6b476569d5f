"""Vector layers (GeoJSON, GeoPackage, shapefile) read, checked and put in Lambert-93.

Every layer is returned in Lambert-93 (:data:`LAMBERT93`, EPSG:2154), the projection
used for all processing. A CRS is never assumed: a layer must declare one (``.prj`` of a
shapefile, ``srs`` of a GeoPackage, ``crs`` member of a GeoJSON), the single exception
being the rule of the GeoJSON standard itself (RFC 7946: a GeoJSON without ``crs`` member
is WGS84 longitude/latitude), applied only to GeoJSON files and checked against the
coordinates (they must lie within ±180° / ±90°).

Geometries are checked feature by feature: a missing or empty geometry, a geometry that
is not a (multi)polygon and an invalid polygon (self-intersection...) are
:class:`~indicators.errors.InputError` naming the file and the 0-based feature index.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
import shapely.errors

from indicators.errors import InputError
from indicators.sources.decoding import decode_text

__all__ = ["LAMBERT93", "pick_field", "read_layer", "text_codes"]

LAMBERT93 = "EPSG:2154"
_WGS84_RULE = "OGC:CRS84"
_JSON_SUFFIXES = (".geojson", ".json")
_GEOJSON_TYPES = ("FeatureCollection", "Feature")


def read_layer(
    path: str | os.PathLike[str],
    *,
    layer: str | int | None = None,
    geometry_types: Sequence[str] = ("Polygon", "MultiPolygon"),
    allow_invalid: bool = False,
) -> gpd.GeoDataFrame:
    """Read a vector layer, check its CRS and its geometries, return it in Lambert-93.

    Parameters
    ----------
    path
        Any format GDAL reads (GeoJSON, GeoPackage, shapefile...).
    layer
        Layer name or index for multi-layer files (GeoPackage).
    geometry_types
        Accepted geometry types.
    allow_invalid
        Keep invalid polygons (self-intersections...) for a caller that repairs them
        and says so (:mod:`indicators.sources.qpv_repairs`); missing, empty or
        non-polygonal geometries are still refused.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:2154, index = 0-based feature index in the file.

    Raises
    ------
    InputError
        Unreadable file, no CRS declared (outside the GeoJSON rule), coordinates not in
        longitude/latitude under the GeoJSON rule, missing/empty/invalid geometry.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("a vector file", path=path, found="no such file")
    # GDAL's warnings are held back while the layer is checked: on a refused layer the
    # error is the one line the user sees; on an accepted one they are shown afterwards.
    with warnings.catch_warnings(record=True) as gdal_warnings:
        warnings.simplefilter("always")
        try:
            info = pyogrio.read_info(path, layer=layer)
            frame = pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:  # pyogrio/GDAL raise several unrelated types
            failure: Exception | None = exc
        else:
            failure = None
    if failure is not None:
        exc = failure
        if path.suffix.lower() in _JSON_SUFFIXES:
            _locate_json_problem(path)
        if isinstance(exc, shapely.errors.GEOSException):
            _locate_invalid_geometry(path, layer)
        raise InputError(
            "a vector file GDAL can read (GeoJSON, GeoPackage, shapefile)",
            path=path,
            found=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputError("a layer with geometries", path=path, found="no geometry column")
    crs = frame.crs
    if crs is None and info.get("driver") == "GeoJSON":
        crs = _WGS84_RULE  # RFC 7946 §4: a GeoJSON without "crs" member is WGS84 lon/lat
        frame = frame.set_crs(crs)
    if crs is None:
        raise InputError(
            "a declared coordinate reference system (.prj beside a shapefile, srs of a "
            "GeoPackage layer); none is assumed",
            path=path,
            raw=True,
        )
    frame = frame.reset_index(drop=True)
    _check_geometries(frame, path, geometry_types, check_valid=not allow_invalid)
    if frame.crs.is_geographic:
        bounds = frame.geometry.bounds
        outside = (bounds["minx"] < -180) | (bounds["maxx"] > 180)
        outside |= (bounds["miny"] < -90) | (bounds["maxy"] > 90)
        if outside.any():
            i = int(outside.to_numpy().nonzero()[0][0])
            rule = (
                " (GeoJSON without 'crs' member: RFC 7946 WGS84)"
                if info.get("driver") == "GeoJSON"
                else ""
            )
            raise InputError(
                f"longitude/latitude coordinates{rule}; declare the layer's CRS",
                path=path,
                feature=i,
                found=f"x {bounds['minx'].iloc[i]:.0f}…{bounds['maxx'].iloc[i]:.0f}",
            )
    try:
        projected = frame.to_crs(LAMBERT93)
    except Exception as exc:  # pyproj raises several types
        raise InputError(
            "a CRS that can be transformed to Lambert-93 (EPSG:2154)",
            path=path,
            found=f"{frame.crs.name}: {str(exc).splitlines()[0] if str(exc) else repr(exc)}",
        ) from None
    for caught in gdal_warnings:
        warnings.warn(caught.message, caught.category, stacklevel=2)
    return projected


def _locate_invalid_geometry(path: Path, layer: str | int | None) -> None:
    """GEOS refused a feature's geometry (e.g. a ring that is not closed): name it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, _, wkbs, _ = pyogrio.raw.read(path, layer=layer)
    except Exception:  # the caller reports GDAL's own message
        return
    for i, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            raise InputError(
                "a valid geometry (each ring closed: its last point repeats the first)",
                path=path,
                feature=i,
                found=str(exc),
            ) from None


def _locate_json_problem(path: Path) -> None:
    """Raise an :class:`InputError` naming the line of what makes a GeoJSON unreadable.

    Called when GDAL refuses a ``.geojson`` / ``.json`` file: GDAL's own message names
    neither a line nor the problem in plain words (empty file, binary or UTF-16 bytes,
    truncated JSON). Returns without raising when the text is well-formed JSON, so that
    the caller reports GDAL's message.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("a readable file", path=path, found=exc.strerror or str(exc)) from None
    if not data.strip():
        raise InputError(
            "expected a vector file GDAL can read (GeoJSON), found an empty file",
            path=path,
            line=1,
            raw=True,
        )
    text = decode_text(data, path=path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"expected a vector file GDAL can read: well-formed GeoJSON ({exc.msg} at "
            f"character {exc.colno}; truncated or edited file?)",
            path=path,
            line=exc.lineno,
            raw=True,
        ) from None
    except RecursionError:
        raise InputError("a GeoJSON document nested less deeply", path=path, line=1) from None
    if not isinstance(document, dict) or document.get("type") not in _GEOJSON_TYPES:
        found = type(document).__name__
        if isinstance(document, dict):
            found = f"type {document.get('type')!r}"
        raise InputError("a GeoJSON object (a 'FeatureCollection')", path=path, line=1, found=found)


def _check_geometries(
    frame: gpd.GeoDataFrame, path: Path, types: Sequence[str], *, check_valid: bool = True
) -> None:
    geometry = frame.geometry.to_numpy()
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    if missing.any():
        i = int(missing.nonzero()[0][0])
        raise InputError(f"a non-empty geometry ({' or '.join(types)})", path=path, feature=i)
    kinds = shapely.get_type_id(geometry)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )[kinds]
    wrong = ~np.isin(names, list(types))
    if wrong.any():
        i = int(wrong.nonzero()[0][0])
        raise InputError(
            f"a {' or '.join(types)} geometry", path=path, feature=i, found=str(names[i])
        )
    valid = shapely.is_valid(geometry)
    if check_valid and not valid.all():
        i = int((~valid).nonzero()[0][0])
        raise InputError(
            "a valid polygon",
            path=path,
            feature=i,
            found=shapely.is_valid_reason(geometry[i]),
        )


def pick_field(frame: pd.DataFrame, names: Sequence[str], path: Path, what: str) -> str:
    """The first of ``names`` that is a field of ``frame`` (``what`` it holds, for errors)."""
    for name in names:
        if name in frame.columns:
            return name
    fields = ", ".join(c for c in frame.columns if c != frame.geometry.name) or "none"
    raise InputError(f"a field {names[0]!r} ({what})", path=path, found=fields)


def text_codes(frame: pd.DataFrame, column: str, path: Path, pattern: str, what: str) -> None:
    """Check that ``column`` holds text codes matching ``pattern`` (``what``, for errors)."""
    values = frame[column]
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        raise InputError(
            f"{what} stored as text (numbers lose leading zeros)",
            path=path,
            column=column,
            found=str(values.dtype),
        )
    bad = values.isna() | ~values.astype(str).str.fullmatch(pattern)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(what, path=path, feature=i, column=column, found=str(values.iloc[i]))
