"""The fiche's section on the quartier's perimeters: both codes, both areas, the map, the grid.

The convention's figures are on the old (2015) perimeter; the map and the Filosofi grid
estimates are on the 2024 one. :func:`perimeter_html` says so for a QPV (2015 and 2024
codes, the convention's area and the 2024 contour's, the correspondence which is not an
official table), draws the quartier's map (the build's PNG when it made one) and shows
the convention's figures and the grid estimates side by side — in separate columns,
never the estimate in the convention's column. A quartier without shape (a QIC) gets a
plain statement that no perimeter exists and how the commune can supply one.
"""

from __future__ import annotations

import html

import pandas as pd

from indicators.numbers import format_number
from indicators.report.markup import Html
from indicators.report.tables import Tables

__all__ = ["perimeter_html"]

_NBSP = "\u00a0"
_HOW_TO = (
    "Pour le cartographier, la commune peut fournir le contour du quartier (un fichier "
    "GeoJSON ou GeoPackage, identifiant du quartier « {qid} », système de coordonnées "
    "déclaré) au service qui produit ces documents, avec les données brutes du projet "
    "(dossier des périmètres). La carte et les estimations carroyées sont alors produites "
    "comme pour les QPV."
)


def _portrait_value(tables: Tables, quartier_id: str, indicator: str) -> float | None:
    portrait = tables.portrait
    rows = portrait[
        (portrait["quartier_id"] == quartier_id) & (portrait["indicator_id"] == indicator)
    ]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        return None
    return float(rows["value"].iloc[0])


def _fmt(value: object, decimals: int = 0, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "non disponible"
    text = format_number(float(value), decimals)
    return f"{text}{_NBSP}{unit}" if unit else text


def perimeter_html(tables: Tables, quartier_id: str, *, level: int = 2) -> Html:
    """The « Périmètres » section of a quartier's fiche (French HTML)."""
    quartiers = tables.quartiers
    row = quartiers[quartiers["quartier_id"] == quartier_id].iloc[0]
    old_code = row.get("code")
    old_code = old_code if isinstance(old_code, str) and old_code else None
    shapes = tables.quartier_shapes
    shape = None if shapes is None else shapes[shapes["quartier_id"] == quartier_id]
    h = f"h{level}"
    parts = [f"<{h}>Périmètres : convention et géographie 2024</{h}>"]
    if shape is None or shape.empty:
        status = "quartier prioritaire" if old_code else "quartier d'intérêt communautaire"
        parts.append(
            f"<p><strong>Aucun périmètre n'existe pour ce {status}</strong> : ni contour "
            "officiel, ni périmètre fourni par la commune. Aucune carte du quartier n'est "
            "dessinée et aucune estimation carroyée n'est calculée.</p>"
        )
        parts.append(f"<p>{_HOW_TO.format(qid=html.escape(quartier_id))}</p>")
        return Html("\n".join(parts))

    item = shape.iloc[0]
    new_code = str(item.get("code_qp") or "")
    area_2024 = float(item.geometry.area) / 10_000
    area_old = _portrait_value(tables, quartier_id, "area_ha")
    if new_code:
        codes = (
            "Code du quartier dans la convention (géographie 2015) : "
            f"<strong>{old_code}</strong> ; "
            f"code 2024 : <strong>{new_code}</strong>. Cette correspondance est établie par le "
            "projet d'après le nom et les communes du quartier : ce n'est pas une table "
            "officielle."
            if old_code and old_code != new_code
            else f"Code QPV : <strong>{new_code}</strong>."
        )
        source = "contour officiel QPV 2024 (ANCT, copie simplifiée)"
    else:
        codes = "Quartier sans code QPV."
        source = "périmètre fourni par la commune"
    parts.append(f"<p>{codes}</p>")
    parts.append(
        "<p>Surface : "
        f"{_fmt(area_old, 0, 'ha')} selon la convention (ancien périmètre, celui de ses "
        f"chiffres) ; {_fmt(area_2024, 1, 'ha')} pour le {source} (Lambert-93), sur lequel "
        "sont établies la carte et les estimations carroyées ci-dessous.</p>"
    )
    parts.append(_map_html(tables, quartier_id))
    parts.append(_estimates_html(tables, quartier_id))
    return Html("\n".join(parts))


def _map_html(tables: Tables, quartier_id: str) -> str:
    from indicators.report.figures_html import figure_html

    if "grid" not in tables or "communes" not in tables:  # present, not read
        return '<p class="muted">Pas de carroyage Filosofi : carte du quartier non dessinée.</p>'
    return str(figure_html(tables, f"carte_quartier_{quartier_id}"))


def _estimates_html(tables: Tables, quartier_id: str) -> str:
    estimates = tables.grid_quartiers
    if estimates is None:
        return '<p class="muted">Pas de carroyage Filosofi : aucune estimation carroyée.</p>'
    rows = estimates[estimates["quartier_id"] == quartier_id]
    if rows.empty or (int(rows["n_cells"].fillna(0).iloc[0]) == 0 and not rows["secret"].iloc[0]):
        return (
            '<p class="muted">Aucun carreau Filosofi habité dans le périmètre 2024 : pas '
            "d'estimation carroyée pour ce quartier.</p>"
        )
    est = rows.iloc[0]
    vintage = str(est.get("vintage") or "")
    if bool(est["secret"]):
        return (
            f"<p>Estimations carroyées non publiées : {html.escape(str(est['secret_reason']))}.</p>"
        )
    conv = {
        k: _portrait_value(tables, quartier_id, k)
        for k in ("poverty_rate", "population", "social_housing_share")
    }
    lines = [
        (
            "Pauvreté",
            f"taux de pauvreté des personnes : {_fmt(conv['poverty_rate'], 1, '%')}",
            f"part des ménages pauvres : {_fmt(est['part_menages_pauvres'], 1, '%')}",
        ),
        (
            "Population",
            f"{_fmt(conv['population'], 0)} habitants",
            f"{_fmt(est['ind'], 0)} personnes, {_fmt(est['men'], 0)} ménages",
        ),
        (
            "Logement social",
            f"part du parc social : {_fmt(conv['social_housing_share'], 1, '%')}",
            f"part des logements sociaux : {_fmt(est['part_logements_sociaux'], 1, '%')}",
        ),
        (
            "Niveau de vie",
            "non donné par la convention",
            f"niveau de vie moyen par personne : {_fmt(est['niveau_vie_moyen'], 0, '€')}",
        ),
        (
            "Carreaux imputés",
            "sans objet",
            f"{_fmt(est['part_ind_cellules_imputees'], 1, '%')} des personnes",
        ),
    ]
    head = (
        "<tr><th scope='col'>Thème</th><th scope='col'>Convention (ancien périmètre, "
        "source de la convention)</th><th scope='col'>Estimation carroyée (périmètre 2024, "
        f"Insee Filosofi {vintage}, carreaux de 200{_NBSP}m)</th></tr>"
    )
    body = "".join(
        f"<tr><th scope='row'>{a}</th><td>{b}</td><td>{c} (estimation)</td></tr>"
        for a, b, c in lines
    )
    return (
        "<table class='data'><caption>Chiffres de la convention et estimations carroyées"
        f"</caption><thead>{head}</thead><tbody>{body}</tbody></table>"
        f"<p class='muted'>Méthode des estimations : {html.escape(str(est['method_label']))} "
        f"({html.escape(str(est['method']))}, {_fmt(est['n_cells'], 0)} carreaux habités), "
        "seule méthode publiée. Les deux colonnes ne se comparent pas terme à terme : la "
        "convention donne un taux de pauvreté des <em>personnes</em> sur l'ancien périmètre, "
        "le carroyage une part des <em>ménages</em> pauvres, sur le périmètre 2024, en "
        "comptant des carreaux entiers de 200 m qui débordent ou manquent une partie du "
        "quartier.</p>"
    )
