"""French-written numbers and the secrecy markers of French statistical tables.

French public statistics write numbers with a decimal comma, thousands grouped by a
space, a no-break space (U+00A0), a narrow no-break space (U+202F) or a thin space
(U+2009), and put secrecy markers (``s``, ``nd``, ``nc``, ``NS``, ``faible``, blank) where
a figure is withheld. :func:`parse_numbers` turns such text into ``float64`` values and
keeps each marker as written, so a missing value is always visible as ``NaN`` + its
marker, never as 0.

The thousands separators are removed by this module's own normalisation: pandas' C engine
silently ignores ``thousands="\\u202f"``.

>>> values, markers = parse_numbers(pd.Series(["1\\u202f600", "18,8", "NS", ""]))
>>> values.tolist()[:2], markers.tolist()
([1600.0, 18.8], ['', '', 'NS', ''])
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError

__all__ = ["SECRECY_MARKERS", "parse_numbers"]

#: Markers that French statistical tables put in place of a withheld or unreliable value
#: (a blank cell is handled separately, see ``allow_blank``).
SECRECY_MARKERS: tuple[str, ...] = ("s", "nd", "nc", "NS", "faible")

_SPACES = " \u00a0\u202f\u2009"
_GROUPED = re.compile(rf"^[+-]?\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:[.,]\d+)?$")
_SPACE_RUN = re.compile(rf"[{_SPACES}]")


def parse_numbers(
    values: pd.Series,
    *,
    markers: Sequence[str] | None = SECRECY_MARKERS,
    allow_blank: bool = True,
    path: str | os.PathLike[str] | None = None,
    column: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """French-written numbers → ``float64`` values and their secrecy markers.

    Accepts a decimal comma or point, thousands grouped by a space, U+00A0, U+202F or
    U+2009, and the minus sign U+2212. A marker (compared without case) or a blank cell
    gives ``NaN`` with the marker kept as written (``""`` for a blank cell).

    Parameters
    ----------
    values
        Text values; the index is used as the file line in error messages.
    markers
        Accepted secrecy markers (``None`` or ``()``: none accepted).
    allow_blank
        Whether a blank cell is an accepted missing value.
    path, column
        For error messages.

    Returns
    -------
    values, markers
        ``float64`` Series and ``str`` Series, same index as the input.

    Raises
    ------
    InputError
        On any other text (the message names the line, the column and the text found).

    Examples
    --------
    >>> v, m = parse_numbers(pd.Series(["1 234,5", "\\u22122", "nd"]))
    >>> v.tolist()[:2], m.tolist()
    ([1234.5, -2.0], ['', '', 'nd'])
    """
    text = values.astype(str).str.strip()
    number = pd.to_numeric(text, errors="coerce").astype("float64")
    todo = number.isna() & text.ne("")
    if todo.any():
        raw = text[todo].str.replace("\u2212", "-", regex=False)
        grouped = raw.str.fullmatch(_GROUPED)
        raw = raw.where(~grouped, raw.str.replace(_SPACE_RUN, "", regex=True))
        raw = raw.str.replace(",", ".", regex=False)
        number.loc[todo] = pd.to_numeric(raw, errors="coerce").astype("float64")
    finite = np.isfinite(number.to_numpy())
    missing = ~finite
    accepted = {m.casefold() for m in (markers or ())}
    is_marker = text.str.casefold().isin(accepted) & missing
    is_blank = text.eq("") & missing
    bad = missing & ~is_marker
    if allow_blank:
        bad &= ~is_blank
    if bad.any():
        where = bad.to_numpy().nonzero()[0][0]
        shown = ", ".join(markers or ())
        what = "a number"
        if shown:
            what += f" or a secrecy marker ({shown})"
        if allow_blank:
            what += " or a blank cell"
        line = values.index[where]
        raise InputError(
            what,
            path=path,
            line=int(line) if isinstance(line, (int, np.integer)) else None,
            column=column,
            found=str(values.iloc[where]),
        )
    number = number.where(finite)
    marker = text.where(missing, "").astype(str)
    return number, marker
