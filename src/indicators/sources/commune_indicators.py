"""The commune's own indicators: ``data/raw/indicateurs_commune/*.csv`` or ``*.xlsx``.

A tidy file, one row per territory × indicator × year, generated empty by ``indicators
modeles`` (:mod:`indicators.build.suivi_workbook`) with the French headers of
:data:`HEADERS`. The territory is a quartier id of the convention, an INSEE commune code
or the SIREN of the EPCI. :func:`read_commune_indicators` returns the rows in the
columns of the ``series_commune`` table (:data:`SERIES_COLUMNS`, the same as the
open-data ``series`` table: territory × indicator × vintage × value × qualifier ×
source × method), and refuses a bad row with one line naming the file, the sheet (for a
workbook), the row or line, and the column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from indicators.catalog import BY_ID, normalise_label
from indicators.errors import InputError

__all__ = ["HEADERS", "SERIES_COLUMNS", "SHEET", "read_commune_indicators", "read_indicator_folder"]

SHEET = "Indicateurs"
#: Table key → French header of the template, in order.
HEADERS: dict[str, str] = {
    "territory": "Territoire",
    "label": "Indicateur",
    "unit": "Unité",
    "vintage": "Année",
    "value": "Valeur",
    "qualifier": "Précision",
    "source": "Source",
    "polarity": "Sens (nouvel indicateur)",
}
SERIES_COLUMNS: tuple[str, ...] = (
    "territory_type",
    "territory",
    "indicator_id",
    "label",
    "unit",
    "vintage",
    "value",
    "qualifier",
    "source",
    "method",
    "polarity",
    "file",
)
_QUALIFIERS = {
    "": "exact",
    "exacte": "exact",
    "exact": "exact",
    "environ": "approx",
    "au moins": "lower_bound",
    "plus de": "lower_bound",
    "au plus": "upper_bound",
    "moins de": "upper_bound",
}
_POLARITIES = {"+1": 1, "1": 1, "-1": -1, "0": 0}
METHOD = "donnée transmise par la commune"


def indicator_id(label: str) -> str:
    """The id of an indicator: the catalog's id when the label is its id or its label,
    else a slug of the label prefixed with ``commune_``.

    >>> indicator_id("Taux de pauvreté"), indicator_id("Familles suivies par le PRE")
    ('poverty_rate', 'commune_familles_suivies_par_le_pre')
    """
    normal = normalise_label(label)
    for indicator in BY_ID.values():
        if normal in (indicator.id, normalise_label(indicator.label_fr)):
            return indicator.id
    return "commune_" + re.sub(r"[^a-z0-9]+", "_", normal).strip("_")


def _number(text: str) -> float | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _rows(path: Path) -> tuple[list[list[str]], str | None, int]:
    """The cells as text (header first), the sheet name, and the first row's number."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:
            raise InputError(f"an XLSX workbook ({type(error).__name__})", path=path) from None
        try:
            if SHEET not in book.sheetnames:
                raise InputError(f"a sheet named {SHEET!r}", path=path)
            rows = [
                ["" if v is None else str(v).strip() for v in r]
                for r in book[SHEET].iter_rows(values_only=True)
            ]
        finally:
            book.close()
        return rows, SHEET, 1
    import csv
    import io

    from indicators.sources.decoding import decode_text

    text = decode_text(path.read_bytes(), path=path)
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return (
        [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)],
        None,
        1,
    )


def read_commune_indicators(
    path: str | Path, territories: Mapping[str, str], *, label: str | None = None
) -> pd.DataFrame:
    """Read one file of the commune's indicators (see the module docstring).

    Parameters
    ----------
    territories
        Allowed territory codes → their type (``quartier``, ``commune``, ``epci``).
    """
    path = Path(path)
    rows, sheet, first = _rows(path)
    if not rows:
        raise InputError("a header row", path=path)
    headers = rows[0]
    keys = {v: k for k, v in HEADERS.items()}
    missing = [h for h in HEADERS.values() if h not in headers]
    if missing:
        raise InputError(
            "the columns of the template",
            path=path,
            column=missing[0],
            found="no such column",
            **({"sheet": sheet, "row": 1} if sheet else {"line": 1}),
        )
    index = {keys[h]: i for i, h in enumerate(headers) if h in keys}
    records: list[dict[str, object]] = []
    units: dict[str, tuple[str, int]] = {}
    polarities: dict[str, int] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in enumerate(rows[1:], start=first + 1):
        cells = {k: (values[i] if i < len(values) else "") for k, i in index.items()}
        if not any(cells.values()):
            continue
        place = {"sheet": sheet, "row": number} if sheet else {"line": number}

        def fail(key: str, expected: str, found: str, place: dict = place) -> InputError:
            return InputError(expected, path=path, column=HEADERS[key], found=found, **place)

        territory = cells["territory"]
        if territory not in territories:
            raise fail("territory", f"one of: {', '.join(territories)}", territory)
        name = cells["label"]
        if not name:
            raise fail("label", "the name of the indicator", name)
        ident = indicator_id(name)
        year = cells["vintage"].removesuffix(".0")
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise fail("vintage", "a year (4 digits)", cells["vintage"])
        value = _number(cells["value"])
        if value is None:
            raise fail("value", "a number", cells["value"])
        unit = cells["unit"] or None
        known = BY_ID.get(ident)
        if known is not None and (unit or None) != known.unit:
            raise fail(
                "unit", f"{known.unit or 'no unit'} (the unit of {known.label_fr!r})", cells["unit"]
            )
        if ident in units and units[ident][0] != (unit or ""):
            raise fail(
                "unit",
                f"{units[ident][0] or 'no unit'} (the unit of {name!r} on"
                f" {'row' if sheet else 'line'} {units[ident][1]})",
                cells["unit"],
            )
        units.setdefault(ident, (unit or "", number))
        if unit == "%" and not 0 <= value <= 100:
            raise fail("value", "a percentage between 0 and 100", cells["value"])
        if value < 0:
            raise fail("value", "a value of 0 or more", cells["value"])
        qualifier = _QUALIFIERS.get(normalise_label(cells["qualifier"]))
        if qualifier is None:
            raise fail("qualifier", "exacte, environ, au moins or au plus", cells["qualifier"])
        source = cells["source"]
        if not source:
            raise fail("source", "the source of the figure (publisher, file, date)", source)
        polarity_text = cells["polarity"].removesuffix(".0")
        if polarity_text:
            if polarity_text not in _POLARITIES:
                raise fail("polarity", "+1, -1 or 0", polarity_text)
            polarity = _POLARITIES[polarity_text]
            if known is not None and polarity != known.polarity:
                raise fail("polarity", f"{known.polarity:+d} (the catalog's)", polarity_text)
            if polarities.setdefault(ident, polarity) != polarity:
                raise fail(
                    "polarity", f"{polarities[ident]:+d} as on an earlier row", polarity_text
                )
        key = (territory, ident, year)
        if key in seen:
            raise fail(
                "vintage",
                f"one value per territory, indicator and year (already on"
                f" {'row' if sheet else 'line'} {seen[key]})",
                year,
            )
        seen[key] = number
        records.append(
            {
                "territory_type": territories[territory],
                "territory": territory,
                "indicator_id": ident,
                "label": name,
                "unit": unit,
                "vintage": year,
                "value": value,
                "qualifier": qualifier,
                "source": source,
                "method": METHOD,
                "polarity": known.polarity if known else None,
                "file": label or path.name,
                "_row": number,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[*SERIES_COLUMNS, "_row"])
    for ident in set(frame["indicator_id"]):
        if ident in BY_ID:
            continue
        if ident not in polarities:
            first_row = int(frame.loc[frame["indicator_id"] == ident, "_row"].iloc[0])
            place = {"sheet": sheet, "row": first_row} if sheet else {"line": first_row}
            raise InputError(
                "the sense of a new indicator on at least one of its rows (+1, -1 or 0)",
                path=path,
                column=HEADERS["polarity"],
                found="",
                **place,
            )
        frame.loc[frame["indicator_id"] == ident, "polarity"] = polarities[ident]
    frame = frame.drop(columns="_row")
    frame["value"] = frame["value"].astype("float64")
    frame["polarity"] = frame["polarity"].astype("Int64")
    return frame


def read_indicator_folder(
    folder: str | Path, territories: Mapping[str, str]
) -> pd.DataFrame | None:
    """Every ``*.csv``/``*.xlsx`` of ``folder`` (``None`` when there is none, or no row)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    parts = [
        read_commune_indicators(p, territories, label=f"{folder.name}/{p.name}") for p in files
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return None
    frame = pd.concat(parts, ignore_index=True)
    duplicated = frame[frame.duplicated(["territory", "indicator_id", "vintage"], keep=False)]
    if len(duplicated):
        a, b = duplicated.iloc[0], duplicated.iloc[1]
        raise InputError(
            f"one value per territory, indicator and year across the files; "
            f"{a['territory']} {a['label']} {a['vintage']} is in {a['file']} and "
            f"{b['file']}",
            path=folder,
            raw=True,
        )
    return frame.sort_values(["indicator_id", "territory", "vintage"], ignore_index=True)
