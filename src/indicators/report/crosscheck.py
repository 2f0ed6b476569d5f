"""The IPS cross-check in French: the convention's IPS against the open data.

Reads the build's ``checks`` table (:mod:`indicators.analysis.crosscheck`); every function
says so when the build did not produce it.

>>> from indicators.report.examples import example_tables
>>> crosscheck_table_fr(example_tables()) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from indicators.numbers import format_number, format_value
from indicators.report.markup import NOT_APPLICABLE, Html, _list_html, _text, html_table
from indicators.report.names import epci_column_fr
from indicators.report.tables import Tables

_CHECK_COLUMNS = ("quartier_id", "convention_value", "open_data_value", "rentree", "status")


def _checks(tables: Tables, ids: Sequence[str] | None) -> pd.DataFrame | None:
    """The ``checks`` rows of the quartiers ``ids`` and of the agglomeration."""
    checks = tables.checks
    if checks is None or checks.empty or not set(_CHECK_COLUMNS) <= set(checks.columns):
        return None
    if ids is not None:
        checks = checks[checks["quartier_id"].isna() | checks["quartier_id"].isin(list(ids))]
    return checks


def crosscheck_table_fr(tables: Tables, ids: Sequence[str] | None = None) -> pd.DataFrame | None:
    """The IPS cross-check in French: one row per territory and rentrée.

    ``ids``: the quartiers to show besides the agglomeration (default: all). ``None``
    when the build produced no ``checks`` table.
    """
    checks = _checks(tables, ids)
    if checks is None:
        return None
    names = dict(zip(tables.quartiers["quartier_id"], tables.quartiers["name"], strict=True))
    epci = epci_column_fr(tables.territory)
    rows = []
    for _, row in checks.iterrows():
        quartier_id = _text(row["quartier_id"])
        convention, open_data = row["convention_value"], row["open_data_value"]
        gap = (
            NOT_APPLICABLE
            if pd.isna(convention) or pd.isna(open_data)
            else format_number(open_data - convention, 1, sign=True) + " points"
        )
        rows.append(
            (
                names.get(quartier_id, quartier_id) if quartier_id else epci,
                _text(row["rentree"]) or NOT_APPLICABLE,
                format_value(convention),
                format_number(open_data, 1),
                gap,
                _text(row["status"]),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Territoire",
            "Rentrée",
            "IPS (convention)",
            "IPS (données ouvertes)",
            "Écart",
            "Constat",
        ],
    )


def _reference_ips_note(tables: Tables) -> str:
    """A warning when the agglomeration's IPS in the convention is not found in open data."""
    checks = _checks(tables, [])
    if checks is None:
        return ""
    gaps = checks[checks["status"].eq("écart") & checks["open_data_value"].notna()]
    if gaps.empty:
        return ""
    low, high = gaps["open_data_value"].min(), gaps["open_data_value"].max()
    found = (
        f"{format_number(low, 1)}"
        if format_number(low, 1) == format_number(high, 1)
        else f"entre {format_number(low, 1)} et {format_number(high, 1)} selon la rentrée"
    )
    reference = format_value(gaps["convention_value"].iloc[0])
    return (
        f"IPS : la valeur de référence de l'agglomération donnée par la convention ({reference}) "
        f"n'est pas retrouvée dans les données ouvertes ({found}) ; les écarts d'IPS sont "
        "donc à lire avec prudence (voir le contrôle croisé des IPS)."
    )


def crosscheck_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """The IPS cross-check (convention vs open data) and its methods, or why it is absent."""
    frame = crosscheck_table_fr(tables, ids)
    if frame is None:
        return Html(
            "<p>Le contrôle croisé des IPS de la convention avec les données ouvertes du "
            "ministère de l'Éducation nationale n'est pas disponible : la construction des "
            "données n'a pas produit la table des contrôles.</p>"
        )
    checks = _checks(tables, ids)
    assert checks is not None  # crosscheck_table_fr returned a frame
    findings = [_reference_ips_note(tables)]
    if "message" in checks.columns:
        findings += [_text(m) for m in checks.loc[checks["quartier_id"].notna(), "message"]]
    findings = list(dict.fromkeys(f for f in findings if f))
    methods = []
    if "method" in checks.columns:
        methods = list(dict.fromkeys(_text(m) for m in checks["method"] if _text(m)))
    return Html(
        html_table(frame, caption="IPS de la convention et IPS des données ouvertes")
        + (
            f'<p class="crosscheck-findings"><strong>Constats</strong></p>{_list_html(findings)}'
            if findings
            else ""
        )
        + (
            f'<p class="crosscheck-methods"><strong>Méthodes</strong></p>{_list_html(methods)}'
            if methods
            else ""
        )
    )


__all__ = [
    "crosscheck_html",
    "crosscheck_table_fr",
]
