"""French display tables: one :class:`pandas.DataFrame` of French strings each.

To explore in a notebook, or to show with :func:`~indicators.report.markup.html_table`.
French number typography comes from :mod:`indicators.numbers`; qualifiers stay visible
(« environ », « plus de »), and a missing figure reads « non disponible », never 0.

>>> from indicators.report.examples import example_tables
>>> tables = example_tables()
>>> portrait_table_fr(tables, "q1").iloc[0].tolist()
['Taux de pauvreté', '50,9\\xa0%', '18,8\\xa0%', '+32,1 points', 'défavorable', '']
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from indicators.catalog import BY_ID, INDICATORS
from indicators.numbers import MISSING_TEXT, format_number, format_value
from indicators.report.markup import NOT_APPLICABLE, _source_fr, _text
from indicators.report.names import reference_column_fr
from indicators.report.tables import (
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    Tables,
    _quartier,
    quartier_ids,
)

KEY_INDICATORS = ("poverty_rate", "employment_rate_15_64", "school_ips")


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame["indicator_id"].map(lambda i: BY_ID[i].order)
    return frame.assign(_order=order).sort_values("_order").drop(columns="_order")


# --------------------------------------------------------------------------- one quartier


def identity_table_fr(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """Identity card of a quartier: status, code, communes, source and perimeters."""
    row = _quartier(tables, quartier_id)
    rows = [
        ("Nom", _text(row["name"])),
        ("Statut", f"{_text(row['status'])} — {_text(row['status_label'])}"),
        ("Code du quartier prioritaire", _text(row["code"]) or "sans objet (quartier non QPV)"),
        ("Communes", _text(row["communes"]).replace(";", ",")),
        ("Source du portrait", _text(row["source_text"]) or "non indiquée dans la convention"),
        ("Périmètre des données", _text(row["perimeter"]) or "non précisé"),
        ("Périmètre du contrat de ville", _text(row["map_perimeter"]) or "non précisé"),
    ]
    return pd.DataFrame(rows, columns=["Rubrique", "Valeur"])


def _gap_cells(gap: pd.Series | None) -> tuple[str, str]:
    if gap is None:
        return NOT_APPLICABLE, NOT_APPLICABLE
    label = _text(gap["label_fr"]) or MISSING_TEXT
    return label, _text(gap["reading"]) or NOT_APPLICABLE


def portrait_table_fr(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """The quartier's portrait against the agglomeration, in French.

    Columns: Indicateur, Quartier, Agglomération (<label>), Écart, Lecture, Remarque,
    where <label> is the territory's ``reference_label`` (the convention's own label).
    Poverty, employment and the school IPS come first and are always listed (« non
    disponible » when the convention does not give them); the other indicators are
    listed when given. Counts (population, area) have no reference.
    """
    _quartier(tables, quartier_id)
    portrait = _ordered(tables.portrait[tables.portrait["quartier_id"] == quartier_id])
    gaps = tables.gaps[tables.gaps["quartier_id"] == quartier_id].set_index("indicator_id")
    given = set(portrait["indicator_id"])
    rows = []
    for indicator in INDICATORS:
        if indicator.id not in given:
            if indicator.id in KEY_INDICATORS:
                rows.append(
                    (
                        indicator.label_fr,
                        MISSING_TEXT,
                        NOT_APPLICABLE,
                        NOT_APPLICABLE,
                        NOT_APPLICABLE,
                        "absent de la convention",
                    )
                )
            continue
        row = portrait[portrait["indicator_id"] == indicator.id].iloc[0]
        unit = _text(row["unit"]) or None
        value = format_value(row["value"], unit, row["qualifier"])
        if indicator.kind == "count":
            reference = NOT_APPLICABLE
        elif pd.isna(row["reference_value"]):
            reference = MISSING_TEXT
        else:
            reference = format_value(row["reference_value"], unit, row["reference_qualifier"])
        gap = gaps.loc[indicator.id] if indicator.id in gaps.index else None
        label, reading = _gap_cells(gap)
        rows.append((indicator.label_fr, value, reference, label, reading, _text(row["note"])))
    return pd.DataFrame(
        rows,
        columns=[
            "Indicateur",
            "Quartier",
            reference_column_fr(tables.territory),
            "Écart",
            "Lecture",
            "Remarque",
        ],
    )


# --------------------------------------------------------------------------- all quartiers


def _reference_fr(rows: pd.DataFrame, unit: str | None) -> str:
    refs = rows.dropna(subset=["reference_value"])
    pairs = sorted(
        {
            (float(v), q)
            for v, q in zip(refs["reference_value"], refs["reference_qualifier"], strict=True)
        }
    )
    if not pairs:
        return MISSING_TEXT
    # Several references for one indicator are all shown, never silently collapsed.
    return " / ".join(format_value(v, unit, q) for v, q in pairs)


def summary_table_fr(tables: Tables) -> pd.DataFrame:
    """Every indicator (rows) for every quartier (columns) and the agglomeration.

    The last two rows give each portrait's source and perimeter.
    """
    ids = quartier_ids(tables)
    portrait = tables.portrait
    rows = []
    for indicator in INDICATORS:
        given = portrait[portrait["indicator_id"] == indicator.id]
        if given.empty and indicator.id not in KEY_INDICATORS:
            continue
        unit = indicator.unit if indicator.unit != "%" else "%"
        cells = [indicator.label_fr, *_per_quartier(given, ids, _value_fr)]
        if indicator.kind == "count":
            cells.append(NOT_APPLICABLE)
        else:
            cells.append(_reference_fr(given, unit))
        rows.append(cells)
    quartiers = tables.quartiers.set_index("quartier_id")
    rows.append(["Source", *(_source_fr(quartiers.loc[q]) for q in ids), "convention"])
    reference = reference_column_fr(tables.territory)
    return pd.DataFrame(rows, columns=["Indicateur", *_names(tables, ids), reference])


def gaps_table_fr(tables: Tables) -> pd.DataFrame:
    """Gap to the agglomeration and its reading, indicators × quartiers."""
    ids = quartier_ids(tables)
    gaps = tables.gaps
    rows = []
    for indicator in INDICATORS:
        if indicator.kind == "count":
            continue
        given = gaps[gaps["indicator_id"] == indicator.id]
        if given.empty and indicator.id not in KEY_INDICATORS:
            continue
        rows.append([indicator.label_fr, *_per_quartier(given, ids, _gap_fr)])
    return pd.DataFrame(rows, columns=["Indicateur", *_names(tables, ids)])


def _names(tables: Tables, ids: list[str]) -> list[str]:
    return [_text(_quartier(tables, q)["name"]) for q in ids]


def _per_quartier(
    given: pd.DataFrame, ids: list[str], cell: Callable[[pd.Series], str]
) -> list[str]:
    """A cell per quartier of ``ids``: ``cell`` of its row in ``given``, or « non disponible »."""
    cells = []
    for quartier_id in ids:
        row = given[given["quartier_id"] == quartier_id]
        cells.append(MISSING_TEXT if row.empty else cell(row.iloc[0]))
    return cells


def _value_fr(row: pd.Series) -> str:
    return format_value(row["value"], _text(row["unit"]) or None, row["qualifier"])


def _gap_fr(row: pd.Series) -> str:
    label, reading = _gap_cells(row)
    return f"{label} ({reading})"


# --------------------------------------------------------------------------- exploration


def tables_overview_fr(tables: Tables) -> pd.DataFrame:
    """Which processed tables are there, with their size (for the exploration notebook)."""
    rows = []
    for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        frame = getattr(tables, name)
        if frame is None:
            rows.append((name, "absente", NOT_APPLICABLE, NOT_APPLICABLE))
        else:
            rows.append(
                (name, "présente", format_number(len(frame)), format_number(len(frame.columns)))
            )
    return pd.DataFrame(rows, columns=["Table", "État", "Lignes", "Colonnes"])


__all__ = [
    "KEY_INDICATORS",
    "gaps_table_fr",
    "identity_table_fr",
    "portrait_table_fr",
    "summary_table_fr",
    "tables_overview_fr",
]
