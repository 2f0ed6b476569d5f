"""Official QPV contours (quartiers prioritaires), 2024 and 2015 national layouts."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from indicators.errors import InputError
from indicators.sources.checks import check_unique
from indicators.sources.vectorfiles import read_layer, text_codes

__all__ = ["QP_PATTERN", "read_qpv_contours"]

QP_PATTERN = r"Q[PN][0-9A-Z]{6}"

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
    text_codes(frame, code, path, QP_PATTERN, "a QPV code such as 'QP062013' or 'QN06201M'")
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
