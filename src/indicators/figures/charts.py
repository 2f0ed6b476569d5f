"""Charts of the quartiers against the agglomeration (CABBALR).

Both charts put rates (in %) and levels (the school IPS, an index) in **separate panels**:
a gap of 25 IPS points and a gap of 25 percentage points are not the same thing and must
not share a scale. The function returns one Axes — a frame holding the title, the legend
and the source — whose panels are its ``child_axes`` (rates first, then levels), so the
geopandas convention (``ax=None`` in, the Axes out) still holds and a caller may pass an
Axes of its own layout.

How a figure's status is drawn, everywhere:

- exact value: filled marker (or filled bar);
- approximate value (« environ »): open marker (or open bar);
- lower bound (« plus de »): filled marker with an arrow pointing to higher values and
  the words « plus de » / « au moins » in the label; upper bound: arrow to lower values;
- missing value: the words « non disponible » in the row, no marker, no bar;
- gap whose sign cannot be known: « indéterminé ».

Colours give the reading of the gap (``gaps.reading``): unfavourable to the quartier in
vermillion, favourable in blue, no favourable direction (e.g. the share of social
housing) in grey — the Okabe-Ito colours of :mod:`indicators.figures.style`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from indicators.catalog import BY_ID, INDICATORS
from indicators.errors import InputError, ParameterError
from indicators.figures import style
from indicators.numbers import MISSING_TEXT, format_number, format_value

GAP_COLUMNS = ("quartier_id", "indicator_id", "gap", "gap_qualifier", "reading", "label_fr")
PORTRAIT_COLUMNS = ("quartier_id", "indicator_id", "value", "qualifier", "unit")
KIND_TITLES = {
    "rate": "Taux et parts (en %)",
    "level": "Indice de position sociale (IPS)",
}
KIND_GAP_TITLES = {
    "rate": "Écart à la CABBALR, en points de pourcentage",
    "level": "Écart à la CABBALR, en points d'IPS",
}
REFERENCE_LABEL = "CABBALR (agglomération)"
NO_REFERENCE_TEXT = "sans référence"
UNDETERMINED_TEXT = "indéterminé"

_LABEL_WIDTH = 30  # characters before an indicator label is wrapped
_LEFT, _RIGHT = 0.31, 0.79  # panel position inside the frame (axes fraction)


@dataclass(frozen=True)
class _Row:
    indicator_id: str
    label: str
    kind: str
    value: float
    qualifier: str
    unit: str | None
    reference: float
    gap: float
    gap_qualifier: str
    reading: str
    gap_label: str
    has_value: bool
    has_gap: bool


# --- checks ----------------------------------------------------------------------------


def _require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"columns {', '.join(missing)} in the {table} table", context=f"table {table!r}"
        )


def _check_quartier(quartier_id: str, *tables: pd.DataFrame | None) -> None:
    known: set[str] = set()
    for table in tables:
        if table is not None and "quartier_id" in table.columns:
            known.update(str(q) for q in table["quartier_id"].dropna())
    if quartier_id not in known:
        raise ParameterError(
            f"unknown quartier id {quartier_id!r}; expected one of: {', '.join(sorted(known))}"
        )


def _indicator_ids(indicators: Sequence[str] | None, present: set[str]) -> list[str]:
    """Indicators to show, in catalog order (poverty, employment, IPS first)."""
    if indicators is None:
        ids = [i.id for i in INDICATORS if i.kind in ("rate", "level")]
        # The three key indicators always appear (as « non disponible » if absent).
        return [i for i in ids if BY_ID[i].order <= 3 or i in present]
    unknown = [i for i in indicators if i not in BY_ID]
    if unknown:
        raise ParameterError(
            f"unknown indicator id {unknown[0]!r}; expected one of: {', '.join(BY_ID)}"
        )
    counts = [i for i in indicators if BY_ID[i].kind not in ("rate", "level")]
    if counts:
        raise ParameterError(
            f"indicator {counts[0]!r} is a count with no gap to the agglomeration; "
            "expected a rate or a level"
        )
    return sorted(dict.fromkeys(indicators), key=lambda i: BY_ID[i].order)


def _name(quartiers: pd.DataFrame | None, quartier_id: str) -> str:
    if quartiers is not None and {"quartier_id", "name"} <= set(quartiers.columns):
        match = quartiers.loc[quartiers["quartier_id"] == quartier_id, "name"]
        if len(match):
            return str(match.iloc[0])
    return quartier_id


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def source_text(rows: pd.DataFrame) -> str:
    """« Source : … » for a quartier's portrait rows (source, vintage, perimeter).

    >>> text = source_text(pd.DataFrame({"source": ["sigville"], "vintage": ["2022"],
    ...                                  "perimeter": ["ancien périmètre"]}))
    >>> text.endswith("(sigville 2022, ancien périmètre) ; référence : CABBALR.")
    True
    """
    parts = []
    for col_source, col_vintage, col_perimeter in (("source", "vintage", "perimeter"),):
        if col_source not in rows.columns:
            break
        for _, row in rows.drop_duplicates([col_source]).iterrows():
            src = _text(row.get(col_source))
            if src is None:
                continue
            text = " ".join(t for t in (src, _text(row.get(col_vintage))) if t)
            perimeter = _text(row.get(col_perimeter))
            parts.append(text + (f", {perimeter}" if perimeter else ""))
    if not parts:
        detail = "source des données non indiquée par la convention"
    else:
        detail = " ; ".join(parts)
        if "source" in rows.columns and rows["source"].isna().any():
            detail += " ; source non indiquée pour une partie des données"
    return (
        "Source : convention du contrat de ville, portrait statistique "
        f"({detail}) ; référence : CABBALR."
    )


# --- rows ------------------------------------------------------------------------------


def _rows(
    gaps: pd.DataFrame, portrait: pd.DataFrame, quartier_id: str, ids: list[str]
) -> list[_Row]:
    g = gaps[gaps["quartier_id"] == quartier_id].set_index("indicator_id")
    p = portrait[portrait["quartier_id"] == quartier_id].set_index("indicator_id")
    rows = []
    for ind_id in ids:
        ind = BY_ID[ind_id]
        value, qualifier, unit, reference = math.nan, "exact", ind.unit, math.nan
        if ind_id in p.index:
            prow = p.loc[ind_id]
            value, qualifier = float(prow["value"]), str(prow["qualifier"])
            unit = _text(prow["unit"])
            if "reference_value" in p.columns and pd.notna(prow["reference_value"]):
                reference = float(prow["reference_value"])
        gap, gap_q, reading, label = math.nan, "undetermined", "indéterminé", ""
        if ind_id in g.index:
            grow = g.loc[ind_id]
            gap, gap_q = float(grow["gap"]), str(grow["gap_qualifier"])
            reading, label = str(grow["reading"]), str(grow["label_fr"])
            if "reference_value" in g.columns and pd.notna(grow["reference_value"]):
                reference = float(grow["reference_value"])
            if math.isnan(value) and "value" in g.columns:
                value = float(grow["value"])
                qualifier = str(grow.get("value_qualifier", "exact"))
        rows.append(
            _Row(
                ind_id,
                ind.label_fr,
                ind.kind,
                value,
                qualifier,
                unit,
                reference,
                gap,
                gap_q,
                reading,
                label,
                not math.isnan(value),
                ind_id in g.index,
            )
        )
    return rows


def _value_text(row: _Row) -> str:
    decimals = 0 if row.kind == "level" or float(row.value).is_integer() else 1
    return format_value(row.value, row.unit, row.qualifier, decimals)


def _reference_text(row: _Row) -> str:
    decimals = 0 if row.kind == "level" or float(row.reference).is_integer() else 1
    return format_value(row.reference, row.unit, "exact", decimals)


# --- frame and panels ------------------------------------------------------------------


def _frame(ax: Axes | None, n_rows: float, *, row_height: float) -> Axes:
    if ax is None:
        _, ax = style.new_figure(style.A4_WIDTH, 1.4 + row_height * n_rows)
    ax.set_axis_off()
    return ax


def _panels(
    frame: Axes,
    kinds: list[tuple[str, int]],
    top: float,
    bottom: float,
    left: float = _LEFT,
    right: float = _RIGHT,
) -> list[Axes]:
    """Child Axes stacked in ``frame``, heights proportional to their number of rows."""
    frame_height = frame.figure.get_figheight() * frame.get_position().height
    gap = min(0.6 / frame_height, 0.2)  # about 0.6 inch between panels
    total_rows = sum(n for _, n in kinds)
    available = top - bottom - gap * (len(kinds) - 1)
    panels, y = [], top
    for kind, n in kinds:
        height = available * n / total_rows
        y -= height
        panel = frame.inset_axes([left, y, right - left, height])
        panel.set_gid(f"panel_{kind}")
        panels.append(panel)
        y -= gap
    return panels


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


def _arrow(panel: Axes, x: float, y: float, direction: int, length: float, color: str) -> None:
    panel.annotate(
        "",
        xy=(x + direction * length, y),
        xytext=(x, y),
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4, "shrinkA": 4, "shrinkB": 0},
        gid="bound_arrow",
        annotation_clip=False,
    )


# --- gap chart of one quartier ---------------------------------------------------------


def plot_gap_chart(
    gaps: pd.DataFrame,
    portrait: pd.DataFrame,
    quartier_id: str,
    *,
    quartiers: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot chart of one quartier against the agglomeration, indicator by indicator.

    One row per indicator, poverty, employment and IPS first (they are always shown, as
    « non disponible » when the convention gives no figure), then the other rates the
    quartier has. On each row a grey diamond marks the CABBALR, a circle the quartier,
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
    title
        Figure title; default « <nom> : le quartier comparé à l'agglomération ».
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
    _require(gaps, (*GAP_COLUMNS, "reference_value"), "gaps")
    _require(portrait, PORTRAIT_COLUMNS, "portrait")
    _check_quartier(quartier_id, portrait, gaps, quartiers)
    present = set(portrait.loc[portrait["quartier_id"] == quartier_id, "indicator_id"])
    present |= set(gaps.loc[gaps["quartier_id"] == quartier_id, "indicator_id"])
    ids = _indicator_ids(indicators, present)
    rows = _rows(gaps, portrait, quartier_id, ids)
    kinds = [(k, sum(r.kind == k for r in rows)) for k in ("rate", "level")]
    kinds = [(k, n) for k, n in kinds if n]

    with style.style_context():
        frame = _frame(ax, len(rows) + 2 * len(kinds), row_height=0.45)
        name = _name(quartiers, quartier_id)
        frame.set_title(
            style.escape_text(title or f"{name} : le quartier comparé à l'agglomération"),
            loc="left",
        )
        legend_height = 0.13
        panels = _panels(frame, kinds, top=0.93, bottom=legend_height + 0.06)
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
        _dot_legend(frame, used_readings, used_markers)
        note = None
        if quartiers is not None and "caveat" in quartiers.columns:
            caveat = quartiers.loc[quartiers["quartier_id"] == quartier_id, "caveat"]
            note = _text(caveat.iloc[0]) if len(caveat) else None
        qrows = portrait[portrait["quartier_id"] == quartier_id]
        style.add_source(frame, source_text(qrows), note=_wrap_note(note))
    return frame


def _wrap_note(note: str | None, width: int = 110) -> str | None:
    return None if note is None else textwrap.fill("Note : " + note, width)


def _draw_dot_row(
    panel: Axes, y: int, row: _Row, span: float, readings: set[str], markers: set[str]
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
        _arrow(panel, row.value, y, direction, 0.075 * span, color)
        markers.add(row.qualifier)
    # The quartier's value is written above its marker, the agglomeration's below its
    # own: the two labels can never overlap, however close the values are.
    panel.annotate(
        _value_text(row),
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
            _reference_text(row),
            xy=(row.reference, y),
            xytext=(0, -7),
            textcoords="offset points",
            ha=_label_ha(row.reference, panel),
            gid="reference_label",
            annotation_clip=False,
            **{**text_kw, "va": "top", "color": style.REFERENCE_COLOR},
        )
    if row.has_gap and not math.isnan(row.gap):
        label, label_color = row.gap_label, color
    elif row.has_gap:
        label, label_color = UNDETERMINED_TEXT, style.NOTE_COLOR
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


def _dot_legend(frame: Axes, readings: set[str], markers: set[str]) -> None:
    handles: list[Line2D | Patch] = []
    grey = style.REFERENCE_COLOR
    if "reference" in markers:
        handles.append(
            Line2D([], [], marker="D", ls="none", color=grey, ms=6, label=REFERENCE_LABEL)
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
        handles.append(
            Line2D(
                [],
                [],
                marker=r"$\rightarrow$",
                ls="none",
                color=grey,
                ms=14,
                label="Valeur minimale (« plus de », écart « au moins »)",
            )
        )
    if "upper_bound" in markers:
        handles.append(
            Line2D(
                [],
                [],
                marker=r"$\leftarrow$",
                ls="none",
                color=grey,
                ms=14,
                label="Valeur maximale (« moins de », écart « au plus »)",
            )
        )
    handles.extend(_reading_handles(readings, kind="line"))
    frame.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 0.0),
        ncols=2,
        fontsize=style.TICK_SIZE - 0.5,
        handlelength=1.8,
        columnspacing=1.5,
        borderaxespad=0.0,
    )


def _reading_handles(readings: set[str], kind: str) -> list[Line2D | Patch]:
    handles: list[Line2D | Patch] = []
    groups = (
        ("défavorable", {"défavorable"}),
        ("favorable", {"favorable"}),
        ("neutre", {"supérieur", "inférieur", "équivalent"}),
    )
    for key, members in groups:
        if readings & members:
            color = style.READING_COLORS[next(iter(members))]
            label = style.READING_LABELS[key]
            if kind == "line":
                handles.append(Line2D([], [], color=color, lw=2.5, alpha=0.7, label=label))
            else:
                handles.append(Patch(facecolor=color, edgecolor=color, label=label))
    return handles


# --- gaps of every quartier ------------------------------------------------------------


def plot_gaps_across(
    gaps: pd.DataFrame,
    quartiers: pd.DataFrame,
    *,
    indicators: Sequence[str] | None = None,
    title: str | None = None,
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
    title
        Figure title; default « Écarts des quartiers à l'agglomération ».
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
    _require(gaps, (*GAP_COLUMNS, "kind"), "gaps")
    _require(quartiers, ("quartier_id", "name"), "quartiers")
    known = list(dict.fromkeys(quartiers["quartier_id"]))
    stray = sorted(set(gaps["quartier_id"]) - set(known))
    if stray:
        raise InputError(
            "every quartier of the gaps table to be in the quartiers table",
            context="table 'gaps', column 'quartier_id'",
            found=stray[0],
        )
    ids = _indicator_ids(indicators, set(gaps["indicator_id"]))
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    kinds = [(k, sum(BY_ID[i].kind == k for i in ids)) for k in ("rate", "level")]
    kinds = [(k, n * (len(known) + 1)) for k, n in kinds if n]
    n_bars = sum(n for _, n in kinds)

    with style.style_context():
        frame = _frame(ax, n_bars + 3 * len(kinds), row_height=0.2)
        frame.set_title(
            style.escape_text(title or "Écarts des quartiers à l'agglomération (CABBALR)"),
            loc="left",
        )
        panels = _panels(frame, kinds, top=0.94, bottom=0.1, left=0.33, right=0.98)
        readings: set[str] = set()
        markers: set[str] = set()
        for panel, (kind, _) in zip(panels, kinds, strict=True):
            kind_ids = [i for i in ids if BY_ID[i].kind == kind]
            _draw_bar_panel(panel, frame, gaps, kind, kind_ids, known, names, readings, markers)
        handles = _reading_handles(readings, kind="patch")
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
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=r"$\rightarrow$",
                    ls="none",
                    color=style.REFERENCE_COLOR,
                    ms=14,
                    label="Écart minimal (« au moins »)",
                )
            )
        frame.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 0.0),
            ncols=2,
            fontsize=style.TICK_SIZE - 0.5,
            borderaxespad=0.0,
        )
        style.add_source(frame, source_text(gaps), note=None)
    return frame


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
                    "  " + UNDETERMINED_TEXT,
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
                _arrow(panel, gap, y, direction, 0.06 * span, color)
                if direction == sign:
                    end = gap + direction * 0.06 * span
            panel.text(
                end + sign * 0.012 * span,
                y,
                str(row["label_fr"]),
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
    panel.set_title(
        KIND_GAP_TITLES[kind], fontsize=style.LABEL_SIZE, fontweight="bold", loc="left", pad=4
    )
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
    room_left = 0.27 if lo < 0 else 0.03
    room_right = 0.3 if hi > 0 else 0.03
    width = (hi - lo) / (1 - room_left - room_right)
    return lo - room_left * width, hi + room_right * width
