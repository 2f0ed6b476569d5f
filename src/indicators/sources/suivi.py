"""The commune's yearly follow-up workbooks: ``data/raw/suivi/suivi_<année>.xlsx``.

One workbook per year, generated empty by ``indicators suivi --annee <année>``
(:mod:`indicators.build.suivi_workbook`) and filled by the commune: sheet « Suivi », one
row per quartier × action of the convention. :data:`COLUMNS` is the layout shared by the
writer and this reader; :data:`STATES` the allowed states of an action.

:func:`read_suivi` refuses a bad row with one line naming the file, the sheet, the row
and the column: an unknown (quartier, action) pair, an unknown state, a negative or
non-numeric amount, a year other than the file's, a row given twice. A blank state
stays blank (« non renseigné »): nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.errors import InputError

__all__ = [
    "COLUMNS",
    "FILE_PATTERN",
    "SHEET",
    "STATES",
    "Column",
    "read_suivi",
    "read_suivi_folder",
    "suivi_year",
]

SHEET = "Suivi"
#: The states of an action, in the order of the dropdown and of the charts.
STATES: tuple[str, ...] = ("non engagée", "engagée", "réalisée", "reportée", "abandonnée")
FILE_PATTERN = re.compile(r"^suivi_(?P<year>\d{4})\.xlsx$")


@dataclass(frozen=True)
class Column:
    """One column of the « Suivi » sheet: table key, French header, width, who fills it."""

    key: str
    header: str
    width: float
    locked: bool = True
    kind: str = "text"  # text, amount, state, year


#: The columns of the « Suivi » sheet, in order.
COLUMNS: tuple[Column, ...] = (
    Column("action_id", "Identifiant de l'action", 13),
    Column("quartier_id", "Identifiant du quartier", 24),
    Column("annee", "Année", 7, kind="year"),
    Column("quartier", "Quartier", 20),
    Column("enjeu", "Enjeu", 26),
    Column("objectifs", "Objectifs (stratégique / opérationnel)", 40),
    Column("action", "Action", 50),
    Column("etat_precedent", "État l'année précédente", 14),
    Column("etat", "État", 14, locked=False, kind="state"),
    Column("porteur", "Porteur", 18, locked=False),
    Column("partenaires", "Partenaires", 20, locked=False),
    Column("financement_prevu", "Financements prévus (€)", 14, locked=False, kind="amount"),
    Column("financement_realise", "Financements réalisés (€)", 14, locked=False, kind="amount"),
    Column("indicateur_realisation", "Indicateur de réalisation", 22, locked=False),
    Column("valeur_realisation", "Valeur de l'indicateur", 12, locked=False),
    Column("commentaire", "Commentaire", 30, locked=False),
)
_BY_HEADER = {c.header: c for c in COLUMNS}
#: Columns of the ``suivi`` table, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "annee",
    "quartier_id",
    "action_id",
    "etat",
    "porteur",
    "partenaires",
    "financement_prevu",
    "financement_realise",
    "indicateur_realisation",
    "valeur_realisation",
    "commentaire",
    "fichier",
    "ligne",
)


def suivi_year(path: Path) -> int:
    """The year in a follow-up file's name (``suivi_2025.xlsx`` → 2025)."""
    match = FILE_PATTERN.match(path.name)
    if not match:
        raise InputError(
            "a follow-up file named suivi_<année>.xlsx (e.g. suivi_2025.xlsx)",
            path=path,
            found=path.name,
        )
    return int(match["year"])


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _amount(value: object, where: dict[str, object]) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        cleaned = re.sub(r"[\s\u00a0\u202f€]", "", str(value)).replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            number = None
    if number is None or number != number:
        raise InputError("an amount in euros (a number)", found=str(value), **where)
    if number < 0:
        raise InputError("an amount of 0 € or more", found=str(value), **where)
    return number


def read_suivi(
    path: str | Path, known: set[tuple[str, str]], *, label: str | None = None
) -> pd.DataFrame:
    """Read one filled follow-up workbook into the rows of the ``suivi`` table.

    Parameters
    ----------
    path
        ``suivi_<année>.xlsx``.
    known
        The (quartier id, action id) pairs of the convention.
    label
        How the file is named in the ``fichier`` column (default: its name).

    Raises
    ------
    InputError
        On the first bad row (see the module docstring), or an unreadable workbook.
    """
    from openpyxl import load_workbook

    path = Path(path)
    year = suivi_year(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile / openpyxl errors on a damaged file
        raise InputError(f"an XLSX workbook ({type(error).__name__})", path=path) from None
    try:
        if SHEET not in book.sheetnames:
            raise InputError(
                f"a sheet named {SHEET!r}", path=path, found=", ".join(book.sheetnames)
            )
        rows = list(book[SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise InputError("a header row", path=path, sheet=SHEET, row=1)
    headers = [_text(h) for h in rows[0]]
    missing = [c.header for c in COLUMNS if c.header not in headers]
    if missing:
        raise InputError(
            "the column of the generated template",
            path=path,
            sheet=SHEET,
            row=1,
            column=missing[0],
            found="no such column",
        )
    index = {_BY_HEADER[h].key: i for i, h in enumerate(headers) if h in _BY_HEADER}
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in enumerate(rows[1:], start=2):
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        if all(_text(v) is None for v in cells.values()):
            continue

        def where(key: str, number: int = number) -> dict[str, object]:
            header = next(c.header for c in COLUMNS if c.key == key)
            return {"path": path, "sheet": SHEET, "row": number, "column": header}

        quartier, action = _text(cells["quartier_id"]), _text(cells["action_id"])
        if (quartier or "", action or "") not in known:
            wrong = "action_id" if quartier in {q for q, _ in known} else "quartier_id"
            raise InputError(
                "a quartier and action id of the convention (copy the rows of the generated"
                " template)",
                found=str(cells[wrong]),
                **where(wrong),
            )
        key = (quartier, action)
        if key in seen:
            raise InputError(
                f"one row per quartier and action (already on row {seen[key]})",
                found=action,
                **where("action_id"),
            )
        seen[key] = number
        year_cell = cells["annee"]
        try:
            row_year = int(str(year_cell).strip())
        except ValueError:
            row_year = None
        if row_year != year:
            raise InputError(
                f"the year of the file, {year}", found=str(year_cell), **where("annee")
            )
        state = _text(cells["etat"])
        if state is not None and state.lower() not in STATES:
            raise InputError(
                f"one of: {', '.join(STATES)} (or blank)", found=state, **where("etat")
            )
        records.append(
            {
                "annee": year,
                "quartier_id": quartier,
                "action_id": action,
                "etat": None if state is None else state.lower(),
                "porteur": _text(cells["porteur"]),
                "partenaires": _text(cells["partenaires"]),
                "financement_prevu": _amount(
                    cells["financement_prevu"], where("financement_prevu")
                ),
                "financement_realise": _amount(
                    cells["financement_realise"], where("financement_realise")
                ),
                "indicateur_realisation": _text(cells["indicateur_realisation"]),
                "valeur_realisation": _text(cells["valeur_realisation"]),
                "commentaire": _text(cells["commentaire"]),
                "fichier": label or path.name,
                "ligne": number,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))
    frame["annee"] = frame["annee"].astype("int64")
    frame["ligne"] = frame["ligne"].astype("int64")
    for column in ("financement_prevu", "financement_realise"):
        frame[column] = frame[column].astype("float64")
    return frame


def read_suivi_folder(folder: str | Path, known: set[tuple[str, str]]) -> pd.DataFrame | None:
    """Every ``suivi_<année>.xlsx`` of ``folder``, one after the other (``None``: none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xlsx")
    if not files:
        return None
    parts = [read_suivi(p, known, label=f"suivi/{p.name}") for p in files]
    return pd.concat(parts, ignore_index=True).sort_values(
        ["annee", "ligne"], kind="stable", ignore_index=True
    )
