"""What every export shares: the secrecy check and the reproducible timestamp.

The exports themselves live one per format: :mod:`indicators.build.figure_export`
(PNG and SVG figures), :mod:`indicators.build.geopackage` (layers for QGIS) and
:mod:`indicators.build.xlsx` (the workbook).

Statistical secrecy is enforced by every export: a layer or table with a household count
(``men``) below :data:`~indicators.secrecy.MIN_HOUSEHOLDS` is refused — mask it first with
:func:`indicators.secrecy.mask_small_cells` (which blanks every figure of such a cell).
"""

from __future__ import annotations

import datetime as _dt
import os

import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.secrecy import MIN_HOUSEHOLDS

#: Date written in the XLSX properties and zip entries when ``SOURCE_DATE_EPOCH`` is unset
#: (the zip format's own epoch: clearly not a real date).
FIXED_DATE = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)


def fixed_moment() -> _dt.datetime:
    """``SOURCE_DATE_EPOCH`` as a UTC moment, or :data:`FIXED_DATE` when it is unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return FIXED_DATE


def check_secrecy(df: pd.DataFrame, name: str, min_households: int = MIN_HOUSEHOLDS) -> None:
    """Refuse a table showing a household count below ``min_households``.

    Raises
    ------
    InputError
        Naming the table, the 0-based row and the column ``men``.
    """
    if "men" not in df.columns:
        return
    households = pd.to_numeric(df["men"], errors="coerce").to_numpy(dtype="float64")
    small = np.isfinite(households) & (households < min_households)
    if small.any():
        i = int(np.flatnonzero(small)[0])
        raise InputError(
            f"no figure from fewer than {min_households} households "
            "(mask such rows with indicators.secrecy.mask_small_cells)",
            context=f"table {name!r}, row {i}",
            column="men",
            found=format(float(households[i]), "g"),
        )
