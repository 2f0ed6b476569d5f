"""How far the actions of a quartier have gone: one stacked bar per enjeu, by state.

Drawn from :func:`indicators.analysis.suivi.state_counts`; « non renseignée » (no state
given in the year's file) is hatched grey like every missing figure.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from indicators.analysis.suivi import NOT_FILLED, STATE_ORDER
from indicators.errors import InputError
from indicators.figures import style
from indicators.numbers import format_number

__all__ = ["STATE_COLORS", "plot_action_states"]

STATE_COLORS: dict[str, str] = {
    "réalisée": style.OKABE_ITO["bluish_green"],
    "engagée": style.OKABE_ITO["sky_blue"],
    "non engagée": style.OKABE_ITO["orange"],
    "reportée": style.OKABE_ITO["reddish_purple"],
    "abandonnée": "#7f7f7f",
    NOT_FILLED: style.MISSING_COLOR,
}


def plot_action_states(
    counts: pd.DataFrame,
    quartier_id: str,
    year: int,
    *,
    quartier_name: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The quartier's actions by state, one bar per enjeu (numbers of actions).

    ``counts`` is :func:`~indicators.analysis.suivi.state_counts` output; ``source``
    names the follow-up file (« Source : … » under the chart).
    """
    rows = counts[counts["quartier_id"] == quartier_id]
    if rows.empty:
        raise InputError(f"actions of quartier {quartier_id!r}", context="table 'suivi'")
    enjeux = rows[["enjeu", "enjeu_title"]].drop_duplicates().sort_values("enjeu")
    if ax is None:
        _, ax = style.new_figure(height=0.55 * len(enjeux) + 1.4)
    with style.style_context():
        labels = []
        for position, (enjeu, title) in enumerate(enjeux.itertuples(index=False)):
            left = 0
            part = rows[rows["enjeu"] == enjeu].set_index("etat")["actions"]
            for state in STATE_ORDER:
                n = int(part.get(state, 0))
                if not n:
                    continue
                ax.barh(
                    position,
                    n,
                    left=left,
                    color=STATE_COLORS[state],
                    hatch=style.MISSING_HATCH if state == NOT_FILLED else None,
                    edgecolor="white" if state != NOT_FILLED else style.MISSING_EDGE,
                    height=0.62,
                )
                ax.text(
                    left + n / 2,
                    position,
                    format_number(n),
                    ha="center",
                    va="center",
                    fontsize=style.TICK_SIZE,
                    color=style.TEXT_COLOR,
                )
                left += n
            labels.append(textwrap.fill(f"Enjeu {enjeu} : {str(title).capitalize()}", 34))
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlabel("Nombre d'actions")
        ax.xaxis.set_major_formatter(style.french_formatter(0))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        present = [s for s in STATE_ORDER if s in set(rows["etat"])]
        handles = [
            Patch(
                facecolor=STATE_COLORS[s],
                hatch=style.MISSING_HATCH if s == NOT_FILLED else None,
                edgecolor=style.MISSING_EDGE if s == NOT_FILLED else "white",
                label=s,
            )
            for s in present
        ]
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncol=len(handles),
            frameon=False,
            fontsize=style.TICK_SIZE,
            handlelength=1.2,
        )
        name = quartier_name or quartier_id
        ax.set_title(f"{name} — état des actions en {year}", loc="left", pad=22)
        style.add_source(
            ax,
            source or f"suivi des actions {year} transmis par la commune",
            below=[ax.xaxis.label],
        )
    return ax
