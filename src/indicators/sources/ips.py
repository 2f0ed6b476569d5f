"""DEPP school IPS (indice de position sociale): the three official layouts read as one table.

Three official layouts are read into one tidy table, one row per school × rentrée
(:data:`IPS_COLUMNS`, validated by :data:`IPS_SCHEMA`):

- écoles 2021-2022 (``fr-en-ips_ecoles``): ``Rentrée scolaire;Académie;…;Secteur;IPS``;
- écoles from 2022-2023 (``fr-en-ips-ecoles-ap2022``): snake-case columns with the
  national, académie and département references (overall, public, private);
- collèges 2022-2023 (``fr-en-ips-colleges-ap2022``): as the 2021 layout plus
  ``Effectifs`` and ``Ecart-type de l'IPS``.

An IPS published as ``NS`` (non significatif) is missing (``NaN``) with ``ips_marker`` =
``"NS"``; it is never 0 and it is counted in the aggregates (``n_ns``). An IPS outside
30–200, a duplicated UAI × rentrée, a malformed UAI or commune code is an
:class:`~indicators.errors.InputError` naming the file, the line and the column.

The means of a territory's schools are :mod:`indicators.analysis.ips_means`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from indicators.errors import InputError, SchemaError
from indicators.sources.checks import check_pattern, check_range, check_unique, refuse_rows
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.numeric import SECRECY_MARKERS, parse_numbers

__all__ = [
    "IPS_COLUMNS",
    "IPS_MAX",
    "IPS_MIN",
    "IPS_SCHEMA",
    "REFERENCE_COLUMNS",
    "read_ips",
    "read_ips_ap2022",
    "read_ips_colleges",
    "read_ips_ecoles_2021",
    "validate_ips",
]

IPS_MIN, IPS_MAX = 30.0, 200.0
UAI_PATTERN = r"\d{7}[A-Z]"
COMMUNE_PATTERN = r"\d{5}|2[AB]\d{3}"
RENTREE_PATTERN = r"\d{4}-\d{4}"

#: The national, académie and département references (overall, public, private).
REFERENCE_COLUMNS = [
    f"ips_{level}{suffix}"
    for level in ("national", "academique", "departemental")
    for suffix in ("", "_public", "_prive")
]
IPS_COLUMNS: tuple[str, ...] = (
    "uai",
    "rentree",
    "niveau",
    "commune_code",
    "commune_nom",
    "nom_etablissement",
    "secteur",
    "ips",
    "ips_marker",
    "effectifs",
    "effectifs_marker",
    "ips_ecart_type",
    "ips_ecart_type_marker",
    *REFERENCE_COLUMNS,
    "source",
    "source_line",
)

_nullable_float = {"dtype": float, "nullable": True}
IPS_SCHEMA = pa.DataFrameSchema(
    {
        "uai": pa.Column(str, pa.Check.str_matches(f"^{UAI_PATTERN}$")),
        "rentree": pa.Column(str, pa.Check.str_matches(f"^{RENTREE_PATTERN}$")),
        "niveau": pa.Column(str, pa.Check.isin(["ecole", "college"])),
        "commune_code": pa.Column(str, pa.Check.str_matches(f"^(?:{COMMUNE_PATTERN})$")),
        "commune_nom": pa.Column(str),
        "nom_etablissement": pa.Column(str),
        "secteur": pa.Column(str, pa.Check.isin(["public", "privé"])),
        "ips": pa.Column(float, pa.Check.in_range(IPS_MIN, IPS_MAX), nullable=True),
        "ips_marker": pa.Column(str),
        "effectifs": pa.Column(float, pa.Check.ge(0), nullable=True),
        "effectifs_marker": pa.Column(str),
        "ips_ecart_type": pa.Column(float, pa.Check.ge(0), nullable=True),
        "ips_ecart_type_marker": pa.Column(str),
        **{name: pa.Column(**_nullable_float) for name in REFERENCE_COLUMNS},
        "source": pa.Column(str),
        "source_line": pa.Column("int64"),
    },
    unique=["uai", "rentree"],
    strict=True,
    ordered=True,
    coerce=False,
)

# Official column names → schema names, by layout.
_LAYOUT_2021 = {
    "Rentrée scolaire": "rentree",
    "UAI": "uai",
    "Code INSEE de la commune": "commune_code",
    "Nom de la commune": "commune_nom",
    "Secteur": "secteur",
    "IPS": "ips",
}
# DEPP's header says "établissment"; accept the corrected spelling too.
_NAME_2021 = ("Nom de l'établissment", "Nom de l'établissement")
_LAYOUT_COLLEGES = {
    **_LAYOUT_2021,
    "Effectifs": "effectifs",
    "Ecart-type de l'IPS": "ips_ecart_type",
}
_LAYOUT_AP2022 = {
    "rentree_scolaire": "rentree",
    "uai": "uai",
    "code_insee_de_la_commune": "commune_code",
    "nom_de_la_commune": "commune_nom",
    "nom_de_l_etablissement": "nom_etablissement",
    "secteur": "secteur",
    "ips": "ips",
}
_OPTIONAL_AP2022 = {
    "effectifs": "effectifs",
    "ecart_type_de_l_ips": "ips_ecart_type",
    **{name: name for name in REFERENCE_COLUMNS},
}


# ------------------------------------------------------------------------------ readers
def _normalise_secteur(frame: pd.DataFrame, path: Path) -> pd.Series:
    text = frame["secteur"].str.casefold().str.strip()
    out = pd.Series(np.where(text.eq("public"), "public", ""), index=frame.index, dtype=str)
    out = out.mask(text.str.startswith("priv"), "privé")
    bad = out.eq("")
    refuse_rows(bad, frame["secteur"], "a sector 'public' or 'privé…'", path=path, column="secteur")
    return out


def _finish(frame: pd.DataFrame, *, path: Path, niveau: str, names: dict[str, str]) -> pd.DataFrame:
    """Rename to schema names, normalise, check, and return in :data:`IPS_COLUMNS` order."""
    original = {new: old for old, new in names.items()}
    out = pd.DataFrame(index=frame.index)
    for old, new in names.items():
        out[new] = frame[old]
        if f"{old}_marker" in frame.columns:
            out[f"{new}_marker"] = frame[f"{old}_marker"]
    for column in ("ips", "effectifs", "ips_ecart_type"):
        if column not in out.columns:
            out[column] = np.nan
        if f"{column}_marker" not in out.columns:
            out[f"{column}_marker"] = ""
    for column in REFERENCE_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan
    out["niveau"] = niveau
    out["source"] = path.name
    out["source_line"] = out.index.astype("int64")

    def check(column: str, pattern: str, expected: str) -> None:
        try:
            check_pattern(out, column, pattern, expected, path=path)
        except InputError as exc:  # name the file's column, not ours
            raise InputError(
                expected,
                path=path,
                line=exc.line,
                column=original.get(column, column),
                found=exc.found,
            ) from None

    check("uai", UAI_PATTERN, "a UAI code (7 digits and a letter)")
    check("rentree", RENTREE_PATTERN, "a rentrée written 'YYYY-YYYY'")
    years = out["rentree"].str.split("-", expand=True).astype(int)
    bad = years[1] != years[0] + 1
    expected = "a rentrée of two consecutive years"
    refuse_rows(bad, out["rentree"], expected, path=path, column=original["rentree"])
    check("commune_code", COMMUNE_PATTERN, "a 5-character INSEE commune code")
    try:
        out["secteur"] = _normalise_secteur(out, path)
    except InputError as exc:  # name the file's column ("Secteur" in the older layouts)
        raise InputError(
            exc.expected, path=path, line=exc.line, column=original["secteur"], found=exc.found
        ) from None
    for column, low, high, what in (
        ("ips", IPS_MIN, IPS_MAX, "an IPS"),
        ("effectifs", 0, 1e6, "a pupil count"),
        ("ips_ecart_type", 0, 200, "a standard deviation"),
    ):
        try:
            check_range(out, column, low, high, path=path, what=what)
        except InputError as exc:
            raise InputError(
                f"{what} between {low:g} and {high:g}",
                path=path,
                line=exc.line,
                column=original.get(column, column),
                found=exc.found,
            ) from None
    try:
        check_unique(out, ["uai", "rentree"], path=path)
    except InputError as exc:
        raise InputError(
            exc.expected, path=path, line=exc.line, column=original["uai"], found=exc.found
        ) from None
    out = out.reset_index(drop=True)[list(IPS_COLUMNS)]
    for column in ("ips", "effectifs", "ips_ecart_type", *REFERENCE_COLUMNS):
        out[column] = out[column].astype("float64")
    return validate_ips(out, path=path)


def validate_ips(ips: pd.DataFrame, *, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Validate a school × rentrée table against :data:`IPS_SCHEMA`.

    Raises
    ------
    SchemaError
        With the first failure case (column and row).
    """
    try:
        return IPS_SCHEMA.validate(ips)
    except pa.errors.SchemaError as exc:
        cases = exc.failure_cases
        found = None
        if isinstance(cases, pd.DataFrame) and len(cases):
            found = str(cases["failure_case"].iloc[0])
        check = str(exc.args[0]).splitlines()[0] if exc.args else "schema"
        raise SchemaError(
            f"the IPS table schema ({check})",
            path=path,
            column=getattr(exc.schema, "name", None),
            found=found,
            raw=True,
        ) from None
    except pa.errors.SchemaErrors as exc:
        first = exc.failure_cases.iloc[0]
        raise SchemaError(
            f"the IPS table schema ({first['check']})",
            path=path,
            column=None if pd.isna(first["column"]) else str(first["column"]),
            found=str(first["failure_case"]),
            raw=True,
        ) from None


def read_ips_ecoles_2021(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the écoles file of rentrée 2021-2022 (``fr-en-ips_ecoles`` layout).

    Parameters
    ----------
    path
        ``;``-separated file with ``Rentrée scolaire;Académie;…;Secteur;IPS``.

    Returns
    -------
    pandas.DataFrame
        :data:`IPS_COLUMNS`, ``niveau == "ecole"``, no pupil counts nor references.
    """
    return _read_old_layout(Path(path), _LAYOUT_2021, "ecole")


def read_ips_colleges(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a collèges file (``fr-en-ips-colleges-ap2022`` layout, with pupil counts).

    Returns
    -------
    pandas.DataFrame
        :data:`IPS_COLUMNS`, ``niveau == "college"``, with ``effectifs`` and
        ``ips_ecart_type``.
    """
    return _read_old_layout(Path(path), _LAYOUT_COLLEGES, "college")


def _read_old_layout(path: Path, layout: dict[str, str], niveau: str) -> pd.DataFrame:
    numeric = [c for c, new in layout.items() if new in ("ips", "effectifs", "ips_ecart_type")]
    frame = read_insee_csv(
        path,
        required=list(layout),
        optional=list(_NAME_2021),
        codes=["UAI", "Code INSEE de la commune"],
        numeric=numeric,
        markers=SECRECY_MARKERS,
    )
    name = next((c for c in _NAME_2021 if c in frame.columns), None)
    if name is None:
        raise InputError(f"a column {_NAME_2021[0]!r} in the header", path=path, line=1)
    return _finish(frame, path=path, niveau=niveau, names={**layout, name: "nom_etablissement"})


def read_ips_ap2022(path: str | os.PathLike[str], *, niveau: str = "ecole") -> pd.DataFrame:
    """Read a file in the ``ap2022`` layout (écoles from rentrée 2022-2023).

    The national, académie and département references (overall, ``_public``,
    ``_prive``) are kept where the file gives them.

    Parameters
    ----------
    path
        ``;``-separated file with ``rentree_scolaire, …, uai, …, secteur, ips, …``.
    niveau
        ``"ecole"`` (the published file) or ``"college"``.
    """
    if niveau not in ("ecole", "college"):
        raise ValueError(f"niveau must be 'ecole' or 'college', not {niveau!r}")
    path = Path(path)
    frame = read_insee_csv(
        path,
        required=list(_LAYOUT_AP2022),
        optional=list(_OPTIONAL_AP2022),
        codes=["uai", "code_insee_de_la_commune"],
        numeric=["ips", "effectifs", "ecart_type_de_l_ips"],
        markers=SECRECY_MARKERS,
    )
    references = [c for c in REFERENCE_COLUMNS if c in frame.columns]
    for column in references:
        # References are published figures: a marker there is unexpected.
        frame[column], _ = parse_numbers(frame[column], markers=None, path=path, column=column)
    names = {**_LAYOUT_AP2022}
    names.update({c: new for c, new in _OPTIONAL_AP2022.items() if c in frame.columns})
    return _finish(frame, path=path, niveau=niveau, names=names)


def read_ips(path: str | os.PathLike[str], *, niveau: str) -> pd.DataFrame:
    """Read any of the three layouts, chosen from the header.

    Parameters
    ----------
    path
        An IPS file.
    niveau
        ``"ecole"`` or ``"college"`` (the folder the file was found in).
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.readline().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputError("a readable file", path=path, found=exc.strerror) from None
    fields = {f.strip().strip('"') for f in head.replace(",", ";").replace("\t", ";").split(";")}
    if "rentree_scolaire" in fields:
        return read_ips_ap2022(path, niveau=niveau)
    frame = read_ips_colleges(path) if "Effectifs" in fields else read_ips_ecoles_2021(path)
    frame["niveau"] = niveau
    return validate_ips(frame, path=path)
