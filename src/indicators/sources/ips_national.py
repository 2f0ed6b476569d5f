"""DEPP school IPS, national files (France entière): écoles, collèges and lycées.

The national files of ``data/raw/ips_national/`` come in three layouts, recognised from
the header (the level — école, collège, lycée — from the file name):

- **labels** (``fr-en-ips_ecoles_2021-2022.csv``, ``fr-en-ips-colleges-ap2022.csv``):
  « Rentrée scolaire;Académie;Code du département;…;Secteur;[Effectifs;]IPS »;
- **snake_case** (``fr-en-ips-ecoles-ap2022.parquet``, also as CSV): the same fields in
  API names plus the DEPP's own pupil-weighted references ``ips_national``,
  ``ips_academique``, ``ips_departemental`` (each also ``_public`` / ``_prive``);
- **lycées** (``fr-en-ips_lycees.csv`` with labels, ``fr-en-ips-lycees-ap2022.csv`` with
  API names): one IPS per voie — ensemble GT-PRO, voie GT, voie PRO — which become one row
  per voie (``voie`` = ``ensemble``, ``gt``, ``pro``; a voie a lycée does not teach has no
  row).

Only the needed columns are read (pyarrow), every value as text, then checked: a missing
column, a level the file name does not give, a malformed rentrée, UAI or commune code, a
duplicated UAI × rentrée × voie is an :class:`~indicators.errors.InputError` naming the
file, the line and the column. INSEE's conventions read two things correctly, with a
note: a decimal comma (« 104,2 ») and a commune code that lost its leading zero in a
spreadsheet (``1053`` → ``01053``; codes are always text). « NS » and a blank IPS are
missing (``NaN``, marker kept), never 0. Département codes are written ``62`` or ``062``
depending on the file: they come out as ``62`` (``2A``, ``971`` unchanged).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from indicators.errors import InputError
from indicators.sources.checks import refuse_rows
from indicators.sources.commune_stats import read_text_columns
from indicators.sources.ips import REFERENCE_COLUMNS
from indicators.sources.numeric import parse_numbers

__all__ = [
    "NATIONAL_COLUMNS",
    "NIVEAUX",
    "REFERENCES",
    "level_of",
    "read_ips_national",
]

NIVEAUX: tuple[str, ...] = ("ecole", "college", "lycee")
#: The DEPP's pupil-weighted references of the écoles file (per rentrée, one value each).
REFERENCES: tuple[str, ...] = tuple(REFERENCE_COLUMNS)
NATIONAL_COLUMNS: tuple[str, ...] = (
    "uai",
    "rentree",
    "niveau",
    "voie",
    "academie",
    "departement",
    "commune_code",
    "commune_nom",
    "nom_etablissement",
    "secteur",
    "ips",
    "ips_marker",
    "effectifs",
    *REFERENCES,
    "source",
    "source_line",
)

_COMMON_LABELS = {
    "Rentrée scolaire": "rentree",
    "Académie": "academie",
    "Code du département": "departement",
    "UAI": "uai",
    "Code INSEE de la commune": "commune_code",
    "Nom de la commune": "commune_nom",
    "Secteur": "secteur",
}
_COMMON_API = {
    "rentree_scolaire": "rentree",
    "academie": "academie",
    "code_du_departement": "departement",
    "uai": "uai",
    "code_insee_de_la_commune": "commune_code",
    "nom_de_la_commune": "commune_nom",
    "secteur": "secteur",
}
# The DEPP writes « établissment » in most files; accept the corrected spelling too.
_NAMES = (
    "Nom de l'établissment",
    "Nom de l'établissement",
    "nom_de_l_etablissment",
    "nom_de_l_etablissement",
)
#: voie → (IPS column, pupil-count column) in each lycées layout.
_VOIES_LABELS = {
    "ensemble": ("IPS Ensemble GT-PRO", None),
    "gt": ("IPS voie GT", None),
    "pro": ("IPS voie PRO", None),
}
_VOIES_API = {
    "ensemble": ("ips_ensemble_gt_pro", "effectifs_ensemble_gt_pro"),
    "gt": ("ips_voie_gt", "effectifs_voie_gt"),
    "pro": ("ips_voie_pro", "effectifs_voie_pro"),
}


def level_of(path: str | os.PathLike[str]) -> str:
    """The level a national file holds, from its name (``ecoles``, ``colleges``, ``lycees``).

    >>> level_of("fr-en-ips_lycees.csv")
    'lycee'
    """
    name = unicodedata.normalize("NFKD", Path(path).name).encode("ascii", "ignore").decode()
    name = name.lower()
    for word, niveau in (("ecole", "ecole"), ("college", "college"), ("lycee", "lycee")):
        if word in name:
            return niveau
    raise InputError(
        "a file name naming its level ('ecoles', 'colleges' or 'lycees')",
        path=path,
        found=Path(path).name,
    )


def _header(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except (OSError, pa.ArrowException) as exc:
            raise InputError("a readable Parquet file", path=path, found=str(exc)) from None
    try:
        with path.open("rb") as handle:
            head = handle.readline().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("a readable UTF-8 file", path=path, found=str(exc)) from None
    sep = ";" if head.count(";") >= head.count(",") else ","
    return [f.strip().strip('"') for f in head.rstrip("\r\n").split(sep)]


def _read_text(path: Path, columns: list[str], header: list[str]) -> pd.DataFrame:
    """``columns`` of the file as text; index = line in the file (header = line 1)."""
    if path.suffix.lower() == ".parquet":
        table = pq.read_table(path, columns=columns)
        frame = pd.DataFrame(
            {c: table[c].cast(pa.string()).to_pandas().fillna("") for c in columns}
        )
        frame.index = pd.RangeIndex(2, len(frame) + 2)  # as if a header line came first
        return frame
    with path.open(encoding="utf-8-sig") as handle:
        sep = ";" if ";" in handle.readline() else ","
    frame = read_text_columns(path, sep, header, columns)
    return frame


def _encode(values: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """(codes, distinct values as text, position of each distinct value's first row)."""
    try:
        arrow = values.array.__arrow_array__()
    except (AttributeError, TypeError):  # not Arrow-backed: pandas' factorize
        codes, uniques = pd.factorize(values.to_numpy(dtype=object))
        uniques = pd.Series(uniques, dtype=str)
    else:
        encoded = pc.dictionary_encode(arrow).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        uniques = pd.Series(encoded.dictionary.to_pylist(), dtype=str)
    first = np.full(len(uniques), len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return codes, uniques, first


def _numbers(values: pd.Series, *, path: Path, column: str, markers=()) -> tuple:
    """:func:`parse_numbers` on the distinct values only (errors name the first line)."""
    codes, uniques, first = _encode(values)
    uniques.index = values.index[first]
    kwargs = {} if markers == () else {"markers": markers}
    numbers, marks = parse_numbers(uniques, path=path, column=column, **kwargs)
    return (
        pd.Series(numbers.to_numpy()[codes], index=values.index, dtype="float64"),
        pd.Series(marks.to_numpy(dtype=object)[codes], index=values.index, dtype=str),
    )


def _bad(values: pd.Series, ok) -> pd.Series:
    """Rows whose value fails ``ok`` (a function of the distinct values → bool array)."""
    codes, uniques, _ = _encode(values)
    good = np.asarray(ok(uniques), dtype=bool)
    return pd.Series(~good[codes], index=values.index)


def _require(path: Path, header: list[str], names: list[str]) -> None:
    absent = [c for c in names if c not in header]
    if absent:
        shown = ", ".join(header[:10]) + (", ..." if len(header) > 10 else "")
        raise InputError(f"a column {absent[0]!r} in the header", path=path, line=1, found=shown)


def _layout(header: list[str], niveau: str) -> tuple[dict[str, str], dict[str, tuple]]:
    """(common columns → names, voie → (IPS column, pupil column)) for this header."""
    api = "rentree_scolaire" in header
    common = dict(_COMMON_API if api else _COMMON_LABELS)
    if niveau == "lycee":
        return common, _VOIES_API if api else _VOIES_LABELS
    ips = "ips" if api else "IPS"
    pupils = "effectifs" if api else "Effectifs"
    return common, {"ensemble": (ips, pupils if pupils in header else None)}


def read_ips_national(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one national DEPP IPS file (any of the three layouts).

    Returns
    -------
    pandas.DataFrame
        :data:`NATIONAL_COLUMNS`, one row per UAI × rentrée × voie; ``attrs["notes"]``
        lists what was read by INSEE's conventions (decimal commas, padded codes).
    """
    path = Path(path)
    niveau = level_of(path)
    header = _header(path)
    common, voies = _layout(header, niveau)
    name = next((c for c in _NAMES if c in header), None)
    if name is None:
        raise InputError(f"a column {_NAMES[0]!r} in the header", path=path, line=1)
    refs = [c for c in REFERENCES if c in header] if niveau == "ecole" else []
    needed = [*common, name, *[c for pair in voies.values() for c in pair if c], *refs]
    _require(path, header, needed)
    raw = _read_text(path, needed, header)
    notes: list[str] = []
    base = pd.DataFrame({new: raw[old] for old, new in common.items()}, index=raw.index)
    base["nom_etablissement"] = raw[name]
    _check_codes(base, raw, path, common, notes)
    for column in refs:  # published figures: a marker there is unexpected
        base[column], _ = _numbers(raw[column], markers=None, path=path, column=column)
    parts = []
    for voie, (ips_col, pupils_col) in voies.items():
        part = base.copy()
        part["voie"] = voie
        part["ips"], part["ips_marker"] = _numbers(raw[ips_col], path=path, column=ips_col)
        if raw[ips_col].str.contains(",", regex=False).any():
            notes.append(f"{path.name} : virgule décimale dans « {ips_col} », lue comme un point.")
        bad = part["ips"].notna() & ~part["ips"].between(30, 200)
        refuse_rows(bad, raw[ips_col], "an IPS between 30 and 200", path=path, column=ips_col)
        if pupils_col:
            part["effectifs"], _ = _numbers(raw[pupils_col], path=path, column=pupils_col)
        else:
            part["effectifs"] = np.nan
        if voie != "ensemble":  # a voie the lycée does not teach: no row
            part = part[part["ips"].notna() | part["ips_marker"].ne("")]
        parts.append(part)
    out = pd.concat(parts)
    out["niveau"] = niveau
    out["source"] = path.name
    out["source_line"] = out.index.astype("int64")
    dup = out.duplicated(["uai", "rentree", "voie"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            "each UAI × rentrée once in the file",
            path=path,
            line=int(out.index[i]),
            column=common_name(common, "uai"),
            found=f"{out['uai'].iloc[i]} {out['rentree'].iloc[i]}",
        )
    for column in NATIONAL_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan
    out = out[list(NATIONAL_COLUMNS)].reset_index(drop=True)
    out.attrs["notes"] = notes
    return out


def common_name(common: dict[str, str], new: str) -> str:
    """The file's name of one of our columns."""
    return next(old for old, n in common.items() if n == new)


def _check_codes(
    base: pd.DataFrame, raw: pd.DataFrame, path: Path, common: dict[str, str], notes: list[str]
) -> None:
    """Rentrée, UAI, secteur, département and commune codes: checked and normalised."""

    def refuse(bad: pd.Series, new: str, expected: str) -> None:
        """Refuse the first row flagged ``bad``, naming our column ``new`` as the file does."""
        column = common_name(common, new)
        refuse_rows(bad, raw[column], expected, path=path, column=column)

    def ok_rentree(u: pd.Series) -> np.ndarray:
        years = u.str.extract(r"^(20\d\d)-(20\d\d)$").astype(float)
        return ((years[1] == years[0] + 1) & years[0].between(2010, 2040)).to_numpy()

    bad = _bad(base["rentree"], ok_rentree)
    refuse(bad, "rentree", "a rentrée written 'YYYY-YYYY' (two consecutive years)")
    bad = _bad(base["uai"], lambda u: u.str.fullmatch(r"\d{7}[A-Z]"))
    refuse(bad, "uai", "a UAI code (7 digits and a letter)")
    code = base["commune_code"]
    short = code.str.len().eq(4) & ~_bad(code, lambda u: u.str.fullmatch(r"\d{4}"))
    if short.any():
        base["commune_code"] = code.where(~short, "0" + code)
        notes.append(
            f"{path.name} : {int(short.sum())} code(s) commune à 4 chiffres (zéro initial perdu, "
            f"ex. ligne {int(raw.index[np.flatnonzero(short.to_numpy())[0]])}) complétés par un 0."
        )
    blank = base["commune_code"].eq("")
    if blank.any():
        notes.append(
            f"{path.name} : {int(blank.sum())} établissement(s) sans code commune (ex. ligne "
            f"{int(raw.index[np.flatnonzero(blank.to_numpy())[0]])}) : comptés pour la France "
            "et l'académie, pas pour une commune ni un département."
        )
    bad = _bad(base["commune_code"], lambda u: u.eq("") | u.str.fullmatch(r"\d{5}|2[AB]\d{3}"))
    refuse(bad, "commune_code", "a 5-character INSEE commune code")
    dep_codes = base["departement"].unique()
    fixed = pd.Series(dep_codes).str.replace(r"^0(?=\d\d$|2[AB]$)", "", regex=True)
    dep = base["departement"].map(dict(zip(dep_codes, fixed, strict=True)))
    bad = _bad(dep, lambda u: u.eq("") | u.str.fullmatch(r"\d{2}|2[AB]|97\d"))
    refuse(bad, "departement", "a département code such as '62' or '062'")
    base["departement"] = dep
    kinds = pd.Series(base["secteur"].unique())
    folded = kinds.str.casefold()
    names = np.where(
        folded.eq("public"), "public", np.where(folded.str.startswith("priv"), "privé", "")
    )
    secteur = base["secteur"].map(dict(zip(kinds, names, strict=True)))
    refuse(secteur.eq(""), "secteur", "a sector 'public' or 'privé…'")
    base["secteur"] = secteur
    base["academie"] = base["academie"].str.upper()
