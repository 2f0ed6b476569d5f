"""INSEE-style CSV files and the raw-data manifest, handled in one place.

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

The thousands separators are removed by this module's own normalisation: pandas' C engine
silently ignores ``thousands="\\u202f"``.

>>> values, markers = parse_numbers(pd.Series(["1\\u202f600", "18,8", "NS", ""]))
>>> values.tolist()[:2], markers.tolist()
([1600.0, 18.8], ['', '', 'NS', ''])

:func:`check_raw_manifest` verifies ``data/raw/SHA256SUMS`` (``sha256sum`` format) so a
raw file that changed is reported instead of being used silently.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.build.storage import sha256_file
from indicators.errors import InputError

__all__ = [
    "SECRECY_MARKERS",
    "SEPARATORS",
    "check_pattern",
    "check_range",
    "check_raw_manifest",
    "check_unique",
    "decode_text",
    "parse_numbers",
    "read_insee_csv",
]

#: Markers that French statistical tables put in place of a withheld or unreliable value
#: (a blank cell is handled separately, see ``allow_blank``).
SECRECY_MARKERS: tuple[str, ...] = ("s", "nd", "nc", "NS", "faible")
#: Separators tried, in this order, when none is given.
SEPARATORS: tuple[str, ...] = (";", ",", "\t")

_SPACES = " \u00a0\u202f\u2009"
_GROUPED = re.compile(rf"^[+-]?\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:[.,]\d+)?$")
_SPACE_RUN = re.compile(rf"[{_SPACES}]")
# UTF-8 text that was decoded as Windows-1252 and saved again ("Ã©" for "é", "â€™" for "’").
_CP1252_HIGH = bytes(b for b in range(0x80, 0xC0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5][" + re.escape(_CP1252_HIGH.decode("cp1252")) + "]|\u00e2\u20ac"
)
_SEP_NAMES = {";": "';'", ",": "','", "\t": "tab"}


# --------------------------------------------------------------------------- decoding
def _line_of_offset(data: bytes | str, offset: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1


def decode_text(data: bytes, *, path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else Windows-1252.

    Parameters
    ----------
    data
        The file's bytes.
    path
        The file, for error messages.
    encoding
        Force one encoding instead of trying UTF-8 then cp1252.

    Raises
    ------
    InputError
        When the bytes are neither UTF-8 nor cp1252 (e.g. UTF-16), or when the text shows
        mojibake (UTF-8 read as cp1252 and saved again: ``"Ã©"`` for ``"é"``).
    """
    if b"\x00" in data[:4096]:
        raise InputError(
            "text in UTF-8 or Windows-1252; the file contains NUL bytes (UTF-16 or binary?)",
            path=path,
            line=_line_of_offset(data, data.index(b"\x00")),
            raw=True,
        )
    candidates = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    failure: UnicodeDecodeError | None = None
    text: str | None = None
    for candidate in candidates:
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError as exc:
            failure = exc
    if text is None:
        assert failure is not None
        raise InputError(
            f"text in {' or '.join(candidates)}; byte 0x{data[failure.start]:02x} cannot be "
            f"decoded as {failure.encoding}",
            path=path,
            line=_line_of_offset(data, failure.start),
            raw=True,
        )
    bad = _MOJIBAKE.search(text)
    if bad:
        raise InputError(
            "text in UTF-8 or Windows-1252, not UTF-8 that was re-encoded (mojibake such as "
            "'Ã©' for 'é'): re-export the file from its source",
            path=path,
            line=_line_of_offset(text, bad.start()),
            found=text[max(0, bad.start() - 10) : bad.end() + 10].replace("\n", " "),
        )
    return text


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


# ---------------------------------------------------------------------------- numbers
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


# -------------------------------------------------------------------------- validators
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

    >>> check_pattern(pd.DataFrame({"c": ["62270"]}), "c", r"\\d{5}", "a 5-digit code")
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


# ---------------------------------------------------------------------------- manifest
_MANIFEST_LINE = re.compile(r"^(?P<hash>[0-9a-fA-F]{64}) [ *](?P<name>.+)$")
_NOT_DATA = {"SHA256SUMS", "README.md"}


def check_raw_manifest(raw_dir: str | os.PathLike[str]) -> list[str]:
    """Verify ``<raw_dir>/SHA256SUMS`` and list the data files it does not cover.

    The manifest has the ``sha256sum`` format (``<64 hex>  <path>``, paths relative to
    ``raw_dir``, ``/``-separated); it is checked with ``cd data/raw && sha256sum -c
    SHA256SUMS`` as well. ``README.md`` files and hidden files are documentation and are
    not expected in it.

    Parameters
    ----------
    raw_dir
        The ``data/raw`` folder.

    Returns
    -------
    list of str
        Files present under ``raw_dir`` but not listed (relative paths, sorted): they are
        used by the build, which reports them.

    Raises
    ------
    InputError
        When the manifest is missing or malformed, when a listed file is missing, or when
        its sha256 differs (the message names the file and the manifest line).
    """
    raw_dir = Path(raw_dir)
    manifest = raw_dir / "SHA256SUMS"
    if not manifest.is_file():
        raise InputError(
            "a manifest of the raw files (sha256sum format)", path=manifest, found="no such file"
        )
    listed: set[str] = set()
    text = decode_text(manifest.read_bytes(), path=manifest)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.match(line.rstrip())
        if not match:
            raise InputError(
                "'<sha256>  <path>' as written by sha256sum", path=manifest, line=number, found=line
            )
        name = match["name"]
        listed.add(name)
        target = raw_dir / name
        if not target.is_file():
            raise InputError(
                f"the file listed on line {number} of {manifest}",
                path=target,
                found="no such file",
                raw=False,
            )
        actual = sha256_file(target)
        if actual != match["hash"].lower():
            raise InputError(
                f"the sha256 recorded on line {number} of {manifest} ({match['hash'][:12]}…),"
                f" found {actual[:12]}…: the raw file changed; if the change is intended, "
                f"update its README and its line in SHA256SUMS",
                path=target,
                raw=True,
            )
    unlisted = []
    for file in sorted(raw_dir.rglob("*")):
        relative = file.relative_to(raw_dir).as_posix()
        if (
            file.is_file()
            and file.name not in _NOT_DATA
            and not any(part.startswith(".") for part in file.relative_to(raw_dir).parts)
            and relative not in listed
        ):
            unlisted.append(relative)
    return unlisted
