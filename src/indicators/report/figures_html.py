"""Figures embedded in the reports as PNG ``data:`` URIs (no file beside the page).

Every figure is one of :mod:`indicators.figures.registry`, looked up by its registry name
(``ecarts_<quartier_id>``, ``carte_situation``…), the name of the PNG the build wrote
into ``data/processed/exports/figures``:

- tables read from a build embed the build's PNG, after checking its sha256 against the
  build manifest. A figure the registry lists for these tables but the build did not
  write (a build run with ``--no-figures``, or an older one), or a PNG that does not
  match the manifest, is an :class:`~indicators.errors.InputError` naming the figure:
  never a silent redraw. A figure the build does not make by design (the IPS map of an
  earlier rentrée than the latest) is drawn by the registry;
- tables built in memory (:class:`~indicators.report.tables.Tables` without
  ``processed``, e.g. in a notebook) have their figures drawn by the registry;
- a figure whose tables the build did not produce (no commune layer, no IPS) is replaced
  by a French sentence saying why.

Each helper has the same shape: ``*_html(tables, …)`` is :func:`figure_html` of one
registry name; :func:`draw_figure` gives the Matplotlib Axes behind the same name, and
:func:`figure_html` embeds any registry figure.
"""

from __future__ import annotations

from typing import Any

from indicators.errors import InputError, ParameterError
from indicators.figures import registry
from indicators.report.built_alts import built_alt_text, read_checked
from indicators.report.markup import Html, _esc
from indicators.report.tables import Tables, _quartier

# --------------------------------------------------------------------------- registry calls
# The only calls of the figure registry's entry points in the reports; the figures are
# drawn for the tables' territory.


def _build_names(tables: Tables, spec: registry.FigureSpec, rentree: str | None) -> list[str]:
    """The names of ``spec``'s figures that ``tables`` allow (as ``figure_names`` lists them)."""
    if any(tables.get(name) is None for name in spec.tables):
        return []
    return [spec.figure_name(**params) for params in spec.params(tables, rentree)]


def draw_figure(tables: Tables, name: str) -> Any:
    """The Matplotlib Axes of the registry figure ``name``, drawn from ``tables``.

    For an analyst who wants the figure behind an HTML fragment (to restyle or save it).
    """
    return registry.draw(name, tables, territory=tables.territory)


def _alt_text(tables: Tables, name: str) -> str:
    return registry.alt_text(name, tables, territory=tables.territory)


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
    from indicators.report.a11y import accessible_figure

    return Html(accessible_figure(png, alt, kind))


_PREFIX, _SUFFIX = "figures/", ".png"


def _built_figures(tables: Tables) -> dict[str, str] | None:
    """Registry name → sha256 of every PNG the build wrote (``None``: tables from memory).

    Raises
    ------
    InputError
        The manifest lists a PNG whose name the registry does not know (a build by
        another version of the package: run ``indicators build`` again).
    """
    if tables.processed is None:
        return None
    exports = tables.manifest.get("exports") or {}
    built = {
        key[len(_PREFIX) : -len(_SUFFIX)]: sha
        for key, sha in exports.items()
        if key.startswith(_PREFIX) and key.endswith(_SUFFIX)
    }
    for name in built:
        try:
            registry.resolve(name)
        except ParameterError:
            raise InputError(
                "only figures of indicators.figures.registry (run `indicators build` again)",
                path=tables.processed / "manifest.json",
                context=f"figure {name!r}",
            ) from None
    return built


def _prerendered(tables: Tables, name: str, expected: str) -> bytes:
    """The bytes of the build's PNG of figure ``name``, checked against its sha256.

    ``indicators build`` renders every figure from the same tables, in the same folder
    swap, and records each file's sha256 in the manifest: a report embeds that PNG
    instead of drawing the figure a second time (and its kernel then needs neither
    matplotlib nor geopandas).

    Raises
    ------
    InputError
        The PNG is missing or its bytes are not those of the manifest.
    """
    assert tables.processed is not None
    path = tables.processed / "exports" / f"{_PREFIX}{name}{_SUFFIX}"
    return read_checked(
        path, expected, "the PNG listed in the build manifest", context=f"figure {name!r}"
    )


def _notice(text: str) -> Html:
    return Html(f'<p class="muted">{_esc(text)}</p>')


_LOCATOR_ABSENT = (
    "Carte de localisation non disponible : la construction des données n'a pas produit la "
    "couche des communes."
)
_IPS_ABSENT = (
    "Carte des IPS non disponible : la construction des données n'a pas produit les IPS par "
    "commune."
)
#: Why a figure is absent, by registry spec (when its tables or parameters are missing).
_ABSENT = {
    "carte_situation": _LOCATOR_ABSENT,
    "carte_situation_zoom": _LOCATOR_ABSENT,
    "carte_communes": _LOCATOR_ABSENT,
    "carte_ips_ecoles": _IPS_ABSENT,
    "carte_ecart_ips_ecoles": _IPS_ABSENT,
    "carte_carroyage": (
        "Carte du carroyage non disponible : la construction des données n'a pas produit de "
        "carreaux dans les communes concernées par les quartiers."
    ),
}


def figure_html(tables: Tables, name: str) -> Html:
    """The registry figure ``name`` as an embedded PNG, or why it is absent.

    Raises
    ------
    ParameterError
        ``name`` is no figure of the registry (or names an unknown quartier).
    InputError
        Tables from a build whose PNG of ``name`` is missing from the manifest (while the
        registry lists it for these tables), missing on disk or not the manifest's bytes.
    """
    spec, params = registry.resolve(name)
    rentree = params.get("rentree")
    built = _built_figures(tables)
    if built is not None and name in built:
        png = _prerendered(tables, name, built[name])
        alt = built_alt_text(tables, name) or _alt_text(tables, name)
        return _png_html(png, alt, f"{spec.kind} fig-{spec.name}".strip())
    if built is not None and name in _build_names(tables, spec, None):
        raise InputError(
            "a PNG written by `indicators build` and listed in its manifest (run it again, "
            "without --no-figures)",
            path=tables.processed / "exports" / f"{_PREFIX}{name}{_SUFFIX}",
            context=f"figure {name!r}",
        )
    if name not in _build_names(tables, spec, rentree):
        return _notice(_ABSENT.get(spec.name, f"Figure « {name} » non disponible."))
    return _figure_html(
        draw_figure(tables, name), _alt_text(tables, name), f"{spec.kind} fig-{spec.name}".strip()
    )


# --------------------------------------------------------------------------- figures


def _gap_chart_name(tables: Tables, quartier_id: str) -> str:
    """``ecarts_<quartier_id>``, for a known quartier (an unknown id lists the valid ones)."""
    _quartier(tables, quartier_id)
    return f"ecarts_{quartier_id}"


def _locator_map_name(tables: Tables, quartier_id: str | None, zoom: bool) -> str:
    """The locator map's registry name (see :func:`locator_map_html`)."""
    if quartier_id is not None:
        _quartier(tables, quartier_id)
        return f"carte_communes_{quartier_id}"
    return "carte_situation_zoom" if zoom else "carte_situation"


def gap_chart_html(tables: Tables, quartier_id: str) -> Html:
    """The quartier's chart against the agglomeration (``ecarts_<quartier_id>``)."""
    return figure_html(tables, _gap_chart_name(tables, quartier_id))


def gaps_across_html(tables: Tables) -> Html:
    """Every quartier's gaps to the agglomeration (``ecarts_quartiers``)."""
    return figure_html(tables, "ecarts_quartiers")


def locator_map_html(tables: Tables, quartier_id: str | None = None, zoom: bool = False) -> Html:
    """Where the quartiers are, or why the map is absent.

    ``carte_situation`` (``carte_situation_zoom`` with ``zoom``, framed on the quartier
    shapes); with ``quartier_id``, ``carte_communes_<quartier_id>``: that quartier's
    communes highlighted, framed closely (and its shape drawn when the build has one).
    """
    return figure_html(tables, _locator_map_name(tables, quartier_id, zoom))


def latest_rentree(tables: Tables, niveau: str = "ecole") -> str | None:
    """The most recent rentrée with commune IPS means for ``niveau`` (``None`` if none)."""
    table = tables.ips_communes
    if table is None or table.empty:
        return None
    return registry.latest_rentree(table, niveau)


def ips_map_html(tables: Tables, rentree: str = "") -> Html:
    """Mean school IPS by commune (``carte_ips_ecoles_<rentrée>``), or why it is absent.

    ``rentree``: e.g. ``"2024-2025"``; empty for the most recent one (the build's map).
    """
    rentree = rentree or latest_rentree(tables) or ""
    if not rentree:
        return _notice(_IPS_ABSENT)
    spec = registry.FIGURES["carte_ips_ecoles"]
    return figure_html(tables, spec.figure_name(rentree=rentree))


__all__ = [
    "draw_figure",
    "figure_html",
    "gap_chart_html",
    "gaps_across_html",
    "ips_map_html",
    "latest_rentree",
    "locator_map_html",
]
