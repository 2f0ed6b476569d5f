"""Geographic inputs: communes, EPCI membership, QPV contours, perimeters drawn locally.

Every layer is returned in Lambert-93 (:data:`LAMBERT93`, EPSG:2154), the projection
used for all processing. A CRS is never assumed: a layer must declare one (``.prj`` of a
shapefile, ``srs`` of a GeoPackage, ``crs`` member of a GeoJSON), the single exception
being the rule of the GeoJSON standard itself (RFC 7946: a GeoJSON without ``crs`` member
is WGS84 longitude/latitude), applied only to GeoJSON files and checked against the
coordinates (they must lie within ±180° / ±90°).

Geometries are checked feature by feature: a missing or empty geometry, a geometry that
is not a (multi)polygon and an invalid polygon (self-intersection...) are
:class:`~indicators.errors.InputError` naming the file and the 0-based feature index.

A quartier gets a shape only from an official QPV contour (matched on its QPV code) or
from a perimeter supplied by the commune (matched on ``quartier_id``):
:func:`quartier_shapes` never draws anything else.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
import shapely.errors

from indicators.errors import InputError
from indicators.sources.csvfiles import check_pattern, check_unique, decode_text, read_insee_csv

__all__ = [
    "LAMBERT93",
    "communes_of_epci",
    "quartier_shapes",
    "read_communes",
    "read_epci_members",
    "read_layer",
    "read_perimeters",
    "read_qpv_contours",
]

LAMBERT93 = "EPSG:2154"
COMMUNE_PATTERN = r"\d{5}|2[AB]\d{3}"
QP_PATTERN = r"Q[PN][0-9A-Z]{6}"
QUARTIER_ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_WGS84_RULE = "OGC:CRS84"
_JSON_SUFFIXES = (".geojson", ".json")
_GEOJSON_TYPES = ("FeatureCollection", "Feature")


# ------------------------------------------------------------------------- layers
def read_layer(
    path: str | os.PathLike[str],
    *,
    layer: str | int | None = None,
    geometry_types: Sequence[str] = ("Polygon", "MultiPolygon"),
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
    _check_geometries(frame, path, geometry_types)
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
            found=f"{frame.crs.name}: {str(exc).splitlines()[0] if str(exc) else exc!r}",
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


def _check_geometries(frame: gpd.GeoDataFrame, path: Path, types: Sequence[str]) -> None:
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
    if not valid.all():
        i = int((~valid).nonzero()[0][0])
        raise InputError(
            "a valid polygon",
            path=path,
            feature=i,
            found=shapely.is_valid_reason(geometry[i]),
        )


def _pick(frame: pd.DataFrame, names: Sequence[str], path: Path, what: str) -> str:
    for name in names:
        if name in frame.columns:
            return name
    fields = ", ".join(c for c in frame.columns if c != frame.geometry.name) or "none"
    raise InputError(f"a field {names[0]!r} ({what})", path=path, found=fields)


def _text_codes(frame: pd.DataFrame, column: str, path: Path, pattern: str, what: str) -> None:
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


# ----------------------------------------------------------------------- communes
def read_communes(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Commune boundaries → ``code, nom, geometry`` in Lambert-93.

    Accepts the france-geojson layout (``code``, ``nom``) and IGN Admin Express
    (``INSEE_COM``, ``NOM`` or ``NOM_COM``).

    Parameters
    ----------
    path
        GeoJSON (WGS84 by RFC 7946 when it declares no CRS), GeoPackage or shapefile.

    Raises
    ------
    InputError
        Missing field, code not a 5-character INSEE code, duplicated code, CRS or
        geometry problem (see :func:`read_layer`).
    """
    path = Path(path)
    frame = read_layer(path)
    code = _pick(frame, ("code", "INSEE_COM", "insee_com"), path, "INSEE commune code")
    nom = _pick(frame, ("nom", "NOM", "NOM_COM", "nom_com"), path, "commune name")
    _text_codes(frame, code, path, COMMUNE_PATTERN, "a 5-character INSEE commune code")
    check_unique(frame, [code], path=path, feature=True)
    out = gpd.GeoDataFrame(
        {"code": frame[code].astype(str), "nom": frame[nom].astype(str)},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    return out


def read_epci_members(
    csv_path: str | os.PathLike[str], *, keep_lines: bool = False
) -> pd.DataFrame:
    """Member communes of an EPCI with their population (one EPCI per file).

    Parameters
    ----------
    csv_path
        CSV with ``epci_siren, epci_nom, code_insee, nom, population_municipale,
        population_totale`` (and optionally ``siren_commune, departement,
        arrondissement, codes_postaux``), as built from DGCL / ``decoupage-administratif``.
    keep_lines
        Index the result by the 1-based file line of each commune (index name ``line``)
        instead of 0, 1, 2..., so that later checks can name the line.

    Returns
    -------
    pandas.DataFrame
        ``epci_siren, epci_nom, code, nom, population_municipale, population_totale``
        (``int64``) and the optional columns present, one row per commune.

    Raises
    ------
    InputError
        Missing column, malformed or duplicated code, more than one EPCI, a population
        that is missing, secret or not a non-negative integer.
    """
    path = Path(csv_path)
    required = [
        "epci_siren",
        "epci_nom",
        "code_insee",
        "nom",
        "population_municipale",
        "population_totale",
    ]
    optional = ["siren_commune", "departement", "arrondissement", "codes_postaux"]
    frame = read_insee_csv(
        path,
        required=required,
        optional=optional,
        codes=["epci_siren", "code_insee", "siren_commune", "departement", "arrondissement"],
        numeric=["population_municipale", "population_totale"],
        markers=None,
        allow_blank=False,
        usecols_only=True,
    )
    check_pattern(
        frame, "code_insee", COMMUNE_PATTERN, "a 5-character INSEE commune code", path=path
    )
    check_pattern(frame, "epci_siren", r"\d{9}", "a 9-digit SIREN", path=path)
    sirens = frame["epci_siren"].unique()
    if len(sirens) > 1:
        i = int(frame["epci_siren"].ne(sirens[0]).to_numpy().nonzero()[0][0])
        raise InputError(
            f"one EPCI per file ({sirens[0]} above)",
            path=path,
            line=int(frame.index[i]),
            column="epci_siren",
            found=str(frame["epci_siren"].iloc[i]),
        )
    check_unique(frame, ["code_insee"], path=path)
    for column in ("population_municipale", "population_totale"):
        values = frame[column]
        bad = (values < 0) | (values != np.floor(values))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(
                "a non-negative whole number",
                path=path,
                line=int(frame.index[i]),
                column=column,
                found=f"{values.iloc[i]:g}",
            )
        frame[column] = values.astype("int64")
    frame = frame.drop(columns=[c for c in frame.columns if c.endswith("_marker")])
    frame = frame.rename(columns={"code_insee": "code"})
    order = [
        "epci_siren",
        "epci_nom",
        "code",
        "nom",
        "population_municipale",
        "population_totale",
        *[c for c in optional if c in frame.columns],
    ]
    frame = frame[order]
    return frame if keep_lines else frame.reset_index(drop=True)


def communes_of_epci(
    communes: gpd.GeoDataFrame,
    members: pd.DataFrame,
    *,
    members_path: str | os.PathLike[str] | None = None,
    communes_path: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Join member communes to their boundaries on the INSEE code.

    Names come from ``members`` (the more recent source); the geometry from
    ``communes``.

    Parameters
    ----------
    communes
        :func:`read_communes` output.
    members
        :func:`read_epci_members` output (with ``keep_lines=True``, errors name the line).
    members_path, communes_path
        The two files, for error messages.

    Raises
    ------
    InputError
        When a member commune has no boundary in ``communes``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame({"code": ["62270"], "nom": ["DIVION"]},
    ...                             geometry=[box(0, 0, 1, 1)], crs=LAMBERT93)
    >>> members = pd.DataFrame({"epci_siren": ["200072460"], "code": ["62270"],
    ...                         "nom": ["Divion"], "population_municipale": [6700]})
    >>> communes_of_epci(communes, members)[["code", "nom"]].values.tolist()
    [['62270', 'Divion']]
    """
    absent = ~members["code"].isin(set(communes["code"]))
    if absent.any():
        i = int(absent.to_numpy().nonzero()[0][0])
        row = members.iloc[i]
        label = members.index[i]
        layer = f"the communes layer{f' {communes_path}' if communes_path else ''}"
        raise InputError(
            f"expected a boundary for every member commune; {row['code']} ({row['nom']}) "
            f"has none in {layer} ({int(absent.sum())} missing)",
            path=members_path,
            line=int(label) if members.index.name == "line" else None,
            column="code_insee" if members_path else None,
            raw=True,
        )
    geometry = communes.set_index("code").geometry
    out = members.copy()
    return gpd.GeoDataFrame(
        out, geometry=geometry.loc[out["code"]].to_numpy(), crs=communes.crs
    ).reset_index(drop=True)


# --------------------------------------------------------------------- QPV contours
_QPV_LAYOUTS = {
    # millésime: (code, name, communes) fields
    "2024": ("code_qp", "lib_qp", "lib_com"),
    "2015": ("CODE_QP", "NOM_QP", "COMMUNE_QP"),
}


def read_qpv_contours(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Official QPV contours, 2024 or 2015 national layout → Lambert-93.

    - 2024 (ANCT, décret 2023-1314): ``code_qp``, ``lib_qp``, ``lib_com``, ``insee_dep``...;
      GeoJSON in WGS84; codes ``QN…``.
    - 2015 (CGET, décret 2014-1750): ``CODE_QP``, ``NOM_QP``, ``COMMUNE_QP``; shapefile in
      Lambert-93; codes ``QP…`` (e.g. ``QP062013``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code_qp, lib_qp, communes, millesime, source, geometry`` in EPSG:2154.

    Raises
    ------
    InputError
        Neither layout, malformed or duplicated code, CRS or geometry problem.
    """
    path = Path(path)
    frame = read_layer(path)
    millesime = next(
        (year for year, (code, _, _) in _QPV_LAYOUTS.items() if code in frame.columns), None
    )
    if millesime is None:
        fields = ", ".join(c for c in frame.columns if c != frame.geometry.name)
        raise InputError(
            "a QPV layer with 'code_qp' (2024 layout) or 'CODE_QP' (2015 layout)",
            path=path,
            found=fields,
        )
    code, name, communes = _QPV_LAYOUTS[millesime]
    for field in (name,):
        if field not in frame.columns:
            raise InputError(f"a field {field!r} ({millesime} layout)", path=path)
    _text_codes(frame, code, path, QP_PATTERN, "a QPV code such as 'QP062013' or 'QN06201M'")
    out = gpd.GeoDataFrame(
        {
            "code_qp": frame[code].astype(str),
            "lib_qp": frame[name].astype(str),
            "communes": frame[communes].fillna("").astype(str) if communes in frame else "",
            "millesime": millesime,
            "source": path.name,
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    check_unique(frame, [code], path=path, feature=True)
    return out


# --------------------------------------------------------------------- perimeters
def read_perimeters(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Quartier perimeters drawn by the commune (GeoJSON or GeoPackage).

    One feature per quartier, field ``quartier_id`` (the project's ids, e.g.
    ``"cite-du-transvaal"``); a quartier in several parts is one MultiPolygon.

    Returns
    -------
    geopandas.GeoDataFrame
        ``quartier_id, source, geometry`` in EPSG:2154, index = feature index.

    Raises
    ------
    InputError
        No ``quartier_id`` field, malformed or duplicated id, CRS or geometry problem.
    """
    path = Path(path)
    frame = read_layer(path)
    field = _pick(frame, ("quartier_id",), path, "the quartier id")
    _text_codes(
        frame,
        field,
        path,
        QUARTIER_ID_PATTERN,
        "a quartier id in lower case with hyphens (e.g. 'cite-du-transvaal')",
    )
    out = gpd.GeoDataFrame(
        {"quartier_id": frame[field].astype(str), "source": path.name},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    check_unique(out, ["quartier_id"], path=path, feature=True)
    return out


def quartier_shapes(
    quartier_codes: Mapping[str, str | None],
    contours: gpd.GeoDataFrame | None,
    perimeters: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """The shape of each quartier that has one, and only those.

    A quartier with a QPV code takes the official contour with that code; otherwise (a
    QIC, or a QPV whose code is not in the contours file) the perimeter supplied by the
    commune with its ``quartier_id``. A quartier with neither gets no row.

    Parameters
    ----------
    quartier_codes
        ``quartier_id → QPV code`` (``None`` for a quartier that is not a QPV).
    contours
        :func:`read_qpv_contours` output, or ``None``.
    perimeters
        :func:`read_perimeters` output, or ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``quartier_id, code_qp, source, geometry`` in EPSG:2154; ``source`` says where
        the shape comes from (French, for map captions).

    Raises
    ------
    InputError
        When a perimeter's ``quartier_id`` is not a known quartier.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> perimeters = gpd.GeoDataFrame({"quartier_id": ["cite-du-transvaal"],
    ...     "source": ["p.geojson"]}, geometry=[box(0, 0, 1, 1)], crs=LAMBERT93)
    >>> quartier_shapes({"cite-du-transvaal": None, "cites-6-et-30": "QP062014"},
    ...                 None, perimeters)["quartier_id"].tolist()
    ['cite-du-transvaal']
    """
    crs = LAMBERT93
    if contours is not None:
        contours = contours.to_crs(crs)
    if perimeters is not None:
        perimeters = perimeters.to_crs(crs)
    rows: list[dict[str, object]] = []
    if perimeters is not None:
        unknown = ~perimeters["quartier_id"].isin(set(quartier_codes))
        if unknown.any():
            i = int(unknown.to_numpy().nonzero()[0][0])
            raise InputError(
                f"a known quartier id ({', '.join(sorted(quartier_codes))})",
                path=str(perimeters["source"].iloc[i]),
                feature=int(perimeters.index[i]),
                column="quartier_id",
                found=str(perimeters["quartier_id"].iloc[i]),
            )
    official = (
        {}
        if contours is None
        else dict(zip(contours["code_qp"], range(len(contours)), strict=True))
    )
    drawn = (
        {}
        if perimeters is None
        else dict(zip(perimeters["quartier_id"], range(len(perimeters)), strict=True))
    )
    for quartier_id, code in quartier_codes.items():
        if code and code in official:
            item = contours.iloc[official[code]]
            rows.append(
                {
                    "quartier_id": quartier_id,
                    "code_qp": code,
                    "source": f"contour officiel QPV {item['millesime']} ({item['source']})",
                    "geometry": item.geometry,
                }
            )
        elif quartier_id in drawn:
            item = perimeters.iloc[drawn[quartier_id]]
            rows.append(
                {
                    "quartier_id": quartier_id,
                    "code_qp": code or "",
                    "source": f"périmètre fourni par la commune ({item['source']})",
                    "geometry": item.geometry,
                }
            )
    frame = pd.DataFrame(rows, columns=["quartier_id", "code_qp", "source", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
