"""Text alternatives of the figures, written from the data they draw (French).

A screen-reader user, or a reader of the tagged PDF, gets what the figure shows: for a
gap chart each indicator's value, the agglomeration's and the reading of the gap
(« Taux de pauvreté : 50,9 % dans le quartier, 18,8 % dans l'agglomération, écart
défavorable de 32,1 points »); for a map what it shows, its classes with their counts,
why some communes have no value and where the communes of the quartiers stand.

Every function has the registry's shape ``(tables, territory, **params) -> str``
(:data:`indicators.figures.registry.FIGURES`); the texts use the same French number
typography as the figures (:mod:`indicators.numbers`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.catalog import BY_ID
from indicators.french import plural
from indicators.numbers import MISSING_TEXT, format_number, format_value
from indicators.territory import Territory, the_epci

__all__ = [
    "action_states_alt",
    "gap_chart_alt",
    "gap_sentence",
    "gaps_across_alt",
    "grid_map_alt",
    "ips_choropleth_alt",
    "ips_gap_map_alt",
    "locator_alt",
    "quartier_communes_alt",
]

Tables = Mapping[str, pd.DataFrame]
KEY_INDICATORS = ("poverty_rate", "employment_rate_15_64", "school_ips")


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _name(tables: Tables, quartier_id: str) -> str:
    rows = tables["quartiers"].loc[tables["quartiers"]["quartier_id"] == quartier_id, "name"]
    return _text(rows.iloc[0]) if len(rows) else quartier_id


def _order(indicator_id: str) -> int:
    spec = BY_ID.get(indicator_id)
    return spec.order if spec is not None else 10_000


def _label(indicator_id: str) -> str:
    spec = BY_ID.get(indicator_id)
    return spec.label_fr if spec is not None else indicator_id


def _unsigned(label: str) -> str:
    return label.replace("+", "").replace("−", "").replace("-", "").strip()


def _of(text: str) -> str:
    """« de 32,1 points », « d'au moins 11,2 points »."""
    return f"d'{text}" if text[:1] in "aeiouéèê" else f"de {text}"


def _sentence(text: str) -> str:
    """« Text. » after a space, or nothing for an empty text."""
    return f" {text[:1].upper()}{text[1:]}." if text else ""


def gap_words(row: pd.Series) -> str:
    """« écart défavorable de 32,1 points », « supérieur de 9,1 points »… for a gap row."""
    label = _unsigned(_text(row["label_fr"]))
    reading = _text(row["reading"])
    if not label or pd.isna(row["gap"]):
        return "écart non calculable"
    if reading in ("défavorable", "favorable"):
        return f"écart {reading} {_of(label)}"
    if reading in ("supérieur", "inférieur"):
        return f"{reading} {_of(label)}"
    if reading == "équivalent":
        return f"écart {_of(label)}, dans la marge d'arrondi (équivalent)"
    return f"écart {_of(label)}"


def gap_sentence(row: pd.Series, where: str = "dans le quartier") -> str:
    """One indicator of a gap row: value, reference, reading."""
    unit = BY_ID[row["indicator_id"]].unit if row["indicator_id"] in BY_ID else None
    value = format_value(row["value"], unit, _text(row["value_qualifier"]) or "exact")
    reference = format_value(
        row["reference_value"], unit, _text(row["reference_qualifier"]) or "exact"
    )
    return (
        f"{_label(row['indicator_id'])} : {value} {where}, {reference} dans "
        f"l'agglomération, {gap_words(row)}"
    )


def gap_chart_alt(tables: Tables, territory: Territory, *, quartier_id: str) -> str:
    """Every indicator of the quartier's gap chart, in the chart's order."""
    gaps = tables["gaps"][tables["gaps"]["quartier_id"] == quartier_id]
    gaps = gaps.assign(_o=gaps["indicator_id"].map(_order)).sort_values("_o", kind="stable")
    sentences = [gap_sentence(row) for _, row in gaps.iterrows()]
    shown = set(gaps["indicator_id"])
    portrait = tables["portrait"]
    given = set(portrait.loc[portrait["quartier_id"] == quartier_id, "indicator_id"])
    for indicator in KEY_INDICATORS:
        if indicator not in shown:
            why = "sans valeur de référence" if indicator in given else MISSING_TEXT
            sentences.append(f"{_label(indicator)} : {why}")
    head = f"Graphique : {_name(tables, quartier_id)} comparé à {the_epci(territory.epci.label)}"
    return head + ". " + " ; ".join(sentences) + "."


def gaps_across_alt(tables: Tables, territory: Territory) -> str:
    """Per indicator, every quartier's gap with its reading."""
    gaps = tables["gaps"]
    ids = list(tables["quartiers"]["quartier_id"])
    indicators = sorted(set(gaps["indicator_id"]) | set(KEY_INDICATORS), key=_order)
    parts = []
    for indicator in indicators:
        rows = gaps[gaps["indicator_id"] == indicator].set_index("quartier_id")
        each = []
        for quartier in ids:
            if quartier in rows.index:
                row = rows.loc[quartier]
                label = _text(row["label_fr"]) or MISSING_TEXT
                reading = _text(row["reading"])
                each.append(
                    f"{_name(tables, quartier)} {label}" + (f" ({reading})" if reading else "")
                )
            else:
                each.append(f"{_name(tables, quartier)} {MISSING_TEXT}")
        parts.append(f"{_label(indicator)} : " + ", ".join(each))
    epci = the_epci(territory.epci.label)
    return f"Graphique : écarts des quartiers à {epci}, par indicateur. " + " ; ".join(parts) + "."


def _concerned(tables: Tables) -> list[str]:
    communes = tables["communes"]
    if "concerne_quartiers" in communes.columns:
        flagged = communes[communes["concerne_quartiers"].astype(bool)]
        return [str(n) for n in flagged["nom"]]
    return []


def _quartier_communes_text(tables: Tables) -> str:
    parts = []
    for _, row in tables["quartiers"].iterrows():
        communes = _text(row.get("communes")).replace(";", ",")
        parts.append(f"{_text(row['name'])} ({communes})" if communes else _text(row["name"]))
    return " ; ".join(parts)


def locator_alt(tables: Tables, territory: Territory) -> str:
    """The agglomeration's communes, those concerned by the quartiers, the quartiers."""
    n = len(tables["communes"])
    concerned = _concerned(tables) or list(territory.commune_names.values())
    epci = the_epci(territory.epci.label)
    return (
        f"Carte des {plural(n, 'commune')} de {epci}. En couleur et nommées : les communes "
        f"concernées par les quartiers, {', '.join(concerned)}. Quartiers et communes : "
        f"{_quartier_communes_text(tables)}."
    )


def quartier_communes_alt(tables: Tables, territory: Territory, *, quartier_id: str) -> str:
    """The quartier's communes, named and highlighted, in their surroundings."""
    row = tables["quartiers"][tables["quartiers"]["quartier_id"] == quartier_id].iloc[0]
    communes = _text(row.get("communes")).replace(";", ",") or MISSING_TEXT
    shapes = tables.get("quartier_shapes")
    drawn = (
        shapes is not None
        and "quartier_id" in shapes.columns
        and (shapes["quartier_id"] == quartier_id).any()
    )
    contour = (
        "le contour du quartier est tracé"
        if drawn
        else "le contour du quartier n'est pas tracé (aucun contour fourni)"
    )
    return (
        f"Carte : {_text(row['name'])}, communes concernées mises en évidence et nommées : "
        f"{communes} ; {contour}."
    )


def _ips_layer(tables: Tables, rentree: str) -> pd.DataFrame:
    from indicators.analysis.ips_layers import communes_with_ips

    return communes_with_ips(tables["communes"], tables["ips_communes"], rentree)


def _missing_text(layer: pd.DataFrame) -> str:
    missing = layer[~layer["ips_publie"]]
    no_school = int((missing["n_etablissements"] == 0).sum())
    unpublished = len(missing) - no_school
    parts = []
    if unpublished:
        parts.append(f"IPS non publié (« NS » ou vide) : {plural(unpublished, 'commune')}")
    if no_school:
        parts.append(f"pas d'école dans les fichiers : {plural(no_school, 'commune')}")
    return " ; ".join(parts)


def _where_concerned(layer: pd.DataFrame, describe: dict[str, str]) -> str:
    flagged = layer.get("concerne_quartiers")
    if flagged is None or not flagged.astype(bool).any():
        return ""
    parts = []
    for _, row in layer[flagged.astype(bool)].iterrows():
        parts.append(f"{row['nom']} : {describe.get(str(row['code']), MISSING_TEXT)}")
    return " Communes des quartiers : " + " ; ".join(parts) + "."


def ips_choropleth_alt(tables: Tables, territory: Territory, *, rentree: str) -> str:
    """The map's classes (quantiles, as drawn) with their counts, and the quartiers' communes."""
    import numpy as np

    from indicators.figures.mapkit import class_labels, classify

    layer = _ips_layer(tables, rentree)
    published = layer[layer["ips_publie"]]
    epci = the_epci(territory.epci.label)
    head = f"Carte : IPS moyen des écoles par commune de {epci}, rentrée {rentree}"
    if published.empty:
        return head + ", aucun IPS publié."
    values = published["ips_moyen"].to_numpy(dtype=float)
    classifier = classify(values, "quantiles", 5)
    bounds = class_labels(float(values.min()), list(classifier.bins))
    counts = np.bincount(classifier.yb, minlength=len(bounds))
    classes = ", ".join(
        f"{b} ({plural(int(c), 'commune')})" for b, c in zip(bounds, counts, strict=True)
    )
    describe = {
        str(code): f"{format_number(v, 1)}, classe {int(k) + 1} sur {len(bounds)}"
        for code, v, k in zip(published["code"], values, classifier.yb, strict=True)
    }
    for _, row in layer[~layer["ips_publie"]].iterrows():
        describe[str(row["code"])] = (
            "pas d'école" if int(row["n_etablissements"]) == 0 else "IPS non publié"
        )
    mean = float(layer["ips_epci"].iloc[0])
    text = (
        f"{head}, en {plural(len(bounds), 'classe')} de quantiles, des plus faibles (clair) "
        f"aux plus élevés (foncé) : {classes}.{_sentence(_missing_text(layer))}"
    )
    if not pd.isna(mean):
        text += f" Moyenne de {epci} : {format_number(mean, 1)}."
    return text + _where_concerned(layer, describe)


def ips_gap_map_alt(tables: Tables, territory: Territory, *, rentree: str) -> str:
    """Communes above and below the agglomeration's mean IPS, the quartiers' communes."""
    layer = _ips_layer(tables, rentree)
    epci = the_epci(territory.epci.label)
    gaps = layer["ecart_epci"].dropna()
    above, below = int((gaps > 0).sum()), int((gaps < 0).sum())
    describe = {
        str(code): f"{format_number(g, 1, sign=True)} points"
        for code, g in zip(layer["code"], layer["ecart_epci"], strict=True)
        if not pd.isna(g)
    }
    return (
        f"Carte : écart de l'IPS moyen des écoles de chaque commune à celui de {epci}, "
        f"rentrée {rentree}. {plural(above, 'commune')} au-dessus, {plural(below, 'commune')} "
        f"en dessous.{_sentence(_missing_text(layer))}" + _where_concerned(layer, describe)
    )


def grid_map_alt(tables: Tables, territory: Territory) -> str:
    """How many cells are drawn and the range of the published shares."""
    grid = tables["grid"]
    return (
        "Carte : part des ménages pauvres par carreau de 200 m "
        f"({plural(len(grid), 'carreau', 'carreaux')} de la grille Filosofi ; un carreau "
        "de moins de 11 ménages n'est pas publié)."
    )


def action_states_alt(
    tables: Tables, territory: Territory, *, quartier_id: str, year: int | None = None
) -> str:
    """Per enjeu, the number of actions in each state, for ``year`` (default: the latest)."""
    from indicators.analysis.suivi import year_state_counts

    year, counts = year_state_counts(tables["objectives"], tables["suivi"], year)
    mine = counts[counts["quartier_id"] == quartier_id]
    parts = []
    for enjeu, rows in mine.groupby("enjeu", sort=True):
        states = ", ".join(
            f"{state} : {int(n)}"
            for state, n in zip(rows["etat"], rows["actions"], strict=True)
            if int(n)
        )
        parts.append(f"enjeu {enjeu} : {states or 'aucune action'}")
    return (
        f"Graphique : actions de {_name(tables, quartier_id)} par état, {year}. "
        + " ; ".join(parts)
        + "."
    )
