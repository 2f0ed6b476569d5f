"""Figures embedded in the reports as PNG ``data:`` URIs (no file beside the page).

The build's own PNG is embedded when it made one (:func:`_prerendered`); otherwise the
figure is drawn here (:mod:`indicators.figures`). When its table is missing, a figure
is replaced by a French sentence saying why.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from indicators.report.markup import Html, _esc, _text
from indicators.report.tables import Tables, _quartier

# --------------------------------------------------------------------------- embedding


def _figure_html(ax: Any, alt: str, kind: str = "") -> Html:
    """The figure of ``ax`` as an embedded PNG (150 dpi, ``data:`` URI); closes it.

    ``kind`` (e.g. ``map``) is an extra CSS class, for the print layout.
    """
    import io

    import matplotlib.pyplot as plt

    figure = ax.figure
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", pad_inches=0.05)
    finally:
        plt.close(figure)
    return _png_html(buffer.getvalue(), alt, kind)


def _png_html(png: bytes, alt: str, kind: str = "") -> Html:
    """A PNG embedded as a ``data:`` URI in a ``<figure>`` (``kind``: extra CSS class)."""
    import base64

    data = base64.b64encode(png).decode("ascii")
    return Html(
        f'<figure class="{" ".join(["chart", kind]).strip()}"><img alt="{html.escape(alt)}" '
        f'src="data:image/png;base64,{data}"></figure>'
    )


def _prerendered(tables: Tables, name: str, alt: str, kind: str = "") -> Html | None:
    """The build's own PNG of figure ``name``, when it made one (``exports/figures``).

    ``indicators build`` renders every figure from the same tables, in the same folder
    swap, and records each file's sha256 in the manifest: a report embeds that PNG
    instead of drawing the figure a second time (and its kernel then needs neither
    matplotlib nor geopandas). A file missing or not matching the manifest is ignored.
    """
    import hashlib

    processed = tables.__dict__.get("_processed")
    key = f"figures/{name}.png"
    expected = (tables.manifest.get("exports") or {}).get(key)
    if processed is None or not expected:
        return None
    path = Path(processed) / "exports" / key
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    return _png_html(data, alt, kind)


def _notice(text: str) -> Html:
    return Html(f'<p class="muted">{_esc(text)}</p>')


# --------------------------------------------------------------------------- figures


def gap_chart_html(tables: Tables, quartier_id: str) -> Html:
    """The quartier's chart against the agglomeration (:func:`charts.plot_gap_chart`)."""
    from indicators.figures.gap_chart import plot_gap_chart

    row = _quartier(tables, quartier_id)
    alt = f"{_text(row['name'])} comparé à l'agglomération"
    built = _prerendered(tables, f"ecarts_{quartier_id}", alt)
    if built is not None:
        return built
    ax = plot_gap_chart(tables.gaps, tables.portrait, quartier_id, quartiers=tables.quartiers)
    return _figure_html(ax, alt)


def gaps_across_html(tables: Tables) -> Html:
    """Every quartier's gaps to the agglomeration (:func:`charts.plot_gaps_across`)."""
    from indicators.figures.gaps_across import plot_gaps_across

    alt = "Écarts des quartiers à l'agglomération"
    built = _prerendered(tables, "ecarts_quartiers", alt)
    if built is not None:
        return built
    ax = plot_gaps_across(tables.gaps, tables.quartiers)
    return _figure_html(ax, alt)


def locator_map_html(
    tables: Tables, quartier_id: str | None = None, zoom: bool | None = None
) -> Html:
    """Where the quartiers are (:func:`maps.plot_locator_map`), or why it is absent.

    With ``quartier_id``, only that quartier's communes are highlighted (and its shape
    drawn when the build has one), framed closely unless ``zoom`` is ``False``
    (:func:`maps.plot_quartier_communes`). The build's own PNG is used when it has one.
    """
    zoom = quartier_id is not None if zoom is None else zoom
    title = None
    if quartier_id is not None:
        title = f"{_text(_quartier(tables, quartier_id)['name'])} : communes concernées"
    alt = title or "Localisation des quartiers dans l'agglomération"
    if quartier_id is not None and zoom:
        built = _prerendered(tables, f"carte_communes_{quartier_id}", alt, "map")
    elif quartier_id is None and not zoom:
        built = _prerendered(tables, "carte_situation", alt, "map")
    else:
        built = None
    if built is not None:
        return built
    if tables.communes is None:
        return _notice(
            "Carte de localisation non disponible : la construction des données n'a pas "
            "produit la couche des communes."
        )
    from indicators.figures.locator_maps import plot_locator_map, plot_quartier_communes

    if quartier_id is not None and zoom:
        ax = plot_quartier_communes(
            tables.communes, tables.quartiers, quartier_id, tables.quartier_shapes
        )
        return _figure_html(ax, alt, "map")
    quartiers, shapes = tables.quartiers, tables.quartier_shapes
    if quartier_id is not None:
        quartiers = quartiers[quartiers["quartier_id"] == quartier_id]
        if shapes is not None:
            shapes = shapes[shapes["quartier_id"] == quartier_id]
    ax = plot_locator_map(tables.communes, quartiers, shapes, zoom=zoom, title=title)
    return _figure_html(ax, alt, "map")


def latest_rentree(tables: Tables, niveau: str = "ecole") -> str | None:
    """The most recent rentrée with commune IPS means for ``niveau`` (``None`` if none)."""
    table = tables.ips_communes
    if table is None or table.empty:
        return None
    rentrees = table.loc[table["niveau"] == niveau, "rentree"].dropna().astype(str)
    return max(rentrees) if not rentrees.empty else None


def ips_map_html(tables: Tables, rentree: str = "", niveau: str = "ecole") -> Html:
    """Mean school IPS by commune (:func:`maps.plot_ips_choropleth`), or why it is absent.

    ``rentree``: e.g. ``"2024-2025"``; empty for the most recent one.
    """
    rentree = rentree or latest_rentree(tables, niveau) or ""
    alt = f"IPS moyen des écoles par commune, rentrée {rentree}"
    if rentree and niveau == "ecole":
        built = _prerendered(tables, f"carte_ips_ecoles_{rentree.replace('-', '_')}", alt, "map")
        if built is not None:
            return built
    if tables.communes is None or tables.ips_communes is None or not rentree:
        return _notice(
            "Carte des IPS non disponible : la construction des données n'a pas produit les "
            "IPS par commune."
        )
    from indicators.figures.ips_maps import plot_ips_choropleth

    ax = plot_ips_choropleth(tables.communes, tables.ips_communes, rentree, niveau=niveau)
    return _figure_html(ax, alt, "map")


__all__ = [
    "gap_chart_html",
    "gaps_across_html",
    "ips_map_html",
    "latest_rentree",
    "locator_map_html",
]
