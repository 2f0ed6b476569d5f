"""Communes' poverty rate, median standard of living and employment rate of the 15-64.

:func:`commune_indicators` sets, for each commune of the EPCI, Filosofi 2021's poverty
rate and median standard of living (secret values missing with their marker ``s`` and
``secret`` = True) beside the census 2021 employment rate of the 15-64 (a secondary
source). :func:`employment_rates` computes INSEE's employment rate of the 15-64
(employed / population 15-64, employed = active − unemployed) summed over any set of
communes: it is a ratio of sums, never a mean of communes' rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from indicators.sources.commune_stats import FILOSOFI_SOURCE, RP_SOURCE

__all__ = ["COMMUNE_COLUMNS", "commune_indicators", "employment_rate"]

COMMUNE_COLUMNS: tuple[str, ...] = (
    "code",
    "nom",
    "concerne_quartiers",
    "menages_fiscaux",
    "taux_pauvrete",
    "taux_pauvrete_marker",
    "niveau_vie_median",
    "niveau_vie_median_marker",
    "secret",
    "population_rp",
    "pop_15_64",
    "taux_emploi_15_64",
    "source_filosofi",
    "source_rp",
)


def employment_rate(rp: pd.DataFrame, codes: Iterable[str] | None = None) -> tuple[float, float]:
    """(employment rate of the 15-64 in %, population 15-64) over ``codes`` (all if None)."""
    rows = rp if codes is None else rp[rp["commune_code"].isin(set(codes))]
    population = float(rows["pop_15_64"].sum())
    if population <= 0:
        return np.nan, population
    employed = float(rows["actifs_15_64"].sum() - rows["chomeurs_15_64"].sum())
    return 100.0 * employed / population, population


def commune_indicators(
    members: Mapping[str, str],
    concerned: Iterable[str],
    filosofi: pd.DataFrame,
    rp: pd.DataFrame,
) -> pd.DataFrame:
    """One row per member commune (:data:`COMMUNE_COLUMNS`), sorted by code.

    A commune absent from a file keeps missing values (marker ``absent``), never 0.
    """
    out = pd.DataFrame({"code": list(members), "nom": list(members.values())})
    out["concerne_quartiers"] = out["code"].isin(set(concerned))
    fil = filosofi.set_index("commune_code")
    for column in ("menages_fiscaux", "taux_pauvrete", "niveau_vie_median"):
        out[column] = out["code"].map(fil[column]).astype("float64")
        if column != "menages_fiscaux":
            marker = out["code"].map(fil[f"{column}_marker"])
            out[f"{column}_marker"] = marker.fillna("absent").astype(str)
    out["secret"] = out["taux_pauvrete_marker"].eq("s") | out["niveau_vie_median_marker"].eq("s")
    census = rp.set_index("commune_code")
    out["population_rp"] = out["code"].map(census["population"]).astype("float64")
    out["pop_15_64"] = out["code"].map(census["pop_15_64"]).astype("float64")
    employed = out["code"].map(census["actifs_15_64"] - census["chomeurs_15_64"])
    out["taux_emploi_15_64"] = (100.0 * employed / out["pop_15_64"]).where(out["pop_15_64"] > 0)
    out["source_filosofi"] = FILOSOFI_SOURCE
    out["source_rp"] = RP_SOURCE
    return out.sort_values("code", ignore_index=True)[list(COMMUNE_COLUMNS)]
