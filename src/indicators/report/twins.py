"""The data behind the reports' HTML helpers: a DataFrame or a Matplotlib Figure each.

The report helpers return HTML (``*_html``), ready to show. An analyst who wants to
filter, restyle or export what they show calls the *twin*: same arguments, the
:class:`pandas.DataFrame` (``*_frame``, or the ``*_table_fr`` French display tables of
:mod:`indicators.report.display`) or the :class:`matplotlib.figure.Figure`
(``*_figure``) behind it. The Figures are drawn from the tables, by the same registry
function the build uses (:mod:`indicators.figures.registry`): close them
(``matplotlib.pyplot.close(fig)``) when done.

==================================================  ==========================================
HTML helper                                         data twin
==================================================  ==========================================
``html_table(portrait_table_fr(…))`` and the other  the ``*_table_fr`` DataFrame itself
  French tables of :mod:`~indicators.report.display`
``crosscheck_html``                                 ``crosscheck.crosscheck_table_fr``
``figures_html.figure_html(tables, name)``          :func:`figure`
``figures_html.gap_chart_html``                     :func:`gap_chart_figure`
``figures_html.gaps_across_html``                   :func:`gaps_across_figure`
``figures_html.locator_map_html``                   :func:`locator_map_figure`
``figures_html.ips_map_html``                       :func:`ips_map_figure`
``fragments.diagnostic_html``                       :func:`diagnostic_frame`
``fragments.objectives_html``                       :func:`objectives_frame`
``fragments.findings_html``                         :func:`findings_frame`
``suivi.suivi_html``                                :func:`suivi_frame`
``suivi.commune_indicators_html``                   ``tables.series_commune``
==================================================  ==========================================

Text-only helpers (``title_html``, ``caveats_html``, ``sources_et_methodes``) have no
data behind them other than the ``quartiers`` table.

>>> from indicators.report.examples import example_tables
>>> tables = example_tables()
>>> diagnostic_frame(tables, "q1").columns.tolist()
['rubrique', 'element']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from indicators.errors import ParameterError
from indicators.figures import registry
from indicators.report.display import KEY_INDICATORS
from indicators.report.figures_html import (
    _ABSENT,
    _build_names,
    _gap_chart_name,
    _locator_map_name,
    draw_figure,
    latest_rentree,
)
from indicators.report.markup import _items
from indicators.report.tables import Tables, _quartier, quartier_ids

# --------------------------------------------------------------------------- figures


def figure(tables: Tables, name: str) -> Any:
    """The Matplotlib Figure of the registry figure ``name`` (twin of ``figure_html``).

    Raises
    ------
    ParameterError
        ``name`` is no registry figure, or ``tables`` cannot give it (the message says
        why, as the report does: no commune layer, no IPS…).
    """
    spec, params = registry.resolve(name)
    if name not in _build_names(tables, spec, params.get("rentree")):
        raise ParameterError(_ABSENT.get(spec.name, f"Figure « {name} » non disponible."))
    return draw_figure(tables, name).figure


def gap_chart_figure(tables: Tables, quartier_id: str) -> Any:
    """The quartier's chart against the agglomeration (twin of ``gap_chart_html``)."""
    return figure(tables, _gap_chart_name(tables, quartier_id))


def gaps_across_figure(tables: Tables) -> Any:
    """Every quartier's gaps to the agglomeration (twin of ``gaps_across_html``)."""
    return figure(tables, "ecarts_quartiers")


def locator_map_figure(tables: Tables, quartier_id: str | None = None, zoom: bool = False) -> Any:
    """Where the quartiers are (twin of ``locator_map_html``, same arguments)."""
    return figure(tables, _locator_map_name(tables, quartier_id, zoom))


def ips_map_figure(tables: Tables, rentree: str = "") -> Any:
    """Mean school IPS by commune (twin of ``ips_map_html``; ``rentree`` empty: latest)."""
    rentree = rentree or latest_rentree(tables) or ""
    if not rentree:
        raise ParameterError(_ABSENT["carte_ips_ecoles"])
    return figure(tables, registry.FIGURES["carte_ips_ecoles"].figure_name(rentree=rentree))


# --------------------------------------------------------------------------- frames


def diagnostic_frame(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """Irritants, opportunités and enjeux, one row per item (twin of ``diagnostic_html``).

    Columns ``rubrique`` (« Irritants », « Opportunités », « Enjeux ») and ``element``
    (the convention's wording).
    """
    row = _quartier(tables, quartier_id)
    rows = [
        (title, item)
        for column, title in (
            ("irritants", "Irritants"),
            ("opportunites", "Opportunités"),
            ("enjeux", "Enjeux"),
        )
        for item in _items(row[column])
    ]
    return pd.DataFrame(rows, columns=["rubrique", "element"])


def objectives_frame(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """The quartier's rows of ``objectives``, in the order ``objectives_html`` shows them."""
    _quartier(tables, quartier_id)
    frame = tables.objectives[tables.objectives["quartier_id"] == quartier_id]
    return frame.sort_values(["enjeu", "line"], kind="stable").reset_index(drop=True)


def findings_frame(tables: Tables, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``gaps`` rows ``findings_html`` states, one per quartier × key indicator.

    A key indicator the convention does not give for a quartier is a row whose values
    are missing (never 0), as the report says « non disponible ».
    """
    ids = list(ids) if ids is not None else quartier_ids(tables)
    for quartier_id in ids:
        _quartier(tables, quartier_id)
    wanted = pd.MultiIndex.from_product([ids, list(KEY_INDICATORS)])
    gaps = tables.gaps.set_index(["quartier_id", "indicator_id"])
    frame = gaps.reindex(wanted).rename_axis(["quartier_id", "indicator_id"]).reset_index()
    names = tables.quartiers.set_index("quartier_id")["name"]
    return frame.assign(quartier=frame["quartier_id"].map(names))


def suivi_frame(tables: Tables, annee: int = 0) -> pd.DataFrame:
    """Actions by quartier, enjeu and state in ``annee`` (twin of ``suivi_html``).

    ``annee`` 0: the latest year transmitted. An empty frame when no follow-up was.
    """
    from indicators.analysis.suivi import year_state_counts

    suivi = tables.suivi
    if suivi is None or suivi.empty:
        return pd.DataFrame(columns=["quartier_id", "enjeu", "enjeu_title", "etat", "actions"])
    return year_state_counts(tables.objectives, suivi, annee or None)[1]


__all__ = [
    "diagnostic_frame",
    "figure",
    "findings_frame",
    "gap_chart_figure",
    "gaps_across_figure",
    "ips_map_figure",
    "locator_map_figure",
    "objectives_frame",
    "suivi_frame",
]
