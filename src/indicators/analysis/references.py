"""The convention's agglomeration references, explained from open data.

The convention quotes, for « l'ensemble de l'agglomération », a school IPS (104) and an
employment rate of the 15-64 (58,8 %) without vintage, scope or method.
:func:`reference_candidates` computes what open data give for each plausible reading —
the EPCI, its département, its académie, France; for the IPS each level, rentrée and
method (unweighted mean of schools, pupil-weighted mean, DEPP's own reference) — and flags
the candidates that equal the convention's figure **within its rounding** (half a unit
of its last published decimal). :func:`reference_conclusions` says in plain French which
candidate(s) the figure matches, if any, and which figure to use instead for the EPCI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from indicators.analysis.commune_rates import employment_rate
from indicators.numbers import format_number
from indicators.sources.commune_stats import RP_SOURCE

__all__ = [
    "CANDIDATE_COLUMNS",
    "CONCLUSION_COLUMNS",
    "academie_departements",
    "reference_candidates",
    "reference_conclusions",
]

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "convention_value",
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "millesime",
    "niveau",
    "mesure",
    "valeur",
    "ecart",
    "concordant",
    "recommande",
    "source",
    "methode",
)
CONCLUSION_COLUMNS: tuple[str, ...] = ("indicator_id", "convention_value", "conclusion")
_SCOPES = ("epci", "departement", "academie", "france")
_NIVEAUX_FR = {"ecole": "écoles", "college": "collèges", "lycee": "lycées (GT et PRO)"}
_MESURES_FR = {
    "moyenne_non_ponderee": "moyenne non pondérée des établissements",
    "moyenne_ponderee": "moyenne pondérée par les effectifs (calculée)",
    "reference_depp": "référence DEPP pondérée par les effectifs",
    "taux_emploi": "taux d'emploi (emplois / population de 15-64 ans)",
}


def _convention(portrait: pd.DataFrame, indicator_id: str) -> tuple[float, int] | None:
    rows = portrait[portrait["indicator_id"].eq(indicator_id)].dropna(subset=["reference_value"])
    if rows.empty:
        return None
    values = rows["reference_value"].unique()
    decimals = int(rows["reference_decimals"].fillna(0).max())
    return float(values[0]), decimals


def _ips_rows(scales: pd.DataFrame, value: float, recommend_rentree: str | None) -> pd.DataFrame:
    rows = scales[
        scales["territoire_type"].isin(_SCOPES)
        & scales["voie"].eq("ensemble")
        & scales["secteur"].eq("ensemble")
    ]
    out = pd.DataFrame(
        {
            "indicator_id": "school_ips",
            "convention_value": value,
            "territoire_type": rows["territoire_type"],
            "territoire_code": rows["territoire_code"],
            "territoire_nom": rows["territoire_nom"],
            "millesime": "rentrée " + rows["rentree"],
            "niveau": rows["niveau"],
            "mesure": rows["mesure"],
            "valeur": rows["valeur"],
            "source": "DEPP, IPS des établissements (" + rows["source"] + ")",
            "methode": rows["methode"],
        }
    )
    out["recommande"] = (
        out["territoire_type"].eq("epci")
        & out["niveau"].eq("ecole")
        & out["mesure"].eq("moyenne_non_ponderee")
        & out["millesime"].eq(f"rentrée {recommend_rentree}")
    )
    return out


def _employment_rows(
    rp: pd.DataFrame,
    value: float,
    scopes: Iterable[tuple[str, str, str, Iterable[str] | None]],
) -> pd.DataFrame:
    rows = []
    for kind, code, name, codes in scopes:
        rate, _ = employment_rate(rp, codes)
        rows.append(
            {
                "indicator_id": "employment_rate_15_64",
                "convention_value": value,
                "territoire_type": kind,
                "territoire_code": code,
                "territoire_nom": name,
                "millesime": "RP 2021",
                "niveau": "",
                "mesure": "taux_emploi",
                "valeur": rate,
                "source": RP_SOURCE,
                "methode": "(actifs − chômeurs de 15-64 ans) / population de 15-64 ans, "
                "sommes des communes du territoire",
                "recommande": kind == "epci",
            }
        )
    return pd.DataFrame(rows)


def reference_candidates(
    portrait: pd.DataFrame,
    scales: pd.DataFrame | None,
    rp: pd.DataFrame | None,
    *,
    epci: tuple[str, str, Iterable[str]],
    departement: tuple[str, str],
    academie: tuple[str, Iterable[str]],
) -> pd.DataFrame:
    """Every open-data candidate for the convention's agglomeration references.

    Parameters
    ----------
    portrait
        The convention's portrait (``reference_value``, ``reference_decimals``).
    scales
        :func:`~indicators.analysis.ips_scales.ips_scales` (``None``: no IPS candidates).
    rp
        :func:`~indicators.sources.commune_stats.read_rp_communes` (``None``: no
        employment candidates).
    epci
        (SIREN, label, member INSEE codes).
    departement
        (code, name).
    academie
        (name, département codes of the académie).

    Returns
    -------
    pandas.DataFrame
        :data:`CANDIDATE_COLUMNS`; ``concordant``: equal to the convention's figure within
        half a unit of its last decimal; ``recommande``: the figure to use for the EPCI.
    """
    parts = []
    ips = _convention(portrait, "school_ips")
    if ips is not None and scales is not None and len(scales):
        both = scales[scales["territoire_type"].eq("epci")].groupby("rentree")["niveau"]
        complete = sorted(r for r, n in both if {"ecole", "college"} <= set(n))
        parts.append(_ips_rows(scales, ips[0], complete[-1] if complete else None))
    emp = _convention(portrait, "employment_rate_15_64")
    if emp is not None and rp is not None:
        dep_code, dep_name = departement
        acad_name, acad_deps = academie
        in_acad = rp.loc[rp["departement"].isin(set(acad_deps)), "commune_code"]
        scopes = (
            ("epci", epci[0], epci[1], list(epci[2])),
            (
                "departement",
                dep_code,
                dep_name,
                rp.loc[rp["departement"].eq(dep_code), "commune_code"],
            ),
            ("academie", acad_name, f"Académie de {acad_name}", in_acad),
            ("france", "FR", "France", None),
        )
        parts.append(_employment_rows(rp, emp[0], scopes))
    if not parts:
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    decimals = out["indicator_id"].map(
        {"school_ips": ips[1] if ips else 0, "employment_rate_15_64": emp[1] if emp else 1}
    )
    margin = 0.5 * 10.0 ** (-decimals.astype(float))
    out["ecart"] = out["valeur"] - out["convention_value"]
    out["concordant"] = out["ecart"].abs() <= margin + 1e-9
    order = {k: i for i, k in enumerate(_SCOPES)}
    out = out.sort_values(
        ["indicator_id", "territoire_type", "niveau", "mesure", "millesime"],
        key=lambda s: s.map(order) if s.name == "territoire_type" else s,
        ignore_index=True,
    )
    return out[list(CANDIDATE_COLUMNS)]


def _describe(row: Mapping[str, object]) -> str:
    value = row["valeur"]
    decimals = 1
    text = f"{row['territoire_nom']}"
    if row["niveau"]:
        text += f", {_NIVEAUX_FR.get(str(row['niveau']), row['niveau'])}"
    text += f", {row['millesime']}, {_MESURES_FR.get(str(row['mesure']), row['mesure'])}"
    unit = " %" if row["indicator_id"] == "employment_rate_15_64" else ""
    return f"{text} : {format_number(float(value), decimals)}{unit}"


def reference_conclusions(candidates: pd.DataFrame) -> pd.DataFrame:
    """One French conclusion per indicator: which candidate matches, which to use."""
    rows = []
    for indicator_id, group in candidates.groupby("indicator_id", sort=True):
        conv = float(group["convention_value"].iloc[0])
        unit = " %" if indicator_id == "employment_rate_15_64" else ""
        shown = format_number(conv, 0 if conv == int(conv) and not unit else 1) + unit
        matches = group[group["concordant"]]
        epci_rows = group[group["territoire_type"].eq("epci")]
        if matches.empty:
            text = (
                f"Le chiffre de la convention pour l'agglomération ({shown}) ne correspond, "
                "à l'arrondi près, à aucun des chiffres calculables à partir des données "
                "ouvertes (agglomération, département, académie, France)."
            )
        else:
            listed = "; ".join(_describe(r) for _, r in matches.head(4).iterrows())
            scopes = set(matches["territoire_type"])
            text = (
                f"Le chiffre de la convention pour l'agglomération ({shown}) correspond, à "
                f"l'arrondi près, à : {listed}."
            )
            if "epci" not in scopes:
                text += " Ce n'est donc pas un chiffre de l'agglomération."
        recommended = group[group["recommande"]].dropna(subset=["valeur"])
        if len(recommended):
            best = recommended.sort_values("millesime").iloc[-1]
            text += f" Chiffre à retenir pour l'agglomération : {_describe(best)}"
            text += f" (source : {best['source']})."
        elif len(epci_rows):
            text += " Aucun chiffre de l'agglomération n'est recommandé."
        rows.append({"indicator_id": indicator_id, "convention_value": conv, "conclusion": text})
    return pd.DataFrame(rows, columns=list(CONCLUSION_COLUMNS))


def academie_departements(national: pd.DataFrame, academie: str) -> list[str]:
    """Département codes of an académie, as the DEPP files list them."""
    rows = national[national["academie"].str.casefold().eq(academie.casefold())]
    return sorted(set(rows["departement"]) - {""})
