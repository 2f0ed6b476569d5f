"""Locator maps: where the quartiers are in the agglomeration (the EPCI).

Quartier perimeters are drawn only when they are supplied (official QPV contours or
perimeters drawn by the commune, the ``quartier_shapes`` table); otherwise the locator map
says so in a visible note. Nothing is drawn from guesswork.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box

from indicators.errors import InputError, ParameterError
from indicators.figures import mapkit as kit
from indicators.figures import style
from indicators.sources.layers import check_layer, require_columns
from indicators.territory import the_epci


def plot_locator_map(
    communes: gpd.GeoDataFrame,
    quartiers: pd.DataFrame,
    shapes: gpd.GeoDataFrame | None = None,
    *,
    zoom: bool = False,
    reference_label: str | None = None,
    highlight: Mapping[str, str] | None = None,
    title: str | None = None,
    source: str = kit.SOURCE_COMMUNES,
    ax: Axes | None = None,
) -> Axes:
    """Where the quartiers are: the EPCI's communes, those concerned highlighted.

    The commune(s) of the convention (``highlight``) are drawn in orange, the other
    communes named by the convention for a quartier in light orange, both labelled; the
    other communes in light grey inside the agglomeration's outline. Quartier shapes are
    drawn only when given (``quartier_shapes`` table: official QPV contours or perimeters
    drawn by the commune); a quartier without a shape is listed in a visible note.

    Parameters
    ----------
    communes
        The ``communes`` table (GeoDataFrame: ``code``, ``nom``, any CRS declared).
    quartiers
        The ``quartiers`` table (``quartier_id``, ``name``, ``communes`` as
        « Commune A; Commune B »).
    shapes
        The ``quartier_shapes`` table (``quartier_id``, geometry, optional ``source``).
    zoom
        Frame the concerned communes instead of the whole agglomeration.
    reference_label
        The EPCI's short label (``territory.epci.label``), in the legend and the title;
        ``None``: « l'agglomération ».
    highlight
        INSEE code → name of the commune(s) of the convention
        (``territory.commune_names``); ``None``: none singled out.
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
    require_columns(layer, ("code", "nom"), "communes")
    require_columns(quartiers, ("quartier_id", "name", "communes"), "quartiers")
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
        require_columns(shapes, ("quartier_id",), "quartier_shapes")
        unknown = sorted(set(shapes["quartier_id"]) - set(quartiers["quartier_id"]))
        if unknown:
            raise ParameterError(
                f"unknown quartier id {unknown[0]!r} in quartier_shapes; expected one of: "
                + ", ".join(quartiers["quartier_id"])
            )

    with style.style_context():
        ax = kit.frame(ax, layer)
        chosen = dict(highlight or {})
        main = [c for c in concerned if c in chosen]
        others = [c for c in concerned if c not in chosen]
        epci = style.escape_text(the_epci(reference_label))
        context = layer[~layer["code"].isin(concerned)]
        if len(context):  # every commune may be concerned (a small EPCI)
            kit.draw_context(ax, context)
        handles: list[Patch | Line2D] = []
        if main:
            layer[layer["code"].isin(main)].plot(
                ax=ax,
                facecolor=style.HIGHLIGHT_COLOR,
                edgecolor="#4d4d4d",
                linewidth=0.6,
                zorder=2,
            )
            names = style.escape_text(", ".join(chosen[c] for c in main))
            handles.append(Patch(facecolor=style.HIGHLIGHT_COLOR, edgecolor="#4d4d4d", label=names))
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
        if len(context):
            handles.append(
                Patch(
                    facecolor=style.CONTEXT_COLOR,
                    edgecolor="#bdbdbd",
                    label=f"Autre commune de {epci}",
                )
            )
        kit.outline(ax, layer)
        handles.append(Line2D([], [], color="#4d4d4d", lw=1.1, label=f"Limite de {epci}"))
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
            kit.label_features(ax, layer, list(around["code"]), bold=False)
            kit.label_features(ax, layer, concerned)
            if shapes is not None and len(shapes):
                _shape_labels(ax, shapes, quartiers)
        else:
            kit.label_features(ax, layer, concerned, repel=True)
        below: list[Artist] = [kit.legend(ax, handles, "Légende")]
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
        kit.finish(
            ax,
            title
            or f"Les communes des quartiers du contrat de ville dans {the_epci(reference_label)}",
            f"Sources : {source}.",
            below=below,
        )
    return ax


def plot_quartier_communes(
    communes: gpd.GeoDataFrame,
    quartiers: pd.DataFrame,
    quartier_id: str,
    shapes: gpd.GeoDataFrame | None = None,
    *,
    reference_label: str | None = None,
    highlight: Mapping[str, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The locator map framed on one quartier's communes (its shape when supplied).

    ``reference_label`` and ``highlight`` as in :func:`plot_locator_map`.

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
    return plot_locator_map(
        communes,
        chosen,
        shapes,
        zoom=True,
        reference_label=reference_label,
        highlight=highlight,
        title=title,
        ax=ax,
    )


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
