"""The comité's reading of the follow-up: actions by state, changes, money.

Pure functions on the ``objectives`` table (with ids) and the ``suivi`` table
(:mod:`indicators.sources.suivi`). An action of the convention without a row, or with a
blank state, in the year's file is counted « non renseignée »: never guessed.

>>> objectives = pd.DataFrame({"quartier_id": ["q", "q"], "enjeu": [1, 1],
...     "enjeu_title": ["E", "E"], "action_id": ["A1-aaaaaa", "A1-bbbbbb"],
...     "action": ["Faire", "Dire"]})
>>> suivi = pd.DataFrame({"annee": [2025], "quartier_id": ["q"], "action_id": ["A1-aaaaaa"],
...     "etat": ["engagée"], "financement_prevu": [100.0], "financement_realise": [None]})
>>> state_counts(year_view(objectives, suivi, 2025))[["etat", "actions"]].values.tolist()
[['engagée', 1], ['non renseignée', 1]]
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "NOT_FILLED",
    "STATE_ORDER",
    "changes",
    "money",
    "not_started",
    "state_counts",
    "year_state_counts",
    "year_view",
]

NOT_FILLED = "non renseignée"
#: States in reading order (the sources' dropdown, then « non renseignée »).
STATE_ORDER: tuple[str, ...] = (
    "réalisée",
    "engagée",
    "non engagée",
    "reportée",
    "abandonnée",
    NOT_FILLED,
)
_KEYS = ["quartier_id", "action_id"]
_FOLLOW = ["etat", "porteur", "financement_prevu", "financement_realise", "commentaire"]


def year_view(objectives: pd.DataFrame, suivi: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """Every action of the convention with its follow-up of ``year`` (blank: none)."""
    actions = objectives.dropna(subset=["action_id"]).reset_index(drop=True)
    rows = None if suivi is None else suivi[suivi["annee"] == year]
    if rows is None or rows.empty:
        view = actions.copy()
        for column in _FOLLOW:
            view[column] = None
    else:
        present = [c for c in _FOLLOW if c in rows.columns]
        view = actions.merge(rows[[*_KEYS, *present]], on=_KEYS, how="left")
        for column in _FOLLOW:
            if column not in view.columns:
                view[column] = None
    view["etat"] = view["etat"].where(view["etat"].notna(), NOT_FILLED)
    for column in ("financement_prevu", "financement_realise"):
        view[column] = pd.to_numeric(view[column], errors="coerce").astype("float64")
    return view


def state_counts(view: pd.DataFrame) -> pd.DataFrame:
    """Actions per quartier × enjeu × state (states in :data:`STATE_ORDER`; zeros left out)."""
    counts = (
        view.groupby(["quartier_id", "enjeu", "enjeu_title", "etat"], sort=False)
        .size()
        .rename("actions")
        .reset_index()
    )
    rank = {s: i for i, s in enumerate(STATE_ORDER)}
    counts["_rank"] = counts["etat"].map(rank)
    counts = counts.sort_values(["quartier_id", "enjeu", "_rank"], kind="stable")
    return counts.drop(columns="_rank").reset_index(drop=True)


def year_state_counts(
    objectives: pd.DataFrame, suivi: pd.DataFrame, year: int | None = None
) -> tuple[int, pd.DataFrame]:
    """``year`` (default: the latest of ``suivi``) and its :func:`state_counts`."""
    year = int(suivi["annee"].max()) if year is None else year
    return year, state_counts(year_view(objectives, suivi, year))


def changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Actions whose state differs between two year views (``etat_avant`` → ``etat``).

    An action filled in neither year is not a change; from or to « non renseignée » is.
    """
    merged = after.merge(
        before[[*_KEYS, "etat"]].rename(columns={"etat": "etat_avant"}), on=_KEYS, how="left"
    )
    merged["etat_avant"] = merged["etat_avant"].fillna(NOT_FILLED)
    changed = merged[merged["etat"] != merged["etat_avant"]]
    columns = ["quartier_id", "enjeu", "action_id", "action", "etat_avant", "etat"]
    return changed[columns].reset_index(drop=True)


def not_started(view: pd.DataFrame) -> pd.DataFrame:
    """Actions whose state is « non engagée »."""
    rows = view[view["etat"] == "non engagée"]
    return rows[["quartier_id", "enjeu", "action_id", "action", "porteur"]].reset_index(drop=True)


def money(view: pd.DataFrame) -> pd.DataFrame:
    """Planned and spent amounts per quartier × enjeu, with how many actions give each.

    A sum over no amount stays missing (never 0).
    """
    grouped = view.groupby(["quartier_id", "enjeu", "enjeu_title"], sort=False)
    return pd.DataFrame(
        {
            "financement_prevu": grouped["financement_prevu"].sum(min_count=1),
            "actions_prevu": grouped["financement_prevu"].count(),
            "financement_realise": grouped["financement_realise"].sum(min_count=1),
            "actions_realise": grouped["financement_realise"].count(),
        }
    ).reset_index()
