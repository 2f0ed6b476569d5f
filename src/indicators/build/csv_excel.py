"""The processed tables as CSV files that open cleanly in a French Excel.

The canonical CSVs of ``data/processed`` (``,``-separated, ``.`` decimals, UTF-8 without
BOM, codes) are for analysis: a French Excel opens them as one column with broken
accents. :func:`write_csv_excel` writes, beside them, ``exports/csv_excel/<table>.csv``:

- ``;`` as separator and ``,`` as decimal mark, CRLF line ends;
- UTF-8 with a BOM (Excel then reads the accents right);
- French headers (:data:`~indicators.build.tables.HEADERS_FR`) and French labels of coded
  values (:func:`~indicators.build.labels.label_codes`); booleans « oui » / « non »;
- no thousands separator and full precision: a cell holds the canonical value;
- a text cell Excel would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return) starts with an apostrophe (OWASP « CSV injection »;
  :func:`~indicators.build.spreadsheet.neutralise_formulas`): « +19,2 points » is written
  « '+19,2 points ». Numbers are never touched.

Geometry columns are dropped (they are in the GeoPackage). Same tables → same bytes.

>>> import pandas as pd
>>> frame = pd.DataFrame({"gap": [-15.8], "gap_qualifier": ["lower_bound"], "note": ["=1+1"]})
>>> table_to_csv_excel_bytes(frame).decode("utf-8-sig").splitlines()
["Écart;Précision de l'écart;Note", "-15,8;au moins;'=1+1"]
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.build.labels import BOOLEANS_FR, label_codes
from indicators.build.spreadsheet import neutralise_formulas
from indicators.build.storage import atomic_write_bytes
from indicators.build.tables import HEADERS_FR, fill_epci

__all__ = ["CSV_EXCEL_DIR", "read_csv_excel", "table_to_csv_excel_bytes", "write_csv_excel"]

#: Folder of the CSVs for Excel, under ``data/processed/exports``.
CSV_EXCEL_DIR = "csv_excel"
SEPARATOR = ";"
DECIMAL = ","
ENCODING = "utf-8-sig"


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    geometry = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
    out = label_codes(pd.DataFrame(frame.drop(columns=geometry)))
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].astype(object).map(lambda v: BOOLEANS_FR.get(v, v))
    return out


def table_to_csv_excel_bytes(frame: pd.DataFrame, headers: Mapping[str, str] = HEADERS_FR) -> bytes:
    """``frame`` as the bytes of a CSV for French Excel (see the module docstring)."""
    out = _for_excel(frame)
    out.columns = [headers.get(str(c), str(c)) for c in out.columns]
    out = neutralise_formulas(out)  # headers are cells too
    text = out.to_csv(index=False, sep=SEPARATOR, decimal=DECIMAL, lineterminator="\r\n")
    return text.encode(ENCODING)


def write_csv_excel(
    tables: Mapping[str, pd.DataFrame],
    directory: str | os.PathLike[str],
    *,
    epci_label: str | None = None,
) -> list[Path]:
    """Write ``<directory>/<name>.csv`` for each table, atomically; the paths written.

    ``epci_label`` fills ``{epci}`` in the headers (« IPS moyen de la … »).
    """
    headers = fill_epci(HEADERS_FR, epci_label)
    directory = Path(directory)
    return [
        atomic_write_bytes(directory / f"{name}.csv", table_to_csv_excel_bytes(table, headers))
        for name, table in tables.items()
    ]


def read_csv_excel(path: str | os.PathLike[str], **kwargs: object) -> pd.DataFrame:
    """Read one of these files back with pandas (``;``, decimal comma, BOM)."""
    return pd.read_csv(path, sep=SEPARATOR, decimal=DECIMAL, encoding=ENCODING, **kwargs)
