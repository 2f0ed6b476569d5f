"""The registry of the figures: every figure the build writes and the reports embed.

One dict, :data:`FIGURES`, maps a spec name to its :class:`FigureSpec`: the pattern of
the file name (``ecarts_{quartier_id}``, ``carte_ips_ecoles_{rentree}``), the tables it
needs, the parameter sets the tables allow, the draw function
``(tables, territory, **params) -> Axes`` and the alt text. One entry point draws a
figure by its name: :func:`draw`; :func:`figure_names` lists the figures a set of tables
allows, in the order the build writes them. The territory
(:class:`~indicators.territory.Territory`, from ``data/raw/territory.toml``) gives the
labels: the EPCI's short label, the commune(s) of the convention singled out on the maps.

The names are the contract between the build (``exports/figures/<name>.png``) and the
reports (which embed the build's PNG when it has one):

==================================  ================================================
name                                drawn by
==================================  ================================================
``ecarts_<quartier_id>``            :func:`~.gap_chart.plot_gap_chart`
``ecarts_quartiers``                :func:`~.gaps_across.plot_gaps_across`
``carte_situation``                 :func:`~.locator_maps.plot_locator_map`
``carte_situation_zoom``            the same, framed on the communes concerned
                                    (only when quartier shapes exist)
``carte_communes_<quartier_id>``    :func:`~.locator_maps.plot_quartier_communes`
``carte_ips_ecoles_<rentrée>``      :func:`~.ips_maps.plot_ips_choropleth`
``carte_ecart_ips_ecoles_<rentrée>``  :func:`~.ips_maps.plot_ips_gap_map`
``carte_carroyage``                 :func:`~.grid_map.plot_grid_map` (cells of the
                                    communes concerned by the quartiers)
``etats_actions_<quartier_id>``     :func:`~.actions_chart.plot_action_states` (latest
                                    year of the follow-up; only with a ``suivi``)
``carte_pauvrete_communes``         :func:`~.poverty_map.plot_poverty_map`
``ips_evolution``                   :func:`~.ips_trends.plot_ips_trends`
``carte_quartier_<quartier_id>``    :func:`~.quartier_map.plot_quartier_map` (each
                                    quartier with a shape and grid cells)
``carte_qpv_epci``                  :func:`~.epci_qpv_map.plot_epci_qpv_map`
==================================  ================================================

In a name the rentrée is written with ``_`` (``2022_2023`` for ``2022-2023``); the IPS
maps are of the écoles, for ``rentree`` or else the latest rentrée with écoles.

>>> FIGURES["ecarts_quartier"].figure_name(quartier_id="cites-6-et-30")
'ecarts_cites-6-et-30'
>>> resolve("carte_ips_ecoles_2022_2023")[1]
{'rentree': '2022-2023'}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from indicators.errors import InputError, ParameterError
from indicators.figures import adapters
from indicators.figures import alt_texts as alts
from indicators.figures.adapters import Tables, latest_rentree
from indicators.figures.adapters import quartier_name as _name
from indicators.territory import Territory

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not to list them
    from matplotlib.axes import Axes

#: The build writes every figure's alt text beside its PNG, in this JSON file (figure name
#: → French text): the reports embed the build's PNG with the build's text.
ALT_TEXTS_FILE = "textes_alternatifs.json"

__all__ = [
    "FIGURES",
    "FigureSpec",
    "alt_text",
    "draw",
    "figure_names",
    "latest_rentree",
    "resolve",
    "spec_of",
]

_QUARTIER_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # as sources.perimeters.QUARTIER_ID_PATTERN
_RENTREE = r"\d{4}_\d{4}"


@dataclass(frozen=True)
class FigureSpec:
    """How one figure (or one family of figures, one per quartier or rentrée) is drawn.

    Attributes
    ----------
    name
        Key in :data:`FIGURES`.
    pattern
        File name without extension; ``{quartier_id}`` and ``{rentree}`` are filled from
        the parameters (the rentrée with ``_``: ``2022_2023``).
    tables
        Tables the figure needs; without them it is not listed.
    params
        ``(tables, rentree) -> [params, …]``: the parameter sets these tables allow
        (``[{}]`` for a single figure without parameter, ``[]`` when they allow none);
        ``rentree`` is the rentrée asked for, if any.
    draw
        ``(tables, territory, **params) -> Axes``: draws the figure in a new figure.
    alt
        ``(tables, territory, **params) -> str``: the French alt text in a report.
    kind
        Extra CSS class of the figure in a report (``"map"`` for maps).
    """

    name: str
    pattern: str
    tables: tuple[str, ...]
    params: Callable[[Tables, str | None], list[dict[str, str]]]
    draw: Callable[..., Axes]
    alt: Callable[..., str]
    kind: str = ""
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.escape(self.pattern)
        regex = regex.replace(r"\{quartier_id\}", f"(?P<quartier_id>{_QUARTIER_ID})")
        regex = regex.replace(r"\{rentree\}", f"(?P<rentree>{_RENTREE})")
        object.__setattr__(self, "regex", re.compile(regex))

    def figure_name(self, **params: str) -> str:
        """The file name of the figure drawn with ``params``."""
        shown = dict(params)
        if "rentree" in shown:
            shown["rentree"] = shown["rentree"].replace("-", "_")
        return self.pattern.format(**shown)


# --- alt texts -------------------------------------------------------------------------


def _constant(text: str) -> Callable[..., str]:
    def alt(tables: Tables, territory: Territory, **params: str) -> str:
        return text

    return alt


#: Every figure, in the order the build writes them.
FIGURES: dict[str, FigureSpec] = {
    spec.name: spec
    for spec in (
        FigureSpec(
            "ecarts_quartier",
            "ecarts_{quartier_id}",
            ("quartiers", "gaps", "portrait"),
            adapters.each_quartier,
            adapters.gap_chart,
            alts.gap_chart_alt,
        ),
        FigureSpec(
            "ecarts_quartiers",
            "ecarts_quartiers",
            ("quartiers", "gaps", "portrait"),
            adapters.single,
            adapters.gaps_across,
            alts.gaps_across_alt,
        ),
        FigureSpec(
            "carte_situation",
            "carte_situation",
            ("communes", "quartiers"),
            adapters.single,
            adapters.locator,
            alts.locator_alt,
            "map",
        ),
        FigureSpec(
            "carte_situation_zoom",
            "carte_situation_zoom",
            ("communes", "quartiers", "quartier_shapes"),
            adapters.with_shapes,
            adapters.locator_zoom,
            alts.locator_alt,
            "map",
        ),
        FigureSpec(
            "carte_communes",
            "carte_communes_{quartier_id}",
            ("communes", "quartiers"),
            adapters.each_quartier,
            adapters.quartier_communes,
            alts.quartier_communes_alt,
            "map",
        ),
        FigureSpec(
            "carte_ips_ecoles",
            "carte_ips_ecoles_{rentree}",
            ("communes", "ips_communes"),
            adapters.rentree_param,
            adapters.ips_choropleth,
            alts.ips_choropleth_alt,
            "map",
        ),
        FigureSpec(
            "carte_ecart_ips_ecoles",
            "carte_ecart_ips_ecoles_{rentree}",
            ("communes", "ips_communes"),
            adapters.rentree_param,
            adapters.ips_gap_map,
            alts.ips_gap_map_alt,
            "map",
        ),
        FigureSpec(
            "etats_actions",
            "etats_actions_{quartier_id}",
            ("quartiers", "objectives", "suivi"),
            adapters.each_quartier,
            adapters.action_states,
            alts.action_states_alt,
        ),
        FigureSpec(
            "carte_carroyage",
            "carte_carroyage",
            ("grid", "communes"),
            adapters.with_local_cells,
            adapters.grid_map,
            alts.grid_map_alt,
            "map",
        ),
        FigureSpec(
            "carte_pauvrete_communes",
            "carte_pauvrete_communes",
            ("communes", "communes_indicateurs"),
            adapters.single,
            lambda t, territory: adapters.lazy("poverty_map", "draw_poverty_map")(t, territory),
            _constant("Taux de pauvreté des communes de l'agglomération (Filosofi 2021)"),
            "map",
        ),
        FigureSpec(
            "ips_evolution",
            "ips_evolution",
            ("series",),
            adapters.with_school_ips_series,
            lambda t, _: adapters.lazy("ips_trends", "draw_ips_trends")(t),
            _constant("Indice de position sociale des établissements, par rentrée"),
        ),
        FigureSpec(
            "carte_quartier",
            "carte_quartier_{quartier_id}",
            ("quartier_shapes", "grid", "communes", "quartiers"),
            adapters.with_shape_and_cells,
            adapters.quartier_map,
            lambda t, _, quartier_id: (
                f"{_name(t, quartier_id)} : part des ménages pauvres par carreau "
                "de 200 m sur le périmètre 2024 (estimation)"
            ),
            "map",
        ),
        FigureSpec(
            "carte_qpv_epci",
            "carte_qpv_epci",
            ("qpv_contours", "communes"),
            adapters.single,
            adapters.epci_qpv_map,
            _constant("Les quartiers prioritaires de l'agglomération (géographie 2024)"),
            "map",
        ),
    )
}


# --- entry points ----------------------------------------------------------------------


def _has(tables: Tables, spec: FigureSpec) -> bool:
    return all(tables.get(name) is not None for name in spec.tables)


def figure_names(tables: Tables, *, territory: Territory, rentree: str | None = None) -> list[str]:
    """The names of every figure ``tables`` allow, in the order the build writes them.

    ``territory`` is the one the figures are drawn for (as :func:`draw`); ``rentree``
    chooses the rentrée of the IPS maps (default: the latest with écoles).
    """
    names: list[str] = []
    for spec in FIGURES.values():
        if not _has(tables, spec):
            continue
        names.extend(spec.figure_name(**params) for params in spec.params(tables, rentree))
    return names


def resolve(name: str) -> tuple[FigureSpec, dict[str, str]]:
    """The spec and the parameters of the figure called ``name``.

    A fixed name (``ecarts_quartiers``) wins over a pattern it also matches
    (``ecarts_{quartier_id}``).

    Raises
    ------
    ParameterError
        ``name`` is no figure's name.
    """
    fixed = [s for s in FIGURES.values() if "{" not in s.pattern]
    patterned = [s for s in FIGURES.values() if "{" in s.pattern]
    for spec in (*fixed, *patterned):
        match = spec.regex.fullmatch(name)
        if match:
            params = match.groupdict()
            if "rentree" in params:
                params["rentree"] = params["rentree"].replace("_", "-")
            return spec, params
    shown = ", ".join(spec.pattern for spec in FIGURES.values())
    raise ParameterError(f"unknown figure {name!r}; expected one of: {shown}")


def _check_tables(name: str, spec: FigureSpec, tables: Tables) -> None:
    missing = [t for t in spec.tables if tables.get(t) is None]
    if missing:
        raise InputError(f"the tables {', '.join(missing)}", context=f"figure {name!r}")


def draw(name: str, tables: Tables, *, territory: Territory) -> Axes:
    """Draw the figure called ``name`` from ``tables``; returns its Axes (never saved).

    ``territory`` gives the labels: the EPCI's short label and the commune(s) of the
    convention (``data/raw/territory.toml``).

    Raises
    ------
    ParameterError
        Unknown figure name, or an unknown quartier id in the name.
    InputError
        A table the figure needs is absent, or a table is not as the figure needs it.
    """
    spec, params = resolve(name)
    _check_tables(name, spec, tables)
    return spec.draw(tables, territory, **params)


def alt_text(name: str, tables: Tables, *, territory: Territory) -> str:
    """The French alt text of the figure called ``name`` (for the reports' ``<img>``)."""
    spec, params = resolve(name)
    _check_tables(name, spec, tables)
    return spec.alt(tables, territory, **params)


def spec_of(name: str) -> FigureSpec:
    """The spec of the figure called ``name`` (:class:`ParameterError` if unknown)."""
    return resolve(name)[0]
