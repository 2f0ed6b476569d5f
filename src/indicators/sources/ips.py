"""DEPP school IPS (indice de position sociale): readers and territorial means.

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

:func:`ips_by_commune` and :func:`ips_for_territory` compute, per rentrée × niveau ×
secteur (with ``"ensemble"`` rows), the unweighted mean IPS of the schools with a
published IPS and, where every such school has a pupil count, the pupil-weighted mean.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from indicators.errors import InputError, SchemaError
from indicators.sources.csvfiles import (
    SECRECY_MARKERS,
    check_pattern,
    check_range,
    check_unique,
    parse_numbers,
    read_insee_csv,
)

__all__ = [
    "AGGREGATE_COLUMNS",
    "IPS_COLUMNS",
    "IPS_MAX",
    "IPS_MIN",
    "IPS_SCHEMA",
    "combine_ips",
    "ips_by_commune",
    "ips_for_schools",
    "ips_for_territory",
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

_REFERENCES = [
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
    *_REFERENCES,
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
        **{name: pa.Column(**_nullable_float) for name in _REFERENCES},
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
    **{name: name for name in _REFERENCES},
}


# ------------------------------------------------------------------------------ readers
def _normalise_secteur(frame: pd.DataFrame, path: Path) -> pd.Series:
    text = frame["secteur"].str.casefold().str.strip()
    out = pd.Series(np.where(text.eq("public"), "public", ""), index=frame.index, dtype=str)
    out = out.mask(text.str.startswith("priv"), "privé")
    bad = out.eq("")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a sector 'public' or 'privé…'",
            path=path,
            line=int(frame.index[i]),
            column="secteur",
            found=str(frame["secteur"].iloc[i]),
        )
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
    for column in _REFERENCES:
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
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a rentrée of two consecutive years",
            path=path,
            line=int(out.index[i]),
            column=original["rentree"],
            found=str(out["rentree"].iloc[i]),
        )
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
    for column in ("ips", "effectifs", "ips_ecart_type", *_REFERENCES):
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
    references = [c for c in _REFERENCES if c in frame.columns]
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


def combine_ips(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate IPS tables from several files; a UAI × rentrée in two files is an error."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(
            {c: pd.Series(dtype=IPS_SCHEMA.columns[c].dtype.type) for c in IPS_COLUMNS}
        )
    ips = pd.concat(frames, ignore_index=True)
    dup = ips.duplicated(["uai", "rentree"], keep=False)
    if dup.any():
        rows = ips[dup].sort_values(["uai", "rentree"]).head(2)
        first, second = rows.iloc[0], rows.iloc[1]
        raise InputError(
            f"each UAI × rentrée in one file only (also in {first['source']}, line "
            f"{first['source_line']})",
            path=second["source"],
            line=int(second["source_line"]),
            column="uai",
            found=f"{second['uai']}/{second['rentree']}",
        )
    ips = ips.sort_values(["rentree", "niveau", "commune_code", "uai"], ignore_index=True)
    return validate_ips(ips)


# --------------------------------------------------------------------------- aggregates
AGGREGATE_COLUMNS: tuple[str, ...] = (
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "rentree",
    "niveau",
    "secteur",
    "n_etablissements",
    "n_ips",
    "n_ns",
    "ips_moyen",
    "effectifs",
    "ips_moyen_pondere",
    "ips_national",
    "ips_academique",
    "ips_departemental",
)


def _with_ensembles(ips: pd.DataFrame, complete: Sequence[str]) -> pd.DataFrame:
    """Add ``secteur == "ensemble"`` rows, and ``niveau == "ensemble"`` for ``complete``."""
    both = pd.concat([ips, ips.assign(secteur="ensemble")], ignore_index=True)
    extra = both[both["rentree"].isin(complete)].assign(niveau="ensemble")
    return pd.concat([both, extra], ignore_index=True)


def _references(ips: pd.DataFrame) -> pd.DataFrame:
    """Published references per rentrée × niveau × secteur (where the files give them)."""
    rows = []
    for (rentree, niveau), group in ips.groupby(["rentree", "niveau"], sort=True):
        for secteur, suffix in (("ensemble", ""), ("public", "_public"), ("privé", "_prive")):
            row = {"rentree": rentree, "niveau": niveau, "secteur": secteur}
            for level in ("national", "academique", "departemental"):
                values = group[f"ips_{level}{suffix}"].dropna().unique()
                row[f"ips_{level}"] = float(values[0]) if len(values) == 1 else np.nan
            rows.append(row)
    return pd.DataFrame(
        rows,
        columns=[
            "rentree",
            "niveau",
            "secteur",
            "ips_national",
            "ips_academique",
            "ips_departemental",
        ],
    )


def _aggregate(ips: pd.DataFrame, complete: Sequence[str], by: Sequence[str] = ()) -> pd.DataFrame:
    data = _with_ensembles(ips, complete)
    data = data.assign(
        has_ips=data["ips"].notna(),
        is_ns=data["ips_marker"].eq("NS"),
        weight=data["effectifs"].where(data["ips"].notna()),
    )
    data["weighted"] = data["ips"] * data["weight"]
    keys = [*by, "rentree", "niveau", "secteur"]
    grouped = data.groupby(keys, sort=True)
    out = grouped.agg(
        n_etablissements=("uai", "size"),
        n_ips=("has_ips", "sum"),
        n_ns=("is_ns", "sum"),
        ips_moyen=("ips", "mean"),
        effectifs=("weight", "sum"),
        n_weights=("weight", "count"),
        weighted=("weighted", "sum"),
    ).reset_index()
    # A pupil-weighted mean only when every school with an IPS has a pupil count.
    full = out["n_weights"].eq(out["n_ips"]) & out["n_ips"].gt(0) & out["effectifs"].gt(0)
    out["ips_moyen_pondere"] = (out["weighted"] / out["effectifs"]).where(full)
    out["effectifs"] = out["effectifs"].where(full)
    return out.drop(columns=["n_weights", "weighted"])


def _complete_rentrees(ips: pd.DataFrame) -> list[str]:
    """Rentrées for which the table has both écoles and collèges."""
    levels = ips.groupby("rentree")["niveau"].nunique()
    return sorted(levels[levels >= 2].index)


def ips_for_territory(
    ips: pd.DataFrame,
    commune_codes: Iterable[str],
    *,
    territoire_type: str,
    territoire_code: str,
    territoire_nom: str,
    complete_rentrees: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean IPS of the schools located in a set of communes.

    Per rentrée × niveau (``ecole``, ``college``, and ``ensemble`` for rentrées where both
    are published) × secteur (``public``, ``privé``, ``ensemble``): number of schools
    listed, with an IPS, with ``NS``; the unweighted mean of the published IPS; the
    pupil-weighted mean where every school with an IPS has a pupil count (collèges).
    Schools with ``NS`` or no IPS are left out of the means, not counted as 0.

    Parameters
    ----------
    ips
        School × rentrée table (:data:`IPS_COLUMNS`).
    commune_codes
        INSEE codes of the territory's communes.
    territoire_type, territoire_code, territoire_nom
        Labels of the output rows.
    complete_rentrees
        Rentrées to give a ``niveau == "ensemble"`` row (default: those where ``ips``
        has both niveaux).

    Returns
    -------
    pandas.DataFrame
        :data:`AGGREGATE_COLUMNS`; groups without any school are absent.
    """
    complete = _complete_rentrees(ips) if complete_rentrees is None else complete_rentrees
    subset = ips[ips["commune_code"].isin(set(commune_codes))]
    return _labelled(subset, ips, complete, territoire_type, territoire_code, territoire_nom)


def ips_for_schools(
    ips: pd.DataFrame,
    uais: Iterable[str],
    *,
    territoire_type: str,
    territoire_code: str,
    territoire_nom: str,
) -> pd.DataFrame:
    """Mean IPS of a list of schools (e.g. those serving a quartier).

    Same groups and columns as :func:`ips_for_territory`; UAIs absent from ``ips`` are
    simply not counted (the caller reports them).
    """
    subset = ips[ips["uai"].isin(set(uais))]
    complete = _complete_rentrees(ips)
    return _labelled(subset, ips, complete, territoire_type, territoire_code, territoire_nom)


def _labelled(
    subset: pd.DataFrame,
    ips: pd.DataFrame,
    complete: Sequence[str],
    territoire_type: str,
    territoire_code: str,
    territoire_nom: str,
) -> pd.DataFrame:
    if subset.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    out = _aggregate(subset, complete)
    out = out.merge(_references(ips), on=["rentree", "niveau", "secteur"], how="left")
    out.insert(0, "territoire_nom", territoire_nom)
    out.insert(0, "territoire_code", territoire_code)
    out.insert(0, "territoire_type", territoire_type)
    for column in ("n_etablissements", "n_ips", "n_ns"):
        out[column] = out[column].astype("int64")
    return out[list(AGGREGATE_COLUMNS)]


def ips_by_commune(ips: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """:func:`ips_for_territory` for each commune of ``communes`` (columns ``code, nom``).

    Communes without any school in ``ips`` have no rows.

    Examples
    --------
    >>> ips = pd.DataFrame({"uai": ["0620001A", "0620002B"], "rentree": ["2022-2023"] * 2,
    ...     "niveau": "ecole", "commune_code": "62270", "secteur": "public",
    ...     "ips": [80.0, np.nan], "ips_marker": ["", "NS"], "effectifs": np.nan,
    ...     **{c: np.nan for c in _REFERENCES}})
    >>> row = ips_by_commune(ips, pd.DataFrame({"code": ["62270"], "nom": ["Divion"]})).iloc[0]
    >>> row["n_etablissements"], row["n_ns"], row["ips_moyen"]
    (np.int64(2), np.int64(1), np.float64(80.0))
    """
    names = dict(zip(communes["code"], communes["nom"], strict=True))
    subset = ips[ips["commune_code"].isin(set(names))]
    if subset.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    out = _aggregate(subset, _complete_rentrees(ips), by=["commune_code"])
    out = out.merge(_references(ips), on=["rentree", "niveau", "secteur"], how="left")
    out = out.rename(columns={"commune_code": "territoire_code"})
    out.insert(0, "territoire_type", "commune")
    out["territoire_nom"] = out["territoire_code"].map(names).astype(str)
    for column in ("n_etablissements", "n_ips", "n_ns"):
        out[column] = out[column].astype("int64")
    out = out.sort_values(["territoire_code", "rentree", "niveau", "secteur"], ignore_index=True)
    return out[list(AGGREGATE_COLUMNS)]
