"""The dossier of the comité de pilotage as a printed document for elected officials.

Its parts, in order (each a ``<section>`` with a fixed id, so that the table of contents
links to it and prints its page number with CSS ``target-counter``):

1. :func:`cover_html`: the comité, its date, the year reviewed, the commune and the
   agglomeration (from the territory), the quartiers; then :func:`toc_html`;
2. :func:`synthesis_html`: one page, every quartier × the key indicators (value, gap,
   reading), the reading in one sentence per quartier and the warnings, grouped;
3. :func:`quartier_dossier_html`: per quartier a section of fixed shape — identity,
   portrait and its chart, what to know, diagnostic, the objectives that are its own;
4. :func:`shared_objectives_html`: the objectives and actions shared by every quartier,
   printed once (the convention repeats them quartier by quartier);
5. :func:`annex_html`: sources et méthodes, data versions and sums — the only place of
   the dossier with file names and hashes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from indicators.catalog import BY_ID
from indicators.french import date_fr, plural
from indicators.numbers import MISSING_TEXT, format_value
from indicators.report.display import KEY_INDICATORS, identity_table_fr, portrait_table_fr
from indicators.report.figures_html import gap_chart_html
from indicators.report.fragments import caveats_html, diagnostic_html, title_html
from indicators.report.markup import Html, _esc, _list_html, _text, html_table
from indicators.report.names import communes_fr, epci_full_name_fr
from indicators.report.provenance import sources_et_methodes
from indicators.report.tables import Tables, _quartier, quartier_ids

__all__ = [
    "annex_html",
    "cover_html",
    "objective_groups",
    "quartier_dossier_html",
    "section",
    "shared_objectives_html",
    "synthesis_html",
    "toc_html",
]

TITLE = "Dossier du comité de pilotage"
PROGRAMME = "Contrat de ville « Engagements Quartiers 2030 »"


def section(section_id: str, title: str, body: str, level: int = 2, kind: str = "") -> Html:
    """``<section id=…>`` with its heading (the table of contents links to the id)."""
    classes = " ".join(["part", kind]).strip()
    return Html(
        f'<section class="{classes}" id="{html.escape(section_id)}">'
        f"<h{level}>{_esc(title)}</h{level}>{body}</section>"
    )


# --------------------------------------------------------------------------- cover


def cover_html(tables: Tables, annee: int = 0, date_comite: str = "") -> Html:
    """The cover: programme, title (the one ``h1``), comité, year, commune, agglomeration."""
    territory = tables.territory
    lines = []
    if date_comite:
        lines.append(f"Comité de pilotage du {date_fr(date_comite)}")
    else:
        lines.append("Comité de pilotage (date non renseignée)")
    if annee:
        lines.append(f"Bilan des actions de l'année {annee}")
    names = [_text(_quartier(tables, q)["name"]) for q in quartier_ids(tables)]
    facts = [
        ("Commune", communes_fr(territory)),
        ("Agglomération", epci_full_name_fr(territory)),
        ("Quartiers", ", ".join(names)),
    ]
    rows = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in facts)
    return Html(
        '<section class="cover" id="couverture">'
        f'<p class="cover-programme">{_esc(PROGRAMME)}</p>'
        f"<h1>{_esc(TITLE)}</h1>"
        + "".join(f'<p class="cover-comite">{_esc(line)}</p>' for line in lines)
        + f'<dl class="cover-facts">{rows}</dl></section>'
    )


def toc_html(entries: Sequence[tuple[str, str]]) -> Html:
    """The table of contents: ``(section id, title)`` links; print adds page numbers."""
    items = "".join(
        f'<li><a href="#{html.escape(i)}">{_esc(title)}</a></li>' for i, title in entries
    )
    return Html(
        '<nav class="toc" aria-labelledby="sommaire"><h2 id="sommaire">Sommaire</h2>'
        f"<ol>{items}</ol></nav>"
    )


def toc_entries(tables: Tables) -> list[tuple[str, str]]:
    """The dossier's sections, in order, for :func:`toc_html`."""
    entries = [("synthese", "Synthèse")]
    entries += [
        (f"quartier-{q}", _text(_quartier(tables, q)["name"])) for q in quartier_ids(tables)
    ]
    entries += [
        ("comparaison", "Les quartiers comparés et cartes"),
        ("objectifs-communs", "Objectifs et actions communs aux quartiers"),
        ("suivi", "Suivi des actions et indicateurs de la commune"),
        ("controle-ips", "Contrôle croisé des IPS"),
        ("references", "Références de la convention, communes et évolutions"),
        ("annexe", "Annexe : sources, méthodes et versions des données"),
    ]
    return entries


# --------------------------------------------------------------------------- synthesis


def _cell(gaps: pd.DataFrame, quartier_id: str, indicator_id: str) -> tuple[str, str]:
    """(« 50,9 % (18,8 %) », « +32,1 points, défavorable ») or why it is missing."""
    rows = gaps[(gaps["quartier_id"] == quartier_id) & (gaps["indicator_id"] == indicator_id)]
    if rows.empty:
        return "non donné par la convention", "—"
    row = rows.iloc[0]
    unit = BY_ID[indicator_id].unit
    value = format_value(row["value"], unit, _text(row["value_qualifier"]) or "exact")
    reading = _text(row["reading"])
    gap = _text(row["label_fr"]) or MISSING_TEXT
    return value, f"{gap}, {reading}" if reading else gap


def synthesis_html(tables: Tables) -> Html:
    """One page: every quartier × the key indicators, with the agglomeration's figure."""
    ids = quartier_ids(tables)
    gaps = tables.gaps
    columns = ["Quartier"]
    for indicator in KEY_INDICATORS:
        label = BY_ID[indicator].label_fr
        rows = gaps[gaps["indicator_id"] == indicator]
        ref = ""
        if len(rows):
            ref_value = format_value(
                rows["reference_value"].iloc[0],
                BY_ID[indicator].unit,
                _text(rows["reference_qualifier"].iloc[0]) or "exact",
            )
            ref = f" (agglomération : {ref_value})"
        columns += [f"{label}{ref}", f"Écart — {label}"]
    body = []
    for quartier in ids:
        cells = [_text(_quartier(tables, quartier)["name"])]
        for indicator in KEY_INDICATORS:
            cells.extend(_cell(gaps, quartier, indicator))
        body.append(cells)
    table = html_table(
        pd.DataFrame(body, columns=columns),
        caption="Les quartiers et l'agglomération : indicateurs clés et écarts",
    )
    readings = []
    for quartier in ids:
        mine = gaps[(gaps["quartier_id"] == quartier) & gaps["indicator_id"].isin(KEY_INDICATORS)]
        bad = int(mine["reading"].eq("défavorable").sum())
        known = len(mine)
        name = _text(_quartier(tables, quartier)["name"])
        if not known:
            readings.append(f"{name} : aucun des indicateurs clés n'est donné par la convention.")
            continue
        missing = len(KEY_INDICATORS) - known
        text = (
            f"{name} : écart défavorable à l'agglomération pour {bad} des "
            f"{plural(known, 'indicateur clé', 'indicateurs clés')} connus"
            if known > 1
            else f"{name} : {plural(bad, 'écart défavorable', 'écarts défavorables')} sur "
            "le seul indicateur clé connu"
        )
        if missing:
            text += f" ({plural(missing, 'indicateur')} non {'donnés' if missing > 1 else 'donné'}"
            text += " par la convention)"
        readings.append(text + ".")
    return section(
        "synthese",
        "Synthèse",
        '<p class="lead">Taux de pauvreté, taux d\'emploi des 15-64 ans et indice de position '
        "sociale (IPS) des établissements scolaires de chaque quartier, comparés à "
        "l'agglomération (écart en points).</p>"
        + table
        + f"<h3>Lecture</h3>{_list_html(readings)}"
        + "<p>Les précautions de lecture propres à chaque quartier suivent ses chiffres, "
        "dans sa partie ; les sources et méthodes sont en annexe.</p>",
        kind="synthesis",
    )


# --------------------------------------------------------------------------- quartiers


def objective_groups(tables: Tables) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The actions every quartier has (once), and per quartier the actions only some have.

    An action is shared when its ``action_id`` is in every quartier's objectives.
    """
    objectives = tables.objectives
    ids = quartier_ids(tables)
    per_action = objectives.groupby("action_id")["quartier_id"].nunique()
    shared_ids = set(per_action[per_action == len(ids)].index)
    shared = objectives[
        objectives["action_id"].isin(shared_ids) & (objectives["quartier_id"] == ids[0])
    ]
    own = {
        q: objectives[(objectives["quartier_id"] == q) & ~objectives["action_id"].isin(shared_ids)]
        for q in ids
    }
    return shared, own


def _objectives_list(frame: pd.DataFrame, level: int) -> str:
    """Enjeu → objective (strategic — operational) → actions, as nested lists."""
    parts = []
    frame = frame.sort_values(["enjeu", "line"], kind="stable")
    for (enjeu, title), by_enjeu in frame.groupby(["enjeu", "enjeu_title"], sort=False):
        parts.append(f"<h{level}>Enjeu {int(enjeu)} — {_esc(_text(title).capitalize())}</h{level}>")
        parts.append('<ul class="objectives">')
        for (strategic, operational), by_op in by_enjeu.groupby(
            ["strategic_objective", "operational_objective"], sort=False
        ):
            actions = [a for a in (_text(x) for x in by_op["action"]) if a]
            parts.append(
                f"<li><strong>{_esc(operational)}</strong> "
                f'<span class="muted-inline">({_esc(strategic)})</span>'
                + (_list_html(actions) if actions else "")
                + "</li>"
            )
        parts.append("</ul>")
    return "".join(parts)


def _identity_line(tables: Tables, quartier_id: str) -> str:
    """Source and perimeters of the portrait in one paragraph (the fiche has the table)."""
    rows = dict(identity_table_fr(tables, quartier_id).itertuples(index=False))
    keep = ("Source du portrait", "Périmètre des données", "Périmètre du contrat de ville")
    return (
        '<p class="identity">'
        + " ; ".join(f"<strong>{_esc(k)}</strong> : {_esc(rows[k])}" for k in keep if k in rows)
        + ".</p>"
    )


def quartier_dossier_html(tables: Tables, quartier_id: str) -> Html:
    """One quartier, fixed shape: identity, portrait and chart, warnings, diagnostic,
    its own objectives (those not shared by every quartier)."""
    name = _text(_quartier(tables, quartier_id)["name"])
    _, own = objective_groups(tables)
    mine = own.get(quartier_id, tables.objectives.iloc[0:0])
    heading = title_html(tables, quartier_id, level=2).replace(
        f'id="{html.escape(quartier_id)}"', ""
    )
    objectives = (
        _objectives_list(mine, 4)
        if len(mine)
        else "<p>Aucun : toutes les actions du quartier sont communes aux quartiers.</p>"
    )
    body = (
        _identity_line(tables, quartier_id)
        # The chart first: the table after it may run on to the next page, the chart
        # may not (no half-empty page before it).
        + gap_chart_html(tables, quartier_id)
        + html_table(
            portrait_table_fr(tables, quartier_id),
            caption=f"Portrait statistique et écarts à l'agglomération — {name}",
        )
        + caveats_html(tables, [quartier_id])
        + '<div class="diagnostic"><h3>Diagnostic partagé</h3>'
        + diagnostic_html(tables, quartier_id, 4)
        + "</div>"
        + "<h3>Objectifs et actions propres au quartier</h3>"
        + f"<p>Les actions communes à tous les quartiers sont présentées une seule fois, "
        f'dans la partie « <a href="#objectifs-communs">Objectifs et actions communs aux '
        f"quartiers</a> ». {plural(len(mine), 'action')} "
        f"{'sont propres' if len(mine) > 1 else 'est propre'} à {_esc(name)}.</p>" + objectives
    )
    return Html(
        f'<section class="part quartier" id="quartier-{html.escape(quartier_id)}">'
        + heading
        + body
        + "</section>"
    )


def shared_objectives_html(tables: Tables) -> Html:
    """The objectives and actions of every quartier, printed once."""
    shared, _ = objective_groups(tables)
    count = plural(len(shared), "action")
    return section(
        "objectifs-communs",
        "Objectifs et actions communs aux quartiers",
        f"<p>La convention retient pour chacun des quartiers les mêmes {count}, regroupées "
        "ci-dessous par enjeu (objectif opérationnel en gras, objectif stratégique entre "
        "parenthèses). Les actions propres à un quartier figurent dans sa partie.</p>"
        + _objectives_list(shared, 3),
        kind="objectives-shared",
    )


def annex_html(tables: Tables) -> Html:
    """Sources et méthodes, with the data versions and sums (the dossier's only hashes)."""
    inner = sources_et_methodes(tables).replace("<h2>Sources et méthodes</h2>", "", 1)
    inner = inner.replace("<h3>", "<h3 class='annex'>")
    return section("annexe", "Annexe : sources, méthodes et versions des données", inner)
