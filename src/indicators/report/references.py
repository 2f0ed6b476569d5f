"""Report fragments of the references and trends (issue 12).

- :func:`references_html`: the convention's agglomeration references (IPS, employment
  rate) beside their open-data candidates, with the French conclusion (dossier's
  cross-check section);
- :func:`communes_html`: poverty rate, median standard of living and employment rate of
  the communes concerned by a quartier (or by all), beside the quartier's own figures
  and the agglomeration's (fiches, comparison);
- :func:`trends_html`: the IPS over the rentrées (small multiples) and the poverty map,
  with INSEE's warning on comparisons over time.

Each fragment says its sources, vintages and methods; a table the build did not make
gives a French sentence saying why.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from indicators.numbers import format_number
from indicators.report.figures_html import _notice, figure_html
from indicators.report.markup import Html, _esc, html_table
from indicators.report.tables import Tables

__all__ = ["communes_html", "references_html", "references_section_html", "trends_html"]

_NIVEAUX = {"ecole": "écoles", "college": "collèges", "lycee": "lycées", "": "—"}
_MESURES = {
    "moyenne_non_ponderee": "moyenne non pondérée",
    "moyenne_ponderee": "moyenne pondérée (calculée)",
    "reference_depp": "référence DEPP (pondérée)",
    "taux_emploi": "taux d'emploi",
}
_SCOPES = {
    "epci": "agglomération",
    "departement": "département",
    "academie": "académie",
    "france": "France",
}


def _num(value: object, decimals: int = 1, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "non publié"
    return format_number(float(value), decimals) + unit


def references_html(tables: Tables) -> Html:
    """The convention's references explained: conclusions, then the candidates table."""
    candidates = getattr(tables, "references", None)
    conclusions = getattr(tables, "references_conclusions", None)
    if candidates is None or conclusions is None or candidates.empty:
        return _notice(
            "Les références de la convention ne peuvent pas être expliquées : les fichiers "
            "nationaux (IPS, recensement) ne sont pas dans les données du projet."
        )
    parts = ["<p><strong>Références de la convention expliquées</strong></p><ul>"]
    parts += [f"<li>{_esc(text)}</li>" for text in conclusions["conclusion"]]
    parts.append("</ul>")
    latest = candidates.groupby("indicator_id")["millesime"].transform("max")
    shown = candidates[
        candidates["concordant"]
        | candidates["recommande"]
        | (candidates["millesime"].eq(latest) & candidates["mesure"].ne("moyenne_ponderee"))
    ]
    frame = pd.DataFrame(
        {
            "Indicateur": shown["indicator_id"].map(
                {"school_ips": "IPS", "employment_rate_15_64": "Taux d'emploi 15-64 ans"}
            ),
            "Chiffre de la convention": [
                _num(v, 0 if i == "school_ips" else 1, "" if i == "school_ips" else " %")
                for v, i in zip(shown["convention_value"], shown["indicator_id"], strict=True)
            ],
            "Territoire": shown["territoire_nom"]
            + " ("
            + shown["territoire_type"].map(_SCOPES)
            + ")",
            "Millésime": shown["millesime"],
            "Niveau": shown["niveau"].map(_NIVEAUX),
            "Mesure": shown["mesure"].map(_MESURES),
            "Valeur": [
                _num(v, 1, "" if i == "school_ips" else " %")
                for v, i in zip(shown["valeur"], shown["indicator_id"], strict=True)
            ],
            "Égal à l'arrondi près": shown["concordant"].map({True: "oui", False: "non"}),
            "À retenir": shown["recommande"].map({True: "oui", False: ""}),
        }
    )
    parts.append(
        html_table(
            frame,
            caption="Chiffres de l'agglomération cités par la convention et candidats "
            "en données ouvertes",
        )
    )
    parts.append(
        "<p class=\"muted\">Égal à l'arrondi près : écart d'au plus une demi-unité du dernier "
        "chiffre publié par la convention. Sources : DEPP, IPS des établissements (fichiers "
        "nationaux) ; taux d'emploi d'après la base du comparateur de territoires de l'INSEE "
        "(RP 2021), fichier dérivé (source secondaire).</p>"
    )
    return Html("".join(parts))


def _concerned_codes(tables: Tables, quartier_id: str | None) -> list[str]:
    indicators = tables.communes_indicateurs
    if quartier_id is None:
        return list(indicators.loc[indicators["concerne_quartiers"], "code"])
    rows = tables.quartiers[tables.quartiers["quartier_id"].eq(quartier_id)]
    names = {n.strip() for n in str(rows["communes"].iloc[0]).split(";")} if len(rows) else set()
    return list(indicators.loc[indicators["nom"].isin(names), "code"])


def communes_html(tables: Tables, quartier_id: str | None = None) -> Html:
    """Communes concerned by the quartier (all quartiers: ``None``) beside the agglomeration."""
    indicators = getattr(tables, "communes_indicateurs", None)
    if indicators is None:
        return _notice(
            "Indicateurs des communes non disponibles : Filosofi 2021 par commune ou le "
            "recensement 2021 manquent dans les données du projet."
        )
    rows = indicators[indicators["code"].isin(_concerned_codes(tables, quartier_id))]
    frame = pd.DataFrame(
        {
            "Territoire": rows["nom"],
            "Taux de pauvreté (Filosofi 2021)": [
                "secret statistique (s)" if m == "s" else _num(v, 1, " %")
                for v, m in zip(rows["taux_pauvrete"], rows["taux_pauvrete_marker"], strict=True)
            ],
            "Niveau de vie médian (Filosofi 2021)": [
                "secret statistique (s)" if m == "s" else _num(v, 0, " €")
                for v, m in zip(
                    rows["niveau_vie_median"], rows["niveau_vie_median_marker"], strict=True
                )
            ],
            "Taux d'emploi 15-64 ans (RP 2021*)": [
                _num(v, 1, " %") for v in rows["taux_emploi_15_64"]
            ],
        }
    )
    series = getattr(tables, "series", None)
    epci_text = ""
    if series is not None:
        emp = series[
            series["indicator_id"].eq("employment_rate_15_64")
            & series["territoire_type"].eq("epci")
            & ~series["source"].str.startswith("Convention")
        ]
        if len(emp):
            frame.loc[len(frame)] = [
                f"{emp['territoire_nom'].iloc[0]} (agglomération)",
                "non publié par l'INSEE",
                "non publié par l'INSEE",
                _num(emp["value"].iloc[0], 1, " %"),
            ]
    if quartier_id is not None:
        portrait = tables.portrait[tables.portrait["quartier_id"].eq(quartier_id)]
        epci_text = "".join(
            f"{label} du quartier selon la convention : {_num(v, 1, ' %')} ({vintage}). "
            for label, ind in (
                ("Taux de pauvreté", "poverty_rate"),
                ("Taux d'emploi des 15-64 ans", "employment_rate_15_64"),
            )
            for v, vintage in portrait.loc[portrait["indicator_id"].eq(ind), ["value", "vintage"]]
            .fillna("millésime non précisé")
            .itertuples(index=False)
        )
    note = (
        '<p class="muted">Filosofi 2021 : INSEE, base communale (revenus 2021) ; secret '
        "statistique (« s ») : valeur non publiée, jamais comptée 0 ; l'INSEE ne publie pas de "
        "taux de pauvreté de l'agglomération dans ce fichier. * Taux d'emploi : d'après la base "
        "du comparateur de territoires de l'INSEE (RP 2021), fichier dérivé (source "
        "secondaire) ; (actifs − chômeurs) / population de 15-64 ans. Les chiffres des "
        "communes portent sur toute la commune, pas sur le quartier.</p>"
    )
    table = html_table(frame, caption="Les communes des quartiers : pauvreté et emploi")
    return Html((f"<p>{_esc(epci_text)}</p>" if epci_text else "") + table + note)


def trends_html(tables: Tables, figures: Sequence[str] = ("ips_evolution",)) -> Html:
    """The trend chart(s) of the ``series`` table, with INSEE's warning."""
    from indicators.figures.ips_trends import TREND_WARNING

    parts = []
    for name in figures:
        needed = {"ips_evolution": "series", "carte_pauvrete_communes": "communes_indicateurs"}[
            name
        ]
        if getattr(tables, needed, None) is None:
            parts.append(_notice(f"Figure non disponible : la table « {needed} » manque."))
            continue
        parts.append(figure_html(tables, name))
    parts.append(f'<p class="muted">{_esc(TREND_WARNING)}</p>')
    return Html('<div class="trends">' + "".join(parts) + "</div>")


def references_section_html(
    tables: Tables,
    quartier_id: str | None = None,
    *,
    references: bool = False,
    figures: Sequence[str] = ("ips_evolution",),
) -> Html:
    """One call per notebook: references (dossier), the communes, then the trend figures."""
    parts = [references_html(tables)] if references else []
    parts += [communes_html(tables, quartier_id), trends_html(tables, figures)]
    return Html("".join(parts))
