"""The tidy tables in one XLSX workbook, for Excel and LibreOffice.

A « Lisez-moi » sheet first (what each sheet is, sources, how to read the figures, the
build date and data version: :mod:`indicators.build.readme_sheet`), then one sheet per
table with French sheet names and headers (:mod:`indicators.build.tables`). Numbers stay
numbers with a number format per column (« 18,8 % », « 1 600 », IPS with one decimal)
and coded values show their French labels (:mod:`indicators.build.labels`); missing
values are empty cells; geometry is dropped; two writes of the same tables give the same
bytes. Text cells that look like spreadsheet formulas (« =… ») are written as text,
never as formulas.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.build.exports import FIXED_DATE, fixed_moment
from indicators.build.labels import label_codes, number_formats
from indicators.build.readme_sheet import (
    README_SHEET,
    README_WIDTHS,
    ReadmeSection,
    sheets_section,
)
from indicators.build.storage import atomic_write_bytes
from indicators.build.tables import HEADERS_FR, SHEETS_FR, fill_epci
from indicators.errors import ParameterError
from indicators.secrecy import check_secrecy

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, header included
# Characters XML 1.0 forbids (openpyxl refuses them): control characters except tab, LF, CR.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60  # widest column, in characters (longer text is cut on screen, kept whole)
_HEADER_WIDTH = 30  # a longer header wraps
_LINE_HEIGHT = 15.0  # points per line of text at the default 11-point font


def _sheet_name(name: str, used: set[str], sheets: Mapping[str, str]) -> str:
    title = sheets.get(name, name)
    title = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Feuille"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def sheet_titles(names: Iterable[str], epci_label: str | None = None) -> dict[str, str]:
    """Table name → the title of its sheet in the workbook (after the « Lisez-moi »).

    French names from :data:`SHEETS_FR` (``{epci}`` filled), characters Excel refuses
    replaced, cut at 31 characters, a number added to a repeated title.

    >>> sheet_titles(["gaps", "ips"], "CATEST")
    {'gaps': 'Écarts à la CATEST', 'ips': 'IPS des établissements'}
    """
    sheets = fill_epci(SHEETS_FR, epci_label)
    used: set[str] = {README_SHEET.lower()}
    return {name: _sheet_name(name, used, sheets) for name in names}


def _cell_value(value: object) -> object:
    """A Python value openpyxl writes as the right cell type (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub(" ", value)
    return _ILLEGAL_XML.sub(" ", str(value))


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """The table without its geometry columns."""
    geometry = [c for c in df.columns if isinstance(df[c].dtype, gpd.array.GeometryDtype)]
    return pd.DataFrame(df.drop(columns=geometry))


def _deterministic_zip(data: bytes, moment: _dt.datetime) -> bytes:
    """Re-pack an XLSX with fixed entry timestamps and fixed document dates."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = max(moment, FIXED_DATE).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)",
                        rf"\g<1>{stamp}\g<2>",
                        text,
                    )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def write_xlsx(
    tables: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    headers: Mapping[str, str] = HEADERS_FR,
    epci_label: str | None = None,
    readme: Sequence[ReadmeSection] = (),
) -> Path:
    """Write the tables into one workbook: a « Lisez-moi » sheet, then one sheet per table.

    Numbers stay numbers (so they sort and sum in Excel or LibreOffice) with a number
    format per column (:func:`~indicators.build.labels.number_formats`: « 18,8 % »,
    « 1 600 », an IPS with one decimal; rates stay 0-100 numbers, the format only adds
    « % »); coded values show their French labels (« au moins », « école »:
    :func:`~indicators.build.labels.label_codes`); missing values are empty cells (never
    0), booleans are TRUE/FALSE, geometry columns are dropped. Text beginning with « = »
    is stored as text (quote-prefixed), never as a formula; control characters XML
    forbids are replaced by a space. The header row is bold, frozen and filterable;
    column widths follow the content. The bytes are reproducible: document dates and zip
    timestamps come from ``SOURCE_DATE_EPOCH`` (or are 1980-01-01).

    Parameters
    ----------
    tables
        Table name → DataFrame, in sheet order; sheet titles from :func:`sheet_titles`.
    path
        The ``.xlsx`` file to write (atomically).
    headers
        Column name → French header (unknown columns keep their name).
    epci_label
        The EPCI's short label (``territory.epci.label``): fills ``{epci}`` in the sheet
        names and headers (« Écarts à la … »); ``None``: « l'agglomération ».
    readme
        The sections of the « Lisez-moi » sheet (:mod:`indicators.build.readme_sheet`);
        empty: the list of the sheets only.

    Raises
    ------
    InputError
        A table with a household count below the secrecy threshold.
    ParameterError
        No table.
    """
    from openpyxl import Workbook

    if not tables:
        raise ParameterError("write_xlsx needs at least one table")
    headers = fill_epci(headers, epci_label)
    titles = sheet_titles(tables, epci_label)
    for name, table in tables.items():
        check_secrecy(table, name)
        if len(table) >= EXCEL_MAX_ROWS:
            raise ParameterError(
                f"table {name!r} has {len(table)} rows; a spreadsheet holds at most "
                f"{EXCEL_MAX_ROWS - 1} (use the CSV or Parquet file instead)"
            )
    moment = fixed_moment()
    workbook = Workbook()
    workbook.remove(workbook.active)
    naive = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = "indicators"
    workbook.properties.lastModifiedBy = "indicators"
    workbook.properties.created = naive
    workbook.properties.modified = naive
    _write_readme(
        workbook.create_sheet(README_SHEET),
        readme or [sheets_section(titles, {n: len(t) for n, t in tables.items()}, epci_label)],
    )
    for name, table in tables.items():
        _write_table(workbook.create_sheet(titles[name]), _tidy(table), headers)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write_bytes(path, _deterministic_zip(buffer.getvalue(), moment))


def _write_table(sheet: Worksheet, tidy: pd.DataFrame, headers: Mapping[str, str]) -> None:
    """One table in ``sheet``: bold frozen header, French labels, number formats."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    formats = number_formats(tidy)
    shown = label_codes(tidy)
    columns = [str(c) for c in shown.columns]
    sheet.append([headers.get(c, c) for c in columns])
    widths = [min(len(headers.get(c, c)), _HEADER_WIDTH) for c in columns]
    for i, row in enumerate(shown.itertuples(index=False, name=None)):
        values = [_cell_value(v) for v in row]
        sheet.append(values)
        r = i + 2  # the header is row 1 (``sheet.max_row`` scans every cell: slow)
        for j, value in enumerate(values):
            if isinstance(value, str):
                if value.startswith("="):
                    cell = sheet.cell(row=r, column=j + 1)
                    cell.value = value
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True  # and stays text when edited
                widths[j] = max(widths[j], min(len(value), _MAX_WIDTH))
            elif value is not None:
                fmt = formats.get(columns[j])
                if fmt is not None:
                    code = fmt[i] if isinstance(fmt, list) else fmt
                    sheet.cell(row=r, column=j + 1).number_format = code
                widths[j] = max(widths[j], _shown_width(value))
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(w, 8), _MAX_WIDTH) + 2 for w in widths]
    for j, cell in enumerate(sheet[1], start=1):
        cell.font = bold
        cell.alignment = wrap
        sheet.column_dimensions[get_column_letter(j)].width = widths[j - 1]
    sheet.row_dimensions[1].height = _height(sheet[1], widths)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(shown) + 1}"


def _shown_width(value: object) -> int:
    """About the characters a number takes once formatted (thousands, « % », sign)."""
    if isinstance(value, bool):
        return 5
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    return len(text) + 2


def _height(cells: Iterable[Cell], widths: Sequence[float]) -> float:
    """Points a row of wrapped text needs (spreadsheets do not grow rows on opening)."""
    lines = 1
    for cell, width in zip(cells, widths, strict=False):
        if isinstance(cell.value, str):
            per_line = max(int(width) - 2, 1)
            wrapped = sum(math.ceil(max(len(p), 1) / per_line) for p in cell.value.split("\n"))
            lines = max(lines, wrapped)
    return min(_LINE_HEIGHT * lines + 3, 409.0)  # 409 points: Excel's highest row


def _write_readme(sheet: Worksheet, sections: Sequence[ReadmeSection]) -> None:
    """The « Lisez-moi » sheet: each section a bold title, an optional header, rows."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    for k, section in enumerate(sections):
        if k:
            sheet.append([])
        sheet.append([section.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13 if k == 0 else 12)
        rows = ([section.header] if section.header else []) + list(section.rows)
        for n, row in enumerate(rows):
            sheet.append([_cell_value(v) for v in row])
            for j in range(1, len(row) + 1):
                cell = sheet.cell(row=sheet.max_row, column=j)
                cell.alignment = wrap
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if n == 0 and section.header:
                    cell.font = Font(bold=True)
            r = sheet.max_row
            sheet.row_dimensions[r].height = _height(sheet[r], README_WIDTHS)
    for j, width in enumerate(README_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width


def read_xlsx(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Every table sheet of a workbook as a DataFrame (French headers), to check an export.

    The « Lisez-moi » sheet is left out (read it with openpyxl).
    """
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return {name: sheet for name, sheet in sheets.items() if name != README_SHEET}
