"""The QPV contours step of the build: which file, which contours, which repairs.

The shipped ANCT 2024 file (``data/raw/qpv_contours_2024/``) is read unless the commune
drops its own file(s) into ``data/raw/qpv/`` (they then take precedence, and the build
says so). From the national layer the build keeps the QPV of the territory's EPCI
(``siren_epci`` contains its SIREN: the ``qpv_contours`` table and layer) and the codes
the quartiers point to, repairs the invalid ones among them
(:func:`~indicators.analysis.qpv_repairs.repair_contours`, the ``qpv_repairs`` table)
and prints one note with the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.analysis.qpv_repairs import repair_contours, repair_note, select_territory
from indicators.build.sources import BY_PATH
from indicators.sources.checks import check_unique
from indicators.sources.vectorfiles import LAMBERT93

__all__ = ["CONTOUR_COLUMNS", "contour_files", "territory_contours"]

#: Columns of the ``qpv_contours`` table (a layer in EPSG:2154).
CONTOUR_COLUMNS = (
    "code_qp",
    "lib_qp",
    "communes",
    "insee_com",
    "siren_epci",
    "in_epci",
    "millesime",
    "source",
    "area_ha",
    "repaired",
    "geometry",
)


def contour_files(raw: Path) -> tuple[list[Path], str]:
    """The contour files the build reads and a French note saying which ones."""
    dropped = BY_PATH["qpv"].files(raw)
    if dropped:
        names = ", ".join(p.name for p in dropped)
        return (
            dropped,
            f"Contours QPV déposés dans data/raw/qpv/ ({names}) : ils remplacent "
            "les contours 2024 livrés.",
        )
    return BY_PATH["qpv_contours_2024"].files(raw), ""


def territory_contours(
    files: list[Path], raw: Path, siren: str, codes: Iterable[str]
) -> tuple[gpd.GeoDataFrame, dict[str, pd.DataFrame], str]:
    """Read ``files``, keep the EPCI's QPV and ``codes``, repair them.

    Returns
    -------
    (contours, tables, note)
        The repaired contours used for the quartiers (all columns of the reader), the
        tables ``qpv_contours`` (the EPCI's QPV, :data:`CONTOUR_COLUMNS`) and
        ``qpv_repairs``, and the one note on the repairs.
    """
    reader = BY_PATH["qpv"].reader
    frames = [reader(p) for p in files]
    national = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry="geometry", crs=LAMBERT93
    )
    check_unique(national, ["code_qp"], path=raw / "qpv", feature=True)
    n_invalid = int((national["invalid_reason"] != "").sum())
    selected = select_territory(national, siren, [c for c in codes if c])
    repaired, repairs = repair_contours(selected)
    epci = repaired.loc[repaired["in_epci"], list(CONTOUR_COLUMNS)].sort_values("code_qp")
    epci = gpd.GeoDataFrame(epci.reset_index(drop=True), geometry="geometry", crs=LAMBERT93)
    tables: dict[str, pd.DataFrame] = {"qpv_contours": epci, "qpv_repairs": repairs}
    return repaired, tables, repair_note(repairs, n_invalid, len(repaired))
