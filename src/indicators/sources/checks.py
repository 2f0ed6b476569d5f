"""Checks on the columns of a table read from a file, naming the faulty line or feature.

Each check raises :class:`~indicators.errors.InputError` at the first value that fails,
naming the file, the line (the table's index, as
:func:`~indicators.sources.csvfiles.read_insee_csv` sets it) or the 0-based feature of a
geographic layer, the column and the value found.

>>> check_pattern(pd.DataFrame({"c": ["59999"]}), "c", r"\\d{5}", "a 5-digit code")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError

__all__ = ["check_pattern", "check_range", "check_unique", "refuse_rows"]


def _line(frame: pd.DataFrame | pd.Series, position: int) -> int | None:
    label = frame.index[position]
    return int(label) if isinstance(label, (int, np.integer)) else None


def refuse_rows(
    bad: pd.Series,
    values: pd.Series,
    expected: str,
    *,
    path: str | os.PathLike[str] | None = None,
    column: str | None = None,
    show: Callable[[object], str] = str,
) -> None:
    """Raise :class:`InputError` at the first row flagged in ``bad``, if any.

    The message names the row's line (the label of ``values``' index, when it is a whole
    number), ``column`` (the file's name for it) and the row's value in ``values``,
    written by ``show``.

    >>> values = pd.Series(["59999", "5999"], index=[2, 3])
    >>> refuse_rows(values.str.len() != 5, values, "a 5-digit code", path="c.csv", column="c")
    Traceback (most recent call last):
    ...
    indicators.errors.InputError: c.csv, line 3, column 'c': expected a 5-digit code, found '5999'
    """
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            expected,
            path=path,
            line=_line(values, i),
            column=column,
            found=show(values.iloc[i]),
        )


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
    refuse_rows(~ok, frame[column], expected, path=path, column=column)


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
    expected = f"{what} between {low:g} and {high:g}"
    refuse_rows(bad, values, expected, path=path, column=column, show="{:g}".format)


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
