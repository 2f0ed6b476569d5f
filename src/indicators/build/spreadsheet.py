"""CSV cells that a spreadsheet would run as a formula, neutralised (CSV injection).

The CSVs of ``data/processed`` are offered to the commune's staff for Excel and
LibreOffice. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula when the file is opened (OWASP « CSV injection »): such a
cell gets a leading apostrophe, which spreadsheets show as text. Only text cells are
touched: numeric columns stay numbers, and a text cell that is a plain number (« -3,5 »,
« -12 ») is left as it is, since a spreadsheet reads it as that number and runs nothing.
The Parquet files, which programs read, keep the values as they are.

>>> import pandas as pd
>>> cells = ["=1+1", "+ de 95 %", "-12", "@SUM(A1)", "ok"]
>>> frame = pd.DataFrame({"t": cells, "n": [-1, 2, 3, 4, 5]})
>>> neutralise_formulas(frame)["t"].tolist()
["'=1+1", "'+ de 95 %", '-12', "'@SUM(A1)", 'ok']
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FORMULA_START", "is_formula_like", "neutralise_formulas"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def is_formula_like(value: object) -> bool:
    """A text a spreadsheet could run: starts with a formula character, not a number."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.match(value)
    )


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose formula-like text cells start with an apostrophe."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        hit = series.map(is_formula_like).astype(bool)
        if hit.any():
            if out is frame:
                out = frame.copy()
            out[column] = series.astype(object).where(~hit, "'" + series[hit].astype(str))
    if any(is_formula_like(str(c)) for c in frame.columns):
        out = out.rename(columns=lambda c: "'" + str(c) if is_formula_like(str(c)) else c)
    return out
