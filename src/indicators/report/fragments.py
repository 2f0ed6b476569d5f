"""French HTML fragments of the reports: titles, warnings, diagnostic, objectives.

Each function returns an :class:`~indicators.report.markup.Html` fragment that a
notebook displays as is; every text from an input is escaped.

>>> from indicators.report.examples import example_tables
>>> "&lt;b&gt;" in objectives_html(example_tables(), "q1")
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from indicators.catalog import BY_ID
from indicators.numbers import MISSING_TEXT, format_value
from indicators.report.crosscheck import _reference_ips_note
from indicators.report.display import KEY_INDICATORS, identity_table_fr, portrait_table_fr
from indicators.report.figures_html import gap_chart_html
from indicators.report.markup import (
    Html,
    _caveat,
    _esc,
    _items,
    _list_html,
    _source_fr,
    _text,
    html_table,
)
from indicators.report.tables import Tables, _quartier, quartier_ids

# --------------------------------------------------------------------------- one quartier


def title_html(tables: Tables, quartier_id: str, level: int = 1) -> Html:
    """The quartier's name as a heading, with its status and communes below."""
    row = _quartier(tables, quartier_id)
    code = f" ({_esc(row['code'])})" if _text(row["code"]) else ""
    return Html(
        f'<h{level} id="{html.escape(quartier_id)}">{_esc(row["name"])}</h{level}>'
        f'<p class="subtitle">{_esc(row["status_label"])}{code} — '
        f"{_esc(row['communes'].replace(';', ','))}</p>"
    )


def diagnostic_html(tables: Tables, quartier_id: str, level: int = 3) -> Html:
    """Irritants, opportunités and enjeux of the quartier, as written in the convention."""
    row = _quartier(tables, quartier_id)
    parts = []
    for column, title in (
        ("irritants", "Irritants"),
        ("opportunites", "Opportunités"),
        ("enjeux", "Enjeux"),
    ):
        parts.append(f"<h{level}>{title}</h{level}>{_list_html(_items(row[column]))}")
    return Html("".join(parts))


def objectives_html(tables: Tables, quartier_id: str, level: int = 3) -> Html:
    """The quartier's objectives and actions, nested as in the convention (escaped)."""
    _quartier(tables, quartier_id)
    frame = tables.objectives[tables.objectives["quartier_id"] == quartier_id]
    if frame.empty:
        return Html("<p>Aucun objectif n'est associé à ce quartier dans la convention.</p>")
    frame = frame.sort_values(["enjeu", "line"], kind="stable")
    parts = []
    for (enjeu, title), by_enjeu in frame.groupby(["enjeu", "enjeu_title"], sort=False):
        parts.append(f"<h{level}>Enjeu {int(enjeu)} — {_esc(title)}</h{level}>")
        parts.append('<ul class="objectives">')
        for strategic, by_strategic in by_enjeu.groupby("strategic_objective", sort=False):
            parts.append(f"<li><strong>{_esc(strategic)}</strong><ul>")
            for operational, by_op in by_strategic.groupby("operational_objective", sort=False):
                actions = [_text(a) for a in by_op.sort_values("action_rank")["action"]]
                actions = [a for a in actions if a]
                listed = (
                    _list_html(actions, "ol")
                    if actions
                    else ('<p class="muted">Aucune action précisée.</p>')
                )
                parts.append(f"<li>{_esc(operational)}{listed}</li>")
            parts.append("</ul></li>")
        parts.append("</ul>")
    return Html("".join(parts))


def caveats_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """Warnings a reader must see next to the figures (one box, French).

    ``ids``: the quartiers concerned (default: all).
    """
    ids = list(ids) if ids is not None else quartier_ids(tables)
    notes: list[str] = []
    for quartier_id in ids:
        row = _quartier(tables, quartier_id)
        name = _text(row["name"])
        if _caveat(row):
            notes.append(f"{name} — {_caveat(row)}")
        if _text(row["perimeter"]) == "ancien périmètre":
            notes.append(
                f"{name} : les chiffres sont calculés sur l'ancien périmètre du quartier, "
                "pas sur le périmètre actuel du contrat de ville"
                + (f" ({_text(row['map_perimeter'])})." if _text(row["map_perimeter"]) else ".")
            )
        portrait = tables.portrait[tables.portrait["quartier_id"] == quartier_id]
        missing = [
            BY_ID[i].label_fr.lower()
            for i in KEY_INDICATORS
            if i not in set(portrait["indicator_id"])
        ]
        if missing:
            notes.append(f"{name} : non disponible dans la convention — {', '.join(missing)}.")
    portrait = tables.portrait[tables.portrait["quartier_id"].isin(ids)]
    if portrait["qualifier"].isin(["lower_bound", "upper_bound"]).any():
        notes.append(
            "Une valeur précédée de « plus de » est un minimum : l'écart qui en découle est "
            "lui-même un minimum (« au moins »)."
        )
    if portrait["qualifier"].eq("approx").any():
        notes.append("« environ » reproduit une valeur approchée donnée par la convention.")
    sources = {
        _source_fr(r)
        for _, r in tables.quartiers[tables.quartiers["quartier_id"].isin(ids)].iterrows()
    }
    if len(ids) > 1 and len(sources) > 1:
        notes.append(
            "Les portraits ne viennent pas tous de la même source ni de la même année : "
            "les comparaisons entre quartiers sont indicatives."
        )
    reference_note = _reference_ips_note(tables)
    if (
        reference_note
        and tables.portrait[tables.portrait["quartier_id"].isin(ids)]["indicator_id"]
        .eq("school_ips")
        .any()
    ):
        notes.append(reference_note)
    if not notes:
        return Html("")
    return Html(f'<div class="caveat"><strong>À savoir</strong>{_list_html(notes)}</div>')


def quartier_section_html(
    tables: Tables, quartier_id: str, level: int = 2, chart: bool = True
) -> Html:
    """A whole section on one quartier: title, warnings, identity, portrait (and its
    chart), diagnostic, objectives (used by the dossier for each quartier in turn)."""
    sub = level + 1
    return Html(
        '<section class="quartier">'
        + title_html(tables, quartier_id, level)
        + caveats_html(tables, [quartier_id])
        + f"<h{sub}>Identité</h{sub}>"
        + html_table(identity_table_fr(tables, quartier_id), caption="Identité du quartier")
        + f"<h{sub}>Portrait statistique</h{sub}>"
        + html_table(
            portrait_table_fr(tables, quartier_id),
            caption="Portrait statistique et écarts à l'agglomération",
        )
        + (gap_chart_html(tables, quartier_id) if chart else "")
        + f"<h{sub}>Diagnostic partagé</h{sub}>"
        + diagnostic_html(tables, quartier_id, sub + 1)
        + f"<h{sub}>Objectifs et actions</h{sub}>"
        + objectives_html(tables, quartier_id, sub + 1)
        + "</section>"
    )


def quartier_sections_html(tables: Tables, level: int = 2, chart: bool = True) -> Html:
    """:func:`quartier_section_html` for every quartier, in the convention's order."""
    return Html(
        "".join(quartier_section_html(tables, q, level, chart) for q in quartier_ids(tables))
    )


# --------------------------------------------------------------------------- all quartiers


def findings_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """Key facts per quartier for the three key indicators, as French sentences."""
    ids = list(ids) if ids is not None else quartier_ids(tables)
    parts = []
    for quartier_id in ids:
        row = _quartier(tables, quartier_id)
        gaps = tables.gaps[tables.gaps["quartier_id"] == quartier_id].set_index("indicator_id")
        items = []
        for indicator_id in KEY_INDICATORS:
            label = BY_ID[indicator_id].label_fr
            if indicator_id not in gaps.index:
                items.append(f"{label} : {MISSING_TEXT}.")
                continue
            gap = gaps.loc[indicator_id]
            unit = BY_ID[indicator_id].unit
            value = format_value(gap["value"], unit, gap["value_qualifier"])
            ref = format_value(gap["reference_value"], unit, gap["reference_qualifier"])
            items.append(
                f"{label} : {value} contre {ref} dans l'agglomération "
                f"({_text(gap['label_fr'])}, {_text(gap['reading'])})."
            )
        parts.append(f"<li><strong>{_esc(row['name'])}</strong>{_list_html(items)}</li>")
    return Html(f'<ul class="findings">{"".join(parts)}</ul>')


__all__ = [
    "caveats_html",
    "diagnostic_html",
    "findings_html",
    "objectives_html",
    "quartier_section_html",
    "quartier_sections_html",
    "title_html",
]
