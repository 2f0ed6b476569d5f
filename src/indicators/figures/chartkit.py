"""The shared kit of the charts of the quartiers against the agglomeration (the EPCI).

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
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from indicators.catalog import BY_ID, INDICATORS
from indicators.errors import InputError, ParameterError
from indicators.figures import style
from indicators.numbers import format_value

GAP_COLUMNS = ("quartier_id", "indicator_id", "gap", "gap_qualifier", "reading", "label_fr")
PORTRAIT_COLUMNS = ("quartier_id", "indicator_id", "value", "qualifier", "unit")
UNDETERMINED_TEXT = "indéterminé"

_LEFT, _RIGHT = 0.31, 0.79  # panel position inside the frame (axes fraction)


@dataclass(frozen=True)
class Row:
    """One indicator of one quartier, as a chart draws it."""

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


def require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """Check that the ``table`` table has ``columns`` (:class:`InputError` if not)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"columns {', '.join(missing)} in the {table} table", context=f"table {table!r}"
        )


def check_quartier(quartier_id: str, *tables: pd.DataFrame | None) -> None:
    """Check that ``quartier_id`` is in one of ``tables`` (:class:`ParameterError`)."""
    known: set[str] = set()
    for table in tables:
        if table is not None and "quartier_id" in table.columns:
            known.update(str(q) for q in table["quartier_id"].dropna())
    if quartier_id not in known:
        raise ParameterError(
            f"unknown quartier id {quartier_id!r}; expected one of: {', '.join(sorted(known))}"
        )


def indicator_ids(indicators: Sequence[str] | None, present: set[str]) -> list[str]:
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


def quartier_name(quartiers: pd.DataFrame | None, quartier_id: str) -> str:
    """The quartier's name from the ``quartiers`` table, else its id."""
    if quartiers is not None and {"quartier_id", "name"} <= set(quartiers.columns):
        match = quartiers.loc[quartiers["quartier_id"] == quartier_id, "name"]
        if len(match):
            return str(match.iloc[0])
    return quartier_id


def text_or_none(value: object) -> str | None:
    """``value`` as text, ``None`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def source_text(rows: pd.DataFrame, reference_label: str | None = None) -> str:
    """« Source : … » for a quartier's portrait rows (source, vintage, perimeter).

    ``reference_label`` names the reference territory (default « agglomération »).

    >>> text = source_text(pd.DataFrame({"source": ["sigville"], "vintage": ["2022"],
    ...                                  "perimeter": ["ancien périmètre"]}), "CATEST")
    >>> text.endswith("(sigville 2022, ancien périmètre) ; référence : CATEST.")
    True
    """
    parts = []
    for col_source, col_vintage, col_perimeter in (("source", "vintage", "perimeter"),):
        if col_source not in rows.columns:
            break
        for _, row in rows.drop_duplicates([col_source]).iterrows():
            src = text_or_none(row.get(col_source))
            if src is None:
                continue
            text = " ".join(t for t in (src, text_or_none(row.get(col_vintage))) if t)
            perimeter = text_or_none(row.get(col_perimeter))
            parts.append(text + (f", {perimeter}" if perimeter else ""))
    if not parts:
        detail = "source des données non indiquée par la convention"
    else:
        detail = " ; ".join(parts)
        if "source" in rows.columns and rows["source"].isna().any():
            detail += " ; source non indiquée pour une partie des données"
    return (
        "Source : convention du contrat de ville, portrait statistique "
        f"({detail}) ; référence : {reference_label or 'agglomération'}."
    )


def rows(gaps: pd.DataFrame, portrait: pd.DataFrame, quartier_id: str, ids: list[str]) -> list[Row]:
    g = gaps[gaps["quartier_id"] == quartier_id].set_index("indicator_id")
    p = portrait[portrait["quartier_id"] == quartier_id].set_index("indicator_id")
    out = []
    for ind_id in ids:
        ind = BY_ID[ind_id]
        value, qualifier, unit, reference = math.nan, "exact", ind.unit, math.nan
        if ind_id in p.index:
            prow = p.loc[ind_id]
            value, qualifier = float(prow["value"]), str(prow["qualifier"])
            unit = text_or_none(prow["unit"])
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
        out.append(
            Row(
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
    return out


def value_text(row: Row) -> str:
    """The quartier's value as written beside its marker."""
    decimals = 0 if row.kind == "level" or float(row.value).is_integer() else 1
    return format_value(row.value, row.unit, row.qualifier, decimals)


def reference_text(row: Row) -> str:
    """The agglomeration's value as written beside its marker."""
    decimals = 0 if row.kind == "level" or float(row.reference).is_integer() else 1
    return format_value(row.reference, row.unit, "exact", decimals)


def frame(ax: Axes | None, n_rows: float, *, row_height: float) -> Axes:
    """The frame Axes holding title, panels, legend and source (new figure if ``None``)."""
    if ax is None:
        _, ax = style.new_figure(style.A4_WIDTH, 1.4 + row_height * n_rows)
    ax.set_axis_off()
    return ax


def panels(
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


def arrow(panel: Axes, x: float, y: float, direction: int, length: float, color: str) -> None:
    """The arrow of a bound (« plus de », « moins de ») pointing along ``direction``."""
    panel.annotate(
        "",
        xy=(x + direction * length, y),
        xytext=(x, y),
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.4, "shrinkA": 4, "shrinkB": 0},
        gid="bound_arrow",
        annotation_clip=False,
    )


def bound_handle(direction: int, label: str) -> Line2D:
    """The legend entry of a bound's arrow: → for a lower bound (+1), ← for an upper one."""
    return Line2D(
        [],
        [],
        marker=r"$\rightarrow$" if direction > 0 else r"$\leftarrow$",
        ls="none",
        color=style.REFERENCE_COLOR,
        ms=14,
        label=label,
    )


def legend(frame: Axes, handles: list[Line2D | Patch], **options: float) -> None:
    """The chart's legend, in two columns at the bottom left of ``frame``."""
    frame.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 0.0),
        ncols=2,
        fontsize=style.TICK_SIZE - 0.5,
        borderaxespad=0.0,
        **options,
    )


def reading_handles(readings: set[str], kind: str) -> list[Line2D | Patch]:
    """Legend entries of the gap readings used, as lines or patches (``kind``)."""
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


def with_reading(label: str, reading: str) -> str:
    """« +32,1 points, défavorable »: the gap and its reading in words (colour is never
    the only carrier of the reading); an unknown reading adds nothing.

    >>> with_reading("+32,1 points", "défavorable")
    '+32,1 points, défavorable'
    """
    if reading in {"défavorable", "favorable", "supérieur", "inférieur", "équivalent"}:
        return f"{label}, {reading}"
    return label
