"""Statistical secrecy: nothing describing fewer than 11 households is published.

The rule and its check side by side: :func:`mask_small_cells` applies it once, in the
build (on the Filosofi grid); :func:`check_secrecy` checks it again in every export that
shows household counts (the GeoPackage and the workbook), and the grid map masks what it
draws. It lives in the core so that every stage reads the same threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError

#: Minimum number of households behind any figure shown or exported (statistical secrecy).
MIN_HOUSEHOLDS = 11
#: Columns of a grid cell (or aggregate) that are figures computed from its households.
GRID_FIGURES = ("ind", "men", "men_pauv", "ind_snv", "log_soc", "log_total")


def _require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"columns {', '.join(missing)}", context=f"table {table!r}")


def mask_small_cells(cells: pd.DataFrame, min_households: int = MIN_HOUSEHOLDS) -> pd.DataFrame:
    """Grid cells with every figure of a cell of fewer than ``min_households`` blanked.

    Adds ``secret`` (bool) and ``part_menages_pauvres`` (%, poor households ÷
    households × 100, « part des ménages pauvres (carroyage) » — not INSEE's poverty
    rate, which counts persons). A cell with fewer than ``min_households`` households,
    or an unknown number of them, keeps its identifier, position and imputation flag;
    its figures become missing (NaN), never 0.

    >>> cells = pd.DataFrame({"men": [8.0, 40.0], "men_pauv": [3.0, 14.0]})
    >>> out = mask_small_cells(cells)
    >>> out["secret"].tolist(), out["part_menages_pauvres"].tolist()[1]
    ([True, False], 35.0)
    >>> bool(out["men"].isna().iloc[0])
    True
    """
    _require(cells, ("men", "men_pauv"), "grid")
    out = cells.copy()
    households = out["men"].astype("float64")
    secret = ~(households >= min_households)
    out["part_menages_pauvres"] = (100 * out["men_pauv"] / households).where(~secret)
    for column in GRID_FIGURES:
        if column in out.columns:
            out[column] = out[column].astype("float64").where(~secret)
    out["secret"] = secret.to_numpy()
    return out


def check_secrecy(df: pd.DataFrame, name: str, min_households: int = MIN_HOUSEHOLDS) -> None:
    """Refuse a table showing a household count (``men``) below ``min_households``.

    A table without a ``men`` column passes; a missing count (masked) passes.

    >>> check_secrecy(pd.DataFrame({"men": [40.0, None]}), "grid")
    >>> check_secrecy(pd.DataFrame({"men": [40.0, 8.0]}), "grid")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    indicators.errors.InputError: column 'men', table 'grid', row 1: expected no figure ...

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
