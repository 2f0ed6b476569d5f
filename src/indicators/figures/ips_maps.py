"""Maps of the school IPS by commune: the choropleth and the gap to the agglomeration.

The IPS of a commune is the unweighted mean of the published IPS of its schools
(:func:`~indicators.analysis.ips_layers.communes_with_ips`); a commune without a published
IPS is hatched grey « IPS non publié », never coloured as a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
from matplotlib.axes import Axes

from indicators.analysis.ips_layers import communes_with_ips
from indicators.errors import InputError, ParameterError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.figures.gap_map import plot_gap_map
from indicators.numbers import format_number
from indicators.sources.layers import check_choice
from indicators.territory import the_epci

#: Classification methods offered, with their French names for the legend.
SCHEMES: dict[str, str] = {
    "quantiles": "quantiles",
    "equal_interval": "amplitudes égales",
    "fisher_jenks": "seuils naturels (Fisher-Jenks)",
    "natural_breaks": "seuils naturels (Jenks)",
}
NIVEAUX = {"ecole": "écoles", "college": "collèges", "ensemble": "écoles et collèges"}
SECTEURS = {"ensemble": "public et privé", "public": "public", "privé": "privé"}
SOURCE_IPS = "DEPP, indice de position sociale (IPS) des établissements"
MISSING_IPS_LABEL = "IPS non publié"
NO_SCHOOL_LABEL = "Pas d'école dans les fichiers de la DEPP"
#: The note under both maps; ``{epci}`` is the reference's label with its article.
IPS_NOTE = (
    "Note : moyenne non pondérée des IPS publiés des établissements de chaque commune "
    "({epci} : moyenne de ses établissements) ; un IPS « NS » (non significatif) est exclu, "
    "jamais compté comme 0."
)


def _note(reference_label: str | None) -> str:
    return IPS_NOTE.replace("{epci}", the_epci(reference_label))


def _default_labels(layer: gpd.GeoDataFrame, highlight: Mapping[str, str] | None) -> list[str]:
    """The communes concerned by the quartiers, else those of ``highlight``."""
    flagged = layer.get("concerne_quartiers")
    if flagged is not None and flagged.astype(bool).any():
        return list(layer.loc[flagged.astype(bool), "code"])
    return list(highlight or {})


def plot_ips_choropleth(
    communes: gpd.GeoDataFrame,
    ips_communes: pd.DataFrame,
    rentree: str,
    *,
    secteur: str = "ensemble",
    niveau: str = "ecole",
    scheme: str = "quantiles",
    k: int = 5,
    labels: Sequence[str] | None = None,
    reference_label: str | None = None,
    highlight: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Mean school IPS of each commune of the EPCI for one rentrée (DEPP open data).

    Sequential colour classes computed by mapclassify on the communes that have a
    published IPS; the legend names the method and gives every class's bounds and
    number of communes in French format. Communes without a published IPS (no school in
    the files, or only « NS ») are hatched grey under « IPS non publié ». The
    agglomeration's own mean (over its schools) is given in the legend.

    Parameters
    ----------
    communes
        The ``communes`` table (GeoDataFrame, ``code``, ``nom``).
    ips_communes
        The ``ips_communes`` table (one row per territory × rentrée × niveau × secteur).
    rentree
        e.g. ``"2022-2023"``.
    secteur
        ``"ensemble"``, ``"public"`` or ``"privé"``.
    niveau
        ``"ecole"``, ``"college"`` or ``"ensemble"``.
    scheme
        ``"quantiles"``, ``"equal_interval"``, ``"fisher_jenks"`` or ``"natural_breaks"``.
    k
        Number of classes (fewer if there are fewer distinct values).
    labels
        INSEE codes of the communes to name (default: those flagged
        ``concerne_quartiers``, else ``highlight``).
    reference_label
        The EPCI's short label (``territory.epci.label``) for the legend and the note;
        ``None``: « l'agglomération ».
    highlight
        INSEE code → name of the commune(s) of the convention (``territory.commune_names``),
        named when no commune is flagged ``concerne_quartiers``.
    title, ax
        Title override; Axes to draw in (a new figure when ``None``).

    Raises
    ------
    ParameterError
        Unknown rentrée, secteur, niveau or scheme, or ``k`` < 2 (before drawing).
    InputError
        Missing columns, layer without CRS, empty geometry.
    """
    check_choice(scheme, list(SCHEMES), "classification scheme")
    if not isinstance(k, int) or k < 2:
        raise ParameterError(f"k must be an integer of at least 2, got {k!r}")
    layer = communes_with_ips(communes, ips_communes, rentree, secteur=secteur, niveau=niveau)
    published = layer[layer["ips_publie"]]
    missing = layer[~layer["ips_publie"]]
    if published.empty:
        raise InputError(
            f"at least one commune with a published IPS for {niveau} {secteur} {rentree}",
            context="table 'ips_communes'",
        )
    classifier = kit.classify(published["ips_moyen"].to_numpy(dtype=float), scheme, k)
    n_classes = len(classifier.bins)
    colors = style.class_colors(style.SEQUENTIAL_LEVEL, n_classes)
    bounds = kit.class_labels(float(published["ips_moyen"].min()), list(classifier.bins))
    if labels is None:
        labels = _default_labels(layer, highlight)

    with style.style_context():
        ax = kit.frame(ax, layer)
        counts = kit.draw_classes(ax, published, classifier.yb, colors)
        no_school = missing[missing["n_etablissements"] == 0]
        unpublished = missing[missing["n_etablissements"] > 0]
        kit.draw_missing(ax, unpublished)
        blank_entries = kit.draw_blank(ax, no_school, NO_SCHOOL_LABEL, "commune")
        kit.draw_boundaries(ax, layer)
        handles = kit.class_patches(colors, bounds, counts, "commune", edgecolor="none")
        # Why a commune has no value: no school in the files, or IPS not published.
        handles += kit.missing_entries(
            unpublished, f"{MISSING_IPS_LABEL} (« NS » ou vide)", "commune"
        )
        handles += blank_entries
        reference = float(layer["ips_epci"].iloc[0])
        legend_title = (
            f"IPS moyen des {NIVEAUX[niveau]} ({SECTEURS[secteur]})\n"
            f"Classes : {SCHEMES[scheme]} ({n_classes} classes)"
        )
        if not math.isnan(reference):
            mean = f"Moyenne de {the_epci(reference_label)}"
            legend_title += f"\n{style.escape_text(mean)} : {format_number(reference, 1)}"
        legend = kit.legend(ax, handles, legend_title)
        legend.set_gid("classes")
        kit.label_features(ax, layer, labels, repel=True)
        kit.finish(
            ax,
            title
            or f"Indice de position sociale des {NIVEAUX[niveau]} par commune, rentrée {rentree}",
            f"Sources : {SOURCE_IPS}, rentrée {rentree} ; {kit.SOURCE_COMMUNES}.",
            note=_note(reference_label),
            below=[legend],
        )
    return ax


def plot_ips_gap_map(
    communes: gpd.GeoDataFrame,
    ips_communes: pd.DataFrame,
    rentree: str,
    *,
    secteur: str = "ensemble",
    niveau: str = "ecole",
    labels: Sequence[str] | None = None,
    reference_label: str | None = None,
    highlight: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each commune's mean school IPS minus the agglomeration's, diverging around 0.

    ``labels``, ``reference_label`` and ``highlight`` as in :func:`plot_ips_choropleth`.
    """
    layer = communes_with_ips(communes, ips_communes, rentree, secteur=secteur, niveau=niveau)
    if layer["ips_epci"].isna().all():
        raise InputError(
            f"an agglomeration (epci) row for {niveau} {secteur} {rentree}",
            context="table 'ips_communes'",
        )
    if labels is None:
        labels = _default_labels(layer, highlight)
    reference = format_number(float(layer["ips_epci"].iloc[0]), 1)
    epci = the_epci(reference_label)
    return plot_gap_map(
        layer,
        "ecart_epci",
        polarity=1,
        title=f"Écart de l'IPS moyen des {NIVEAUX[niveau]} à celui de {epci}, rentrée {rentree}",
        source=f"Sources : {SOURCE_IPS}, rentrée {rentree} ({SECTEURS[secteur]}) ; "
        f"{kit.SOURCE_COMMUNES}.",
        legend_title=f"Écart à la moyenne de {style.escape_text(epci)} ({reference}), "
        "en points d'IPS\n"
        "Classes symétriques autour de 0 (borne inférieure incluse)",
        labels=labels,
        feature_word="commune",
        note=_note(reference_label),
        missing_label=f"{MISSING_IPS_LABEL} (« NS » ou vide)",
        blank=layer["n_etablissements"].eq(0),
        blank_label=NO_SCHOOL_LABEL,
        ax=ax,
    )
