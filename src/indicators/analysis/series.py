"""One ``series`` table that every trend chart reads: territory × indicator × vintage.

:func:`build_series` gathers, in :data:`SERIES_COLUMNS`:

- the convention's figures as their own vintage and perimeter: each quartier's value
  (qualifier kept: ``approx``, ``lower_bound``…) and the agglomeration's reference figure
  (vintage « non précisé » when the text gives none);
- the school IPS over the rentrées (unweighted mean of écoles, collèges, lycées; the
  DEPP's pupil-weighted references) for the schools listed per quartier, the communes
  concerned, the EPCI, the département, the académie and France;
- Filosofi 2021 (poverty rate, median standard of living) and the census 2021 employment
  rate (secondary source) of the communes concerned and, for employment, of the EPCI,
  the département and France.

``qualifier`` is one of ``exact``, ``approx``, ``lower_bound``, ``upper_bound`` (the
convention's words), ``secret`` (INSEE's « s ») or ``ns`` (DEPP's « NS »); a secret or
« NS » value is missing, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from indicators.analysis.commune_rates import employment_rate
from indicators.sources.commune_stats import FILOSOFI_SOURCE, RP_SOURCE

__all__ = ["SERIES_COLUMNS", "build_series", "ips_indicator"]

SERIES_COLUMNS: tuple[str, ...] = (
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "indicator_id",
    "vintage",
    "value",
    "qualifier",
    "perimeter",
    "source",
    "method",
)
_CONVENTION_SOURCE = "Convention d'application du contrat de ville (portrait)"


def ips_indicator(niveau: str, mesure: str) -> str:
    """``school_ips_<niveau>[_pondere|_depp]``: the series id of an IPS figure.

    >>> ips_indicator("ecole", "reference_depp")
    'school_ips_ecole_depp'
    """
    suffix = {"moyenne_non_ponderee": "", "moyenne_ponderee": "_pondere"}.get(mesure, "_depp")
    return f"school_ips_{niveau}{suffix}"


def _convention_rows(portrait: pd.DataFrame, quartiers: pd.DataFrame, epci: tuple) -> list:
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    perimeters = dict(zip(quartiers["quartier_id"], quartiers["perimeter"], strict=True))
    rows = []
    for row in portrait.itertuples(index=False):
        vintage = row.vintage if isinstance(row.vintage, str) and row.vintage else "non précisé"
        perimeter = perimeters.get(row.quartier_id)
        rows.append(
            {
                "territoire_type": "quartier",
                "territoire_code": row.quartier_id,
                "territoire_nom": names.get(row.quartier_id, row.quartier_id),
                "indicator_id": row.indicator_id,
                "vintage": vintage,
                "value": row.value,
                "qualifier": row.qualifier,
                "perimeter": perimeter if isinstance(perimeter, str) else "non précisé",
                "source": _CONVENTION_SOURCE,
                "method": "chiffre cité par la convention",
            }
        )
    refs = portrait.dropna(subset=["reference_value"]).drop_duplicates(
        ["indicator_id", "reference_value"]
    )
    for row in refs.itertuples(index=False):
        rows.append(
            {
                "territoire_type": "epci",
                "territoire_code": epci[0],
                "territoire_nom": f"{epci[1]} (selon la convention)",
                "indicator_id": row.indicator_id,
                "vintage": "non précisé",
                "value": row.reference_value,
                "qualifier": row.reference_qualifier or "exact",
                "perimeter": "« ensemble de l'agglomération » (non précisé)",
                "source": _CONVENTION_SOURCE,
                "method": "chiffre de référence cité par la convention",
            }
        )
    return rows


def _ips_rows(scales: pd.DataFrame) -> pd.DataFrame:
    rows = scales[
        scales["territoire_type"].ne("etablissement")
        & scales["voie"].eq("ensemble")
        & scales["secteur"].eq("ensemble")
    ]
    qualifier = rows["valeur"].isna().map({True: "ns", False: "exact"})
    return pd.DataFrame(
        {
            "territoire_type": rows["territoire_type"],
            "territoire_code": rows["territoire_code"],
            "territoire_nom": rows["territoire_nom"],
            "indicator_id": [
                ips_indicator(n, m) for n, m in zip(rows["niveau"], rows["mesure"], strict=True)
            ],
            "vintage": rows["rentree"],
            "value": rows["valeur"],
            "qualifier": qualifier,
            "perimeter": rows["n_ips"].astype(str) + " établissement(s) avec IPS publié",
            "source": "DEPP, " + rows["source"],
            "method": rows["methode"],
        }
    )


def build_series(
    portrait: pd.DataFrame,
    quartiers: pd.DataFrame,
    *,
    epci: tuple[str, str, Iterable[str]],
    scales: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    rp: pd.DataFrame | None = None,
    scopes: Mapping[str, tuple[str, str, Iterable[str] | None]] | None = None,
) -> pd.DataFrame:
    """The ``series`` table (:data:`SERIES_COLUMNS`), sorted.

    Parameters
    ----------
    portrait, quartiers
        The convention's tables.
    epci
        (SIREN, label, member codes).
    scales
        :func:`~indicators.analysis.ips_scales.ips_scales`.
    communes
        :func:`~indicators.analysis.commune_rates.commune_indicators` (the communes
        concerned enter the series).
    rp
        Census rows (:func:`~indicators.sources.commune_stats.read_rp_communes`).
    scopes
        Extra territories for the employment rate: type → (code, name, INSEE codes or
        ``None`` for all).
    """
    parts = [pd.DataFrame(_convention_rows(portrait, quartiers, epci))]
    if scales is not None and len(scales):
        parts.append(_ips_rows(scales))
    if communes is not None and len(communes):
        concerned = communes[communes["concerne_quartiers"]]
        for column, indicator, marker in (
            ("taux_pauvrete", "poverty_rate", "taux_pauvrete_marker"),
            ("niveau_vie_median", "median_standard_of_living", "niveau_vie_median_marker"),
        ):
            parts.append(
                pd.DataFrame(
                    {
                        "territoire_type": "commune",
                        "territoire_code": concerned["code"],
                        "territoire_nom": concerned["nom"],
                        "indicator_id": indicator,
                        "vintage": "2021",
                        "value": concerned[column],
                        "qualifier": concerned[marker].map({"s": "secret"}).fillna("exact"),
                        "perimeter": "commune",
                        "source": FILOSOFI_SOURCE,
                        "method": "taux de pauvreté au seuil de 60 % du niveau de vie médian"
                        if indicator == "poverty_rate"
                        else "médiane du niveau de vie (€ par unité de consommation)",
                    }
                )
            )
    if rp is not None:
        targets = [("epci", epci[0], epci[1], list(epci[2]))]
        if communes is not None:
            concerned = communes[communes["concerne_quartiers"]]
            targets += [
                ("commune", c, n, [c])
                for c, n in zip(concerned["code"], concerned["nom"], strict=True)
            ]
        targets += [(k, *v) for k, v in (scopes or {}).items()]
        rows = []
        for kind, code, name, codes in targets:
            rate, _ = employment_rate(rp, codes)
            rows.append(
                {
                    "territoire_type": kind,
                    "territoire_code": code,
                    "territoire_nom": name,
                    "indicator_id": "employment_rate_15_64",
                    "vintage": "2021",
                    "value": rate,
                    "qualifier": "exact",
                    "perimeter": "commune" if kind == "commune" else "communes du territoire",
                    "source": RP_SOURCE,
                    "method": "(actifs − chômeurs de 15-64 ans) / population de 15-64 ans",
                }
            )
        parts.append(pd.DataFrame(rows))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["value"] = out["value"].astype("float64")
    out = out.sort_values(
        ["indicator_id", "territoire_type", "territoire_code", "vintage"], ignore_index=True
    )
    return out[list(SERIES_COLUMNS)]
