"""The gap chart of one quartier: a dot per indicator, the quartier against the agglomeration.

Markers, arrows and colours follow :mod:`indicators.figures.chartkit`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from indicators.figures import chartkit as kit
from indicators.figures import style
from indicators.numbers import MISSING_TEXT

KIND_TITLES = {
    "rate": "Taux et parts (en %)",
    "level": "Indice de position sociale (IPS)",
}
NO_REFERENCE_TEXT = "sans référence"

_LABEL_WIDTH = 30  # characters before an indicator label is wrapped


def plot_gap_chart(
    gaps: pd.DataFrame,
    portrait: pd.DataFrame,
    quartier_id: str,
    *,
    quartiers: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
    reference_label: str | None = None,
    title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot chart of one quartier against the agglomeration, indicator by indicator.

    One row per indicator, poverty, employment and IPS first (they are always shown, as
    « non disponible » when the convention gives no figure), then the other rates the
    quartier has. On each row a grey diamond marks the agglomeration, a circle the quartier,
    joined by a segment coloured by the reading of the gap; the value is written beside
    each marker and the gap (« +32,1 points », « au moins +11,2 points ») in the right
    column. Rates and the IPS are in two panels with their own scales (see the module
    docstring for markers, arrows and colours).

    Parameters
    ----------
    gaps, portrait
        The processed ``gaps`` and ``portrait`` tables.
    quartier_id
        The quartier to draw (e.g. ``"cites-6-et-30"``).
    quartiers
        The ``quartiers`` table, for the quartier's name and caveat (optional).
    indicators
        Indicator ids to show (rates or levels); default: see above.
    reference_label
        The short label of the reference territory (the EPCI's, ``territory.epci.label``),
        in the legend (« <label> (agglomération) ») and the source; ``None``:
        « Agglomération ».
    title
        Figure title; default « <nom> : le quartier comparé à l'agglomération ».
    note
        A caveat printed under the chart after the quartier's own (e.g.
        :func:`~indicators.figures.caveats.ips_reference_caveat`), so that it stays with
        the figure once exported.
    ax
        Axes to draw in (its area is split into panels); a new figure when ``None``.

    Returns
    -------
    Axes
        The frame; its ``child_axes`` are the panels (rates, then levels).

    Raises
    ------
    ParameterError
        Unknown quartier or indicator id (raised before anything is drawn).
    InputError
        A table lacks a required column.
    """
    kit.require(gaps, (*kit.GAP_COLUMNS, "reference_value"), "gaps")
    kit.require(portrait, kit.PORTRAIT_COLUMNS, "portrait")
    kit.check_quartier(quartier_id, portrait, gaps, quartiers)
    present = set(portrait.loc[portrait["quartier_id"] == quartier_id, "indicator_id"])
    present |= set(gaps.loc[gaps["quartier_id"] == quartier_id, "indicator_id"])
    ids = kit.indicator_ids(indicators, present)
    rows = kit.rows(gaps, portrait, quartier_id, ids)
    kinds = [(k, sum(r.kind == k for r in rows)) for k in ("rate", "level")]
    kinds = [(k, n) for k, n in kinds if n]

    with style.style_context():
        frame = kit.frame(ax, len(rows) + 2 * len(kinds), row_height=0.45)
        name = kit.quartier_name(quartiers, quartier_id)
        frame.set_title(
            style.escape_text(title or f"{name} : le quartier comparé à l'agglomération"),
            loc="left",
        )
        legend_height = 0.13
        panels = kit.panels(frame, kinds, top=0.93, bottom=legend_height + 0.06)
        used_readings: set[str] = set()
        used_markers: set[str] = set()
        for panel, (kind, _) in zip(panels, kinds, strict=True):
            krows = [r for r in rows if r.kind == kind]
            _setup_panel(panel, [r.label for r in krows], KIND_TITLES[kind])
            xs = [r.value for r in krows] + [r.reference for r in krows]
            if kind == "rate":
                lo, hi = 0.0, 104.0
                panel.xaxis.set_major_formatter(style.french_formatter(0, "%"))
                panel.set_xticks(np.arange(0, 101, 20))
            else:
                lo, hi = _nice_range(xs, 10)
                panel.xaxis.set_major_formatter(style.french_formatter(0))
            panel.set_xlim(lo, hi)
            span = hi - lo
            for y, row in enumerate(krows):
                _draw_dot_row(panel, y, row, span, used_readings, used_markers)
            panel.annotate(
                "Écart",
                xy=(1.03, 1.0),
                xycoords="axes fraction",
                ha="left",
                va="bottom",
                fontsize=style.TICK_SIZE,
                fontweight="bold",
                color=style.TEXT_COLOR,
            )
        _dot_legend(frame, used_readings, used_markers, reference_label)
        caveat = None
        if quartiers is not None and "caveat" in quartiers.columns:
            caveats = quartiers.loc[quartiers["quartier_id"] == quartier_id, "caveat"]
            caveat = kit.text_or_none(caveats.iloc[0]) if len(caveats) else None
        qrows = portrait[portrait["quartier_id"] == quartier_id]
        style.add_source(
            frame, kit.source_text(qrows, reference_label), note=[_wrap_note(caveat), note]
        )
    return frame


def _setup_panel(panel: Axes, labels: list[str], title: str) -> None:
    n = len(labels)
    panel.set_ylim(n - 0.5, -0.5)
    panel.set_yticks(range(n), [textwrap.fill(label, _LABEL_WIDTH) for label in labels])
    panel.tick_params(axis="y", length=0, labelsize=style.TICK_SIZE)
    panel.tick_params(axis="x", labelsize=style.TICK_SIZE - 0.5)
    panel.spines[["top", "right", "left"]].set_visible(False)
    panel.grid(axis="x", color="#e0e0e0", lw=0.6)
    panel.set_axisbelow(True)
    panel.set_title(title, fontsize=style.LABEL_SIZE, fontweight="bold", loc="left", pad=4)


def _nice_range(
    values: list[float], step: float, floor: float | None = None
) -> tuple[float, float]:
    finite = [v for v in values if not math.isnan(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 100.0)
    lo = math.floor(lo / step) * step - (step if floor is None else 0)
    hi = math.ceil(hi / step) * step + step
    if floor is not None:
        lo = max(floor, lo)
    return lo, hi


def _wrap_note(note: str | None, width: int = 110) -> str | None:
    return None if note is None else textwrap.fill("Note : " + note, width)


def _draw_dot_row(
    panel: Axes, y: int, row: kit.Row, span: float, readings: set[str], markers: set[str]
) -> None:
    text_kw = {"fontsize": style.TICK_SIZE - 0.5, "va": "center", "color": style.TEXT_COLOR}
    gap_x = 1.03
    if not row.has_value:
        panel.text(
            0.5,
            y,
            MISSING_TEXT,
            transform=panel.get_yaxis_transform(),
            ha="center",
            style="italic",
            gid="missing",
            **{**text_kw, "color": style.NOTE_COLOR},
        )
        return
    color = style.READING_COLORS.get(row.reading, style.READING_COLORS["indéterminé"])
    has_ref = not math.isnan(row.reference)
    if has_ref:
        panel.plot(
            [row.reference, row.value],
            [y, y],
            color=color,
            lw=2.2,
            alpha=0.55,
            solid_capstyle="butt",
            zorder=2,
        )
        panel.plot(
            row.reference,
            y,
            marker="D",
            ms=6,
            color=style.REFERENCE_COLOR,
            ls="none",
            zorder=3,
            gid="reference",
        )
        markers.add("reference")
        readings.add(row.reading if row.has_gap else "indéterminé")
    open_marker = row.qualifier == "approx"
    panel.plot(
        row.value,
        y,
        marker="o",
        ms=8.5,
        ls="none",
        zorder=4,
        markerfacecolor="white" if open_marker else color,
        markeredgecolor=color,
        markeredgewidth=1.6,
        gid="value_open" if open_marker else "value",
    )
    markers.add("approx" if open_marker else "exact")
    direction = {"lower_bound": 1, "upper_bound": -1}.get(row.qualifier, 0)
    if direction:
        kit.arrow(panel, row.value, y, direction, 0.075 * span, color)
        markers.add(row.qualifier)
    # The quartier's value is written above its marker, the agglomeration's below its
    # own: the two labels can never overlap, however close the values are.
    panel.annotate(
        kit.value_text(row),
        xy=(row.value, y),
        xytext=(0, 7),
        textcoords="offset points",
        ha=_label_ha(row.value, panel),
        gid="value_label",
        annotation_clip=False,
        **{**text_kw, "va": "bottom"},
    )
    if has_ref:
        panel.annotate(
            kit.reference_text(row),
            xy=(row.reference, y),
            xytext=(0, -7),
            textcoords="offset points",
            ha=_label_ha(row.reference, panel),
            gid="reference_label",
            annotation_clip=False,
            **{**text_kw, "va": "top", "color": style.REFERENCE_COLOR},
        )
    if row.has_gap and not math.isnan(row.gap):
        # The reading in words as well: colour is never the only carrier (text in dark
        # grey: the reading colours are under 4.5:1 against white).
        label, label_color = kit.with_reading(row.gap_label, row.reading), style.TEXT_COLOR
    elif row.has_gap:
        label, label_color = kit.UNDETERMINED_TEXT, style.NOTE_COLOR
    else:
        label, label_color = NO_REFERENCE_TEXT, style.NOTE_COLOR
    panel.text(
        gap_x,
        y,
        label,
        transform=panel.get_yaxis_transform(),
        ha="left",
        gid="gap_label",
        **{**text_kw, "color": label_color, "fontweight": "bold"},
    )


def _label_ha(x: float, panel: Axes) -> str:
    """Centre a label on its marker, unless that would push it out of the panel."""
    lo, hi = panel.get_xlim()
    position = (x - lo) / (hi - lo)
    return "right" if position > 0.88 else "left" if position < 0.08 else "center"


def _dot_legend(
    frame: Axes, readings: set[str], markers: set[str], reference_label: str | None
) -> None:
    handles: list[Line2D | Patch] = []
    grey = style.REFERENCE_COLOR
    if "reference" in markers:
        label = f"{reference_label} (agglomération)" if reference_label else "Agglomération"
        handles.append(
            Line2D([], [], marker="D", ls="none", color=grey, ms=6, label=style.escape_text(label))
        )
    handles.append(
        Line2D([], [], marker="o", ls="none", color=grey, ms=8, label="Quartier (valeur exacte)")
    )
    if "approx" in markers:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="none",
                markerfacecolor="white",
                markeredgecolor=grey,
                markeredgewidth=1.6,
                ms=8,
                label="Quartier, valeur approchée (« environ »)",
            )
        )
    if "lower_bound" in markers:
        handles.append(kit.bound_handle(+1, "Valeur minimale (« plus de », écart « au moins »)"))
    if "upper_bound" in markers:
        handles.append(kit.bound_handle(-1, "Valeur maximale (« moins de », écart « au plus »)"))
    handles.extend(kit.reading_handles(readings, kind="line"))
    kit.legend(frame, handles, handlelength=1.8, columnspacing=1.5)
