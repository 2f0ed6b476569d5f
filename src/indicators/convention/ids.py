"""Stable ids of the enjeux, objectives and actions of a convention.

Rule (documented in README, « Identifiants des actions »): an id is a readable prefix —
``E`` (enjeu), ``O`` (operational objective) or ``A`` (action), then the enjeu's number —
a dash, and the first six hexadecimal digits of the sha256 of the item's *normalised*
wording (:func:`indicators.catalog.normalise_label`: lower case, accents removed,
apostrophes and spaces folded). The id of an objective hashes its strategic and
operational wordings; an action's id hashes its own wording only.

- The same convention always gives the same ids (no counter, no row order involved).
- A change of case, accent or spacing keeps the id; any other change of the wording
  gives a new id (:func:`id_changes` lists what appeared and disappeared).
- The same action written in two quartiers has the same id: a row of the follow-up is
  the pair (quartier, action).

>>> text_id("A", 1, "Développer  un projet de Repair café")
'A1-e0cb77'
>>> text_id("A", 1, "développer un projet de repair cafe")
'A1-e0cb77'
"""

from __future__ import annotations

import hashlib

import pandas as pd

from indicators.catalog import normalise_label
from indicators.errors import InputError

__all__ = ["ID_COLUMNS", "ID_PATTERN", "id_changes", "text_id", "with_ids"]

#: Columns added to the objectives table, in order.
ID_COLUMNS = ("enjeu_id", "objective_id", "action_id")
#: Regular expression of every id.
ID_PATTERN = r"^[EOA]\d-[0-9a-f]{6}$"
_DIGITS = 6


def text_id(prefix: str, enjeu: int, *texts: str) -> str:
    """``<prefix><enjeu>-<6 hex>`` from the normalised ``texts`` (joined by `` | ``)."""
    key = " | ".join(normalise_label(str(t)) for t in texts)
    return f"{prefix}{int(enjeu)}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:_DIGITS]}"


def with_ids(objectives: pd.DataFrame, *, path: str = "<convention>") -> pd.DataFrame:
    """``objectives`` with ``enjeu_id``, ``objective_id`` and ``action_id`` columns.

    A row without action has no ``action_id``. Two different wordings that would share
    an id in one quartier (a hash collision, or the same action twice under one enjeu)
    are refused with the convention's line.
    """
    frame = objectives.copy()
    frame["enjeu_id"] = [
        text_id("E", n, title)
        for n, title in zip(frame["enjeu"], frame["enjeu_title"], strict=True)
    ]
    frame["objective_id"] = [
        text_id("O", n, s, o)
        for n, s, o in zip(
            frame["enjeu"],
            frame["strategic_objective"],
            frame["operational_objective"],
            strict=True,
        )
    ]
    frame["action_id"] = [
        None if a is None or pd.isna(a) else text_id("A", n, a)
        for n, a in zip(frame["enjeu"], frame["action"], strict=True)
    ]
    actions = frame[frame["action_id"].notna()]
    duplicated = actions[actions.duplicated(["quartier_id", "action_id"])]
    if len(duplicated):
        row = duplicated.iloc[0]
        raise InputError(
            f"one action per id in a quartier; action id {row['action_id']} is given twice"
            f" in quartier {row['quartier_id']!r} (the same wording twice under one enjeu)",
            path=path,
            line=int(row["line"]),
            raw=True,
        )
    return frame


def id_changes(previous: pd.DataFrame | None, current: pd.DataFrame) -> list[str]:
    """French notes naming the action ids that disappeared or appeared since ``previous``.

    Both are objectives tables with ids; ``previous`` is ``None`` (first build) or has no
    ids (a build older than the ids): no note.

    >>> old = pd.DataFrame({"quartier_id": ["q"], "action_id": ["A1-aaaaaa"],
    ...                     "action": ["Mener une étude"]})
    >>> new = pd.DataFrame({"quartier_id": ["q"], "action_id": ["A1-bbbbbb"],
    ...                     "action": ["Mener deux études"]})
    >>> for note in id_changes(old, new): print(note)
    action A1-aaaaaa (q) disparue : « Mener une étude »
    action A1-bbbbbb (q) nouvelle : « Mener deux études »
    """
    if previous is None or "action_id" not in previous.columns:
        return []
    keys = ["quartier_id", "action_id"]
    old = previous.dropna(subset=["action_id"])
    new = current.dropna(subset=["action_id"])
    merged = old[[*keys, "action"]].merge(
        new[[*keys, "action"]], on=keys, how="outer", indicator=True
    )
    notes = []
    for row in merged[merged["_merge"] == "left_only"].itertuples():
        notes.append(f"action {row.action_id} ({row.quartier_id}) disparue : « {row.action_x} »")
    for row in merged[merged["_merge"] == "right_only"].itertuples():
        notes.append(f"action {row.action_id} ({row.quartier_id}) nouvelle : « {row.action_y} »")
    return notes
