"""Parse a *convention d'application communale* into tidy tables.

The parser follows the agglomeration's template of the contrat de ville « Engagements
Quartiers 2030 », not one commune's names: any commune's convention written on that
template gives the same three tables. The label of the reference territory of the
portraits (« sur l'ensemble de l'agglomération ») is the caller's
(``territory.reference_label``, from ``data/raw/territory.toml``).

- ``quartiers``: one row per « Projet de quartier « … » » section (identity, source of
  the portrait, irritants, opportunités, enjeux prioritaires);
- ``portrait``: one row per statistic line of a portrait, with its qualifier and the
  agglomeration's reference figure given in parentheses;
- ``objectives``: the objectives tree, one row per action bullet.

The text was extracted from the signed PDF: tables are flattened to tab-separated lines
with HTML fragments, bullets can be glued together and a cell can be split over a page
break. Those defects are repaired (:mod:`indicators.convention.objectives`); anything
else that drifts from the template is an :class:`~indicators.errors.InputError` naming
the file, the line and what was expected. Nothing is invented: a statistic the text does
not give is absent.

This module orchestrates: :mod:`~indicators.convention.text` decodes the file,
:mod:`~indicators.convention.sections` cuts it into quartier sections,
:mod:`~indicators.convention.quartier` parses each one (with
:mod:`~indicators.convention.portrait` and :mod:`~indicators.convention.objectives`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.catalog import BY_ID
from indicators.convention.ids import ID_COLUMNS, with_ids
from indicators.convention.objectives import known_objectives
from indicators.convention.quartier import parse_section
from indicators.convention.sections import split_sections
from indicators.convention.text import decode_convention
from indicators.errors import InputError

QUARTIER_COLUMNS = (
    "quartier_id",
    "name",
    "status",
    "status_label",
    "code",
    "communes",
    "source",
    "vintage",
    "perimeter",
    "source_text",
    "map_perimeter",
    "caveat",
    "irritants",
    "opportunites",
    "enjeux",
    "line",
)
PORTRAIT_COLUMNS = (
    "quartier_id",
    "indicator_id",
    "label",
    "value",
    "unit",
    "qualifier",
    "decimals",
    "value_text",
    "reference_value",
    "reference_qualifier",
    "reference_decimals",
    "reference_territory",
    "reference_scope",
    "note",
    "source",
    "vintage",
    "perimeter",
    "line",
)
OBJECTIVE_COLUMNS = (
    "quartier_id",
    "enjeu",
    "enjeu_title",
    "strategic_objective",
    "operational_objective",
    "action_rank",
    "action",
    "line",
    *ID_COLUMNS,
)


@dataclass
class Convention:
    """The three tables parsed from one convention."""

    quartiers: pd.DataFrame
    portrait: pd.DataFrame
    objectives: pd.DataFrame


def read_convention(path: str | Path, *, reference_label: str) -> Convention:
    """Read and parse a convention text file (``reference_label``: see :func:`parse_convention`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"a readable file ({error.strerror})", path=path, raw=True) from None
    return parse_convention(
        decode_convention(data, str(path)), reference_label=reference_label, path=str(path)
    )


def parse_convention(text: str, *, reference_label: str, path: str = "<convention>") -> Convention:
    """Parse the text of a convention into its three tables (see the module docstring).

    ``reference_label`` is written in the portrait's ``reference_territory`` for every
    reference figure « sur l'ensemble de l'agglomération » (``territory.reference_label``).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections = split_sections(lines, path)
    known = known_objectives(sections)
    quartiers, portrait, objectives = [], [], []
    for section in sections:
        info, rows, tree = parse_section(section, path, known, reference_label)
        quartiers.append(info)
        portrait.extend(rows)
        for row in tree:
            base = {
                "quartier_id": info["quartier_id"],
                "enjeu": row.enjeu,
                "enjeu_title": row.enjeu_title,
                "strategic_objective": row.strategic,
                "operational_objective": row.operational,
                "line": row.line,
            }
            if row.actions:
                for rank, action in enumerate(row.actions, start=1):
                    objectives.append({**base, "action_rank": rank, "action": action})
            else:
                objectives.append({**base, "action_rank": None, "action": None})
    return Convention(
        quartiers=_frame(quartiers, QUARTIER_COLUMNS),
        portrait=_order_portrait(_frame(portrait, PORTRAIT_COLUMNS)),
        objectives=_frame(
            with_ids(
                pd.DataFrame(objectives, columns=list(OBJECTIVE_COLUMNS[:-3])), path=path
            ).to_dict("records"),
            OBJECTIVE_COLUMNS,
        ),
    )


def _frame(records: list[dict[str, object]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    for column in frame.columns:
        if column in ("value", "reference_value"):
            frame[column] = frame[column].astype("float64")
        elif column in ("line", "enjeu", "decimals"):
            frame[column] = frame[column].astype("int64")
        elif column in ("action_rank", "reference_decimals"):
            frame[column] = frame[column].astype("Int64")
        else:
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
            frame[column] = frame[column].astype("str")
    return frame


def _order_portrait(portrait: pd.DataFrame) -> pd.DataFrame:
    """Rows in the text's order of quartiers, then in the indicators' display order."""
    if portrait.empty:
        return portrait
    order = portrait["indicator_id"].map(lambda i: BY_ID[i].order)
    quartier_rank = {q: i for i, q in enumerate(dict.fromkeys(portrait["quartier_id"]))}
    keys = portrait["quartier_id"].map(quartier_rank) * 100 + order
    return portrait.iloc[keys.argsort(kind="stable")].reset_index(drop=True)
