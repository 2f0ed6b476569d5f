"""QPV contours as they really come: the territory's selection and the repair of invalid polygons.

The ANCT 2024 file as shipped (a simplified copy) has 85 invalid polygons out of 1,609,
mostly self-intersections left by the simplification. The build does not refuse them:
:func:`repair_contours` repairs each invalid contour it uses with ``shapely.make_valid``,
keeps its polygonal parts only, and lists every repair (code, what was wrong, area before
and after, change in %) in a table. A repair is refused — an
:class:`~indicators.errors.InputError` naming the file and the feature — when it leaves
nothing polygonal, or when it changes the area by more than :data:`MAX_AREA_CHANGE_PCT`
(a repair that large is no longer a fix of a drawing defect but a different perimeter).

Areas are measured in Lambert-93 (EPSG:2154). The area « before » is the area GEOS
measures on the invalid polygon as received (rings summed with their orientation).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from indicators.errors import InputError
from indicators.numbers import format_number

__all__ = [
    "MAX_AREA_CHANGE_PCT",
    "REPAIR_COLUMNS",
    "repair_contours",
    "repair_note",
    "select_territory",
]

#: Largest change of a contour's area (in %, either way) that a repair may make.
#: The 82 repairable invalid contours of the shipped 2024 file change by 1.5 % at most
#: (median 0.01 %); 5 % leaves room for a finer file while refusing a repair that turns
#: a bow-tie into a different shape.
MAX_AREA_CHANGE_PCT = 5.0

REPAIR_COLUMNS = (
    "code_qp",
    "lib_qp",
    "source",
    "feature",
    "invalid_reason",
    "area_before_ha",
    "area_after_ha",
    "area_change_pct",
    "repair",
)


def select_territory(
    contours: gpd.GeoDataFrame, siren: str, codes: Iterable[str] = ()
) -> gpd.GeoDataFrame:
    """The contours of the EPCI ``siren`` (``siren_epci`` contains it) and of ``codes``.

    A QPV shared by two EPCI (« 246200364, 200000001 ») belongs to both.
    """
    wanted = set(codes)
    in_epci = contours["siren_epci"].map(lambda sirens: siren in list(sirens))
    keep = in_epci.to_numpy(dtype=bool) | contours["code_qp"].isin(wanted).to_numpy()
    out = contours.loc[keep].copy()
    out["in_epci"] = in_epci[keep].to_numpy(dtype=bool)
    return out.reset_index(drop=True)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal parts of a ``make_valid`` result, as one (Multi)Polygon, or None."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return None if geometry.is_empty else geometry
    parts = [
        part
        for part in getattr(geometry, "geoms", [])
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    if merged.geom_type == "Polygon":
        merged = shapely.MultiPolygon([merged])
    return merged


def repair_contours(
    contours: gpd.GeoDataFrame, *, max_change_pct: float = MAX_AREA_CHANGE_PCT
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Repair the invalid contours of ``contours`` (the output of ``read_qpv_contours``).

    Returns
    -------
    (contours, repairs)
        The contours with valid geometries, ``repaired`` (bool) and ``area_ha`` added;
        and one row per repair with :data:`REPAIR_COLUMNS` (``repair`` says what was
        done, in French).

    Raises
    ------
    InputError
        A repair leaves nothing polygonal, or changes the area by more than
        ``max_change_pct`` % (the message names the file, the feature and the code).

    Examples
    --------
    A square with a spike back along its edge: the repair drops the spike.

    >>> from shapely.geometry import Polygon
    >>> spike = Polygon([(0, 0), (100, 0), (100, 100), (0, 100), (0, 50), (-0.01, 50),
    ...                  (0, 50.01), (0, 0)])
    >>> layer = gpd.GeoDataFrame({"code_qp": ["QN06299A"], "lib_qp": ["Q"], "source": ["q"],
    ...     "feature": [0], "invalid_reason": [shapely.is_valid_reason(spike)]},
    ...     geometry=[spike], crs="EPSG:2154")
    >>> fixed, repairs = repair_contours(layer)
    >>> bool(fixed.geometry.is_valid.all()), repairs["repair"].tolist()
    (True, ['réparé (make_valid, parties polygonales conservées)'])
    """
    out = contours.copy()
    geometry = out.geometry.to_numpy().copy()
    invalid = ~shapely.is_valid(geometry)
    rows: list[dict[str, object]] = []
    for i in np.flatnonzero(invalid):
        item = out.iloc[i]
        before = float(shapely.area(geometry[i]))
        fixed = _polygonal(shapely.make_valid(geometry[i]))
        where = {"path": str(item["source"]), "feature": int(item["feature"])}
        reason = str(item.get("invalid_reason") or shapely.is_valid_reason(geometry[i]))
        if fixed is None:
            raise InputError(
                "a polygon that make_valid can repair (nothing polygonal is left)",
                column="geometry",
                found=f"{item['code_qp']}: {reason}",
                **where,
            )
        after = float(fixed.area)
        change = np.inf if before <= 0 else 100.0 * (after - before) / before
        if not abs(change) <= max_change_pct:
            shown = "from 0" if before <= 0 else f"{change:+.1f} %"
            raise InputError(
                f"a repair that changes the area by at most {max_change_pct:g} %",
                column="geometry",
                found=f"{item['code_qp']}: {reason}; area {shown} after make_valid",
                **where,
            )
        geometry[i] = fixed
        rows.append(
            {
                "code_qp": str(item["code_qp"]),
                "lib_qp": str(item["lib_qp"]),
                "source": str(item["source"]),
                "feature": int(item["feature"]),
                "invalid_reason": reason,
                "area_before_ha": before / 10_000,
                "area_after_ha": after / 10_000,
                "area_change_pct": change,
                "repair": "réparé (make_valid, parties polygonales conservées)",
            }
        )
    out = out.set_geometry(gpd.GeoSeries(geometry, crs=out.crs, index=out.index))
    out["repaired"] = invalid
    out["area_ha"] = out.geometry.area / 10_000
    repairs = pd.DataFrame(rows, columns=list(REPAIR_COLUMNS))
    repairs["feature"] = repairs["feature"].astype("int64")
    return out, repairs


def repair_note(repairs: pd.DataFrame, n_invalid_in_file: int, n_used: int) -> str:
    """The one build note on repairs (French)."""
    if repairs.empty:
        return (
            f"Contours QPV : {n_invalid_in_file} polygone(s) invalide(s) dans le fichier, "
            f"aucun parmi les {n_used} contours utilisés."
        )
    worst = repairs["area_change_pct"].abs().max()
    return (
        f"Contours QPV : {len(repairs)} contour(s) invalide(s) réparé(s) sur les {n_used} "
        f"utilisés ({', '.join(repairs['code_qp'])} ; variation de surface au plus "
        f"{format_number(worst, 3)}\u00a0%, tolérance "
        f"{format_number(MAX_AREA_CHANGE_PCT)}\u00a0%) ; {n_invalid_in_file} "
        "polygones invalides dans tout le fichier, les autres ne sont pas utilisés. "
        "Détail : table qpv_repairs."
    )
