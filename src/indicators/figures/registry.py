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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.axes import Axes

from indicators.errors import InputError, ParameterError
from indicators.figures import alt_texts as alts
from indicators.territory import Territory

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

Tables = Mapping[str, pd.DataFrame]
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


# --- parameters the tables allow -------------------------------------------------------


def latest_rentree(ips_communes: pd.DataFrame, niveau: str = "ecole") -> str | None:
    """The most recent rentrée of ``ips_communes`` for ``niveau`` (``None`` if none)."""
    rentrees = sorted(ips_communes.loc[ips_communes["niveau"] == niveau, "rentree"].unique())
    return str(rentrees[-1]) if rentrees else None


def _single(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{}]


def _each_quartier(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{"quartier_id": str(q)} for q in tables["quartiers"]["quartier_id"]]


def _with_shapes(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    shapes = tables.get("quartier_shapes")
    return [{}] if shapes is not None and len(shapes) else []


def _rentree_param(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    chosen = rentree or latest_rentree(tables["ips_communes"])
    return [] if chosen is None else [{"rentree": chosen}]


def _concerned_communes(tables: Tables) -> pd.DataFrame:
    communes = tables["communes"]
    if "concerne_quartiers" in communes.columns and communes["concerne_quartiers"].any():
        return communes[communes["concerne_quartiers"].astype(bool)]
    return communes


def _local_cells(tables: Tables) -> pd.DataFrame:
    from indicators.sources.layers import grid_cells_in

    return grid_cells_in(tables["grid"], _concerned_communes(tables))


def _with_local_cells(tables: Tables, rentree: str | None) -> list[dict[str, str]]:
    return [{}] if len(_local_cells(tables)) else []


# --- draw functions --------------------------------------------------------------------


def _gap_chart(tables: Tables, territory: Territory, *, quartier_id: str) -> Axes:
    from indicators.figures.gap_chart import plot_gap_chart

    return plot_gap_chart(
        tables["gaps"],
        tables["portrait"],
        quartier_id,
        quartiers=tables["quartiers"],
        reference_label=territory.reference_label,
    )


def _gaps_across(tables: Tables, territory: Territory) -> Axes:
    from indicators.figures.gaps_across import plot_gaps_across

    label = territory.reference_label
    return plot_gaps_across(tables["gaps"], tables["quartiers"], reference_label=label)


def _map_labels(territory: Territory) -> dict[str, object]:
    return {"reference_label": territory.epci.label, "highlight": territory.commune_names}


def _locator(tables: Tables, territory: Territory, *, zoom: bool = False) -> Axes:
    from indicators.figures.locator_maps import plot_locator_map

    shapes = tables.get("quartier_shapes")
    return plot_locator_map(
        tables["communes"], tables["quartiers"], shapes, zoom=zoom, **_map_labels(territory)
    )


def _locator_zoom(tables: Tables, territory: Territory) -> Axes:
    return _locator(tables, territory, zoom=True)


def _quartier_communes(tables: Tables, territory: Territory, *, quartier_id: str) -> Axes:
    from indicators.figures.locator_maps import plot_quartier_communes

    shapes = tables.get("quartier_shapes")
    return plot_quartier_communes(
        tables["communes"], tables["quartiers"], quartier_id, shapes, **_map_labels(territory)
    )


def _ips_choropleth(tables: Tables, territory: Territory, *, rentree: str) -> Axes:
    from indicators.figures.ips_maps import plot_ips_choropleth

    communes, ips_communes = tables["communes"], tables["ips_communes"]
    return plot_ips_choropleth(communes, ips_communes, rentree, **_map_labels(territory))


def _ips_gap_map(tables: Tables, territory: Territory, *, rentree: str) -> Axes:
    from indicators.figures.ips_maps import plot_ips_gap_map

    communes, ips_communes = tables["communes"], tables["ips_communes"]
    return plot_ips_gap_map(communes, ips_communes, rentree, **_map_labels(territory))


def _grid_map(tables: Tables, territory: Territory) -> Axes:
    from indicators.figures.grid_map import plot_grid_map

    local = _local_cells(tables)
    if not len(local):
        raise InputError(
            "grid cells in the communes concerned by the quartiers", context="table 'grid'"
        )
    shapes = tables.get("quartier_shapes")
    return plot_grid_map(local, perimeters=shapes, communes=_concerned_communes(tables))


def _action_states(tables: Tables, *, quartier_id: str, year: int | None = None) -> Axes:
    from indicators.analysis.suivi import state_counts, year_view
    from indicators.figures.actions_chart import plot_action_states

    suivi = tables["suivi"]
    chosen = int(suivi["annee"].max()) if year is None else year
    counts = state_counts(year_view(tables["objectives"], suivi, chosen))
    files = ", ".join(sorted(set(suivi.loc[suivi["annee"] == chosen, "fichier"])))
    return plot_action_states(
        counts,
        quartier_id,
        chosen,
        quartier_name=_quartier_name(tables, quartier_id),
        source=f"suivi des actions transmis par la commune ({files})" if files else None,
    )


# --- alt texts -------------------------------------------------------------------------


def _quartier_name(tables: Tables, quartier_id: str) -> str:
    quartiers = tables["quartiers"]
    rows = quartiers.loc[quartiers["quartier_id"] == quartier_id, "name"]
    value = rows.iloc[0] if len(rows) else quartier_id
    return "" if value is None or pd.isna(value) else str(value)


#: Every figure, in the order the build writes them.
FIGURES: dict[str, FigureSpec] = {
    spec.name: spec
    for spec in (
        FigureSpec(
            "ecarts_quartier",
            "ecarts_{quartier_id}",
            ("quartiers", "gaps", "portrait"),
            _each_quartier,
            _gap_chart,
            alts.gap_chart_alt,
        ),
        FigureSpec(
            "ecarts_quartiers",
            "ecarts_quartiers",
            ("quartiers", "gaps", "portrait"),
            _single,
            _gaps_across,
            alts.gaps_across_alt,
        ),
        FigureSpec(
            "carte_situation",
            "carte_situation",
            ("communes", "quartiers"),
            _single,
            _locator,
            alts.locator_alt,
            "map",
        ),
        FigureSpec(
            "carte_situation_zoom",
            "carte_situation_zoom",
            ("communes", "quartiers", "quartier_shapes"),
            _with_shapes,
            _locator_zoom,
            alts.locator_alt,
            "map",
        ),
        FigureSpec(
            "carte_communes",
            "carte_communes_{quartier_id}",
            ("communes", "quartiers"),
            _each_quartier,
            _quartier_communes,
            alts.quartier_communes_alt,
            "map",
        ),
        FigureSpec(
            "carte_ips_ecoles",
            "carte_ips_ecoles_{rentree}",
            ("communes", "ips_communes"),
            _rentree_param,
            _ips_choropleth,
            alts.ips_choropleth_alt,
            "map",
        ),
        FigureSpec(
            "carte_ecart_ips_ecoles",
            "carte_ecart_ips_ecoles_{rentree}",
            ("communes", "ips_communes"),
            _rentree_param,
            _ips_gap_map,
            alts.ips_gap_map_alt,
            "map",
        ),
        FigureSpec(
            "etats_actions",
            "etats_actions_{quartier_id}",
            ("quartiers", "objectives", "suivi"),
            _each_quartier,
            _action_states,
            alts.action_states_alt,
        ),
        FigureSpec(
            "carte_carroyage",
            "carte_carroyage",
            ("grid", "communes"),
            _with_local_cells,
            _grid_map,
            alts.grid_map_alt,
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
