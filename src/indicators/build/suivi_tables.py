"""The build's step for the yearly cycle: ``suivi`` and ``series_commune``.

- ``suivi``: every ``data/raw/suivi/suivi_<année>.xlsx`` (:mod:`indicators.sources.suivi`),
  one row per year × quartier × action the commune filled in;
- ``series_commune``: every file of ``data/raw/indicateurs_commune/``
  (:mod:`indicators.sources.commune_indicators`), tidy, in the columns of the open-data
  ``series`` table so that both can be concatenated.

Both are absent when their folder is (no row is invented). The notes name the action ids
that appeared or disappeared since the previous build (a changed wording gives a new id,
:mod:`indicators.convention.ids`) and the follow-up rows whose action left the convention.
"""

from __future__ import annotations

import pandas as pd

from indicators.config import Paths
from indicators.convention.ids import id_changes
from indicators.sources.commune_indicators import read_indicator_folder
from indicators.sources.suivi import read_suivi_folder

__all__ = ["SERIES_FOLDER", "SUIVI_FOLDER", "suivi_tables", "territories"]

SUIVI_FOLDER = "suivi"
SERIES_FOLDER = "indicateurs_commune"


def territories(paths: Paths, quartiers: pd.DataFrame) -> dict[str, str]:
    """The territories a commune indicator may be given for: code → type."""
    territory = paths.territory
    found = {str(q): "quartier" for q in quartiers["quartier_id"]}
    found |= {c.insee: "commune" for c in territory.communes}
    found[territory.epci.siren] = "epci"
    return found


def _previous_objectives(paths: Paths) -> pd.DataFrame | None:
    path = paths.processed / "objectives.parquet"
    if not path.exists():
        return None
    try:
        return pd.read_parquet(path, columns=None)
    except Exception:  # a damaged previous output: no comparison, the build goes on
        return None


def suivi_tables(
    paths: Paths, objectives: pd.DataFrame, quartiers: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables of the yearly cycle that the raw inputs allow, and the build's notes."""
    notes = [f"identifiants : {n}" for n in id_changes(_previous_objectives(paths), objectives)]
    tables: dict[str, pd.DataFrame] = {}
    known = {
        (q, a)
        for q, a in zip(objectives["quartier_id"], objectives["action_id"], strict=True)
        if isinstance(a, str)
    }
    suivi = read_suivi_folder(paths.raw / SUIVI_FOLDER, known)
    if suivi is not None:
        tables["suivi"] = suivi
    series = read_indicator_folder(paths.raw / SERIES_FOLDER, territories(paths, quartiers))
    if series is not None:
        tables["series_commune"] = series
    return tables, notes
