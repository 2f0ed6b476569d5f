"""Mean school IPS of a territory, a list of schools or each commune (DEPP IPS tables).

:func:`ips_by_commune`, :func:`ips_for_territory` and :func:`ips_for_schools` compute, per
rentrée × niveau × secteur (with ``"ensemble"`` rows), the unweighted mean IPS of the
schools with a published IPS and, where every such school has a pupil count, the
pupil-weighted mean. A school whose IPS is ``NS`` is counted (``n_ns``) but left out of
the means, never taken as 0. :func:`combine_ips` joins the tables read from several
files (:func:`~indicators.sources.ips.read_ips`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.sources.ips import IPS_COLUMNS, IPS_SCHEMA, validate_ips

__all__ = [
    "AGGREGATE_COLUMNS",
    "COUNT_COLUMNS",
    "GROUP_COLUMNS",
    "combine_ips",
    "ips_by_commune",
    "ips_for_schools",
    "ips_for_territory",
]


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


#: The groups of every mean: one row per rentrée × niveau × secteur (and territory).
GROUP_COLUMNS: tuple[str, ...] = ("rentree", "niveau", "secteur")
#: Schools listed, with a published IPS, with « NS » (integers).
COUNT_COLUMNS: tuple[str, ...] = ("n_etablissements", "n_ips", "n_ns")
AGGREGATE_COLUMNS: tuple[str, ...] = (
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    *GROUP_COLUMNS,
    *COUNT_COLUMNS,
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
            *GROUP_COLUMNS,
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
    keys = [*by, *GROUP_COLUMNS]
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
        School × rentrée table (:data:`~indicators.sources.ips.IPS_COLUMNS`).
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
    out = out.merge(_references(ips), on=list(GROUP_COLUMNS), how="left")
    out.insert(0, "territoire_nom", territoire_nom)
    out.insert(0, "territoire_code", territoire_code)
    out.insert(0, "territoire_type", territoire_type)
    for column in COUNT_COLUMNS:
        out[column] = out[column].astype("int64")
    return out[list(AGGREGATE_COLUMNS)]


def ips_by_commune(ips: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """:func:`ips_for_territory` for each commune of ``communes`` (columns ``code, nom``).

    Communes without any school in ``ips`` have no rows.

    Examples
    --------
    >>> from indicators.sources.ips import REFERENCE_COLUMNS
    >>> ips = pd.DataFrame({"uai": ["0620001A", "0620002B"], "rentree": ["2022-2023"] * 2,
    ...     "niveau": "ecole", "commune_code": "59999", "secteur": "public",
    ...     "ips": [80.0, np.nan], "ips_marker": ["", "NS"], "effectifs": np.nan,
    ...     **{c: np.nan for c in REFERENCE_COLUMNS}})
    >>> row = ips_by_commune(ips, pd.DataFrame({"code": ["59999"], "nom": ["Testville"]})).iloc[0]
    >>> row["n_etablissements"], row["n_ns"], row["ips_moyen"]
    (np.int64(2), np.int64(1), np.float64(80.0))
    """
    names = dict(zip(communes["code"], communes["nom"], strict=True))
    subset = ips[ips["commune_code"].isin(set(names))]
    if subset.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    out = _aggregate(subset, _complete_rentrees(ips), by=["commune_code"])
    out = out.merge(_references(ips), on=list(GROUP_COLUMNS), how="left")
    out = out.rename(columns={"commune_code": "territoire_code"})
    out.insert(0, "territoire_type", "commune")
    out["territoire_nom"] = out["territoire_code"].map(names).astype(str)
    for column in COUNT_COLUMNS:
        out[column] = out[column].astype("int64")
    out = out.sort_values(["territoire_code", "rentree", "niveau", "secteur"], ignore_index=True)
    return out[list(AGGREGATE_COLUMNS)]
