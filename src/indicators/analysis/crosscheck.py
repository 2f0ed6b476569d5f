"""Cross-checks of the convention's figures against open data: the ``checks`` table.

The convention gives each quartier's school IPS (« IPS des établissements scolaires où
sont scolarisés les enfants du quartier ») and the agglomeration's (« 104 sur l'ensemble
des établissements de l'agglomération »), without saying which schools, which year or
which method. :func:`ips_crosscheck` sets them beside what the DEPP open data give:

- for the agglomeration, the unweighted mean IPS of the schools located in its communes, for
  each rentrée (écoles and collèges together where both are published);
- for a quartier, the same mean over the schools that the commune lists for it in the
  editable file ``data/raw/quartier_schools.csv`` (:func:`read_quartier_schools`). With no
  school listed, the quartier's figure is « non vérifiable »: no school is ever guessed.

Each row of the ``checks`` table (:data:`CHECK_COLUMNS`) says what was compared, how
(``method``, in French), and whether the figures agree within :data:`TOLERANCE` points
(``status``: « cohérent », « écart » or « non vérifiable »).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.analysis.ips_means import ips_for_schools
from indicators.errors import InputError
from indicators.french import plural_word
from indicators.numbers import format_number, format_points
from indicators.sources.checks import check_pattern, check_unique, refuse_rows
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.ips import UAI_PATTERN

__all__ = [
    "CHECK_COLUMNS",
    "INDICATOR_ID",
    "MAPPING_COLUMNS",
    "STATUSES",
    "TOLERANCE",
    "build_checks",
    "ips_crosscheck",
    "quartier_ips",
    "read_quartier_schools",
]

CHECK_COLUMNS: tuple[str, ...] = (
    "check_id",
    "quartier_id",
    "indicator_id",
    "convention_value",
    "open_data_value",
    "method",
    "rentree",
    "status",
    "message",
)
STATUSES: tuple[str, ...] = ("écart", "cohérent", "non vérifiable")
INDICATOR_ID = "school_ips"
MAPPING_COLUMNS: tuple[str, ...] = ("quartier_id", "uai", "commentaire")
#: Largest gap (IPS points) still called « cohérent »: the convention rounds to the unit,
#: and a mean over the same schools moves by about a point from one rentrée to the next.
TOLERANCE = 2.0
MAPPING_FILE = "data/raw/quartier_schools.csv"
#: How the reports name that file (no path in what officials read).
MAPPING_TEXT = "la liste des écoles de chaque quartier fournie par la commune"
_NIVEAUX = {"ensemble": "écoles et collèges", "ecole": "écoles", "college": "collèges"}


# ------------------------------------------------------------------------ the mapping
def read_quartier_schools(
    path: str | os.PathLike[str],
    quartier_ids: Iterable[str],
    *,
    school_communes: Mapping[str, str] | None = None,
    territory: Collection[str] | None = None,
) -> pd.DataFrame:
    """Read the editable ``quartier → schools`` file (``quartier_id;uai;commentaire``).

    Parameters
    ----------
    path
        The CSV file (``;`` or ``,``); a header alone means « no school stated yet ».
    quartier_ids
        The known quartier ids.
    school_communes, territory
        The commune code of each known school (UAI → code) and the territory's commune
        codes: when both are given, a school in a commune outside the territory is
        refused (it would change a quartier's IPS with a school from elsewhere).

    Returns
    -------
    pandas.DataFrame
        :data:`MAPPING_COLUMNS`, one row per quartier × school.

    Raises
    ------
    InputError
        Missing column, unknown quartier id, malformed UAI, a quartier × UAI twice.
    """
    path = Path(path)
    known = sorted(set(quartier_ids))
    frame = read_insee_csv(
        path, required=["quartier_id", "uai"], optional=["commentaire"], usecols_only=True
    )
    if "commentaire" not in frame.columns:
        frame["commentaire"] = ""
    frame["uai"] = frame["uai"].str.upper()
    unknown = ~frame["quartier_id"].isin(known)
    expected = f"a known quartier id ({', '.join(known)})"
    refuse_rows(unknown, frame["quartier_id"], expected, path=path, column="quartier_id")
    check_pattern(frame, "uai", UAI_PATTERN, "a UAI code (7 digits and a letter)", path=path)
    check_unique(frame, ["quartier_id", "uai"], path=path)
    if school_communes is not None and territory is not None:
        allowed = set(territory)
        for line, uai in zip(frame.index, frame["uai"], strict=True):
            commune = school_communes.get(uai)
            if commune is not None and commune not in allowed:
                raise InputError(
                    "a school of one of the territory's communes (the DEPP files place"
                    f" it in commune {commune})",
                    path=path,
                    line=int(line),
                    column="uai",
                    found=uai,
                )
    return frame[list(MAPPING_COLUMNS)].reset_index(drop=True)


def quartier_ips(ips: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Mean IPS of the schools listed for each quartier, for every rentrée.

    Returns
    -------
    pandas.DataFrame
        :data:`indicators.sources.ips.AGGREGATE_COLUMNS` with ``territoire_type == "quartier"``
        and ``territoire_code`` = quartier id (no rows for a quartier without schools).
    """
    frames = [
        ips_for_schools(
            ips,
            group["uai"],
            territoire_type="quartier",
            territoire_code=quartier_id,
            territoire_nom=quartier_id,
        )
        for quartier_id, group in mapping.groupby("quartier_id", sort=True)
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return ips_for_schools(
            ips, [], territoire_type="quartier", territoire_code="", territoire_nom=""
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------- checks
def _empty_checks() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="float64" if "value" in c else str) for c in CHECK_COLUMNS}
    )


def _pick_rows(agg: pd.DataFrame, first: str = "ensemble") -> pd.DataFrame:
    """One row per rentrée, secteur « ensemble », niveau ``first`` when published.

    The agglomeration is compared on its écoles (``first="ecole"``): they are published
    every rentrée, so the rentrées compare (the collèges, published for 2022-2023 only, are
    described in the method). A quartier is compared on all the schools the commune lists
    for it (``first="ensemble"``).
    """
    order = [first, *[n for n in ("ensemble", "ecole", "college") if n != first]]
    rows = agg[agg["secteur"].eq("ensemble")].copy()
    rank = rows["niveau"].map({niveau: i for i, niveau in enumerate(order)})
    rows = rows.assign(_rank=rank).sort_values(["rentree", "_rank"])
    return rows.drop_duplicates("rentree").drop(columns="_rank")


def _status(convention: float, open_data: float, tolerance: float) -> str:
    if pd.isna(convention) or pd.isna(open_data):
        return "non vérifiable"
    return "cohérent" if abs(open_data - convention) <= tolerance else "écart"


def _figure(value: float) -> str:
    return format_number(value, 1)


def _school_words(row: pd.Series) -> str:
    n = int(row["n_ips"])
    what = _NIVEAUX[str(row["niveau"])]
    text = f"{n} {what}" if n != 1 else f"1 établissement ({what})"
    if int(row["n_ns"]):
        n_ns = int(row["n_ns"])
        text += f", {n_ns} {plural_word(n_ns, 'exclu')} car « NS » (non significatif)"
    missing = int(row["n_etablissements"]) - int(row["n_ips"]) - int(row["n_ns"])
    if missing:
        text += f", {missing} sans IPS publié"
    return text


def _weighted_words(agg: pd.DataFrame, rentree: str) -> str:
    college = agg[
        agg["rentree"].eq(rentree) & agg["niveau"].eq("college") & agg["secteur"].eq("ensemble")
    ]
    if college.empty or pd.isna(college["ips_moyen_pondere"].iloc[0]):
        return ""
    row = college.iloc[0]
    return (
        f" Pour les collèges, la moyenne pondérée par les effectifs est de "
        f"{_figure(row['ips_moyen_pondere'])} ({format_number(row['effectifs'])} élèves)."
    )


def ips_crosscheck(
    portrait: pd.DataFrame,
    ips_agg: pd.DataFrame,
    *,
    quartier_agg: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
    ips: pd.DataFrame | None = None,
    reference_code: str | None = None,
    tolerance: float = TOLERANCE,
) -> pd.DataFrame:
    """Check rows for the school IPS: the agglomeration's figure and each quartier's.

    Parameters
    ----------
    portrait
        The convention's portrait (long format: ``quartier_id, indicator_id, value,
        reference_value, reference_territory``...); rows with ``indicator_id ==
        "school_ips"`` are used.
    ips_agg
        Territorial means (:func:`indicators.sources.ips.ips_for_territory`); the rows whose
        ``territoire_nom`` equals the portrait's ``reference_territory`` (e.g.
        the EPCI's label), or whose ``territoire_code`` is ``reference_code``, are compared.
    quartier_agg
        :func:`quartier_ips` output (rows for quartiers with listed schools).
    mapping
        :func:`read_quartier_schools` output (to say which quartiers have none).
    ips
        The school table, to report listed UAIs that no IPS file contains.
    reference_code
        Code of the reference territory in ``ips_agg`` (e.g. the EPCI SIREN).
    tolerance
        Largest absolute gap, in IPS points, called « cohérent ».

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`.
    """
    rows: list[dict[str, object]] = []
    school = portrait[portrait["indicator_id"].eq(INDICATOR_ID)]
    if school.empty:
        return _empty_checks()

    # 1. The agglomeration's figure, once per distinct (territory, value).
    references = (
        school[["reference_territory", "reference_value"]]
        .dropna()
        .drop_duplicates()
        .itertuples(index=False)
    )
    for territory, value in references:
        mask = ips_agg["territoire_nom"].eq(territory)
        if reference_code is not None:
            mask |= ips_agg["territoire_code"].eq(reference_code)
        picked = _pick_rows(ips_agg[mask], first="ecole")
        if picked.empty:
            rows.append(
                {
                    "check_id": f"{INDICATOR_ID}:{territory}",
                    "quartier_id": None,
                    "convention_value": float(value),
                    "open_data_value": np.nan,
                    "method": "Aucune école du territoire dans les fichiers IPS fournis.",
                    "rentree": None,
                    "status": "non vérifiable",
                    "message": (
                        f"La convention indique {format_number(value)} pour {territory} ; les "
                        f"données ouvertes fournies ne permettent pas de le recalculer."
                    ),
                }
            )
        for _, agg in picked.iterrows():
            status = _status(float(value), agg["ips_moyen"], tolerance)
            gap = agg["ips_moyen"] - float(value)
            rows.append(
                {
                    "check_id": f"{INDICATOR_ID}:{territory}:{agg['rentree']}",
                    "quartier_id": None,
                    "convention_value": float(value),
                    "open_data_value": float(agg["ips_moyen"]),
                    "method": (
                        f"Moyenne non pondérée des IPS publiés par la DEPP (data.education.gouv.fr)"
                        f" des établissements publics et privés situés dans les communes de la "
                        f"{territory}, rentrée {agg['rentree']} : {_school_words(agg)}."
                        f"{_weighted_words(ips_agg[mask], agg['rentree'])}"
                    ),
                    "rentree": agg["rentree"],
                    "status": status,
                    "message": (
                        f"La convention indique {format_number(value)} « sur l'ensemble des "
                        f"établissements de l'agglomération » ; les données ouvertes donnent "
                        f"{_figure(agg['ips_moyen'])} (écart de {format_points(gap)} d'IPS). "
                        + (
                            "Les deux chiffres concordent."
                            if status == "cohérent"
                            else "La convention ne précise ni la source, ni l'année, ni la "
                            "méthode de ce chiffre : il ne peut pas être reproduit à partir "
                            "des données ouvertes."
                        )
                    ),
                }
            )

    # 2. Each quartier's figure, from the schools the commune listed.
    listed = set() if mapping is None else set(mapping["quartier_id"])
    known_uai = set() if ips is None else set(ips["uai"])
    for _, item in school.iterrows():
        quartier_id = item["quartier_id"]
        value = item["value"]
        if quartier_id not in listed:
            rows.append(
                {
                    "check_id": f"{INDICATOR_ID}:{quartier_id}",
                    "quartier_id": quartier_id,
                    "convention_value": float(value) if pd.notna(value) else np.nan,
                    "open_data_value": np.nan,
                    "method": (
                        f"Moyenne non pondérée des IPS publiés des établissements listés pour le "
                        f"quartier dans {MAPPING_TEXT}."
                    ),
                    "rentree": None,
                    "status": "non vérifiable",
                    "message": (
                        f"Aucun établissement n'est associé à ce quartier dans {MAPPING_TEXT} : "
                        f"la valeur de la convention ({format_number(value)}) ne peut pas être "
                        f"recalculée à partir des données ouvertes."
                    ),
                }
            )
            continue
        uais = sorted(mapping.loc[mapping["quartier_id"].eq(quartier_id), "uai"])
        absent = [u for u in uais if ips is not None and u not in known_uai]
        note = f" UAI sans IPS dans les fichiers fournis : {', '.join(absent)}." if absent else ""
        agg = (
            quartier_agg[quartier_agg["territoire_code"].eq(quartier_id)]
            if quartier_agg is not None
            else pd.DataFrame()
        )
        picked = _pick_rows(agg) if len(agg) else agg
        if picked.empty:
            rows.append(
                {
                    "check_id": f"{INDICATOR_ID}:{quartier_id}",
                    "quartier_id": quartier_id,
                    "convention_value": float(value) if pd.notna(value) else np.nan,
                    "open_data_value": np.nan,
                    "method": f"Établissements listés dans {MAPPING_TEXT} : {', '.join(uais)}.",
                    "rentree": None,
                    "status": "non vérifiable",
                    "message": "Aucun des établissements listés n'a d'IPS publié." + note,
                }
            )
            continue
        for _, agg_row in picked.iterrows():
            mean = agg_row["ips_moyen"] if agg_row["n_ips"] else np.nan
            status = _status(value, mean, tolerance)
            if pd.isna(mean):
                message = "Aucun des établissements listés n'a d'IPS publié cette rentrée."
            else:
                message = (
                    f"La convention indique {format_number(value)} ; les données ouvertes "
                    f"donnent {_figure(mean)} pour les établissements listés (écart de "
                    f"{format_points(mean - value)} d'IPS)."
                )
            rows.append(
                {
                    "check_id": f"{INDICATOR_ID}:{quartier_id}:{agg_row['rentree']}",
                    "quartier_id": quartier_id,
                    "convention_value": float(value) if pd.notna(value) else np.nan,
                    "open_data_value": float(mean),
                    "method": (
                        f"Moyenne non pondérée des IPS publiés par la DEPP des établissements "
                        f"listés pour le quartier dans {MAPPING_TEXT} ({', '.join(uais)}), "
                        f"rentrée {agg_row['rentree']} : {_school_words(agg_row)}."
                    ),
                    "rentree": agg_row["rentree"],
                    "status": status,
                    "message": message + note,
                }
            )
    return _finish(rows)


def _finish(rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    if not rows:
        return _empty_checks()
    frame = pd.DataFrame(list(rows))
    frame["indicator_id"] = INDICATOR_ID
    frame = frame[list(CHECK_COLUMNS)]
    for column in ("convention_value", "open_data_value"):
        frame[column] = frame[column].astype("float64")
    for column in ("quartier_id", "rentree"):
        frame[column] = frame[column].astype(str).where(frame[column].notna())
    return frame


def build_checks(*parts: pd.DataFrame) -> pd.DataFrame:
    """Concatenate check tables, verify their columns, statuses and unique ``check_id``.

    Raises
    ------
    ValueError
        On a programming error (wrong columns, unknown status, duplicated id).
    """
    frames = [p for p in parts if p is not None and len(p)]
    if not frames:
        return _empty_checks()
    for frame in frames:
        if tuple(frame.columns) != CHECK_COLUMNS:
            raise ValueError(f"a checks table must have columns {CHECK_COLUMNS}")
    checks = pd.concat(frames, ignore_index=True)
    unknown = set(checks["status"]) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown check status {sorted(unknown)}; expected {STATUSES}")
    if checks["check_id"].duplicated().any():
        dup = checks.loc[checks["check_id"].duplicated(), "check_id"].iloc[0]
        raise ValueError(f"duplicated check_id {dup!r}")
    return checks
