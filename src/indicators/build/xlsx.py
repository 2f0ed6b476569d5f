"""The tidy tables in one XLSX workbook, for Excel and LibreOffice.

One sheet per table, French sheet names and headers (:mod:`indicators.build.tables`),
numbers kept as numbers, missing values as empty cells, geometry dropped; two writes of
the same tables give the same bytes. Text cells that look like spreadsheet formulas
(« =… ») are written as text, never as formulas.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.build.exports import FIXED_DATE, fixed_moment
from indicators.build.storage import atomic_write_bytes
from indicators.build.tables import HEADERS_FR, SHEETS_FR, fill_epci
from indicators.errors import ParameterError
from indicators.secrecy import check_secrecy

EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, header included
# Characters XML 1.0 forbids (openpyxl refuses them): control characters except tab, LF, CR.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _sheet_name(name: str, used: set[str], sheets: Mapping[str, str]) -> str:
    title = sheets.get(name, name)
    title = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Feuille"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


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
) -> Path:
    """Write the tables into one workbook: one sheet per table, French headers.

    Numbers stay numbers (so they sort and sum in Excel or LibreOffice), missing values
    are empty cells (never 0), booleans are TRUE/FALSE, geometry columns are dropped.
    Text beginning with « = » is stored as text, not as a formula; control characters
    XML forbids are replaced by a space. The header row is bold, frozen and filterable.
    The bytes are reproducible: document dates and zip timestamps come from
    ``SOURCE_DATE_EPOCH`` (or are 1980-01-01).

    Parameters
    ----------
    tables
        Table name → DataFrame, in sheet order; sheet titles from :data:`SHEETS_FR`.
    path
        The ``.xlsx`` file to write (atomically).
    headers
        Column name → French header (unknown columns keep their name).
    epci_label
        The EPCI's short label (``territory.epci.label``): fills ``{epci}`` in the sheet
        names and headers (« Écarts à la … »); ``None``: « l'agglomération ».

    Raises
    ------
    InputError
        A table with a household count below the secrecy threshold.
    ParameterError
        No table.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise ParameterError("write_xlsx needs at least one table")
    headers = fill_epci(headers, epci_label)
    sheets = fill_epci(SHEETS_FR, epci_label)
    moment = fixed_moment()
    workbook = Workbook()
    workbook.remove(workbook.active)
    naive = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = "indicators"
    workbook.properties.lastModifiedBy = "indicators"
    workbook.properties.created = naive
    workbook.properties.modified = naive
    used: set[str] = set()
    bold = Font(bold=True)
    for name, table in tables.items():
        check_secrecy(table, name)
        if len(table) >= EXCEL_MAX_ROWS:
            raise ParameterError(
                f"table {name!r} has {len(table)} rows; a spreadsheet holds at most "
                f"{EXCEL_MAX_ROWS - 1} (use the CSV or Parquet file instead)"
            )
        tidy = _tidy(table)
        sheet = workbook.create_sheet(_sheet_name(name, used, sheets))
        columns = [str(c) for c in tidy.columns]
        sheet.append([headers.get(c, c) for c in columns])
        widths = [len(headers.get(c, c)) for c in columns]
        for row in tidy.itertuples(index=False, name=None):
            values = [_cell_value(v) for v in row]
            sheet.append(values)
            for j, value in enumerate(values):
                if isinstance(value, str):
                    if value.startswith("="):
                        cell = sheet.cell(row=sheet.max_row, column=j + 1)
                        cell.value = value
                        cell.data_type = "s"
                    widths[j] = max(widths[j], min(len(value), 60))
                elif value is not None:
                    widths[j] = max(widths[j], len(str(value)))
        for j, cell in enumerate(sheet[1], start=1):
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(j)].width = min(max(widths[j - 1], 8), 60) + 2
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write_bytes(path, _deterministic_zip(buffer.getvalue(), moment))


def read_xlsx(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a DataFrame (French headers), to check an export."""
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")
