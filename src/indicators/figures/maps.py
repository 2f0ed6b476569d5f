"""Maps in Lambert-93 (EPSG:2154), in French cartographic conventions.

Every map has a title, its source and the date it was drawn, a scale bar in kilometres
and a north arrow; every choropleth states its classification method and class bounds in
the legend (mapclassify), in French number format. Sequential ramps for levels and rates,
a diverging ramp centred on 0 for gaps, hatched grey — with its own legend entry — for
areas without a published value: a missing or secret value is never drawn as a value.

Inputs are checked **before anything is drawn**: a layer without CRS or with an empty
geometry is an :class:`~indicators.errors.InputError`; an unknown quartier id, rentrée,
sector, level or classification method is a :class:`~indicators.errors.ParameterError`.
A declared CRS other than Lambert-93 is reprojected (never assumed).

Quartier perimeters are drawn only when they are supplied (official QPV contours or
perimeters drawn by the commune, the ``quartier_shapes`` table); otherwise the locator map
says so in a visible note. Nothing is drawn from guesswork.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box

if TYPE_CHECKING:
    from mapclassify.classifiers import MapClassifier
from indicators.errors import InputError, ParameterError
from indicators.figures import style
from indicators.numbers import NBSP, format_number

LAMBERT93 = "EPSG:2154"
#: Minimum number of households behind any figure shown or exported (statistical secrecy).
MIN_HOUSEHOLDS = 11
#: INSEE code of Divion, the commune this project is for.
DIVION = "62270"

#: Classification methods offered, with their French names for the legend.
SCHEMES: dict[str, str] = {
    "quantiles": "quantiles",
    "equal_interval": "amplitudes égales",
    "fisher_jenks": "seuils naturels (Fisher-Jenks)",
    "natural_breaks": "seuils naturels (Jenks)",
}
NIVEAUX = {"ecole": "écoles", "college": "collèges", "ensemble": "écoles et collèges"}
SECTEURS = {"ensemble": "public et privé", "public": "public", "privé": "privé"}
IPS_COMMUNE_COLUMNS = (
    "territoire_type",
    "territoire_code",
    "rentree",
    "niveau",
    "secteur",
    "n_etablissements",
    "n_ips",
    "n_ns",
    "ips_moyen",
)
SOURCE_COMMUNES = "IGN, Admin Express COG 2018 ; DGCL, composition des EPCI 2026"
SOURCE_IPS = "DEPP, indice de position sociale (IPS) des établissements"
MISSING_IPS_LABEL = "IPS non publié"
IPS_NOTE = (
    "Note : moyenne non pondérée des IPS publiés des établissements de chaque commune (la "
    "CABBALR : moyenne de ses établissements) ; un IPS « NS » (non significatif) est exclu, "
    "jamais compté comme 0."
)
SECRET_LABEL = f"Moins de {MIN_HOUSEHOLDS} ménages : non diffusé"
#: Columns of a grid cell (or aggregate) that are figures computed from its households.
GRID_FIGURES = ("ind", "men", "men_pauv", "ind_snv", "log_soc", "log_total")


# --- checks ----------------------------------------------------------------------------


def check_layer(layer: object, name: str) -> gpd.GeoDataFrame:
    """A copy of ``layer`` in Lambert-93, after checking its CRS and geometries.

    Raises
    ------
    InputError
        Not a GeoDataFrame, no CRS, or a missing / empty geometry (naming the feature).
    """
    if not isinstance(layer, gpd.GeoDataFrame):
        raise InputError("a GeoDataFrame", context=f"layer {name!r}", found=type(layer).__name__)
    if layer.crs is None:
        raise InputError(
            "a layer with a declared CRS (e.g. EPSG:2154); none is assumed",
            context=f"layer {name!r}",
        )
    geometry = layer.geometry
    bad = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("a non-empty geometry", context=f"layer {name!r}", feature=i)
    return layer.to_crs(LAMBERT93)


def _require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"columns {', '.join(missing)}", context=f"table {table!r}")


def _choice(value: object, allowed: Sequence[object], what: str) -> None:
    if value not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise ParameterError(f"unknown {what} {value!r}; expected one of: {shown}")


# --- data for the maps -----------------------------------------------------------------


def communes_with_ips(
    communes: gpd.GeoDataFrame,
    ips_communes: pd.DataFrame,
    rentree: str,
    *,
    secteur: str = "ensemble",
    niveau: str = "ecole",
) -> gpd.GeoDataFrame:
    """The communes with their mean school IPS for one rentrée, sector and level.

    Adds ``ips_moyen`` (unweighted mean of the published IPS; NaN when the commune has
    no school in the files or only « NS » values), ``n_etablissements``, ``n_ips``,
    ``n_ns``, ``ips_publie`` (bool), ``ips_cabbalr`` (the agglomeration's mean over its
    schools, from the ``epci`` row) and ``ecart_cabbalr`` (commune − agglomeration, IPS
    points; NaN when either is missing).

    Raises
    ------
    ParameterError
        ``rentree``, ``secteur`` or ``niveau`` absent from ``ips_communes``.
    InputError
        A missing column, a layer without CRS or with an empty geometry, or two rows
        for one commune.
    """
    layer = check_layer(communes, "communes")
    _require(layer, ("code", "nom"), "communes")
    _require(ips_communes, IPS_COMMUNE_COLUMNS, "ips_communes")
    _choice(rentree, sorted(ips_communes["rentree"].unique()), "rentrée")
    at = ips_communes[ips_communes["rentree"] == rentree]
    _choice(niveau, sorted(at["niveau"].unique()), f"niveau for rentrée {rentree}")
    at = at[at["niveau"] == niveau]
    _choice(secteur, sorted(at["secteur"].unique()), f"secteur for {niveau} {rentree}")
    at = at[at["secteur"] == secteur]
    rows = at[at["territoire_type"] == "commune"]
    duplicated = rows["territoire_code"].duplicated()
    if duplicated.any():
        raise InputError(
            "one row per commune, rentrée, niveau and secteur",
            context="table 'ips_communes', column 'territoire_code'",
            found=str(rows.loc[duplicated, "territoire_code"].iloc[0]),
        )
    columns = ["n_etablissements", "n_ips", "n_ns", "ips_moyen"]
    merged = layer.merge(
        rows.set_index("territoire_code")[columns],
        left_on="code",
        right_index=True,
        how="left",
    )
    for column in ("n_etablissements", "n_ips", "n_ns"):
        merged[column] = merged[column].fillna(0).astype("int64")
    merged["ips_publie"] = merged["ips_moyen"].notna()
    epci = at[at["territoire_type"] == "epci"]["ips_moyen"]
    merged["ips_cabbalr"] = float(epci.iloc[0]) if len(epci) == 1 else math.nan
    merged["ecart_cabbalr"] = merged["ips_moyen"] - merged["ips_cabbalr"]
    return gpd.GeoDataFrame(merged, geometry=layer.geometry.name, crs=LAMBERT93)


def mask_small_cells(cells: pd.DataFrame, min_households: int = MIN_HOUSEHOLDS) -> pd.DataFrame:
    """Grid cells with every figure of a cell of fewer than ``min_households`` blanked.

    Adds ``secret`` (bool) and ``part_menages_pauvres`` (%, poor households ÷
    households × 100, « part des ménages pauvres (carroyage) » — not INSEE's poverty
    rate, which counts persons). A cell with fewer than ``min_households`` households,
    or an unknown number of them, keeps its identifier, position and imputation flag;
    its figures become missing (NaN), never 0.

    >>> cells = pd.DataFrame({"men": [8.0, 40.0], "men_pauv": [3.0, 14.0]})
    >>> out = mask_small_cells(cells)
    >>> out["secret"].tolist(), out["part_menages_pauvres"].tolist()[1]
    ([True, False], 35.0)
    >>> bool(out["men"].isna().iloc[0])
    True
    """
    _require(cells, ("men", "men_pauv"), "grid")
    out = cells.copy()
    households = out["men"].astype("float64")
    secret = ~(households >= min_households)
    out["part_menages_pauvres"] = (100 * out["men_pauv"] / households).where(~secret)
    for column in GRID_FIGURES:
        if column in out.columns:
            out[column] = out[column].astype("float64").where(~secret)
    out["secret"] = secret.to_numpy()
    return out


# --- shared drawing --------------------------------------------------------------------


def _frame(ax: Axes | None, layer: gpd.GeoDataFrame, legend_height: float = 2.0) -> Axes:
    """A map Axes; a new A4-wide figure whose height follows the layer's shape."""
    if ax is None:
        x0, y0, x1, y1 = layer.total_bounds
        aspect = (y1 - y0) / (x1 - x0) if x1 > x0 else 1.0
        height = min(style.A4_WIDTH * aspect, 7.0) + legend_height
        _, ax = style.new_figure(style.A4_WIDTH, height)
    style.set_map_frame(ax)
    return ax


def _legend(ax: Axes, handles: list, title: str, *, ncols: int = 1) -> Legend:
    """The map's legend, under the map on the left."""
    legend = ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.01),
        ncols=ncols,
        fontsize=style.TICK_SIZE - 0.5,
        title_fontproperties={"weight": "bold", "size": style.TICK_SIZE - 0.5},
        alignment="left",
        borderaxespad=0.0,
        handlelength=1.6,
        handleheight=1.1,
    )
    legend.set_gid("legend")
    return legend


def _finish(
    ax: Axes,
    title: str,
    source: str,
    *,
    note: str | None = None,
    below: Sequence[Artist] = (),
) -> None:
    ax.set_title(style.escape_text(title), loc="left", pad=8)
    style.add_scale_bar(ax)
    style.add_north_arrow(ax, xy=(0.97, 0.93))
    text = f"{source} Réalisation : {style.production_date()}."
    style.add_source(ax, text, note=note, below=below)


def _outline(ax: Axes, layer: gpd.GeoDataFrame) -> None:
    """The agglomeration's outer boundary, drawn thick."""
    boundary = gpd.GeoSeries([layer.union_all()], crs=layer.crs)
    boundary.boundary.plot(ax=ax, color="#4d4d4d", linewidth=1.1, zorder=5)


def _labels(
    ax: Axes,
    layer: gpd.GeoDataFrame,
    codes: Sequence[str],
    *,
    bold: bool = True,
    repel: bool = False,
) -> None:
    """Name features at their representative point.

    With ``repel``, labels are pushed 30 points away from the group's centre along the
    direction of each feature, with a leader line: neighbouring communes' names then do
    not overlap.
    """
    points = layer.set_index("code").loc[[c for c in codes if c in set(layer["code"])]]
    if points.empty:
        return
    xy = np.array(
        [(g.representative_point().x, g.representative_point().y) for g in points.geometry]
    )
    centre = xy.mean(axis=0)
    for (code, row), (x, y) in zip(points.iterrows(), xy, strict=True):
        offset = (0.0, 0.0)
        if repel and len(points) > 1:
            direction = np.array([x, y]) - centre
            norm = float(np.hypot(*direction))
            direction = direction / norm if norm > 0 else np.array([0.0, -1.0])
            offset = (float(direction[0] * 34), float(direction[1] * 26))
        ha = "center" if abs(offset[0]) < 10 else ("left" if offset[0] > 0 else "right")
        text = ax.annotate(
            style.escape_text(row["nom"]),
            xy=(x, y),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=style.TICK_SIZE if bold else style.TICK_SIZE - 1.5,
            fontweight="bold" if bold else "normal",
            color=style.TEXT_COLOR if bold else style.NOTE_COLOR,
            zorder=8,
            gid=f"label_{code}",
            arrowprops=(
                {
                    "arrowstyle": "-",
                    "color": style.TEXT_COLOR,
                    "lw": 0.7,
                    "shrinkA": 1,
                    "shrinkB": 0,
                }
                if offset != (0.0, 0.0)
                else None
            ),
        )
        text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])


def _blend(color: str, alpha: float) -> tuple[float, float, float]:
    """``color`` at ``alpha`` over white, as an opaque colour (for legend patches)."""
    r, g, b = to_rgb(color)
    return (1 - alpha + alpha * r, 1 - alpha + alpha * g, 1 - alpha + alpha * b)


def _shape_labels(ax: Axes, shapes: gpd.GeoDataFrame, quartiers: pd.DataFrame) -> None:
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    for quartier_id, geometry in zip(shapes["quartier_id"], shapes.geometry, strict=True):
        point = geometry.representative_point()
        text = ax.annotate(
            style.escape_text(names[quartier_id]),
            xy=(point.x, point.y),
            xytext=(0, -12),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=style.TICK_SIZE - 1,
            fontstyle="italic",
            color=style.PERIMETER_COLOR,
            zorder=8,
            gid=f"quartier_{quartier_id}",
        )
        text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])


def _missing_patch(label: str) -> Patch:
    return Patch(
        facecolor=style.MISSING_COLOR,
        edgecolor=style.MISSING_EDGE,
        hatch=style.MISSING_HATCH,
        linewidth=0.5,
        label=label,
    )


def _draw_missing(ax: Axes, layer: gpd.GeoDataFrame) -> None:
    if len(layer):
        layer.plot(
            ax=ax,
            facecolor=style.MISSING_COLOR,
            edgecolor=style.MISSING_EDGE,
            hatch=style.MISSING_HATCH,
            linewidth=0.0,
            zorder=2,
            gid="missing",
        )


def _plural(n: int, word: str) -> str:
    return f"{format_number(n)} {word}{'s' if n > 1 else ''}"


def class_labels(lower: float, bins: Sequence[float], decimals: int = 1) -> list[str]:
    """French labels of classes ``]b(i-1) ; b(i)]`` starting at ``lower`` (« 72,3 à 85,0 »).

    >>> class_labels(70, [80, 90.55]) == ["70,0 à 80,0", "80,0 à 90,6"]
    True
    """
    edges = [lower, *bins]
    return [
        f"{format_number(a, decimals)} à {format_number(b, decimals)}"
        for a, b in itertools.pairwise(edges)
    ]


# --- locator map -----------------------------------------------------------------------


def plot_locator_map(
    communes: gpd.GeoDataFrame,
    quartiers: pd.DataFrame,
    shapes: gpd.GeoDataFrame | None = None,
    *,
    zoom: bool = False,
    title: str | None = None,
    source: str = SOURCE_COMMUNES,
    ax: Axes | None = None,
) -> Axes:
    """Where the quartiers are: the CABBALR's communes, those concerned highlighted.

    Divion is drawn in orange, the other communes named by the convention for a
    quartier (Bruay-la-Buissière, Calonne-Ricouart) in light orange, both labelled; the
    other communes in light grey inside the agglomeration's outline. Quartier shapes are
    drawn only when given (``quartier_shapes`` table: official QPV contours or perimeters
    drawn by the commune); a quartier without a shape is listed in a visible note.

    Parameters
    ----------
    communes
        The ``communes`` table (GeoDataFrame: ``code``, ``nom``, any CRS declared).
    quartiers
        The ``quartiers`` table (``quartier_id``, ``name``, ``communes`` as
        « Bruay-la-Buissière; Divion »).
    shapes
        The ``quartier_shapes`` table (``quartier_id``, geometry, optional ``source``).
    zoom
        Frame the concerned communes instead of the whole agglomeration.
    title, source
        Title and source line (defaults suit the shipped data).
    ax
        Axes to draw in; a new figure when ``None``.

    Raises
    ------
    InputError
        Layers without CRS or with empty geometries; a commune of the convention absent
        from ``communes``.
    ParameterError
        A shape whose ``quartier_id`` is not in ``quartiers``.
    """
    layer = check_layer(communes, "communes")
    _require(layer, ("code", "nom"), "communes")
    _require(quartiers, ("quartier_id", "name", "communes"), "quartiers")
    names: dict[str, str] = dict(zip(layer["nom"], layer["code"], strict=True))
    concerned: list[str] = []
    for text in quartiers["communes"].dropna():
        for name in str(text).split(";"):
            name = name.strip()
            if name and name not in names:
                raise InputError(
                    "a commune of the communes layer",
                    context="table 'quartiers', column 'communes'",
                    found=name,
                )
            if name and names[name] not in concerned:
                concerned.append(names[name])
    if shapes is not None:
        shapes = check_layer(shapes, "quartier_shapes")
        _require(shapes, ("quartier_id",), "quartier_shapes")
        unknown = sorted(set(shapes["quartier_id"]) - set(quartiers["quartier_id"]))
        if unknown:
            raise ParameterError(
                f"unknown quartier id {unknown[0]!r} in quartier_shapes; expected one of: "
                + ", ".join(quartiers["quartier_id"])
            )

    with style.style_context():
        ax = _frame(ax, layer)
        main = [c for c in concerned if c == DIVION]
        others = [c for c in concerned if c != DIVION]
        context = layer[~layer["code"].isin(concerned)]
        context.plot(
            ax=ax, facecolor=style.CONTEXT_COLOR, edgecolor="#bdbdbd", linewidth=0.4, zorder=1
        )
        handles: list[Patch | Line2D] = []
        if main:
            layer[layer["code"].isin(main)].plot(
                ax=ax,
                facecolor=style.HIGHLIGHT_COLOR,
                edgecolor="#4d4d4d",
                linewidth=0.6,
                zorder=2,
            )
            handles.append(
                Patch(facecolor=style.HIGHLIGHT_COLOR, edgecolor="#4d4d4d", label="Divion")
            )
        if others:
            layer[layer["code"].isin(others)].plot(
                ax=ax, facecolor="#fbd9a0", edgecolor="#4d4d4d", linewidth=0.6, zorder=2
            )
            handles.append(
                Patch(
                    facecolor="#fbd9a0",
                    edgecolor="#4d4d4d",
                    label="Autre commune concernée par un quartier",
                )
            )
        handles.append(
            Patch(
                facecolor=style.CONTEXT_COLOR,
                edgecolor="#bdbdbd",
                label="Autre commune de la CABBALR",
            )
        )
        _outline(ax, layer)
        handles.append(Line2D([], [], color="#4d4d4d", lw=1.1, label="Limite de la CABBALR"))
        drawn: list[str] = []
        if shapes is not None and len(shapes):
            shapes.plot(
                ax=ax,
                facecolor=style.PERIMETER_COLOR,
                alpha=0.3,
                linewidth=0,
                zorder=6,
                gid="quartier_shapes",
            )
            shapes.boundary.plot(ax=ax, color=style.PERIMETER_COLOR, linewidth=1.6, zorder=6)
            drawn = list(shapes["quartier_id"])
            label = "Périmètre de quartier"
            if "source" in shapes.columns:
                kinds = sorted({str(s).split(" (")[0] for s in shapes["source"].dropna()})
                label += f" ({' ; '.join(kinds)})" if kinds else ""
            handles.append(
                Patch(
                    facecolor=_blend(style.PERIMETER_COLOR, 0.3),
                    edgecolor=style.PERIMETER_COLOR,
                    linewidth=1.6,
                    label=style.escape_text(label),
                )
            )
        missing = [
            str(n)
            for q, n in zip(quartiers["quartier_id"], quartiers["name"], strict=True)
            if q not in drawn
        ]
        if zoom:
            x0, y0, x1, y1 = layer[layer["code"].isin(concerned)].total_bounds
            pad = 0.08 * max(x1 - x0, y1 - y0)
            ax.set_xlim(x0 - pad, x1 + pad)
            ax.set_ylim(y0 - pad, y1 + pad)
            inner = box(
                x0 - pad * 0.2, y0 - pad * 0.5, x1 + pad * 0.2, y1 + pad * 0.5
            )  # context names only where they fit inside the frame
            around = layer[
                ~layer["code"].isin(concerned) & layer.representative_point().within(inner)
            ]
            _labels(ax, layer, list(around["code"]), bold=False)
            _labels(ax, layer, concerned)
            if shapes is not None and len(shapes):
                _shape_labels(ax, shapes, quartiers)
        else:
            _labels(ax, layer, concerned, repel=True)
        below: list[Artist] = [_legend(ax, handles, "Légende")]
        if missing:
            note = (
                "Périmètres des quartiers non représentés :\n"
                + "\n".join(f"– {style.escape_text(m)}" for m in missing)
                + "\naucun contour officiel ni périmètre communal\n"
                "fourni : rien n'est dessiné par estimation."
            )
            below.append(
                style.add_note_box(ax, note, loc="upper right", bbox_to_anchor=(1.0, -0.01))
            )
        _finish(
            ax,
            title or "Les communes des quartiers du contrat de ville dans la CABBALR",
            f"Sources : {source}.",
            below=below,
        )
    return ax


# --- IPS choropleth --------------------------------------------------------------------


def _classify(values: np.ndarray, scheme: str, k: int) -> MapClassifier:
    import mapclassify  # imported here: it costs about 1 s, and most reports need no map

    distinct = len(np.unique(values))
    k = max(1, min(k, distinct))
    classifier = mapclassify.classify(values, scheme, k=k)
    return classifier


def plot_quartier_communes(
    communes: gpd.GeoDataFrame,
    quartiers: pd.DataFrame,
    quartier_id: str,
    shapes: gpd.GeoDataFrame | None = None,
    *,
    ax: Axes | None = None,
) -> Axes:
    """The locator map framed on one quartier's communes (its shape when supplied).

    Raises
    ------
    ParameterError
        ``quartier_id`` is not in ``quartiers``.
    """
    chosen = quartiers[quartiers["quartier_id"] == quartier_id]
    if chosen.empty:
        known = ", ".join(map(str, quartiers["quartier_id"]))
        raise ParameterError(f"unknown quartier id {quartier_id!r}; expected one of: {known}")
    if shapes is not None:
        shapes = shapes[shapes["quartier_id"] == quartier_id]
    title = f"{chosen['name'].iloc[0]} : communes concernées"
    return plot_locator_map(communes, chosen, shapes, zoom=True, title=title, ax=ax)


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
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Mean school IPS of each CABBALR commune for one rentrée (DEPP open data).

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
        ``concerne_quartiers``, else Divion).
    title, ax
        Title override; Axes to draw in (a new figure when ``None``).

    Raises
    ------
    ParameterError
        Unknown rentrée, secteur, niveau or scheme, or ``k`` < 2 (before drawing).
    InputError
        Missing columns, layer without CRS, empty geometry.
    """
    _choice(scheme, list(SCHEMES), "classification scheme")
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
    classifier = _classify(published["ips_moyen"].to_numpy(dtype=float), scheme, k)
    n_classes = len(classifier.bins)
    colors = style.class_colors(style.SEQUENTIAL_LEVEL, n_classes)
    bounds = class_labels(float(published["ips_moyen"].min()), list(classifier.bins))
    counts = np.bincount(classifier.yb, minlength=n_classes)
    if labels is None:
        if "concerne_quartiers" in layer.columns and layer["concerne_quartiers"].any():
            labels = list(layer.loc[layer["concerne_quartiers"].astype(bool), "code"])
        else:
            labels = [DIVION]

    with style.style_context():
        ax = _frame(ax, layer)
        for i in range(n_classes):
            part = published[classifier.yb == i]
            if len(part):
                part.plot(ax=ax, color=colors[i], linewidth=0, zorder=2, gid=f"class_{i}")
        _draw_missing(ax, missing)
        layer.boundary.plot(ax=ax, color=style.BOUNDARY_COLOR, linewidth=0.5, zorder=3)
        _outline(ax, layer)
        handles: list[Patch] = [
            Patch(
                facecolor=colors[i],
                edgecolor="none",
                label=f"{bounds[i]} ({_plural(int(counts[i]), 'commune')})",
            )
            for i in range(n_classes)
        ]
        if len(missing):
            handles.append(
                _missing_patch(f"{MISSING_IPS_LABEL} ({_plural(len(missing), 'commune')})")
            )
        reference = float(layer["ips_cabbalr"].iloc[0])
        legend_title = (
            f"IPS moyen des {NIVEAUX[niveau]} ({SECTEURS[secteur]})\n"
            f"Classes : {SCHEMES[scheme]} ({n_classes} classes)"
        )
        if not math.isnan(reference):
            legend_title += f"\nMoyenne de la CABBALR : {format_number(reference, 1)}"
        legend = _legend(ax, handles, legend_title)
        legend.set_gid("classes")
        _labels(ax, layer, labels, repel=True)
        _finish(
            ax,
            title
            or f"Indice de position sociale des {NIVEAUX[niveau]} par commune, rentrée {rentree}",
            f"Sources : {SOURCE_IPS}, rentrée {rentree} ; {SOURCE_COMMUNES}.",
            note=IPS_NOTE,
            below=[legend],
        )
    return ax


# --- gap map ---------------------------------------------------------------------------

_GAP_STEPS = (1, 2, 2.5, 5, 10)


def gap_bounds(values: Sequence[float], n_side: int = 3) -> list[float]:
    """Symmetric inner class edges around 0 with a round step.

    The step is the largest round number (1, 2, 2.5 or 5 × 10ⁿ) not above the largest
    absolute gap divided by ``n_side``; the outer classes are open (« plus de … »), so
    every class can be used and none is empty by construction.

    >>> gap_bounds([-12.0, 33.6])
    [-20.0, -10.0, 0.0, 10.0, 20.0]
    >>> gap_bounds([])
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    largest = float(np.abs(finite).max()) if finite.size else 0.0
    target = max(largest / n_side, 1.0)
    power = 10.0 ** math.floor(math.log10(target))
    step = max(s * power for s in _GAP_STEPS if s * power <= target)
    return [float(step * i) for i in range(-(n_side - 1), n_side)]


def gap_class_labels(bounds: Sequence[float], decimals: int = 0) -> list[str]:
    """Labels of the classes cut at ``bounds`` (lower bound included), open at both ends.

    >>> gap_class_labels([-10, 0, 10]) == [
    ...     "moins de \u221210", "\u221210 à 0", "0 à +10", "+10 ou plus"]
    True
    """

    def fmt(v: float) -> str:
        return format_number(v, decimals, sign=True)

    labels = [f"moins de {fmt(bounds[0])}"]
    labels += [f"{fmt(a)} à {fmt(b)}" for a, b in itertools.pairwise(bounds)]
    labels.append(f"{fmt(bounds[-1])} ou plus")
    return labels


def plot_gap_map(
    layer: gpd.GeoDataFrame,
    column: str,
    *,
    polarity: int = 1,
    unit: str = "points",
    title: str,
    source: str,
    bounds: Sequence[float] | None = None,
    context: gpd.GeoDataFrame | None = None,
    labels: Sequence[str] = (),
    legend_title: str | None = None,
    feature_word: str = "zone",
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Choropleth of a gap with a diverging palette centred on 0.

    Classes are cut at edges symmetric around 0 (:func:`gap_bounds`, or ``bounds``
    given with 0 among them; lower bound included, outer classes open), so equal gaps
    above and below 0 get equally intense colours; features whose gap is missing are
    hatched grey « non disponible », never coloured as a value.

    Parameters
    ----------
    layer
        GeoDataFrame with the gap in ``column`` (e.g. :func:`communes_with_ips`'s
        ``ecart_cabbalr``, or quartier shapes merged with the ``gaps`` table).
    column
        Column holding the gap.
    polarity
        +1 when a higher value is better (negative gaps in red), -1 when worse (positive
        gaps in red), 0 when neither (purple-orange).
    unit
        Unit written in the default legend title (« points »).
    title, source
        Title and source line.
    bounds
        Inner class edges (strictly increasing, containing 0); default automatic.
    context
        Layer drawn in light grey beneath (e.g. the communes around quartier shapes).
    labels
        ``code`` values of the features to name (needs ``code`` and ``nom``).
    legend_title, feature_word
        Legend title; word counted in the legend (« commune », « quartier »).
    note
        A line written above the source (method, caveats).
    ax
        Axes to draw in (a new figure when ``None``).

    Raises
    ------
    InputError
        Missing column, layer without CRS, empty geometry.
    ParameterError
        ``bounds`` not increasing or without 0; ``polarity`` not -1, 0 or +1.
    """
    data = check_layer(layer, "gap layer")
    _require(data, (column,), "gap layer")
    _choice(polarity, [-1, 0, 1], "polarity")
    if context is not None:
        context = check_layer(context, "context")
    values = data[column].astype("float64")
    edges = [float(e) for e in (bounds if bounds is not None else gap_bounds(values))]
    if sorted(set(edges)) != edges or 0 not in edges:
        raise ParameterError(f"bounds must increase strictly and contain 0, got {edges}")
    n_negative = sum(e <= 0 for e in edges)
    n_positive = len(edges) + 1 - n_negative
    colors = style.diverging_colors(n_negative, n_positive, polarity)
    array = values.to_numpy()
    finite = np.isfinite(array)
    classes = np.where(finite, np.searchsorted(edges, np.nan_to_num(array), side="right"), -1)
    decimals = 0 if all(e.is_integer() for e in edges) else 1
    names = gap_class_labels(edges, decimals)

    with style.style_context():
        ax = _frame(ax, data)
        if context is not None:
            context.plot(
                ax=ax, facecolor=style.CONTEXT_COLOR, edgecolor="#bdbdbd", linewidth=0.4, zorder=1
            )
        handles: list[Patch] = []
        for i, name in enumerate(names):
            part = data[classes == i]
            if len(part):
                part.plot(ax=ax, color=colors[i], linewidth=0, zorder=2, gid=f"class_{i}")
            handles.append(
                Patch(
                    facecolor=colors[i],
                    edgecolor="#bdbdbd",
                    linewidth=0.4,
                    label=f"{name} ({_plural(len(part), feature_word)})",
                )
            )
        handles.reverse()  # highest class on top, as a reader expects
        missing = data[~finite]
        _draw_missing(ax, missing)
        if len(missing):
            handles.append(
                _missing_patch(f"Non disponible ({_plural(len(missing), feature_word)})")
            )
        data.boundary.plot(ax=ax, color=style.BOUNDARY_COLOR, linewidth=0.5, zorder=3)
        _outline(ax, data if context is None else context)
        legend = _legend(
            ax, handles, legend_title or f"Écart, en {unit}\nClasses symétriques autour de 0"
        )
        legend.set_gid("classes")
        if labels and {"code", "nom"} <= set(data.columns):
            _labels(ax, data, labels, repel=True)
        _finish(ax, title, source, note=note, below=[legend])
    return ax


def plot_ips_gap_map(
    communes: gpd.GeoDataFrame,
    ips_communes: pd.DataFrame,
    rentree: str,
    *,
    secteur: str = "ensemble",
    niveau: str = "ecole",
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each commune's mean school IPS minus the agglomeration's, diverging around 0."""
    layer = communes_with_ips(communes, ips_communes, rentree, secteur=secteur, niveau=niveau)
    if layer["ips_cabbalr"].isna().all():
        raise InputError(
            f"an agglomeration (epci) row for {niveau} {secteur} {rentree}",
            context="table 'ips_communes'",
        )
    if labels is None:
        flagged = layer.get("concerne_quartiers")
        labels = list(layer.loc[flagged.astype(bool), "code"]) if flagged is not None else [DIVION]
    reference = format_number(float(layer["ips_cabbalr"].iloc[0]), 1)
    return plot_gap_map(
        layer,
        "ecart_cabbalr",
        polarity=1,
        title=f"Écart de l'IPS moyen des {NIVEAUX[niveau]} à celui de la CABBALR, "
        f"rentrée {rentree}",
        source=f"Sources : {SOURCE_IPS}, rentrée {rentree} ({SECTEURS[secteur]}) ; "
        f"{SOURCE_COMMUNES}.",
        legend_title=f"Écart à la moyenne de la CABBALR ({reference}), en points d'IPS\n"
        "Classes symétriques autour de 0 (borne inférieure incluse)",
        labels=labels,
        feature_word="commune",
        note=IPS_NOTE,
        ax=ax,
    )


# --- Filosofi grid ---------------------------------------------------------------------

GRID_BOUNDS = (10.0, 20.0, 30.0, 40.0, 50.0)


def grid_class_labels(bounds: Sequence[float] = GRID_BOUNDS) -> list[str]:
    """Labels of the classes ``]b(i-1) ; b(i)]`` of a share (« > 30 à 40 % »)."""
    labels = [f"{format_number(bounds[0])}{NBSP}% ou moins"]
    for lo, hi in itertools.pairwise(bounds):
        labels.append(f"plus de {format_number(lo)} à {format_number(hi)}{NBSP}%")
    labels.append(f"plus de {format_number(bounds[-1])}{NBSP}%")
    return labels


def plot_grid_map(
    cells: pd.DataFrame,
    *,
    perimeters: gpd.GeoDataFrame | None = None,
    communes: gpd.GeoDataFrame | None = None,
    threshold: float = 30.0,
    bounds: Sequence[float] = GRID_BOUNDS,
    min_households: int = MIN_HOUSEHOLDS,
    vintage: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Filosofi 200 m cells by share of poor households.

    Cells are coloured by « part des ménages pauvres (carroyage) » in fixed classes
    (``bounds``, upper bound included); cells above ``threshold`` (30 %) are outlined in
    black; imputed cells (``i_est == 1``) are dotted; cells with fewer than
    ``min_households`` households are hatched grey « non diffusé » and never coloured
    as a value (:func:`mask_small_cells`).

    Parameters
    ----------
    cells
        The ``grid`` table (:data:`indicators.sources.filosofi.GRID_COLUMNS`; squares are rebuilt
        from ``x``, ``y`` in EPSG:3035) or a GeoDataFrame of cells with a CRS.
    perimeters
        Quartier shapes to outline (GeoDataFrame with a CRS).
    communes
        Communes drawn as context (GeoDataFrame with a CRS).
    threshold
        Share (%) above which a cell is outlined.
    bounds, min_households
        Class edges (%); secrecy threshold (households).
    vintage
        Filosofi vintage for the source line (e.g. ``"2019"``).
    title, ax
        Title override; Axes to draw in (a new figure when ``None``).
    """
    if isinstance(cells, gpd.GeoDataFrame):
        squares = check_layer(cells, "grid")
    else:
        _require(cells, ("x", "y", "men", "men_pauv", "i_est"), "grid")
        from indicators.sources.filosofi import cells_to_geodataframe

        squares = cells_to_geodataframe(cells).to_crs(LAMBERT93)
    _require(squares, ("men", "men_pauv"), "grid")
    if list(bounds) != sorted(set(bounds)) or not bounds[0] > 0:
        raise ParameterError(f"bounds must be positive and increasing, got {list(bounds)}")
    if perimeters is not None:
        perimeters = check_layer(perimeters, "perimeters")
    if communes is not None:
        communes = check_layer(communes, "communes")
    masked = gpd.GeoDataFrame(mask_small_cells(squares, min_households), crs=squares.crs)
    secret = masked[masked["secret"]]
    shown = masked[~masked["secret"]]
    share = shown["part_menages_pauvres"].to_numpy()
    classes = np.searchsorted(np.asarray(bounds), share, side="left")
    colors = style.class_colors(style.SEQUENTIAL_RATE, len(bounds) + 1)
    labels = grid_class_labels(bounds)

    with style.style_context():
        ax = _frame(ax, masked)
        if communes is not None:
            communes.plot(
                ax=ax, facecolor=style.CONTEXT_COLOR, edgecolor="#bdbdbd", linewidth=0.5, zorder=1
            )
        handles: list[Patch | Line2D] = []
        for i, label in enumerate(labels):
            part = shown[classes == i]
            if len(part):
                part.plot(ax=ax, color=colors[i], linewidth=0, zorder=2, gid=f"class_{i}")
            handles.append(Patch(facecolor=colors[i], label=f"{label} ({_cells(len(part))})"))
        _draw_missing(ax, secret)
        if len(secret):
            handles.append(_missing_patch(f"{SECRET_LABEL} ({_cells(len(secret))})"))
        if "i_est" in masked.columns:
            imputed = masked[masked["i_est"].astype("float64") == 1]
            if len(imputed):
                imputed.plot(
                    ax=ax,
                    facecolor="none",
                    edgecolor="#252525",
                    hatch="..",
                    linewidth=0,
                    zorder=4,
                    gid="imputed",
                )
                handles.append(
                    Patch(
                        facecolor="white",
                        edgecolor="#252525",
                        hatch="..",
                        linewidth=0.4,
                        label=f"Carreau imputé par l'Insee ({_cells(len(imputed))})",
                    )
                )
        above = shown[shown["part_menages_pauvres"] > threshold]
        if len(above):
            above.boundary.plot(ax=ax, color="#000000", linewidth=1.3, zorder=5, gid="above")
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="#000000",
                linewidth=1.3,
                label=f"Plus de {format_number(threshold)}{NBSP}% de ménages "
                f"pauvres ({_cells(len(above))})",
            )
        )
        if perimeters is not None and len(perimeters):
            perimeters.boundary.plot(
                ax=ax, color=style.PERIMETER_COLOR, linewidth=1.8, zorder=6, gid="perimeters"
            )
            handles.append(
                Line2D([], [], color=style.PERIMETER_COLOR, lw=1.8, label="Périmètre de quartier")
            )
        x0, y0, x1, y1 = masked.total_bounds
        pad = 0.05 * max(x1 - x0, y1 - y0, 400)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        legend = _legend(
            ax, handles, "Part des ménages pauvres (carroyage)\nClasses : seuils fixés"
        )
        legend.set_gid("classes")
        source = (
            f"Source : Insee, Filosofi{' ' + vintage if vintage else ''}, "
            "données carroyées à 200 m."
        )
        _finish(
            ax,
            title or "Part des ménages pauvres par carreau de 200 m",
            source,
            note="Note : part des ménages pauvres du carreau (pas le taux de pauvreté de "
            "l'Insee, qui compte des personnes) ; aucun chiffre n'est montré pour moins de "
            f"{min_households} ménages.",
            below=[legend],
        )
    return ax


def _cells(n: int) -> str:
    return f"{format_number(n)} carreau{'x' if n > 1 else ''}"
