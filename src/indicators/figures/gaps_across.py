"""The gaps of every quartier to the agglomeration, side by side, as bars.

Bars, arrows and colours follow :mod:`indicators.figures.chartkit`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from indicators.catalog import BY_ID
from indicators.errors import InputError
from indicators.figures import chartkit as kit
from indicators.figures import style
from indicators.numbers import MISSING_TEXT, format_number
from indicators.territory import the_epci

#: Panel titles; ``{epci}`` is the reference's label with its article (``the_epci``).
KIND_GAP_TITLES = {
    "rate": "Écart à {epci}, en points de pourcentage",
    "level": "Écart à {epci}, en points d'IPS",
}


def plot_gaps_across(
    gaps: pd.DataFrame,
    quartiers: pd.DataFrame,
    *,
    indicators: Sequence[str] | None = None,
    reference_label: str | None = None,
    title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Gaps to the agglomeration of every quartier, side by side, indicator by indicator.

    One group of horizontal bars per indicator (poverty, employment, IPS first), one bar
    per quartier in the order of the ``quartiers`` table; the bar runs from 0 to the gap,
    coloured by its reading (unfavourable vermillion, favourable blue, no direction grey).
    An approximate gap is an open bar, a lower bound a bar with an arrow and the label
    « au moins … »; a quartier without the figure gets « non disponible » and no bar.
    Gaps of rates (percentage points) and of the IPS (IPS points) are in separate panels.

    Parameters
    ----------
    gaps
        The processed ``gaps`` table.
    quartiers
        The ``quartiers`` table (order and names of the quartiers).
    indicators
        Indicator ids to show; default: every indicator with at least one gap, plus
        poverty, employment and IPS.
    reference_label
        The short label of the reference territory (the EPCI's, ``territory.epci.label``),
        named in the title, the panels and the source; ``None``: « l'agglomération ».
    title
        Figure title; default « Écarts des quartiers à l'agglomération (<label>) ».
    note
        A caveat printed under the chart, before the source (it stays with the figure
        once exported).
    ax
        Axes to draw in; a new figure when ``None``.

    Returns
    -------
    Axes
        The frame; its ``child_axes`` are the panels (rates, then levels).

    Raises
    ------
    InputError
        A table lacks a column, or ``gaps`` names a quartier absent from ``quartiers``.
    ParameterError
        Unknown indicator id.
    """
    kit.require(gaps, (*kit.GAP_COLUMNS, "kind"), "gaps")
    kit.require(quartiers, ("quartier_id", "name"), "quartiers")
    known = list(dict.fromkeys(quartiers["quartier_id"]))
    stray = sorted(set(gaps["quartier_id"]) - set(known))
    if stray:
        raise InputError(
            "every quartier of the gaps table to be in the quartiers table",
            context="table 'gaps', column 'quartier_id'",
            found=stray[0],
        )
    ids = kit.indicator_ids(indicators, set(gaps["indicator_id"]))
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    kinds = [(k, sum(BY_ID[i].kind == k for i in ids)) for k in ("rate", "level")]
    kinds = [(k, n * (len(known) + 1)) for k, n in kinds if n]
    n_bars = sum(n for _, n in kinds)

    with style.style_context():
        frame = kit.frame(ax, n_bars + 3 * len(kinds), row_height=0.2)
        frame.set_title(
            style.escape_text(title or _default_title(reference_label)),
            loc="left",
        )
        panels = kit.panels(frame, kinds, top=0.94, bottom=0.1, left=0.33, right=0.98)
        readings: set[str] = set()
        markers: set[str] = set()
        for panel, (kind, _) in zip(panels, kinds, strict=True):
            kind_ids = [i for i in ids if BY_ID[i].kind == kind]
            panel_title = KIND_GAP_TITLES[kind].replace("{epci}", the_epci(reference_label))
            _draw_bar_panel(
                panel, frame, gaps, kind, kind_ids, known, names, readings, markers, panel_title
            )
        handles = kit.reading_handles(readings, kind="patch")
        if "approx" in markers:
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=style.REFERENCE_COLOR,
                    lw=1.4,
                    label="Écart approché (« environ »)",
                )
            )
        if markers & {"lower_bound", "upper_bound"}:
            handles.append(kit.bound_handle(+1, "Écart minimal (« au moins »)"))
        kit.legend(frame, handles)
        style.add_source(frame, kit.source_text(gaps, reference_label), note=note)
    return frame


def _default_title(reference_label: str | None) -> str:
    suffix = f" ({reference_label})" if reference_label else ""
    return f"Écarts des quartiers à l'agglomération{suffix}"


def _draw_bar_panel(
    panel: Axes,
    frame: Axes,
    gaps: pd.DataFrame,
    kind: str,
    ids: list[str],
    quartier_ids: list[str],
    names: dict[str, str],
    readings: set[str],
    markers: set[str],
    title: str,
) -> None:
    labels: list[str] = []
    positions: list[float] = []
    headers: list[tuple[float, str]] = []
    y = 0.0
    indexed = gaps.set_index(["quartier_id", "indicator_id"])
    values = [float(v) for v in gaps.loc[gaps["indicator_id"].isin(ids), "gap"].dropna()]
    lo, hi = _bar_range(values)
    span = hi - lo
    text_kw = {"fontsize": style.TICK_SIZE - 1, "va": "center"}
    for ind_id in ids:
        headers.append((y, BY_ID[ind_id].label_fr))
        y += 1.0
        for qid in quartier_ids:
            labels.append(names[qid])
            positions.append(y)
            key = (qid, ind_id)
            if key not in indexed.index:
                panel.text(
                    0,
                    y,
                    "  " + MISSING_TEXT,
                    ha="left",
                    style="italic",
                    color=style.NOTE_COLOR,
                    gid="missing",
                    **text_kw,
                )
                y += 1.0
                continue
            row = indexed.loc[key]
            gap, qual, reading = float(row["gap"]), str(row["gap_qualifier"]), str(row["reading"])
            if math.isnan(gap):
                panel.text(
                    0,
                    y,
                    "  " + kit.UNDETERMINED_TEXT,
                    ha="left",
                    style="italic",
                    color=style.NOTE_COLOR,
                    gid="undetermined",
                    **text_kw,
                )
                y += 1.0
                continue
            color = style.READING_COLORS.get(reading, style.READING_COLORS["indéterminé"])
            readings.add(reading)
            is_open = qual == "approx"
            panel.barh(
                y,
                gap,
                height=0.72,
                color="white" if is_open else color,
                edgecolor=color,
                linewidth=1.4,
                zorder=3,
                gid="bar_open" if is_open else "bar",
            )
            if is_open:
                markers.add("approx")
            direction = {"lower_bound": 1, "upper_bound": -1}.get(qual, 0)
            sign = 1 if gap >= 0 else -1
            end = gap
            if direction:
                markers.add(qual)
                kit.arrow(panel, gap, y, direction, 0.06 * span, color)
                if direction == sign:
                    end = gap + direction * 0.06 * span
            panel.text(
                end + sign * 0.012 * span,
                y,
                kit.with_reading(str(row["label_fr"]), reading),
                ha="left" if sign > 0 else "right",
                color=style.TEXT_COLOR,
                gid="gap_label",
                **text_kw,
            )
            y += 1.0
        y += 0.4
    panel.set_ylim(y - 0.4, -0.7)
    panel.set_xlim(lo, hi)
    panel.set_yticks(positions, [style.escape_text(label) for label in labels])
    panel.tick_params(axis="y", length=0, labelsize=style.TICK_SIZE - 0.5)
    panel.tick_params(axis="x", labelsize=style.TICK_SIZE - 0.5)
    step = 20 if span > 90 else 10
    data_lo, data_hi = min([0.0, *values]), max([0.0, *values])
    panel.set_xticks(
        np.arange(math.floor(data_lo / step) * step, math.ceil(data_hi / step) * step + 1, step)
    )
    panel.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, 0, sign=True)))
    panel.axvline(0, color=style.TEXT_COLOR, lw=0.8, zorder=4)
    panel.spines[["top", "right", "left"]].set_visible(False)
    panel.grid(axis="x", color="#e0e0e0", lw=0.6)
    panel.set_axisbelow(True)
    panel.set_title(title, fontsize=style.LABEL_SIZE, fontweight="bold", loc="left", pad=4)
    # Indicator headers start at the frame's left edge, on their own row.
    header_transform = blended_transform_factory(frame.transAxes, panel.transData)
    for y_header, text in headers:
        panel.text(
            0.0,
            y_header,
            text,
            transform=header_transform,
            ha="left",
            va="center",
            fontsize=style.TICK_SIZE,
            fontweight="bold",
            color=style.TEXT_COLOR,
            gid="group_label",
            clip_on=False,
        )


def _bar_range(values: list[float]) -> tuple[float, float]:
    """x limits with room for the labels on each side that has bars."""
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi - lo < 10:
        hi, lo = (hi + 5, lo - 5) if hi - lo == 0 else (hi, lo)
    room_left = 0.38 if lo < 0 else 0.03
    room_right = 0.3 if hi > 0 else 0.03
    width = (hi - lo) / (1 - room_left - room_right)
    return lo - room_left * width, hi + room_right * width
