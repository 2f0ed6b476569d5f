"""The commune's own indicators over the years, one line per territory, with sources.

Rows of the ``series_commune`` table (:mod:`indicators.sources.commune_indicators`);
when the indicator is also one of the convention's portrait, the portrait's figure is
drawn beside it as a separate marker with its own source. « environ » and « au moins »
figures are hollow markers; every source is written under the chart.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from indicators.errors import InputError
from indicators.figures import style

__all__ = ["plot_commune_series"]

_COLORS = [
    style.OKABE_ITO[c]
    for c in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue")
]


def plot_commune_series(
    series: pd.DataFrame,
    indicator_id: str,
    *,
    names: dict[str, str] | None = None,
    portrait: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One indicator of the commune over time (years on x), one line per territory.

    ``names`` maps territory codes to names; ``portrait`` (the convention's table) adds
    its figure of the same indicator, if any, as a square marked « convention ».
    """
    rows = series[series["indicator_id"] == indicator_id].copy()
    if rows.empty:
        raise InputError(f"rows of indicator {indicator_id!r}", context="table 'series_commune'")
    names = names or {}
    rows["year"] = rows["vintage"].astype(int)
    label, unit = str(rows["label"].iloc[0]), rows["unit"].iloc[0]
    if ax is None:
        _, ax = style.new_figure(height=2.8)
    sources = list(dict.fromkeys(rows["source"]))
    with style.style_context():
        colors: dict[str, str] = {}
        for i, (territory, part) in enumerate(rows.groupby("territory", sort=True)):
            part = part.sort_values("year")
            color = colors.setdefault(territory, _COLORS[i % len(_COLORS)])
            ax.plot(
                part["year"],
                part["value"],
                color=color,
                linewidth=1.8,
                label=names.get(territory, territory),
            )
            exact = part["qualifier"].eq("exact")
            ax.scatter(part.loc[exact, "year"], part.loc[exact, "value"], color=color, zorder=3)
            ax.scatter(
                part.loc[~exact, "year"],
                part.loc[~exact, "value"],
                facecolor="white",
                edgecolor=color,
                zorder=3,
            )
        shown_portrait = False
        if portrait is not None and "indicator_id" in portrait.columns:
            own = portrait[
                portrait["indicator_id"].eq(indicator_id) & portrait["quartier_id"].isin(colors)
            ].dropna(subset=["vintage"])
            for row in own.itertuples():
                ax.scatter(
                    [int(str(row.vintage)[:4])],
                    [row.value],
                    marker="s",
                    s=36,
                    color=colors[row.quartier_id],
                    edgecolor=style.TEXT_COLOR,
                    zorder=4,
                )
                sources.append(f"convention ({row.source})" if row.source else "convention")
                shown_portrait = True
        ax.set_title(label + (f" ({unit})" if unit else ""), loc="left")
        top = max(ax.get_ylim()[1], 1.0)
        ax.set_ylim(0, min(top * 1.1, 100) if unit == "%" else top * 1.1)
        ax.yaxis.set_major_formatter(style.french_formatter(0, unit if unit == "%" else None))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v)}"))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles, _ = ax.get_legend_handles_labels()
        if (~rows["qualifier"].eq("exact")).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor="white",
                    markeredgecolor=style.NOTE_COLOR,
                    label="valeur approchée ou borne",
                )
            )
        if shown_portrait:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    linestyle="",
                    color=style.REFERENCE_COLOR,
                    label="chiffre de la convention",
                )
            )
        ax.legend(handles=handles, frameon=False, fontsize=style.TICK_SIZE, loc="best")
        ax.set_xlabel("Année")
        style.add_source(
            ax,
            " ; ".join(dict.fromkeys(sources)),
            note="Données transmises par la commune"
            + (" ; carrés : chiffre de la convention." if shown_portrait else "."),
            below=[ax.xaxis.label],
        )
    return ax
