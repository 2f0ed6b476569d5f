"""The project's exception hierarchy.

Every error raised on bad input is an :class:`IndicatorsError`. Its message is one
line that names the file, the place in it (line, row, column or feature) and what
was expected, so that the CLI can print it as is and exit with status 2.

>>> str(InputError("a rate between 0 and 100", path="ips.csv", line=4, column="ips"))
"ips.csv, line 4, column 'ips': expected a rate between 0 and 100"
"""

from __future__ import annotations

from os import PathLike


class IndicatorsError(Exception):
    """Base class of every error this project raises on purpose."""


class InputError(IndicatorsError):
    """An input file (or text) does not have the expected content or layout.

    Parameters
    ----------
    expected
        What was expected, phrased to follow ``"expected "`` (e.g. ``"a number"``),
        or a full sentence when ``found`` is not enough (use ``raw=True``).
    path
        The file concerned.
    line
        1-based line number in the file (for CSV: the header is line 1).
    column
        Column name, when the problem is in one column.
    feature
        0-based feature index for a geographic layer.
    context
        Extra words placed after the location (e.g. ``"quartier 'Cités 6 et 30'"``).
    found
        The offending text, quoted in the message.
    raw
        When true, ``expected`` is used as the whole message tail.
    sheet, row
        For a spreadsheet: the sheet's name and the 1-based row number as the
        spreadsheet shows it (``"file.xlsx, sheet 'Suivi', row 5, column 'État': …"``).
    """

    def __init__(
        self,
        expected: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
        feature: int | None = None,
        context: str | None = None,
        found: str | None = None,
        raw: bool = False,
        sheet: str | None = None,
        row: int | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.feature = feature
        self.expected = expected
        self.found = found
        self.sheet = sheet
        self.row = row
        where = []
        if self.path is not None:
            where.append(self.path)
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if line is not None:
            where.append(f"line {line}")
        if feature is not None:
            where.append(f"feature {feature}")
        if column is not None:
            where.append(f"column {column!r}")
        if context:
            where.append(context)
        tail = expected if raw else f"expected {expected}"
        if found is not None:
            shown = found if len(found) <= 80 else found[:77] + "..."
            tail += f", found {shown!r}"
        message = (", ".join(where) + ": " if where else "") + tail
        super().__init__(" ".join(message.split()))


class SchemaError(InputError):
    """A table does not match its declared schema (column, type, range, key)."""


class ParameterError(IndicatorsError):
    """A command-line or notebook parameter is invalid (e.g. an unknown quartier id)."""


class ReportError(IndicatorsError):
    """One or more reports failed to render."""


class ProjectNotFound(IndicatorsError):
    """No project root was given and none was found at or above the current directory.

    >>> str(ProjectNotFound("/tmp/x"))  # doctest: +ELLIPSIS
    'no indicators project at or above /tmp/x (a folder holding data/raw/); ...'
    """

    def __init__(self, start: str | PathLike[str]) -> None:
        self.start = str(start)
        super().__init__(
            f"no indicators project at or above {self.start} (a folder holding data/raw/); "
            "run from inside one, pass --root or set INDICATORS_ROOT"
        )
