"""Official QPV contours (quartiers prioritaires), 2024 and 2015 national layouts."""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from indicators.errors import InputError
from indicators.sources.checks import check_unique
from indicators.sources.vectorfiles import read_layer, text_codes

__all__ = ["QP_PATTERN", "code_list", "read_qpv_contours"]

QP_PATTERN = r"Q[PN][0-9A-Z]{6}"
_INSEE = r"[0-9][0-9AB][0-9]{3}"
_SIREN = r"[0-9]{9}"

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

    Invalid polygons are kept as received (the national 2024 file has 85 of them);
    ``invalid_reason`` says what is wrong with each (``shapely.is_valid_reason``, empty
    when valid) and :func:`indicators.analysis.qpv_repairs.repair_contours` repairs the
    ones the build uses, saying by how much each area changed.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code_qp, lib_qp, communes, insee_com, siren_epci, millesime, source, feature,
        invalid_reason, geometry`` in EPSG:2154. ``insee_com`` and ``siren_epci`` are
        lists of codes (« 62178, 62194 » → ``["62178", "62194"]``; empty lists when the
        layout has no such field); ``feature`` is the 0-based feature index in the file.

    Raises
    ------
    InputError
        Neither layout, malformed or duplicated code, CRS or geometry problem.
    """
    path = Path(path)
    frame = read_layer(path, allow_invalid=True)
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
    text_codes(frame, code, path, QP_PATTERN, "a QPV code such as 'QP062013' or 'QN06201M'")
    geometry = frame.geometry.to_numpy()
    out = gpd.GeoDataFrame(
        {
            "code_qp": frame[code].astype(str),
            "lib_qp": frame[name].astype(str),
            "communes": frame[communes].fillna("").astype(str) if communes in frame else "",
            "insee_com": code_list(frame, "insee_com", _INSEE, "INSEE commune codes", path),
            "siren_epci": code_list(frame, "siren_epci", _SIREN, "EPCI SIREN codes", path),
            "millesime": millesime,
            "source": path.name,
            "feature": range(len(frame)),
            "invalid_reason": [
                "" if ok else shapely.is_valid_reason(g)
                for ok, g in zip(shapely.is_valid(geometry), geometry, strict=True)
            ],
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    check_unique(frame, [code], path=path, feature=True)
    return out


def code_list(
    frame: pd.DataFrame, field: str, pattern: str, what: str, path: Path
) -> list[list[str]]:
    """A multi-value field (« 62178, 62194 ») as one list of codes per feature.

    An absent field gives empty lists; a missing value or ``NA`` (the 2024 file's
    marker for a QPV outside any EPCI, e.g. Saint-Martin) an empty list; a code that
    does not match ``pattern`` is an :class:`InputError` naming the feature.

    >>> frame = pd.DataFrame({"insee_com": ["62178, 62194", None]})
    >>> code_list(frame, "insee_com", r"[0-9]{5}", "codes", Path("q.geojson"))
    [['62178', '62194'], []]
    """
    if field not in frame.columns:
        return [[] for _ in range(len(frame))]
    out: list[list[str]] = []
    for i, value in enumerate(frame[field]):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out.append([])
            continue
        codes = [c.strip() for c in str(value).split(",") if c.strip() not in ("", "NA")]
        bad = [c for c in codes if not re.fullmatch(pattern, c)]
        if bad:
            raise InputError(
                f"{what} separated by commas", path=path, feature=i, column=field, found=bad[0]
            )
        out.append(codes)
    return out
