"""INSEE-style CSV files, read into one shape.

French public statistics publish CSV files in several dialects: ``;`` or ``,`` (or tab)
separators, decimal commas, thousands grouped by a space, a no-break space (U+00A0) or a
narrow no-break space (U+202F), UTF-8 or Windows-1252 text, geographic codes that must stay
strings ("01001", "062"), and secrecy markers (``s``, ``nd``, ``nc``, ``NS``, ``faible``,
blank) where a figure is withheld. :func:`read_insee_csv` reads all of them into one shape:

- every column is text (pandas ``str``) except the ``numeric`` ones, which are ``float64``;
- each numeric column ``x`` gets a companion ``x_marker`` holding the secrecy marker as
  written in the file where ``x`` is missing (``""`` where ``x`` has a value, and ``""`` for
  a blank cell, so a missing value is always visible as ``NaN`` + its marker, never as 0);
- the index is the 1-based line of each record in the file (the header is line 1), so
  later checks can name the line of a faulty value.

Text decoding is :func:`~indicators.sources.decoding.decode_text`; numbers and markers are
parsed by :func:`~indicators.sources.numeric.parse_numbers`.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.sources.decoding import decode_text
from indicators.sources.numeric import SECRECY_MARKERS, parse_numbers

__all__ = ["SEPARATORS", "read_insee_csv"]

#: Separators tried, in this order, when none is given.
SEPARATORS: tuple[str, ...] = (";", ",", "\t")

_SEP_NAMES = {";": "';'", ",": "','", "\t": "tab"}


# ------------------------------------------------------------------------ separators
def _count_fields(line: str, sep: str) -> int:
    return len(next(csv.reader([line], delimiter=sep), []))


def _sniff_separator(lines: list[str]) -> str:
    """The candidate separator that splits the header most and agrees with the data."""
    header, sample = lines[0], lines[1:51]
    best, best_score = SEPARATORS[0], (-1, -1)
    for sep in SEPARATORS:
        n = _count_fields(header, sep)
        consistent = sum(_count_fields(line, sep) == n for line in sample)
        score = (int(n > 1 and consistent == len(sample)), n if n > 1 else 0)
        if score > best_score:
            best, best_score = sep, score
    return best


# --------------------------------------------------------------------------- records
def _records_plain(text: str, sep: str, path: str) -> tuple[list[str], pd.DataFrame]:
    """Fast path for text without quotes: pandas splits, we count fields and lines."""
    lines = text.split("\n")
    numbers = [i + 1 for i, line in enumerate(lines) if line.strip()]
    if not numbers:
        raise InputError("a header line", path=path, line=1, found="")
    kept = [lines[i - 1] for i in numbers]
    header = kept[0].split(sep)
    counts = np.fromiter((line.count(sep) for line in kept), dtype=np.int64, count=len(kept))
    wrong = np.flatnonzero(counts != len(header) - 1)
    if wrong.size:
        i = int(wrong[0])
        raise InputError(
            f"expected {len(header)} fields separated by {_SEP_NAMES.get(sep, repr(sep))} "
            f"as in the header, found {counts[i] + 1} (wrong separator, or a decimal comma in a "
            f"','-separated file?)",
            path=path,
            line=numbers[i],
            raw=True,
        )
    frame = pd.read_csv(
        io.StringIO("\n".join(kept)),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        quoting=csv.QUOTE_NONE,
        engine="c",
    )
    frame.index = pd.Index(numbers[1:], name="line")
    return header, frame


def _records_quoted(text: str, sep: str, path: str) -> tuple[list[str], pd.DataFrame]:
    """Text with quotes: the csv module, which knows where each record starts.

    The reader is strict: a quote that is never closed (which would silently swallow
    every following line into one field) or a stray quote inside a quoted field is an
    error naming the line where the record starts.
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
    rows: list[list[str]] = []
    numbers: list[int] = []
    start = 1
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            rows.append(record)
            numbers.append(start)
    except csv.Error as exc:
        reason = str(exc)
        if "unexpected end of data" in reason:
            reason = "a quote opened in this record is never closed"
        raise InputError(
            f"a well-formed CSV record, with balanced quotes ({reason})",
            path=path,
            line=start,
        ) from None
    if not rows:
        raise InputError("a header line", path=path, line=1, found="")
    header = rows[0]
    for record, line in zip(rows[1:], numbers[1:], strict=True):
        if len(record) != len(header):
            raise InputError(
                f"expected {len(header)} fields separated by "
                f"{_SEP_NAMES.get(sep, repr(sep))} as in the header, found {len(record)} "
                f"(wrong separator, or an unquoted decimal comma?)",
                path=path,
                line=line,
                raw=True,
            )
    frame = pd.DataFrame(rows[1:], columns=range(len(header)), dtype=str)
    frame.columns = header
    frame.index = pd.Index(numbers[1:], name="line")
    return header, frame


# ----------------------------------------------------------------------------- reader
def read_insee_csv(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str] = (),
    optional: Sequence[str] = (),
    codes: Sequence[str] = (),
    numeric: Sequence[str] = (),
    markers: Sequence[str] | None = SECRECY_MARKERS,
    allow_blank: bool = True,
    sep: str | None = None,
    encoding: str | None = None,
    lowercase: bool = False,
    usecols_only: bool = False,
) -> pd.DataFrame:
    """Read an INSEE-style CSV file into text columns and ``float64`` numeric columns.

    Parameters
    ----------
    path
        The CSV file.
    required
        Columns that must be in the header (else :class:`InputError` naming line 1).
    optional
        Columns read when present.
    codes
        Code columns (kept as stripped text, never converted: "062" stays "062").
    numeric
        Columns converted with :func:`parse_numbers`; each gets a ``<col>_marker`` column.
    markers, allow_blank
        Accepted missing-value markers in numeric columns (see :func:`parse_numbers`).
    sep
        Field separator; sniffed among ``;``, ``,`` and tab when ``None``.
    encoding
        Text encoding; UTF-8 then cp1252 when ``None``.
    lowercase
        Compare and return column names in lower case (for files whose capitalisation
        changes between vintages).
    usecols_only
        Return only the ``required`` and ``optional`` columns (plus markers).

    Returns
    -------
    pandas.DataFrame
        Indexed by the 1-based file line of each record (index name ``line``). Text
        columns are stripped ``str``; numeric ones ``float64``. An empty header field
        (e.g. after a trailing separator) is named ``unnamed_<position>``.

    Raises
    ------
    InputError
        Unreadable file, undecodable or mojibake text, a record whose field count differs
        from the header's, a missing or duplicated column, a value that is neither a
        number nor an accepted marker.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError("a readable file", path=path, found=exc.strerror or str(exc)) from None
    text = decode_text(data, path=path, encoding=encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if sep is None:
        sample = [line for line in text[:200_000].split("\n") if line.strip()]
        if not sample:
            raise InputError("a header line", path=path, line=1, found="")
        sep = _sniff_separator(sample)
    try:
        if '"' in text:
            header, frame = _records_quoted(text, sep, str(path))
        else:
            header, frame = _records_plain(text, sep, str(path))
    except pd.errors.ParserError as exc:  # pragma: no cover - field counts checked first
        raise InputError(f"a well-formed CSV file ({exc})", path=path, raw=True) from None

    names = [name.strip() or f"unnamed_{i}" for i, name in enumerate(header, start=1)]
    if lowercase:
        names = [name.lower() for name in names]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError("each column name once in the header", path=path, line=1, column=name)
        seen.add(name)
    frame.columns = names
    want = [c.lower() if lowercase else c for c in required]
    absent = [c for c in want if c not in seen]
    if absent:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        hint = ""
        if len(names) == 1:
            hint = " (a single field: is the separator one of ';', ',' or tab?)"
        raise InputError(
            f"a column {absent[0]!r} in the header{hint}",
            path=path,
            line=1,
            found=shown,
        )
    opt = [c.lower() if lowercase else c for c in optional]
    if usecols_only:
        frame = frame[[c for c in [*want, *opt] if c in seen]]

    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    for column in codes:
        column = column.lower() if lowercase else column
        if column in frame.columns:
            frame[column] = frame[column].astype(str)
    for column in numeric:
        column = column.lower() if lowercase else column
        if column not in frame.columns:
            continue
        values, marker = parse_numbers(
            frame[column], markers=markers, allow_blank=allow_blank, path=path, column=column
        )
        frame[column] = values
        frame[f"{column}_marker"] = marker
    return frame
