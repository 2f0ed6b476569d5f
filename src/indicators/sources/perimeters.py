"""Quartier perimeters drawn by the commune, and the shape of each quartier.

A quartier gets a shape only from an official QPV contour (matched on its QPV code) or
from a perimeter supplied by the commune (matched on ``quartier_id``):
:func:`quartier_shapes` never draws anything else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.errors import InputError
from indicators.sources.checks import check_unique
from indicators.sources.vectorfiles import LAMBERT93, pick_field, read_layer, text_codes

__all__ = ["QUARTIER_ID_PATTERN", "quartier_shapes", "read_perimeters"]

QUARTIER_ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"


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
    field = pick_field(frame, ("quartier_id",), path, "the quartier id")
    text_codes(
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
        :func:`~indicators.sources.qpv.read_qpv_contours` output, or ``None``.
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
