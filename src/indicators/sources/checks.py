"""Checks on the columns of a table read from a file, naming the faulty line or feature.

Each check raises :class:`~indicators.errors.InputError` at the first value that fails,
naming the file, the line (the table's index, as
:func:`~indicators.sources.csvfiles.read_insee_csv` sets it) or the 0-based feature of a
geographic layer, the column and the value found.

>>> check_pattern(pd.DataFrame({"c": ["59999"]}), "c", r"\\d{5}", "a 5-digit code")
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError

__all__ = ["check_pattern", "check_range", "check_unique"]


def _line(frame: pd.DataFrame, position: int) -> int | None:
    label = frame.index[position]
    return int(label) if isinstance(label, (int, np.integer)) else None


def check_pattern(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    expected: str,
    *,
    path: str | os.PathLike[str] | None = None,
) -> None:
    """Raise :class:`InputError` at the first value of ``column`` not matching ``pattern``.

    >>> check_pattern(pd.DataFrame({"c": ["59999"]}), "c", r"\\d{5}", "a 5-digit code")
    """
    ok = frame[column].astype(str).str.fullmatch(pattern)
    if not ok.all():
        i = int((~ok).to_numpy().nonzero()[0][0])
        raise InputError(
            expected,
            path=path,
            line=_line(frame, i),
            column=column,
            found=str(frame[column].iloc[i]),
        )


def check_range(
    frame: pd.DataFrame,
    column: str,
    low: float,
    high: float,
    *,
    path: str | os.PathLike[str] | None = None,
    what: str = "a value",
) -> None:
    """Raise :class:`InputError` at the first non-missing value outside ``[low, high]``."""
    values = frame[column]
    bad = values.notna() & ~values.between(low, high)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{what} between {low:g} and {high:g}",
            path=path,
            line=_line(frame, i),
            column=column,
            found=f"{values.iloc[i]:g}",
        )


def check_unique(
    frame: pd.DataFrame,
    key: Sequence[str],
    *,
    path: str | os.PathLike[str] | None = None,
    feature: bool = False,
) -> None:
    """Raise :class:`InputError` naming the second occurrence of a duplicated key.

    With ``feature=True`` the index is read as a 0-based feature index (geographic layers).
    """
    key = list(key)
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return
    positions = dup.to_numpy().nonzero()[0]
    values = tuple(frame[key].iloc[positions[0]].astype(str))
    same = [p for p in positions if tuple(frame[key].iloc[p].astype(str)) == values]
    first, second = same[0], same[1]
    label = "×".join(key)
    if feature:
        raise InputError(
            f"each {label} once (already at feature {first})",
            path=path,
            feature=int(second),
            column=key[0],
            found="/".join(values),
        )
    first_line = _line(frame, first)
    raise InputError(
        f"each {label} once (already on line {first_line})",
        path=path,
        line=_line(frame, second),
        column=key[0],
        found="/".join(values),
    )
