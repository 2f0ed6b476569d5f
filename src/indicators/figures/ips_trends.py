"""Small multiples of the school IPS over the rentrées, read from the ``series`` table.

One panel per level (écoles, collèges, lycées): a line per territory — the schools listed
for the quartiers, the communes concerned, the EPCI, the département, France — with the
unweighted mean of the published IPS (the DEPP's pupil-weighted national reference
dashed, where published). A break is marked where the DEPP's « ap2022 » files start (a
new series from rentrée 2022), and INSEE's warning on comparisons over time of
sub-commune figures is printed under the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from indicators.errors import InputError

if TYPE_CHECKING:  # matplotlib is imported when the chart is drawn (reports read TREND_WARNING)
    from matplotlib.axes import Axes

__all__ = ["TREND_WARNING", "plot_ips_trends"]

TREND_WARNING = (
    "Comparaisons dans le temps : les périmètres (quartiers, liste des établissements) et "
    "les méthodes peuvent changer d'un millésime à l'autre ; l'INSEE recommande de ne pas "
    "comparer directement des chiffres infra-communaux de périmètres ou de méthodes "
    "différents. La DEPP publie à partir de la rentrée 2022 de nouveaux fichiers (« ap2022 ») : "
    "prudence en comparant avec les rentrées antérieures."
)
_PANELS = (("ecole", "Écoles"), ("college", "Collèges"), ("lycee", "Lycées (GT et PRO)"))
_ORDER = ("quartier", "commune", "epci", "departement", "france")
_COLORS = {
    "quartier": "#c0392b",
    "commune": "#e67e22",
    "epci": "#2c7fb8",
    "departement": "#7f7f7f",
    "france": "#252525",
}
_MARKERS = ("o", "s", "^", "D", "v")
_DASHES = ("-", (0, (5, 1.5)), (0, (1.5, 1.2)), (0, (5, 1.5, 1.5, 1.5)), (0, (3, 3)))


def plot_ips_trends(
    series: pd.DataFrame,
    *,
    communes: Sequence[str] = (),
    ax: Axes | None = None,
) -> Axes:
    """IPS over the rentrées, one panel per level; returns the first panel's Axes.

    Parameters
    ----------
    series
        The ``series`` table (``school_ips_<niveau>`` and ``school_ips_ecole_depp`` rows).
    communes
        INSEE codes of the communes to draw (default: none but the other territories).
    ax
        Ignored when ``None`` (a new figure of three panels is made); given, the three
        panels are drawn in its figure, replacing it.
    """
    from indicators.figures import style

    ips = series[series["indicator_id"].str.match(r"^school_ips_(ecole|college|lycee)(_depp)?$")]
    if ips.empty:
        raise InputError("school IPS rows (school_ips_<niveau>)", context="table 'series'")
    keep = ips["territoire_type"].isin(["quartier", "epci", "departement", "france"]) | (
        ips["territoire_type"].eq("commune") & ips["territoire_code"].isin(set(communes))
    )
    ips = ips[keep]
    with style.style_context():
        if ax is None:
            fig = style.new_figure(style.A4_WIDTH, 4.6)[0]
            fig.delaxes(fig.axes[0])
        else:
            fig = ax.figure
            fig.delaxes(ax)
        axes = fig.subplots(1, len(_PANELS), sharey=True)
        rentrees = sorted(ips["vintage"].unique())
        all_codes = {
            k: set(ips.loc[ips["territoire_type"].eq(k), "territoire_code"]) for k in _ORDER
        }
        for panel, (niveau, title) in zip(axes, _PANELS, strict=True):
            rows = ips[ips["indicator_id"].eq(f"school_ips_{niveau}")]
            for kind in _ORDER:
                lines = rows[rows["territoire_type"].eq(kind)].groupby(
                    ["territoire_code", "territoire_nom"]
                )
                for (code, name), line in lines:
                    line = line.sort_values("vintage")
                    x = [rentrees.index(v) for v in line["vintage"]]
                    # Territories of one kind share a colour: each has its own marker and
                    # dash, the same in every panel, so colour is never alone.
                    rank = sorted(all_codes[kind]).index(code) % len(_MARKERS)
                    panel.plot(
                        x,
                        line["value"],
                        marker=_MARKERS[rank],
                        ls=_DASHES[rank],
                        ms=3.5,
                        lw=1.4,
                        color=_COLORS[kind],
                        alpha=0.65 if kind == "commune" else 1.0,
                        label=name,
                    )
            depp = ips[ips["indicator_id"].eq(f"school_ips_{niveau}_depp")]
            depp = depp[depp["territoire_type"].eq("france")].sort_values("vintage")
            if len(depp):
                panel.plot(
                    [rentrees.index(v) for v in depp["vintage"]],
                    depp["value"],
                    ls="--",
                    lw=1,
                    color=_COLORS["france"],
                    label="France, référence DEPP (pondérée)",
                )
            if "2022-2023" in rentrees:
                panel.axvline(rentrees.index("2022-2023") - 0.5, color="#bbbbbb", lw=0.8, ls=":")
            panel.set_title(title, loc="left", fontsize=style.TICK_SIZE + 1)
            panel.set_xticks(range(len(rentrees)))
            panel.set_xticklabels(
                [r[2:4] + "-" + r[7:] for r in rentrees], rotation=90, fontsize=style.TICK_SIZE - 1
            )
            panel.yaxis.set_major_formatter(style.french_formatter(0))
            panel.grid(axis="y", lw=0.4, alpha=0.5)
        axes[0].set_ylabel("IPS moyen (non pondéré)")
        handles, labels = {}, []
        for panel in axes:
            for h, lab in zip(*panel.get_legend_handles_labels(), strict=True):
                if lab not in handles:
                    handles[lab] = h
                    labels.append(lab)
        legend = fig.legend(
            [handles[lab] for lab in labels],
            labels,
            loc="lower left",
            ncols=3,
            fontsize=style.TICK_SIZE - 1,
            frameon=False,
            bbox_to_anchor=(0.02, -0.02),
        )
        fig.suptitle(
            "Indice de position sociale des établissements, par rentrée",
            x=0.02,
            ha="left",
            fontsize=style.TICK_SIZE + 2,
        )
        fig.set_layout_engine(None)
        fig.subplots_adjust(bottom=0.27, top=0.85, left=0.08, right=0.98, wspace=0.08)
        style.add_source(
            axes[0],
            "Source : DEPP, IPS des écoles, collèges et lycées (fichiers nationaux) ; moyennes "
            "non pondérées des IPS publiés (« NS » exclus).",
            note=TREND_WARNING,
            below=[legend],
        )
    return axes[0]


def draw_ips_trends(tables) -> Axes:
    """The registry's entry: ``series`` (and ``communes`` for the communes concerned)."""
    communes = tables.get("communes")
    codes: list[str] = []
    if communes is not None and "concerne_quartiers" in communes.columns:
        codes = list(communes.loc[communes["concerne_quartiers"].astype(bool), "code"])
    return plot_ips_trends(tables["series"], communes=codes)
