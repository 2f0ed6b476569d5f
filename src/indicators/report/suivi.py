"""The comité's year in the dossier: follow-up of the actions and the commune's indicators.

``indicators report --annee 2025 --date-comite 2026-06-12`` passes ``annee`` and
``date_comite`` to every template that declares them (:func:`report_parameters`); the
dossier then shows, per quartier and per enjeu, the actions by state (chart and table),
what changed since the year before, the actions not started and the money planned and
spent (:func:`suivi_html`), and the commune's own indicators over time beside the
convention's figures, each with its source (:func:`commune_indicators_html`).
"""

from __future__ import annotations

import pandas as pd

from indicators.analysis.suivi import changes, money, not_started, state_counts, year_view
from indicators.french import date_fr, plural
from indicators.numbers import format_number
from indicators.report.figures_html import _figure_html, _notice
from indicators.report.markup import Html, _esc, html_table
from indicators.report.plan import report_parameters  # checked with the other parameters
from indicators.report.tables import Tables, quartier_ids

__all__ = ["comite_title", "commune_indicators_html", "report_parameters", "suivi_html"]


def comite_title(annee: int = 0, date_comite: str = "") -> Html:
    """« Comité de pilotage du 12 juin 2026 — bilan de l'année 2025 » (or nothing)."""
    parts = []
    if date_comite:
        parts.append(f"Comité de pilotage du {date_fr(date_comite)}")
    if annee:
        parts.append(f"bilan des actions de l'année {annee}")
    if not parts:
        return Html("")
    return Html(f'<p class="lead"><strong>{_esc(" — ".join(parts))}</strong></p>')


def _euros(value: float) -> str:
    return "non renseigné" if pd.isna(value) else format_number(value, 0) + "\u00a0€"


def _year(tables: Tables, annee: int) -> int | None:
    suivi = tables.suivi
    if annee:
        return annee
    if suivi is None or suivi.empty:
        return None
    return int(suivi["annee"].max())


def suivi_html(tables: Tables, annee: int = 0, level: int = 3) -> Html:
    """Per quartier: actions by state per enjeu, changes, not started, money."""
    year = _year(tables, annee)
    suivi = tables.suivi
    if year is None:
        return _notice(
            "Aucun fichier de suivi des actions n'a été transmis par la commune : l'état "
            "des actions n'est pas connu."
        )
    if suivi is None or not (suivi["annee"] == year).any():
        return _notice(f"Aucun fichier de suivi des actions n'a été transmis pour {year}.")
    from indicators.figures.actions_chart import plot_action_states

    view = year_view(tables.objectives, suivi, year)
    before = year_view(tables.objectives, suivi, year - 1)
    has_before = bool((suivi["annee"] == year - 1).any())
    counts = state_counts(view)
    names = dict(zip(tables.quartiers["quartier_id"], tables.quartiers["name"], strict=True))
    files = ", ".join(sorted(set(suivi.loc[suivi["annee"] == year, "fichier"])))
    h, sub = f"h{level}", f"h{level + 1}"
    parts = [f"<p>Source : suivi des actions transmis par la commune ({_esc(files)}).</p>"]
    for quartier in quartier_ids(tables):
        name = names.get(quartier, quartier)
        parts.append(f"<{h}>{_esc(name)}</{h}>")
        ax = plot_action_states(
            counts,
            quartier,
            year,
            quartier_name=name,
            source=f"suivi des actions transmis par la commune ({files})",
        )
        parts.append(_figure_html(ax, _states_alt(tables, quartier, year)))
        mine = counts[counts["quartier_id"] == quartier]
        table = mine.pivot_table(
            index="enjeu", columns="etat", values="actions", aggfunc="sum", fill_value=0, sort=False
        )
        table.index = [f"Enjeu {e}" for e in table.index]
        parts.append(
            html_table(
                table.reset_index(names="Enjeu").astype(str), caption=f"Actions par état, {year}"
            )
        )
        money_rows = money(view[view["quartier_id"] == quartier])
        shown = pd.DataFrame(
            {
                "Enjeu": [f"Enjeu {e}" for e in money_rows["enjeu"]],
                "Financements prévus": [
                    f"{_euros(v)} ({plural(n, 'action')})"
                    for v, n in zip(
                        money_rows["financement_prevu"], money_rows["actions_prevu"], strict=True
                    )
                ],
                "Financements réalisés": [
                    f"{_euros(v)} ({plural(n, 'action')})"
                    for v, n in zip(
                        money_rows["financement_realise"],
                        money_rows["actions_realise"],
                        strict=True,
                    )
                ],
            }
        )
        parts.append(html_table(shown, caption=f"Financements de l'année {year}"))
        parts.append(f"<{sub}>Changements depuis {year - 1}</{sub}>")
        if not has_before:
            parts.append(_notice(f"Pas de suivi {year - 1} : pas de comparaison possible."))
        else:
            moved = changes(
                before[before["quartier_id"] == quartier], view[view["quartier_id"] == quartier]
            )
            if moved.empty:
                parts.append("<p>Aucun changement d'état.</p>")
            else:
                parts.append(
                    html_table(
                        pd.DataFrame(
                            {
                                "Enjeu": moved["enjeu"].astype(str),
                                "Action": moved["action"],
                                f"État {year - 1}": moved["etat_avant"],
                                f"État {year}": moved["etat"],
                            }
                        ),
                        caption=f"Actions dont l'état a changé depuis {year - 1}",
                    )
                )
        idle = not_started(view[view["quartier_id"] == quartier])
        parts.append(f"<{sub}>Actions non engagées ({len(idle)})</{sub}>")
        if len(idle):
            parts.append(
                html_table(
                    pd.DataFrame(
                        {
                            "Enjeu": idle["enjeu"].astype(str),
                            "Action": idle["action"],
                            "Porteur": idle["porteur"].fillna("non renseigné"),
                        }
                    ),
                    caption="Actions non engagées",
                )
            )
    return Html("".join(parts))


def commune_indicators_html(tables: Tables) -> Html:
    """Each of the commune's indicators over time, beside the convention's figure."""
    series = tables.series_commune
    if series is None or series.empty:
        return _notice("La commune n'a pas transmis d'indicateurs propres.")
    from indicators.figures.commune_trends import plot_commune_series

    names = dict(zip(tables.quartiers["quartier_id"], tables.quartiers["name"], strict=True))
    parts = []
    for indicator in dict.fromkeys(series["indicator_id"]):
        ax = plot_commune_series(series, indicator, names=names, portrait=tables.portrait)
        label = str(series.loc[series["indicator_id"] == indicator, "label"].iloc[0])
        parts.append(_figure_html(ax, _series_alt(series, indicator, label, names)))
    return Html("".join(parts))


def _states_alt(tables: Tables, quartier: str, year: int) -> str:
    from indicators.figures.alt_texts import action_states_alt

    return action_states_alt(tables, tables.territory, quartier_id=quartier, year=year)


def _series_alt(series: pd.DataFrame, indicator: str, label: str, names: dict) -> str:
    """« Graphique : <label>, données de la commune. <territoire> : 2023 : 12,5 %, … »."""
    from indicators.numbers import format_value

    rows = series[series["indicator_id"] == indicator]
    parts = []
    for territory, by in rows.groupby("territory", sort=True):
        values = ", ".join(
            f"{v} : {format_value(x, u if isinstance(u, str) else None)}"
            for v, x, u in zip(by["vintage"], by["value"], by["unit"], strict=True)
        )
        parts.append(f"{names.get(territory, territory)} : {values}")
    return f"Graphique : {label}, évolution (données de la commune). " + " ; ".join(parts) + "."
