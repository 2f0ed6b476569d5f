"""Commune statistics of France: Filosofi 2021 (INSEE) and the census 2021 (secondary).

- :func:`read_filosofi_communes` reads INSEE's « base communale » of Filosofi 2021
  (``cc_filosofi_2021_COM.csv``: ``;``-separated, decimal comma, ``s`` = statistical
  secret): households, median standard of living (``MED21``) and poverty rate
  (``TP6021``). A secret value is missing with its marker ``s``, never 0.
- :func:`read_rp_communes` reads the census counts of a derived copy of INSEE's
  « base du comparateur de territoires » (``communes_base_comparateur_2021.csv``):
  population 15-64, active, unemployed. It is a **secondary source** (:data:`RP_SOURCE`).

Both read only the needed columns and keep codes as text. A commune code that lost its
leading zero in a spreadsheet (``1053``) is read as ``01053`` with a note (INSEE codes
have five characters); any other malformed code, a missing column or a duplicated
commune is an :class:`~indicators.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from indicators.errors import InputError
from indicators.sources.checks import refuse_rows
from indicators.sources.numeric import parse_numbers

__all__ = [
    "FILOSOFI_SOURCE",
    "RP_SOURCE",
    "csv_error",
    "read_filosofi_communes",
    "read_rp_communes",
    "read_text_columns",
]

FILOSOFI_SOURCE = "INSEE, Filosofi 2021, base communale (revenus 2021)"
RP_SOURCE = (
    "d'après la base du comparateur de territoires de l'INSEE (RP 2021), fichier dérivé "
    "(source secondaire)"
)
_FILOSOFI = {
    "CODGEO": "commune_code",
    "NBMENFISC21": "menages_fiscaux",
    "MED21": "niveau_vie_median",
    "TP6021": "taux_pauvrete",
}
_RP = {
    "insee_com": "commune_code",
    "insee_dep": "departement",
    "commune_type": "commune_type",
    "population_2021": "population",
    "pop_15_64_totale_2021": "pop_15_64",
    "pop_15_64_active_2021": "actifs_15_64",
    "pop_15_64_chomage_2021": "chomeurs_15_64",
}


def csv_error(path: Path, sep: str, n_fields: int, exc: Exception) -> InputError:
    """The one-line error of a CSV that pyarrow could not parse: the first line whose
    field count differs from the header's (found by a plain scan, on error only)."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            count = line.rstrip("\r\n").count(sep) + 1
            if line.strip() and count != n_fields and '"' not in line:
                return InputError(
                    f"{n_fields} fields as in the header",
                    path=path,
                    line=number,
                    found=f"{count} fields",
                )
    return InputError(f"a well-formed CSV file ({exc})", path=path, raw=True)


def read_text_columns(
    path: Path, sep: str, header: list[str], columns: list[str]
) -> pd.DataFrame:
    """``columns`` of a UTF-8 CSV as stripped text (pyarrow, only those columns parsed);
    the index is the line in the file (header = line 1)."""
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise csv_error(path, sep, len(header), exc) from None
    frame = pd.DataFrame({c: table[c].to_pandas().str.strip() for c in columns})
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def _read(path: Path, columns: list[str], sep: str) -> pd.DataFrame:
    try:
        with path.open("rb") as handle:
            header = handle.readline().decode("utf-8-sig").rstrip("\r\n").split(sep)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("a readable UTF-8 file", path=path, found=str(exc)) from None
    header = [h.strip().strip('"') for h in header]
    absent = [c for c in columns if c not in header]
    if absent:
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        raise InputError(f"a column {absent[0]!r} in the header", path=path, line=1, found=shown)
    frame = read_text_columns(path, sep, header, columns)
    return frame


def _codes(frame: pd.DataFrame, column: str, path: Path, notes: list[str]) -> pd.Series:
    code = frame[column]
    short = code.str.fullmatch(r"\d{4}")
    if short.any():
        code = code.where(~short, "0" + code)
        first = int(frame.index[np.flatnonzero(short.to_numpy())[0]])
        notes.append(
            f"{path.name} : {int(short.sum())} code(s) commune à 4 chiffres (zéro initial "
            f"perdu, ex. ligne {first}) lus avec leur 0 initial."
        )
    bad = ~code.str.fullmatch(r"\d{5}|2[AB]\d{3}")
    refuse_rows(bad, frame[column], "a 5-character INSEE commune code", path=path, column=column)
    refuse_rows(code.duplicated(), code, "each commune once", path=path, column=column)
    return code


def read_filosofi_communes(
    path: str | os.PathLike[str], codes: set[str] | None = None
) -> pd.DataFrame:
    """Filosofi 2021 by commune: households, median standard of living, poverty rate.

    Parameters
    ----------
    path
        ``cc_filosofi_2021_COM.csv``.
    codes
        Keep only these communes (after the checks of the whole file's codes).

    Returns
    -------
    pandas.DataFrame
        ``commune_code``, ``menages_fiscaux``, ``niveau_vie_median``, ``taux_pauvrete`` and
        a ``<column>_marker`` each (``s`` = secret), ``source_line``; ``attrs["notes"]``.
    """
    path = Path(path)
    raw = _read(path, list(_FILOSOFI), ";")
    notes: list[str] = []
    out = pd.DataFrame({"commune_code": _codes(raw, "CODGEO", path, notes)}, index=raw.index)
    if codes is not None:
        keep = out["commune_code"].isin(codes)
        out, raw = out[keep], raw[keep]
    for old, new in list(_FILOSOFI.items())[1:]:
        out[new], out[f"{new}_marker"] = parse_numbers(raw[old], path=path, column=old)
        bad = out[new].notna() & (out[new] < 0)
        if new == "taux_pauvrete":
            bad |= out[new] > 100
        expected = "a rate between 0 and 100" if new == "taux_pauvrete" else "a positive number"
        refuse_rows(bad, raw[old], expected, path=path, column=old)
    return _finish(out, notes)


def read_rp_communes(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Census 2021 counts by commune (secondary source: see :data:`RP_SOURCE`).

    A commune is repeated once per postcode with the same figures: one row is kept (a
    repeat with other figures is an error). Communes déléguées (``COMD``) repeat their
    parent's figures and are dropped; municipal arrondissements (``ARM``) are kept (Paris,
    Lyon, Marseille have no ``COM`` row in this file). Returns ``commune_code``,
    ``departement``, ``commune_type``, ``population``, ``pop_15_64``, ``actifs_15_64``,
    ``chomeurs_15_64`` (``float64``), ``source_line``; ``attrs["notes"]``.
    """
    path = Path(path)
    raw = _read(path, list(_RP), ",")
    raw = raw[raw["commune_type"].ne("COMD")]
    notes: list[str] = []
    # The file repeats a commune once per postcode, figures identical: keep one row.
    repeated = raw.duplicated()
    if repeated.any():
        raw = raw[~repeated]
        notes.append(
            f"{path.name} : {int(repeated.sum())} ligne(s) répétant une commune (un code postal "
            "de plus, mêmes chiffres) ignorée(s)."
        )
    out = pd.DataFrame({"commune_code": _codes(raw, "insee_com", path, notes)}, index=raw.index)
    out["departement"] = raw["insee_dep"]
    out["commune_type"] = raw["commune_type"]
    for old, new in list(_RP.items())[3:]:
        out[new], _ = parse_numbers(
            raw[old], markers=None, allow_blank=False, path=path, column=old
        )
        refuse_rows(out[new] < 0, raw[old], "a count ≥ 0", path=path, column=old)
    return _finish(out, notes)


def _finish(out: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The table with its line in the file as ``source_line``, and its notes."""
    out["source_line"] = out.index.astype("int64")
    out = out.reset_index(drop=True)
    out.attrs["notes"] = notes
    return out
